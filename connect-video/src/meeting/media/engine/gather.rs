//! Waiting for ICE gathering, so that descriptions carry their candidates (no trickle).

use std::time::Duration;

use tokio::sync::watch;
use tracing::warn;

/// Waits until ICE gathering is complete, at most `limit` (then the description carries the
/// candidates found so far).
pub(crate) async fn wait_gathered(gathered: &mut watch::Receiver<bool>, limit: Duration) {
    if tokio::time::timeout(limit, gathered.wait_for(|done| *done))
        .await
        .is_err()
    {
        warn!(
            ?limit,
            "ICE gathering incomplete; describing the candidates found so far"
        );
    }
}
