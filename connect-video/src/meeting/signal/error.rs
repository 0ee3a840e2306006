//! [`SignalError`].

use super::frame::FrameError;
use super::status::MeetingStatus;

/// Errors of the meeting signalling client.
///
/// ```
/// use connect_video::meeting::signal::{MeetingStatus, SignalError};
/// assert!(SignalError::NotJoined.is_retryable());
/// assert!(SignalError::Ended(MeetingStatus::MeetingEnded).is_ended());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalError {
    /// The signalling URL is not a WebSocket URL (or the token is empty).
    #[error("invalid signalling URL: {0}")]
    InvalidUrl(String),
    /// The session is not joined right now (connecting or reconnecting); retry after
    /// `Reconnected`.
    #[error("the signalling session is not joined")]
    NotJoined,
    /// A subscription is already waiting for its `SUBSCRIBE_ACK`.
    #[error("a subscription is already in progress")]
    SubscribeInProgress,
    /// The connection was lost before the answer came; retry after `Reconnected`.
    #[error("the signalling connection was lost")]
    ConnectionLost,
    /// The session ended with this status.
    #[error("the meeting session ended: {0:?}")]
    Ended(MeetingStatus),
    /// The server answered a request with an error.
    #[error("the signalling server answered {status}: {description}")]
    Server {
        /// Status.
        status: u32,
        /// Description.
        description: String,
    },
    /// A data message breaks the protocol's limits.
    #[error("invalid data message: {0}")]
    InvalidDataMessage(String),
    /// A malformed frame arrived.
    #[error(transparent)]
    Frame(#[from] FrameError),
}

impl SignalError {
    /// Whether the same call may succeed later (after reconnection).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::NotJoined | Self::ConnectionLost | Self::SubscribeInProgress
        )
    }

    /// Whether the session is over.
    pub fn is_ended(&self) -> bool {
        matches!(self, Self::Ended(_))
    }

    /// Whether the signalling URL was unusable.
    pub fn is_invalid_url(&self) -> bool {
        matches!(self, Self::InvalidUrl(_))
    }
}
