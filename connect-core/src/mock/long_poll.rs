//! `getAgentSnapshot` as the simulator serves it (§4.1, §9.3): without a `nextToken`, or with
//! the token of another version, answer at once; otherwise hold until the agent's snapshot
//! changes or `timeout` ms pass on the clock. The answer is the full snapshot, stamped with
//! the clock plus the configured skew, and a new opaque `nextToken`.

use std::time::Duration;

use crate::api::{CtiError, GetAgentSnapshotResponse};
use crate::model::Timestamp;

use super::ids::{base64_url, base64_url_decode};
use super::instance::SimInstance;

/// Long-poll timeout when the request has none.
///
/// ```
/// assert_eq!(connect_core::mock::DEFAULT_LONG_POLL_TIMEOUT_MS, 30_000);
/// ```
pub const DEFAULT_LONG_POLL_TIMEOUT_MS: i64 = 30_000;

/// The opaque `nextToken` for `version` of agent `agent_id`'s snapshot.
///
/// ```
/// use connect_core::mock::{next_token, token_version};
/// let token = next_token("a-1", 17);
/// assert_eq!(token_version(&token, "a-1"), Some(17));
/// assert_eq!(token_version(&token, "a-2"), None);
/// assert_eq!(token_version("garbage", "a-1"), None);
/// ```
pub fn next_token(agent_id: &str, version: u64) -> String {
    base64_url(format!("sim:v{version}:{agent_id}").as_bytes())
}

/// The snapshot version a `nextToken` of agent `agent_id` names, if it is one.
///
/// ```
/// # use connect_core::mock::{next_token, token_version};
/// assert_eq!(token_version(&next_token("x", 3), "x"), Some(3));
/// ```
pub fn token_version(token: &str, agent_id: &str) -> Option<u64> {
    let raw = String::from_utf8(base64_url_decode(token)?).ok()?;
    let (version, agent) = raw.strip_prefix("sim:v")?.split_once(':')?;
    (agent == agent_id).then_some(())?;
    version.parse().ok()
}

impl SimInstance {
    /// Serves one `getAgentSnapshot` for agent `agent_id`.
    pub(crate) async fn long_poll(
        &self,
        agent_id: &str,
        token: Option<&str>,
        timeout_ms: Option<i64>,
    ) -> Result<GetAgentSnapshotResponse, CtiError> {
        let known = token.and_then(|t| token_version(t, agent_id));
        let timeout = timeout_ms.unwrap_or(DEFAULT_LONG_POLL_TIMEOUT_MS).max(0);
        let deadline = self.clock().now().add_millis(timeout);
        let mut changes = self.subscribe();
        loop {
            changes.borrow_and_update();
            let stalled = self.with_faults(|f| f.stall_long_polls);
            let (version, next_due, now) =
                self.op(|engine, now| (engine.version(agent_id), engine.next_due(), now));
            let version = version?;
            let changed = known.is_none_or(|k| k != version);
            if !stalled && (changed || now >= deadline) {
                return self.snapshot_response(agent_id);
            }
            let wake = match (stalled, next_due) {
                (true, due) => due,
                (false, Some(due)) => Some(due.min(deadline)),
                (false, None) => Some(deadline),
            };
            let sleep = wake.map(|at| millis_until(now, at));
            match sleep {
                Some(wait) => {
                    let clock = self.clock();
                    tokio::select! {
                        _ = clock.sleep(wait) => {}
                        changed = changes.changed() => if changed.is_err() { return self.snapshot_response(agent_id) },
                    }
                }
                None => {
                    if changes.changed().await.is_err() {
                        return self.snapshot_response(agent_id);
                    }
                }
            }
        }
    }

    /// The full snapshot now, with skew, and its token.
    pub(crate) fn snapshot_response(
        &self,
        agent_id: &str,
    ) -> Result<GetAgentSnapshotResponse, CtiError> {
        let skew = self.with_faults(|f| f.skew_ms);
        let (snapshot, version) = self.op(|engine, now| {
            let snapshot = engine.snapshot(agent_id, now)?;
            Ok::<_, CtiError>((snapshot, engine.version(agent_id)?))
        })?;
        let mut snapshot = snapshot;
        snapshot.snapshot_timestamp = snapshot.snapshot_timestamp.add_millis(skew);
        Ok(GetAgentSnapshotResponse::new(
            snapshot,
            next_token(agent_id, version),
        ))
    }
}

fn millis_until(now: Timestamp, at: Timestamp) -> Duration {
    Duration::from_millis(u64::try_from(at.millis_since(now)).unwrap_or(0))
}
