//! The snapshot long poll (spec §4.1): replace the snapshot, diff, publish, re-poll.

use std::sync::Arc;

use super::shared::Shared;
use crate::api::{CtiError, CtiMethod, GetAgentSnapshotRequest};
use crate::events::{diff, AgentEvent, HealthEvent};

/// Polls once, stores the new snapshot and returns the batch it yields (not yet published).
pub(crate) async fn poll_batch(shared: &Shared) -> Result<Vec<AgentEvent>, CtiError> {
    let next_token = shared.state().next_token.clone();
    let request = GetAgentSnapshotRequest {
        next_token,
        timeout: Some(shared.settings.poll_timeout.as_millis() as i64),
    };
    let response = shared
        .call(
            CtiMethod::GetAgentSnapshot,
            shared.api.get_agent_snapshot(request),
        )
        .await?;
    let received_at = shared.clock.now();
    let snapshot = Arc::new(response.snapshot);
    let events = {
        let mut state = shared.state();
        state.next_token = Some(response.next_token);
        state.skew_millis = snapshot.skew_millis(received_at);
        let (events, next) = diff(&state.diff, Arc::clone(&snapshot));
        state.diff = next;
        events
    };
    shared.store_snapshot(snapshot);
    Ok(events)
}

/// The poll loop: never ends on error (R11); 100 ms after success, 5 s after failure.
pub(crate) async fn run_poll_loop(shared: Arc<Shared>) {
    loop {
        let delay = match poll_batch(&shared).await {
            Ok(batch) => {
                shared.bus.publish(batch);
                shared.settings.poll_delay_after_success
            }
            Err(error) => {
                shared.health(HealthEvent::LoopError {
                    task: "snapshot",
                    message: error.to_string(),
                });
                shared.settings.poll_delay_after_failure
            }
        };
        shared.clock.sleep(delay).await;
    }
}
