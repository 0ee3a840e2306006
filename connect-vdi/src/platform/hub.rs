//! The event channel and cleanup handlers every platform has.

use std::sync::{Mutex, PoisonError};

use tokio::sync::broadcast;

use super::{CleanupHandler, VdiEvents};
use crate::{VdiDisconnectReason, VdiEvent};

/// Queue length of each event subscriber before it is told it lagged.
pub const VDI_EVENT_QUEUE: usize = 256;

/// Publishes events and runs cleanup handlers.
pub struct PlatformHub {
    events: broadcast::Sender<VdiEvent>,
    cleanup: Mutex<Vec<CleanupHandler>>,
}

impl std::fmt::Debug for PlatformHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformHub").finish_non_exhaustive()
    }
}

impl Default for PlatformHub {
    fn default() -> Self {
        Self {
            events: broadcast::channel(VDI_EVENT_QUEUE).0,
            cleanup: Mutex::new(Vec::new()),
        }
    }
}

impl PlatformHub {
    /// Publishes an event (nobody listening is fine).
    pub fn emit(&self, event: VdiEvent) {
        let _ = self.events.send(event);
    }

    /// A new subscription.
    pub fn subscribe(&self) -> VdiEvents {
        VdiEvents::new(self.events.subscribe())
    }

    /// Registers a cleanup handler.
    pub fn on_cleanup(&self, handler: CleanupHandler) {
        self.cleanup
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handler);
    }

    /// Runs every cleanup handler; a panicking handler is logged and the others still run.
    pub fn run_cleanup(&self, reason: &VdiDisconnectReason) {
        let handlers = self.cleanup.lock().unwrap_or_else(PoisonError::into_inner);
        for handler in handlers.iter() {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(reason))).is_err() {
                tracing::error!(target: "connect_vdi", %reason, "a cleanup handler panicked");
            }
        }
    }
}
