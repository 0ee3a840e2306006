//! [`SoftphoneError`]: the softphone's error type.

use crate::signaling::proto::ProtoError;
use crate::signaling::SignalingError;

/// What can go wrong in the softphone.
///
/// ```
/// use connect_softphone::SoftphoneError;
/// use connect_softphone::signaling::SignalingError;
///
/// let e = SoftphoneError::from(SignalingError::Timeout);
/// assert!(e.is_timeout());
/// assert!(e.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoftphoneError {
    /// The signaling server refused a request, or the channel failed.
    #[error(transparent)]
    Signaling(#[from] SignalingError),
    /// A message did not have the protocol's shape.
    #[error(transparent)]
    Protocol(#[from] ProtoError),
    /// The CCP WebSocket refused a send.
    #[error("CCP WebSocket: {0}")]
    WebSocket(#[from] connect_core::ws::WsError),
    /// The signaling transport has stopped.
    #[error("signaling transport closed")]
    TransportClosed,
}

impl SoftphoneError {
    /// A deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Signaling(e) if e.is_timeout())
    }

    /// Trying again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Signaling(e) => e.is_retryable(),
            Self::WebSocket(connect_core::ws::WsError::NotConnected) => true,
            Self::Protocol(_) | Self::WebSocket(_) | Self::TransportClosed => false,
        }
    }

    /// The server denied access (403).
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Signaling(SignalingError::AccessDenied { .. }))
    }
}
