//! [`ApiLatencyRecorder`]: bounded rings of call records, with live subscription.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::broadcast;

use super::{ApiCallRecord, LatencyStats, LatencySummary};

/// Records kept per series (calls, long polls) by [`ApiLatencyRecorder::default`].
///
/// ```
/// assert_eq!(connect_core::metrics::DEFAULT_LATENCY_CAPACITY, 4096);
/// ```
pub const DEFAULT_LATENCY_CAPACITY: usize = 4096;

/// Records buffered per live subscriber before it lags.
const FEED_CAPACITY: usize = 1024;

/// Where a transport records API latency: two bounded rings (the long poll apart from every
/// other operation; the oldest record goes when a ring is full), a summary, a drain, and a
/// live feed. Cheap to clone; clones share the rings.
///
/// ```
/// use connect_core::api::CtiMethod;
/// use connect_core::metrics::{ApiCallRecord, ApiLatencyRecorder};
/// use connect_core::model::Timestamp;
///
/// let recorder = ApiLatencyRecorder::new(2);
/// let mut feed = recorder.subscribe();
/// for ms in [10, 20, 30] {
///     recorder.record(ApiCallRecord::success(CtiMethod::AcceptContact, ms, 200, Timestamp::from_millis(0)));
/// }
/// assert_eq!(feed.try_recv().unwrap().latency_ms, 10);
/// let kept: Vec<u64> = recorder.drain().iter().map(|r| r.latency_ms).collect();
/// assert_eq!(kept, [20, 30]);
/// assert!(recorder.records().is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct ApiLatencyRecorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    capacity: usize,
    rings: Mutex<Rings>,
    feed: broadcast::Sender<ApiCallRecord>,
}

#[derive(Debug, Default)]
struct Rings {
    calls: VecDeque<ApiCallRecord>,
    long_polls: VecDeque<ApiCallRecord>,
}

impl Default for ApiLatencyRecorder {
    fn default() -> Self {
        Self::new(DEFAULT_LATENCY_CAPACITY)
    }
}

impl ApiLatencyRecorder {
    /// A recorder keeping at most `capacity` records per series (at least 1).
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// assert!(ApiLatencyRecorder::new(16).records().is_empty());
    /// ```
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            inner: Arc::new(Inner {
                capacity,
                rings: Mutex::new(Rings::default()),
                feed: broadcast::channel(FEED_CAPACITY).0,
            }),
        }
    }

    fn rings(&self) -> MutexGuard<'_, Rings> {
        self.inner
            .rings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a record to its series and sends it to subscribers.
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::{ApiCallRecord, ApiLatencyRecorder}, model::Timestamp};
    /// let recorder = ApiLatencyRecorder::default();
    /// recorder.record(ApiCallRecord::success(CtiMethod::GetAgentSnapshot, 30_000, 200, Timestamp::from_millis(0)));
    /// assert_eq!(recorder.long_polls().len(), 1);
    /// assert!(recorder.records().is_empty());
    /// ```
    pub fn record(&self, record: ApiCallRecord) {
        {
            let mut rings = self.rings();
            let ring = if record.is_long_poll() {
                &mut rings.long_polls
            } else {
                &mut rings.calls
            };
            if ring.len() == self.inner.capacity {
                ring.pop_front();
            }
            ring.push_back(record.clone());
        }
        // No subscriber is not an error.
        let _ = self.inner.feed.send(record);
    }

    /// Every record as it is made, both series (a slow receiver gets `Lagged`).
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// let mut feed = ApiLatencyRecorder::default().subscribe();
    /// assert!(feed.try_recv().is_err());
    /// ```
    pub fn subscribe(&self) -> broadcast::Receiver<ApiCallRecord> {
        self.inner.feed.subscribe()
    }

    /// The kept records of every operation but the long poll, oldest first.
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// assert!(ApiLatencyRecorder::default().records().is_empty());
    /// ```
    pub fn records(&self) -> Vec<ApiCallRecord> {
        self.rings().calls.iter().cloned().collect()
    }

    /// The kept long-poll records, oldest first.
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// assert!(ApiLatencyRecorder::default().long_polls().is_empty());
    /// ```
    pub fn long_polls(&self) -> Vec<ApiCallRecord> {
        self.rings().long_polls.iter().cloned().collect()
    }

    /// Takes the non-long-poll records out, oldest first.
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// assert!(ApiLatencyRecorder::default().drain().is_empty());
    /// ```
    pub fn drain(&self) -> Vec<ApiCallRecord> {
        self.rings().calls.drain(..).collect()
    }

    /// Takes the long-poll records out, oldest first.
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// assert!(ApiLatencyRecorder::default().drain_long_polls().is_empty());
    /// ```
    pub fn drain_long_polls(&self) -> Vec<ApiCallRecord> {
        self.rings().long_polls.drain(..).collect()
    }

    /// Count, p50, p95 and max per operation over the kept records, long poll excluded.
    ///
    /// ```
    /// # use connect_core::{api::CtiMethod, metrics::{ApiCallRecord, ApiLatencyRecorder}, model::Timestamp};
    /// let recorder = ApiLatencyRecorder::default();
    /// recorder.record(ApiCallRecord::success(CtiMethod::HoldConnection, 25, 200, Timestamp::from_millis(0)));
    /// assert_eq!(recorder.summary().operations[&CtiMethod::HoldConnection].p50_ms, 25);
    /// ```
    pub fn summary(&self) -> LatencySummary {
        let records = self.records();
        LatencySummary::from_records(&records)
    }

    /// Statistics of the long-poll series alone.
    ///
    /// ```
    /// # use connect_core::metrics::ApiLatencyRecorder;
    /// assert_eq!(ApiLatencyRecorder::default().long_poll_summary().count, 0);
    /// ```
    pub fn long_poll_summary(&self) -> LatencyStats {
        LatencyStats::from_records(self.rings().long_polls.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::CtiMethod;
    use crate::model::Timestamp;

    fn call(op: CtiMethod, ms: u64) -> ApiCallRecord {
        ApiCallRecord::success(op, ms, 200, Timestamp::from_millis(0))
    }

    #[test]
    fn long_polls_never_mix_into_the_latency_series() {
        let recorder = ApiLatencyRecorder::new(8);
        recorder.record(call(CtiMethod::AcceptContact, 10));
        recorder.record(call(CtiMethod::GetAgentSnapshot, 30_000));
        recorder.record(call(CtiMethod::AcceptContact, 30));
        let summary = recorder.summary();
        assert_eq!(summary.overall.max_ms, 30);
        assert_eq!(summary.operations.len(), 1);
        assert_eq!(recorder.long_poll_summary().max_ms, 30_000);
        assert_eq!(recorder.drain_long_polls().len(), 1);
        assert_eq!(recorder.records().len(), 2);
    }

    #[test]
    fn rings_are_bounded_per_series() {
        let recorder = ApiLatencyRecorder::new(3);
        for ms in 0..10 {
            recorder.record(call(CtiMethod::SendDigits, ms));
            recorder.record(call(CtiMethod::GetAgentSnapshot, ms));
        }
        assert_eq!(recorder.records().len(), 3);
        assert_eq!(recorder.long_polls().len(), 3);
        assert_eq!(recorder.records()[0].latency_ms, 7);
    }
}
