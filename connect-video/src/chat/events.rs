//! [`ChatEvents`]: the ordered event stream of a session, and the sink that never blocks the
//! session (a slow receiver gets [`ChatEvent::Lagged`]).

use tokio::sync::mpsc;

use super::event::ChatEvent;

/// Default capacity of the event queue.
pub const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// The events of a [`ChatSession`](super::ChatSession), in order. Ends (`None`) after
/// [`ChatEvent::ChatEnded`] or when the session stops.
#[derive(Debug)]
pub struct ChatEvents {
    rx: mpsc::Receiver<ChatEvent>,
}

impl ChatEvents {
    /// The next event; `None` once the session has stopped.
    pub async fn recv(&mut self) -> Option<ChatEvent> {
        self.rx.recv().await
    }

    /// An event if one is queued.
    pub fn try_recv(&mut self) -> Option<ChatEvent> {
        self.rx.try_recv().ok()
    }
}

/// The session's end of the queue.
#[derive(Debug)]
pub(crate) struct EventSink {
    tx: mpsc::Sender<ChatEvent>,
    dropped: u64,
}

impl EventSink {
    pub(crate) fn new(capacity: usize) -> (Self, ChatEvents) {
        let (tx, rx) = mpsc::channel(capacity.max(2));
        (Self { tx, dropped: 0 }, ChatEvents { rx })
    }

    /// Queues `event`; when the receiver is behind the event is dropped and counted, and a
    /// [`ChatEvent::Lagged`] goes first once there is room again.
    pub(crate) fn emit(&mut self, event: ChatEvent) {
        if self.dropped > 0 {
            match self.tx.try_send(ChatEvent::Lagged {
                dropped: self.dropped,
            }) {
                Ok(()) => self.dropped = 0,
                Err(_) => {
                    self.dropped += 1;
                    return;
                }
            }
        }
        if self.tx.try_send(event).is_err() {
            self.dropped += 1;
            tracing::warn!(dropped = self.dropped, "chat event receiver is lagging");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_receiver_gets_a_lag_notice() {
        let (mut sink, mut events) = EventSink::new(2);
        for _ in 0..5 {
            sink.emit(ChatEvent::ConnectionRestored { gap_filled: 0 });
        }
        assert!(events.try_recv().is_some());
        assert!(events.try_recv().is_some());
        sink.emit(ChatEvent::ChatEnded { synthetic: false });
        assert_eq!(events.try_recv(), Some(ChatEvent::Lagged { dropped: 3 }));
        assert_eq!(
            events.try_recv(),
            Some(ChatEvent::ChatEnded { synthetic: false })
        );
    }
}
