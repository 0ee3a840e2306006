//! One sink's spool and delivery loop: batches in order, full-jitter backoff on retryable
//! failures, permanent failures dropped and counted, panics contained.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use connect_core::time::{full_jitter, Clock, Jitter};
use futures::FutureExt;
use tokio::sync::{broadcast, Notify};

use super::health::{add, set, Changes, SinkCounters};
use super::{Batch, SinkError, Spool, SpoolConfig, StatsSink};
use crate::stats::{Record, StatsEvent};

/// The hub-wide counters (also held by event subscribers).
#[derive(Debug, Default)]
pub(crate) struct HubCounters {
    pub(crate) changes: Changes,
    pub(crate) stats_errors: AtomicU64,
    pub(crate) lagged: AtomicU64,
}

/// What every worker of a hub shares: the event channel and the hub-wide counters.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) events: broadcast::Sender<StatsEvent>,
    pub(crate) counters: Arc<HubCounters>,
}

/// A sink with its spool.
#[derive(Debug)]
pub(crate) struct Worker {
    pub(crate) sink: Arc<dyn StatsSink>,
    spool: Mutex<Spool>,
    wake: Notify,
    closing: AtomicBool,
    in_flight: AtomicU64,
    pub(crate) counters: SinkCounters,
    shared: Arc<Shared>,
}

impl Worker {
    pub(crate) fn new(sink: Arc<dyn StatsSink>, config: SpoolConfig, shared: Arc<Shared>) -> Self {
        Self {
            sink,
            spool: Mutex::new(Spool::new(config)),
            wake: Notify::new(),
            closing: AtomicBool::new(false),
            in_flight: AtomicU64::new(0),
            counters: SinkCounters::default(),
            shared,
        }
    }

    fn spool(&self) -> MutexGuard<'_, Spool> {
        self.spool.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update_queued(&self, spooled: usize) {
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        set(&self.counters.queued, spooled as u64 + in_flight);
        self.shared.counters.changes.bump();
    }

    fn note_admission(&self, admission: super::spool::Admission) {
        if admission.dropped == 0 {
            return;
        }
        add(&self.counters.dropped, admission.dropped);
        if admission.backpressure {
            tracing::warn!(
                sink = self.sink.name(),
                "stats sink spool full; dropping the oldest records"
            );
            // No subscriber is not an error.
            let _ = self.shared.events.send(StatsEvent::SinkBackpressure {
                sink: self.sink.name().to_owned(),
            });
        }
    }

    /// Queues `record` if the sink takes its kind. Never blocks on the sink.
    pub(crate) fn offer(&self, record: &Record) {
        if !self.sink.accepts(record.kind()) {
            return;
        }
        let (admission, len) = {
            let mut spool = self.spool();
            let admission = spool.push(record.clone());
            (admission, spool.len())
        };
        self.note_admission(admission);
        self.update_queued(len);
        self.wake.notify_one();
    }

    /// How long shutdown lets this sink drain.
    pub(crate) fn drain_time(&self) -> std::time::Duration {
        self.spool().config().shutdown_drain
    }

    /// Asks the loop to stop once the spool is empty.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// Counts whatever is left (spooled or in flight) as dropped.
    pub(crate) fn abandon(&self) {
        let left = self.spool().clear() as u64 + self.in_flight.swap(0, Ordering::Relaxed);
        if left > 0 {
            tracing::warn!(
                sink = self.sink.name(),
                left,
                "stats sink stopped before delivering everything"
            );
            add(&self.counters.dropped, left);
        }
        self.update_queued(0);
    }

    /// The delivery loop, restarted if it panics.
    pub(crate) async fn run(self: Arc<Self>, clock: Arc<dyn Clock>, jitter: Arc<Jitter>) {
        loop {
            let pass = AssertUnwindSafe(self.deliver(&*clock, &jitter)).catch_unwind();
            match pass.await {
                Ok(()) => return,
                Err(_) => {
                    tracing::error!(
                        sink = self.sink.name(),
                        "stats sink loop panicked; restarting"
                    );
                    add(&self.counters.errors, 1);
                }
            }
        }
    }

    async fn deliver(&self, clock: &dyn Clock, jitter: &Jitter) {
        let mut failures = 0u32;
        loop {
            let batch = self.spool().take_batch();
            if batch.is_empty() {
                if self.closing.load(Ordering::Relaxed) {
                    return;
                }
                self.wake.notified().await;
                continue;
            }
            self.in_flight.store(batch.len() as u64, Ordering::Relaxed);
            let sent = AssertUnwindSafe(self.sink.send(&batch.records))
                .catch_unwind()
                .await;
            let retry = match sent {
                Ok(Ok(())) => {
                    add(&self.counters.delivered, batch.len() as u64);
                    None
                }
                Ok(Err(error)) => self.failed(batch, error),
                Err(_) => {
                    tracing::error!(
                        sink = self.sink.name(),
                        "stats sink panicked; batch dropped"
                    );
                    add(&self.counters.errors, 1);
                    add(&self.counters.rejected, batch.len() as u64);
                    None
                }
            };
            self.in_flight.store(0, Ordering::Relaxed);
            let Some((kept, retry_after)) = retry else {
                failures = 0;
                let len = {
                    let mut spool = self.spool();
                    spool.delivered();
                    spool.len()
                };
                self.update_queued(len);
                continue;
            };
            let (admission, len, config) = {
                let mut spool = self.spool();
                let admission = spool.requeue(kept);
                (admission, spool.len(), spool.config().clone())
            };
            self.note_admission(admission);
            self.update_queued(len);
            failures = failures.saturating_add(1);
            let backoff = full_jitter(
                config.backoff_base,
                failures,
                config.backoff_cap,
                jitter.next_unit(),
            );
            clock
                .sleep(backoff.max(retry_after.unwrap_or_default()))
                .await;
        }
    }

    /// Books a failed delivery; returns what to retry (and the server's wait), or `None`
    /// when nothing is left to retry.
    fn failed(
        &self,
        batch: Batch,
        error: SinkError,
    ) -> Option<(Batch, Option<std::time::Duration>)> {
        add(&self.counters.errors, 1);
        let n = batch.len() as u64;
        if !error.retryable {
            tracing::warn!(sink = self.sink.name(), records = n, %error, "stats sink refused a batch; dropped");
            add(&self.counters.rejected, n);
            return None;
        }
        tracing::info!(sink = self.sink.name(), records = n, %error, "stats sink delivery failed; will retry");
        let kept = match &error.retry_only {
            Some(indices) => {
                let kept = batch.keep_only(indices);
                let rejected = (error.rejected as u64).min(n - kept.len() as u64);
                add(&self.counters.rejected, rejected);
                add(&self.counters.delivered, n - kept.len() as u64 - rejected);
                kept
            }
            None => batch,
        };
        (!kept.is_empty()).then_some((kept, error.retry_after))
    }
}
