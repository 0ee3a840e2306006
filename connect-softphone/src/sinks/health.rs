//! Monitoring health: counters only, never errors returned to a call.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::watch;

/// The health of call-quality monitoring, summed over every sink.
///
/// ```
/// use connect_softphone::sinks::MonitoringHealth;
/// assert_eq!(MonitoringHealth::default().dropped_records, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitoringHealth {
    /// Ticks whose media stats could not be read.
    pub stats_errors: u64,
    /// Failed deliveries (each retry counts).
    pub sink_errors: u64,
    /// Records dropped: oldest past a spool's bound, or left at shutdown.
    pub dropped_records: u64,
    /// Records a sink refused for good.
    pub rejected_records: u64,
    /// Events a lagging subscriber missed.
    pub lagged_events: u64,
}

/// One sink's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkHealth {
    /// The sink's name.
    pub name: String,
    /// Records waiting in its spool (including a batch in flight).
    pub queued: u64,
    /// Records delivered.
    pub delivered: u64,
    /// Records dropped.
    pub dropped: u64,
    /// Records refused for good.
    pub rejected: u64,
    /// Failed deliveries.
    pub errors: u64,
}

/// Lock-free counters of one sink.
#[derive(Debug, Default)]
pub(crate) struct SinkCounters {
    pub(crate) queued: AtomicU64,
    pub(crate) delivered: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) rejected: AtomicU64,
    pub(crate) errors: AtomicU64,
}

impl SinkCounters {
    pub(crate) fn snapshot(&self, name: &str) -> SinkHealth {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        SinkHealth {
            name: name.to_owned(),
            queued: get(&self.queued),
            delivered: get(&self.delivered),
            dropped: get(&self.dropped),
            rejected: get(&self.rejected),
            errors: get(&self.errors),
        }
    }
}

/// Adds `n` to a counter.
pub(crate) fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// Sets a counter.
pub(crate) fn set(counter: &AtomicU64, n: u64) {
    counter.store(n, Ordering::Relaxed);
}

/// A generation number bumped on every change, for waiters.
#[derive(Debug)]
pub(crate) struct Changes(watch::Sender<u64>);

impl Default for Changes {
    fn default() -> Self {
        Self(watch::channel(0).0)
    }
}

impl Changes {
    pub(crate) fn bump(&self) {
        self.0.send_modify(|g| *g = g.wrapping_add(1));
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
