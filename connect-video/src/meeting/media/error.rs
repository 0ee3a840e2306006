//! [`MeetingMediaError`]: what can go wrong with a meeting's media.

use super::video::VideoError;

/// Errors of the meeting media peer.
///
/// ```
/// use connect_video::meeting::media::MeetingMediaError;
/// assert!(MeetingMediaError::Closed.is_closed());
/// assert!(MeetingMediaError::InvalidRemoteSdp("empty".into()).is_remote());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingMediaError {
    /// The peer was closed.
    #[error("the media peer is closed")]
    Closed,
    /// The peer connection could not be built or configured.
    #[error("media setup failed: {0}")]
    Setup(String),
    /// Creating or setting the local description failed.
    #[error("local description failed: {0}")]
    LocalDescription(String),
    /// The remote description was refused.
    #[error("invalid remote SDP: {0}")]
    InvalidRemoteSdp(String),
    /// Gathering found no candidate at all (unreachable TURN servers, bad credentials).
    #[error("ICE gathering found no candidate")]
    NoCandidates,
    /// The operation does not exist in this mode (a content-share peer receives nothing and
    /// sends no audio).
    #[error("not available on this peer: {0}")]
    Unsupported(&'static str),
    /// The video source failed.
    #[error(transparent)]
    Video(#[from] VideoError),
}

impl MeetingMediaError {
    /// Whether the peer was closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed)
    }

    /// Whether the far end's description was at fault.
    pub fn is_remote(&self) -> bool {
        matches!(self, Self::InvalidRemoteSdp(_))
    }
}
