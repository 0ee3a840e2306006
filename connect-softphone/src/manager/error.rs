//! [`SoftphoneManagerError`]: what the softphone manager's operations can fail with.

use connect_core::api::CtiError;

use crate::media::MediaError;

/// Why a [`SoftphoneManager`](super::SoftphoneManager) operation failed. The agent session is
/// never affected by these.
///
/// ```
/// use connect_softphone::manager::SoftphoneManagerError;
///
/// let e = SoftphoneManagerError::NoSuchCall { contact_id: "c-1".into() };
/// assert!(e.is_no_such_call());
/// assert!(e.to_string().contains("c-1"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoftphoneManagerError {
    /// The agent session was built without its CCP WebSocket, which carries `aws/softphone`.
    #[error("the agent session has no CCP WebSocket (build it with .websocket(..))")]
    NoWebSocket,
    /// No softphone call for this contact.
    #[error("no softphone call for contact {contact_id}")]
    NoSuchCall {
        /// The contact asked for.
        contact_id: String,
    },
    /// The call has no media yet (still setting up).
    #[error("the call of contact {contact_id} has no media yet")]
    NoMedia {
        /// The contact asked for.
        contact_id: String,
    },
    /// A digit outside `0-9 * # A-D` (and `,` for RFC 4733).
    #[error("invalid DTMF digit {0:?}")]
    InvalidDigit(char),
    /// The CTI request failed.
    #[error("CTI: {0}")]
    Cti(#[from] CtiError),
    /// The media engine failed.
    #[error("media: {0}")]
    Media(#[from] MediaError),
    /// TURN credentials could not be fetched (`CreateTransport` softphone failed or timed out).
    #[error("TURN credentials not fetched: {0}")]
    Credentials(String),
    /// Calls are live, so their peer connections stay up.
    #[error("{count} softphone call(s) still live")]
    CallsActive {
        /// How many calls are live.
        count: usize,
    },
    /// The manager has shut down.
    #[error("the softphone manager has stopped")]
    Stopped,
}

impl SoftphoneManagerError {
    /// No call for the contact.
    pub fn is_no_such_call(&self) -> bool {
        matches!(self, Self::NoSuchCall { .. })
    }

    /// Trying again later may succeed (media still setting up, a retryable CTI error).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::NoMedia { .. } | Self::Credentials(_) | Self::CallsActive { .. } => true,
            Self::Cti(e) => e.is_retryable(),
            Self::Media(e) => e.is_retryable(),
            _ => false,
        }
    }
}
