//! [`SignalingError`]: JSON-RPC error codes as named errors (§4.3), plus the client's own
//! deadline and channel failures.

use std::fmt;

/// The client → server methods, for error mapping and acknowledgement bookkeeping.
///
/// ```
/// use connect_softphone::signaling::RpcMethod;
///
/// assert_eq!(RpcMethod::ConnectContact.as_str(), "connectContact");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RpcMethod {
    /// `invite`: the offer.
    Invite,
    /// `accept`: confirms the answer.
    Accept,
    /// `connectContact`: a new call on a persistent peer connection.
    ConnectContact,
    /// `disconnectContact`: a call ends, the persistent peer connection stays.
    DisconnectContact,
    /// `bye`: hang-up.
    Bye,
}

impl RpcMethod {
    /// The wire name.
    ///
    /// ```
    /// # use connect_softphone::signaling::RpcMethod;
    /// assert_eq!(RpcMethod::Bye.as_str(), "bye");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invite => "invite",
            Self::Accept => "accept",
            Self::ConnectContact => "connectContact",
            Self::DisconnectContact => "disconnectContact",
            Self::Bye => "bye",
        }
    }
}

impl fmt::Display for RpcMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What went wrong on the signaling channel: a server error code by name (§4.3), the client's
/// deadline, or the channel itself.
///
/// ```
/// use connect_softphone::signaling::{RpcMethod, SignalingError};
///
/// let busy = SignalingError::from_code(RpcMethod::Invite, 486, "busy");
/// assert!(matches!(busy, SignalingError::Busy { .. }));
/// // 486 is only `Busy` on an invite.
/// let other = SignalingError::from_code(RpcMethod::Bye, 486, "busy");
/// assert_eq!(other.code(), Some(486));
/// assert!(matches!(other, SignalingError::Unknown { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalingError {
    /// 400. With `Stale Peer Connection` in the message it asks for an ICE restart.
    #[error("bad request (400): {message}")]
    BadRequest {
        /// The server's message.
        message: String,
    },
    /// 403.
    #[error("access denied (403): {message}")]
    AccessDenied {
        /// The server's message.
        message: String,
    },
    /// 404.
    #[error("call not found (404): {message}")]
    CallNotFound {
        /// The server's message.
        message: String,
    },
    /// 408.
    #[error("request timeout (408): {message}")]
    RequestTimeout {
        /// The server's message.
        message: String,
    },
    /// 409 on `invite`.
    #[error("idempotency conflict (409): {message}")]
    Idempotency {
        /// The server's message.
        message: String,
    },
    /// 486 on `invite`: another softphone holds the agent.
    #[error("busy (486): {message}")]
    Busy {
        /// The server's message.
        message: String,
    },
    /// 500.
    #[error("internal server error (500): {message}")]
    InternalServer {
        /// The server's message.
        message: String,
    },
    /// Any other code (and 409/486 outside `invite`).
    #[error("signaling error {code}: {message}")]
    Unknown {
        /// The code.
        code: i64,
        /// The server's message.
        message: String,
    },
    /// The answer to our request did not have the protocol's shape.
    #[error("malformed answer: {reason}")]
    Malformed {
        /// What was wrong.
        reason: String,
    },
    /// The client's deadline passed without an answer.
    #[error("signaling timed out")]
    Timeout,
    /// The channel could not be opened or went away.
    #[error("signaling channel down")]
    ChannelDown,
}

/// The marker of a 400 that asks for an ICE restart.
pub const STALE_PEER_CONNECTION: &str = "Stale Peer Connection";

