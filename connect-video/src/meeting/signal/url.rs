//! The signalling WebSocket request: `SignalingUrl` with the protocol query, and the
//! subprotocols `_aws_wt_session` and the join token.

use std::fmt;

use connect_core::model::Sensitive;

use super::error::SignalError;
use crate::meeting::join::JoinInfo;

/// The control protocol version this SDK speaks.
pub const CONTROL_PROTOCOL_VERSION: u32 = 3;

/// The query appended to `SignalingUrl`.
pub const SIGNALING_QUERY: &str =
    "X-Chime-Control-Protocol-Version=3&X-Amzn-Chime-Send-Close-On-Error=1";

/// The session subprotocol offered before the join token.
pub const SESSION_SUBPROTOCOL: &str = "_aws_wt_session";

/// Where and how to open the signalling socket. `Debug` hides the join token.
///
/// ```
/// use connect_video::meeting::join::JoinInfo;
/// use connect_video::meeting::signal::SignalingRequest;
///
/// let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":
///     {"SignalingUrl":"wss://signal.example/control/m"}},"Attendee":{"AttendeeId":"a","JoinToken":"s3cr3t"}}"#).unwrap();
/// let request = SignalingRequest::new(&info).unwrap();
/// assert_eq!(request.url(), "wss://signal.example/control/m?X-Chime-Control-Protocol-Version=3&X-Amzn-Chime-Send-Close-On-Error=1");
/// assert_eq!(request.subprotocols(), ["_aws_wt_session", "s3cr3t"]);
/// assert!(!format!("{request:?}").contains("s3cr3t"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignalingRequest {
    url: String,
    join_token: Sensitive,
}

impl SignalingRequest {
    /// The request for this attendee; the URL must be `ws://` or `wss://`.
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # use connect_video::meeting::signal::SignalingRequest;
    /// let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":
    ///     {"SignalingUrl":"https://nope"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#).unwrap();
    /// assert!(SignalingRequest::new(&info).unwrap_err().is_invalid_url());
    /// ```
    pub fn new(info: &JoinInfo) -> Result<Self, SignalError> {
        let base = info.signaling_url();
        let lower = base.to_ascii_lowercase();
        if !(lower.starts_with("ws://") || lower.starts_with("wss://")) {
            return Err(SignalError::InvalidUrl(base.to_owned()));
        }
        if info.join_token.expose().is_empty() {
            return Err(SignalError::InvalidUrl("empty join token".into()));
        }
        let separator = if base.contains('?') { '&' } else { '?' };
        Ok(Self {
            url: format!("{base}{separator}{SIGNALING_QUERY}"),
            join_token: info.join_token.clone(),
        })
    }

    /// The URL to open.
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # use connect_video::meeting::signal::SignalingRequest;
    /// # let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"ws://h/c?x=1"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#).unwrap();
    /// assert!(SignalingRequest::new(&info).unwrap().url().starts_with("ws://h/c?x=1&X-Chime"));
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The subprotocols to offer, in order: `_aws_wt_session`, then the join token.
    /// Only the socket handshake should read this (it carries the secret token).
    ///
    /// ```
    /// # use connect_video::meeting::join::JoinInfo;
    /// # use connect_video::meeting::signal::SignalingRequest;
    /// # let info = JoinInfo::from_json(r#"{"Meeting":{"MeetingId":"m","MediaPlacement":{"SignalingUrl":"ws://h"}},"Attendee":{"AttendeeId":"a","JoinToken":"t"}}"#).unwrap();
    /// assert_eq!(SignalingRequest::new(&info).unwrap().subprotocols()[0], "_aws_wt_session");
    /// ```
    pub fn subprotocols(&self) -> [&str; 2] {
        [SESSION_SUBPROTOCOL, self.join_token.expose()]
    }
}

impl fmt::Debug for SignalingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalingRequest")
            .field("url", &self.url)
            .field("join_token", &self.join_token)
            .finish()
    }
}
