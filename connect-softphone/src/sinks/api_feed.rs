//! The agent's API latency samples into a [`StatsHub`]: every CTI call its client times (spec
//! §7), sent to the sinks as `apimetric` records every 30 s.

use std::time::Duration;

use connect_core::metrics::ApiCallRecord;
use connect_core::metrics::ApiLatencyRecorder;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::StatsHub;
use crate::stats::ApiMetricsCollector;

/// The batching window of API latency samples (the solution posts every 30 s).
pub const API_LATENCY_WINDOW: Duration = Duration::from_secs(30);

impl StatsHub {
    /// Forwards every call `recorder` times (long polls included, marked, as the spec has
    /// them) to the sinks as `apimetric` records of `agent`, in one batch per `window`;
    /// returns the forwarding task (abort it to stop; it ends by itself when the recorder's
    /// client is gone). A burst larger than the recorder's feed is logged and skipped.
    ///
    /// ```no_run
    /// # async fn demo(api: connect_core::http::HttpCti) {
    /// use connect_softphone::sinks::{StatsHub, API_LATENCY_WINDOW};
    ///
    /// let (hub, _events) = StatsHub::builder().start().await;
    /// let feed = hub.forward_api_latency(api.latency(), "jdoe", API_LATENCY_WINDOW);
    /// # feed.abort();
    /// # }
    /// ```
    pub fn forward_api_latency(
        &self,
        recorder: &ApiLatencyRecorder,
        agent: &str,
        window: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let mut feed = recorder.subscribe();
        let mut collector = ApiMetricsCollector::new(agent);
        let (hub, clock) = (self.clone(), self.clock());
        tokio::spawn(async move {
            let mut batch = Vec::new();
            loop {
                let tick = clock.sleep(window);
                tokio::pin!(tick);
                let closed = loop {
                    tokio::select! {
                        () = &mut tick => {
                            // Every call timed before the window closed belongs to it.
                            while take(feed.try_recv().map_err(Into::into), &mut batch) {}
                            break false;
                        }
                        record = feed.recv() => if !take(record.map_err(Into::into), &mut batch) {
                            break true;
                        },
                    }
                };
                hub.dispatch(collector.records(batch.drain(..)));
                if closed {
                    return;
                }
            }
        })
    }
}

/// Adds a received record to `batch`; false when there is nothing more to take now (empty or
/// closed feed). An overflow is logged and skipped.
fn take(received: Result<ApiCallRecord, Received>, batch: &mut Vec<ApiCallRecord>) -> bool {
    match received {
        Ok(record) => {
            batch.push(record);
            true
        }
        Err(Received::Lagged(missed)) => {
            tracing::warn!(missed, "API latency samples skipped: the feed overflowed");
            true
        }
        Err(Received::Nothing) => false,
    }
}

/// Why no record came out of the feed.
enum Received {
    /// This many records were lost to an overflow.
    Lagged(u64),
    /// Empty for now, or closed.
    Nothing,
}

impl From<RecvError> for Received {
    fn from(error: RecvError) -> Self {
        match error {
            RecvError::Lagged(missed) => Self::Lagged(missed),
            RecvError::Closed => Self::Nothing,
        }
    }
}

impl From<TryRecvError> for Received {
    fn from(error: TryRecvError) -> Self {
        match error {
            TryRecvError::Lagged(missed) => Self::Lagged(missed),
            TryRecvError::Empty | TryRecvError::Closed => Self::Nothing,
        }
    }
}
