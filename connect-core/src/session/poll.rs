//! The snapshot long poll (spec §4.1): replace the snapshot, diff, publish, re-poll.

use std::sync::Arc;

use super::auth_watch::until_auth_usable;
use super::shared::Shared;
use crate::api::{CtiError, CtiMethod, GetAgentSnapshotRequest};
use crate::events::{diff, AgentEvent, HealthEvent};
use crate::ws::ResumeCause;

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

/// The poll loop: never ends on error (R11); 100 ms after success, 5 s after failure. A resume
/// (R5) aborts the poll in flight, or the wait, and polls again at once; so does a long poll
/// that overran its deadline, once.
pub(crate) async fn run_poll_loop(shared: Arc<Shared>) {
    let mut resumed = false;
    loop {
        until_auth_usable(shared.auth_states.as_ref()).await;
        let outcome = tokio::select! {
            result = poll_batch(&shared) => Some(result),
            cause = shared.resumes.next() => {
                shared.resume(cause);
                None
            }
        };
        let delay = match outcome {
            None => {
                resumed = true;
                continue;
            }
            Some(Ok(batch)) => {
                resumed = false;
                shared.bus.publish(batch);
                shared.settings.poll_delay_after_success
            }
            Some(Err(error)) if error.is_timeout() && !resumed => {
                shared.resumes.trigger(ResumeCause::LongPollOverrun);
                continue;
            }
            Some(Err(error)) => {
                resumed = false;
                shared.health(HealthEvent::LoopError {
                    task: "snapshot",
                    message: error.to_string(),
                });
                shared.settings.poll_delay_after_failure
            }
        };
        tokio::select! {
            () = shared.clock.sleep(delay) => {}
            cause = shared.resumes.next() => {
                shared.resume(cause);
                resumed = true;
            }
        }
    }
}
