//! The manager's small vocabulary: what a call is to the app, how digits are sent, and the
//! factories that give each call its audio.

use std::sync::Arc;

use crate::audio::{AudioError, AudioSink, AudioSource};

/// A softphone call as the app sees it: handed to the source and sink factories.
///
/// ```
/// use connect_softphone::manager::CallInfo;
///
/// let call = CallInfo { contact_id: "c-1".into(), connection_id: "ac-1".into(), auto_accept: false };
/// assert_eq!(call.contact_id, "c-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallInfo {
    /// The contact.
    pub contact_id: String,
    /// The agent connection (the call's key on the signaling channel).
    pub connection_id: String,
    /// `softphoneMediaInfo.autoAccept`: the server accepts the contact by itself.
    pub auto_accept: bool,
}

/// How [`SoftphoneManager::send_digits`](super::SoftphoneManager::send_digits) sends DTMF.
///
/// ```
/// use connect_softphone::manager::DtmfMode;
///
/// assert_eq!(DtmfMode::default(), DtmfMode::Cti);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DtmfMode {
    /// CTI `SendDigits` on the contact's agent connection (what the browser softphone does).
    #[default]
    Cti,
    /// RFC 4733 `telephone-event` packets on the call's media.
    Rfc4733,
}

/// Opens a call's microphone (any [`AudioSource`]); called when the call starts, the source is
/// released when it ends.
pub type SourceFactory =
    Arc<dyn Fn(&CallInfo) -> Result<Box<dyn AudioSource>, AudioError> + Send + Sync>;

/// Gives a call the [`AudioSink`] that plays (or records) what the agent hears.
pub type SinkFactory = Arc<dyn Fn(&CallInfo) -> Box<dyn AudioSink> + Send + Sync>;