impl SignalingError {
    /// Maps a JSON-RPC error of a `method` request (§4.3): 409 and 486 are named only for
    /// `invite`.
    ///
    /// ```
    /// # use connect_softphone::signaling::{RpcMethod, SignalingError};
    /// assert!(matches!(SignalingError::from_code(RpcMethod::Accept, 403, ""), SignalingError::AccessDenied { .. }));
    /// ```
    pub fn from_code(method: RpcMethod, code: i64, message: impl Into<String>) -> Self {
        let message = message.into();
        let invite = method == RpcMethod::Invite;
        match code {
            400 => Self::BadRequest { message },
            403 => Self::AccessDenied { message },
            404 => Self::CallNotFound { message },
            408 => Self::RequestTimeout { message },
            409 if invite => Self::Idempotency { message },
            486 if invite => Self::Busy { message },
            500 => Self::InternalServer { message },
            code => Self::Unknown { code, message },
        }
    }

    /// The wire code, when the server sent one.
    ///
    /// ```
    /// # use connect_softphone::signaling::SignalingError;
    /// assert_eq!(SignalingError::Timeout.code(), None);
    /// ```
    pub fn code(&self) -> Option<i64> {
        Some(match self {
            Self::BadRequest { .. } => 400,
            Self::AccessDenied { .. } => 403,
            Self::CallNotFound { .. } => 404,
            Self::RequestTimeout { .. } => 408,
            Self::Idempotency { .. } => 409,
            Self::Busy { .. } => 486,
            Self::InternalServer { .. } => 500,
            Self::Unknown { code, .. } => *code,
            Self::Malformed { .. } | Self::Timeout | Self::ChannelDown => return None,
        })
    }

    /// A 400 whose message contains `Stale Peer Connection` (§5.5).
    ///
    /// ```
    /// # use connect_softphone::signaling::SignalingError;
    /// let e = SignalingError::BadRequest { message: "Stale Peer Connection".into() };
    /// assert!(e.is_stale_peer_connection());
    /// ```
    pub fn is_stale_peer_connection(&self) -> bool {
        matches!(self, Self::BadRequest { message } if message.contains(STALE_PEER_CONNECTION))
    }

    /// The client's own deadline passed.
    ///
    /// ```
    /// # use connect_softphone::signaling::SignalingError;
    /// assert!(SignalingError::Timeout.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout)
    }

    /// The channel failed (not the server's answer).
    ///
    /// ```
    /// # use connect_softphone::signaling::SignalingError;
    /// assert!(SignalingError::ChannelDown.is_channel(), "");
    /// assert!(SignalingError::Timeout.is_channel());
    /// ```
    pub fn is_channel(&self) -> bool {
        matches!(self, Self::Timeout | Self::ChannelDown)
    }

    /// Trying again may help (another ICE-restart attempt, §5.5): not `Busy` and not
    /// `CallNotFound`.
    ///
    /// ```
    /// # use connect_softphone::signaling::SignalingError;
    /// assert!(!SignalingError::Busy { message: String::new() }.is_retryable());
    /// assert!(SignalingError::Timeout.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        !matches!(self, Self::Busy { .. } | Self::CallNotFound { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_per_method() {
        use RpcMethod::*;
        let cases: &[(RpcMethod, i64, Option<i64>)] = &[
            (Invite, 400, Some(400)),
            (Bye, 403, Some(403)),
            (Accept, 404, Some(404)),
            (ConnectContact, 408, Some(408)),
            (Invite, 409, Some(409)),
            (Accept, 409, Some(409)),
            (Invite, 486, Some(486)),
            (DisconnectContact, 500, Some(500)),
            (Invite, 599, Some(599)),
        ];
        for (method, code, expected) in cases {
            let e = SignalingError::from_code(*method, *code, "m");
            assert_eq!(e.code(), *expected, "{method} {code}");
        }
        assert!(matches!(
            SignalingError::from_code(Accept, 409, ""),
            SignalingError::Unknown { code: 409, .. }
        ));
        assert!(matches!(
            SignalingError::from_code(Invite, 409, ""),
            SignalingError::Idempotency { .. }
        ));
        assert!(!SignalingError::BadRequest {
            message: "nope".into()
        }
        .is_stale_peer_connection());
    }
}
