//! Ordered, non-blocking delivery of events to any number of subscribers (R3).

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

use super::{AgentEvent, Events};
use crate::model::AgentSnapshot;

/// Default per-subscriber queue length.
pub const DEFAULT_SUBSCRIBER_QUEUE: usize = 1024;

/// The publishing side: the session publishes whole batches; a slow subscriber lags, it never
/// blocks the publisher.
///
/// ```
/// use connect_core::events::{AgentEvent, EventBus};
///
/// let bus = EventBus::new(16);
/// let mut events = bus.subscribe();
/// bus.publish(vec![AgentEvent::ClearedNextState]);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert!(matches!(events.recv().await, Some(AgentEvent::ClearedNextState)));
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct EventBus {
    sender: broadcast::Sender<AgentEvent>,
    /// Held while a batch is sent, so batches never interleave; also the latest snapshot for
    /// resyncing lagged subscribers.
    latest: Arc<Mutex<Option<Arc<AgentSnapshot>>>>,
}

impl EventBus {
    /// A bus whose subscribers each buffer up to `queue` events.
    pub fn new(queue: usize) -> Self {
        Self {
            sender: broadcast::channel(queue.max(1)).0,
            latest: Arc::new(Mutex::new(None)),
        }
    }

    /// Publishes a batch as one uninterrupted sequence.
    pub fn publish(&self, batch: Vec<AgentEvent>) {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        for event in batch {
            if let AgentEvent::Refresh { snapshot, .. } = &event {
                *latest = Some(Arc::clone(snapshot));
            }
            // No receivers is fine: events are not stored for future subscribers.
            let _ = self.sender.send(event);
        }
    }

    /// A new subscriber; it sees events published from now on.
    pub fn subscribe(&self) -> Events {
        Events::new(self.sender.subscribe(), self.clone())
    }

    /// The snapshot of the last published batch.
    pub fn latest_snapshot(&self) -> Option<Arc<AgentSnapshot>> {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
