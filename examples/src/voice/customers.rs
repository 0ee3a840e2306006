//! The customer side of the demo's calls: when each customer first hears the agent.

use std::sync::Arc;
use std::time::Instant;

use connect_softphone::mock::media_service::{MediaServiceEvent, SimMediaService};
use tokio::sync::broadcast::error::RecvError;

use super::CallLedger;

/// Writes each customer's first audio into `ledger` until the media service stops.
///
/// ```no_run
/// # async fn demo(media: connect_softphone::mock::media_service::SimMediaService) {
/// use std::sync::Arc;
/// use connect_examples::voice::{watch_customers, CallLedger};
/// let watcher = watch_customers(&media, Arc::new(CallLedger::default()));
/// # watcher.abort();
/// # }
/// ```
pub fn watch_customers(
    media: &SimMediaService,
    ledger: Arc<CallLedger>,
) -> tokio::task::JoinHandle<()> {
    let mut events = media.subscribe();
    tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(MediaServiceEvent::FirstAudio { contact_id }) => {
                    ledger.customer_media(&contact_id, Instant::now());
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "customer events lagged: some set-up times are lost");
                }
                Err(RecvError::Closed) => return,
            }
        }
    })
}
