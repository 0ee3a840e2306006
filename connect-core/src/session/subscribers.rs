//! Callback subscribers, each on its own task and isolated from panics (R3).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use futures::future::AbortHandle;

use super::shared::Shared;
use crate::events::{AgentEvent, HealthEvent};
use crate::task::spawn_abortable;

/// Spawns a task feeding `callback`; the task ends when the callback panics or the session ends.
pub(crate) fn spawn_callback_subscriber<F>(shared: Arc<Shared>, callback: F) -> AbortHandle
where
    F: Fn(&AgentEvent) + Send + Sync + 'static,
{
    let mut events = shared.bus.subscribe();
    spawn_abortable(async move {
        while let Some(event) = events.recv().await {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| callback(&event))) {
                let message = panic_message(panic.as_ref());
                tracing::error!(panic = %message, "event subscriber panicked; removing it");
                shared.health(HealthEvent::SubscriberPanicked { message });
                return;
            }
        }
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".to_owned())
}
