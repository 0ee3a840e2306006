//! [`MeetingError`]: what can go wrong with a meeting session.

use crate::meeting::media::MeetingMediaError;
use crate::meeting::signal::{MeetingStatus, SignalError};

/// Errors of a meeting session: its signalling, its media, or its own state.
///
/// ```
/// use connect_video::meeting::session::MeetingError;
/// use connect_video::meeting::signal::{MeetingStatus, SignalError};
///
/// let ended = MeetingError::from(SignalError::Ended(MeetingStatus::MeetingEnded));
/// assert!(ended.is_ended());
/// assert_eq!(ended.status(), Some(MeetingStatus::MeetingEnded));
/// assert!(MeetingError::from(SignalError::ConnectionLost).is_retryable());
/// assert!(MeetingError::ContentShareActive.is_state());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingError {
    /// The signalling failed (join refused, connection lost, the meeting ended...).
    #[error(transparent)]
    Signal(#[from] SignalError),
    /// The media failed (peer connection, ICE, video source...).
    #[error(transparent)]
    Media(#[from] MeetingMediaError),
    /// The session is over (after `Left`).
    #[error("the meeting session is over")]
    Closed,
    /// A content share is already running.
    #[error("a content share is already running")]
    ContentShareActive,
}

impl MeetingError {
    /// Whether the same call may succeed later (after `Reconnected`).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Signal(e) if e.is_retryable())
    }

    /// Whether the session (or the meeting) is over.
    pub fn is_ended(&self) -> bool {
        matches!(self, Self::Closed) || matches!(self, Self::Signal(e) if e.is_ended())
    }

    /// Whether the media, not the signalling, failed.
    pub fn is_media(&self) -> bool {
        matches!(self, Self::Media(_))
    }

    /// Whether the call does not fit the session's state (a second content share).
    pub fn is_state(&self) -> bool {
        matches!(self, Self::ContentShareActive)
    }

    /// The status the meeting ended with, when that is the error.
    pub fn status(&self) -> Option<MeetingStatus> {
        match self {
            Self::Signal(SignalError::Ended(status)) => Some(*status),
            _ => None,
        }
    }
}
