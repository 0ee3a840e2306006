//! What a transport reports.

use tokio::sync::mpsc;

use crate::signaling::proto::{Envelope, ProtoError};

/// News from a signaling channel.
///
/// ```
/// use connect_softphone::signaling::transport::TransportEvent;
///
/// let e = TransportEvent::Down { reason: "closed".into() };
/// assert!(matches!(e, TransportEvent::Down { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TransportEvent {
    /// The channel is open (multiplexed: the CCP socket is up with `aws/softphone`
    /// subscribed; direct: the socket opened).
    Opened,
    /// The channel went down (or a send could not be written).
    Down {
        /// Why.
        reason: String,
    },
    /// connect-core rebuilt a stale CCP socket (`Transport(Resumed)`): a network change.
    Resumed,
    /// One inbound message.
    Message(Envelope),
    /// An inbound frame that could not be decoded (already logged); the call goes on.
    Malformed(ProtoError),
}

/// The events of one transport, in order.
///
/// ```no_run
/// # async fn demo(mut events: connect_softphone::signaling::transport::TransportEvents) {
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct TransportEvents {
    rx: mpsc::UnboundedReceiver<TransportEvent>,
}

impl TransportEvents {
    pub(super) fn channel() -> (mpsc::UnboundedSender<TransportEvent>, Self) {
        let (tx, rx) = mpsc::unbounded_channel();
        (tx, Self { rx })
    }

    /// The next event; `None` once the transport stopped.
    pub async fn recv(&mut self) -> Option<TransportEvent> {
        self.rx.recv().await
    }

    /// An event if one is queued.
    pub fn try_recv(&mut self) -> Option<TransportEvent> {
        self.rx.try_recv().ok()
    }
}
