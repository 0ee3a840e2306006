//! Signaling transports (thin drivers): the CCP WebSocket topic `aws/softphone`
//! ([`MultiplexedTransport`]) and a WebSocket of its own to the signaling endpoint
//! ([`DirectTransport`]). Both deliver decoded [`Envelope`]s and channel news as
//! [`TransportEvent`]s; malformed frames become [`TransportEvent::Malformed`] with a log line.

mod direct;
mod events;
mod multiplexed;

use async_trait::async_trait;
use serde_json::Value;

pub use direct::DirectTransport;
pub use events::{TransportEvent, TransportEvents};
pub use multiplexed::MultiplexedTransport;

use crate::signaling::proto::Envelope;
use crate::SoftphoneError;

/// Sends JSON-RPC messages on one signaling channel. Inbound traffic and channel news come
/// from the [`TransportEvents`] returned with the transport.
///
/// ```
/// use async_trait::async_trait;
/// use connect_softphone::signaling::transport::SignalingTransport;
/// use connect_softphone::SoftphoneError;
///
/// /// Records what would be sent.
/// #[derive(Debug, Default)]
/// struct Recorder(std::sync::Mutex<Vec<serde_json::Value>>);
///
/// #[async_trait]
/// impl SignalingTransport for Recorder {
///     async fn send(&self, _connection_id: &str, message: serde_json::Value) -> Result<(), SoftphoneError> {
///         self.0.lock().unwrap().push(message);
///         Ok(())
///     }
///     async fn close(&self) {}
/// }
/// ```
#[async_trait]
pub trait SignalingTransport: Send + Sync + std::fmt::Debug {
    /// Sends one JSON-RPC message for the call `connection_id` (multiplexed: the envelope's
    /// `connectionId`). An error means the channel is down (R5).
    async fn send(&self, connection_id: &str, message: Value) -> Result<(), SoftphoneError>;

    /// Closes the channel (multiplexed: stops delivering; the CCP socket stays).
    async fn close(&self);
}

/// Logs a malformed inbound frame and wraps it as an event.
fn malformed(error: crate::signaling::proto::ProtoError) -> TransportEvent {
    tracing::warn!(%error, "malformed softphone signaling frame");
    TransportEvent::Malformed(error)
}

/// An envelope as an event.
fn message(envelope: Envelope) -> TransportEvent {
    TransportEvent::Message(envelope)
}
