//! [`StatsHub`]: the sinks of an app, each with its own spool and delivery task, the event
//! broadcast and the monitoring health.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use connect_core::time::{Clock, Jitter, SystemClock};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::health::add;
use super::worker::{HubCounters, Shared, Worker};
use super::{MonitoringHealth, SinkHealth, SpoolConfig, StatsSink};
use crate::stats::{Record, StatsEvent};

/// Events buffered per subscriber before it lags.
pub const EVENT_CAPACITY: usize = 64;

/// Builds a [`StatsHub`].
#[derive(Debug)]
pub struct StatsHubBuilder {
    clock: Arc<dyn Clock>,
    sinks: Vec<(Arc<dyn StatsSink>, SpoolConfig)>,
    spool: SpoolConfig,
    jitter_seed: Option<u64>,
}

impl StatsHubBuilder {
    /// The clock backoffs and the shutdown drain wait on (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The spool configuration of sinks added after this call without their own.
    pub fn spool(mut self, config: SpoolConfig) -> Self {
        self.spool = config;
        self
    }

    /// Adds a sink with the current spool configuration.
    pub fn sink(mut self, sink: Arc<dyn StatsSink>) -> Self {
        let config = self.spool.clone();
        self.sinks.push((sink, config));
        self
    }

    /// Adds a sink with its own spool configuration.
    pub fn sink_with_spool(mut self, sink: Arc<dyn StatsSink>, config: SpoolConfig) -> Self {
        self.sinks.push((sink, config));
        self
    }

    /// A fixed seed for the backoff jitter (reproducible tests).
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    /// Starts one delivery task per sink and returns the hub and its event stream.
    pub async fn start(self) -> (StatsHub, StatsEvents) {
        let (events, receiver) = broadcast::channel(EVENT_CAPACITY);
        let counters = Arc::new(HubCounters::default());
        let shared = Arc::new(Shared {
            events,
            counters: Arc::clone(&counters),
        });
        let jitter = Arc::new(match self.jitter_seed {
            Some(seed) => Jitter::seeded(seed),
            None => Jitter::from_time(self.clock.now()),
        });
        let workers: Vec<Arc<Worker>> = self
            .sinks
            .into_iter()
            .map(|(sink, config)| Arc::new(Worker::new(sink, config, Arc::clone(&shared))))
            .collect();
        let tasks = workers
            .iter()
            .map(|w| tokio::spawn(Arc::clone(w).run(Arc::clone(&self.clock), Arc::clone(&jitter))))
            .collect();
        let inner = Arc::new(Inner {
            clock: self.clock,
            shared: Arc::clone(&shared),
            workers,
            tasks: Mutex::new(tasks),
        });
        let events = StatsEvents { receiver, counters };
        (StatsHub { inner }, events)
    }
}

#[derive(Debug)]
struct Inner {
    clock: Arc<dyn Clock>,
    shared: Arc<Shared>,
    workers: Vec<Arc<Worker>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let tasks = self.tasks.get_mut().unwrap_or_else(PoisonError::into_inner);
        for task in tasks.drain(..) {
            task.abort();
        }
    }
}

/// The app's quality sinks: records fan out to every sink that accepts them, each through
/// its own bounded spool and delivery task, so a sink outage never blocks the producer or
/// another sink, and no sink error ever reaches a call. Cheap to clone; dropping the last
/// handle stops the tasks.
///
/// ```
/// use std::sync::Arc;
/// use connect_softphone::sinks::{StatsHub, StatsSink, SinkError};
/// use connect_softphone::stats::{Record, RecordKind};
///
/// #[derive(Debug)]
/// struct Nowhere;
/// #[async_trait::async_trait]
/// impl StatsSink for Nowhere {
///     fn name(&self) -> &str { "nowhere" }
///     fn accepts(&self, _: RecordKind) -> bool { true }
///     async fn send(&self, _: &[Record]) -> Result<(), SinkError> { Ok(()) }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (hub, _events) = StatsHub::builder().sink(Arc::new(Nowhere)).start().await;
/// assert_eq!(hub.sinks()[0].name, "nowhere");
/// hub.shutdown().await;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct StatsHub {
    inner: Arc<Inner>,
}

impl StatsHub {
    /// A builder with the system clock, default spools and no sinks.
    pub fn builder() -> StatsHubBuilder {
        StatsHubBuilder {
            clock: Arc::new(SystemClock::default()),
            sinks: Vec::new(),
            spool: SpoolConfig::default(),
            jitter_seed: None,
        }
    }

    /// Queues `records` on every sink that accepts them. Never blocks on a sink, never fails.
    pub fn dispatch(&self, records: impl IntoIterator<Item = Record>) {
        for record in records {
            for worker in &self.inner.workers {
                worker.offer(&record);
            }
        }
    }

    /// Sends `event` to subscribers (none is fine).
    pub fn emit(&self, event: StatsEvent) {
        let _ = self.inner.shared.events.send(event);
    }

    /// Emits `events` and dispatches `records`: what a sampler tick or a call's end produced.
    pub fn publish(&self, events: Vec<StatsEvent>, records: Vec<Record>) {
        for event in events {
            self.emit(event);
        }
        self.dispatch(records);
    }

    /// The clock the hub's retries and batches run on.
    pub(super) fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.inner.clock)
    }

    /// Counts a tick whose media stats could not be read.
    pub fn count_stats_error(&self) {
        add(&self.inner.shared.counters.stats_errors, 1);
        self.inner.shared.counters.changes.bump();
    }

    /// Another subscription to the events.
    pub fn subscribe(&self) -> StatsEvents {
        StatsEvents {
            receiver: self.inner.shared.events.subscribe(),
            counters: Arc::clone(&self.inner.shared.counters),
        }
    }

    /// Every sink's counters, in the order they were added.
    pub fn sinks(&self) -> Vec<SinkHealth> {
        self.inner
            .workers
            .iter()
            .map(|w| w.counters.snapshot(w.sink.name()))
            .collect()
    }

    /// The counters summed over every sink.
    pub fn health(&self) -> MonitoringHealth {
        let counters = &self.inner.shared.counters;
        self.sinks().iter().fold(
            MonitoringHealth {
                stats_errors: counters.stats_errors.load(Ordering::Relaxed),
                lagged_events: counters.lagged.load(Ordering::Relaxed),
                ..MonitoringHealth::default()
            },
            |mut total, sink| {
                total.sink_errors += sink.errors;
                total.dropped_records += sink.dropped;
                total.rejected_records += sink.rejected;
                total
            },
        )
    }

    /// Waits until `condition` holds for the sinks' counters (checked on every change).
    ///
    /// ```
    /// # use connect_softphone::sinks::StatsHub;
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let (hub, _) = StatsHub::builder().start().await;
    /// hub.wait_until(|sinks| sinks.iter().all(|s| s.queued == 0)).await;
    /// # }
    /// ```
    pub async fn wait_until(&self, mut condition: impl FnMut(&[SinkHealth]) -> bool) {
        let mut changes = self.inner.shared.counters.changes.subscribe();
        loop {
            if condition(&self.sinks()) {
                return;
            }
            if changes.changed().await.is_err() {
                return;
            }
        }
    }

    /// Stops the sinks: each keeps delivering for up to its spool's drain time, then whatever
    /// is left counts as dropped.
    pub async fn shutdown(&self) {
        let tasks: Vec<JoinHandle<()>> = {
            let mut tasks = self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            tasks.drain(..).collect()
        };
        let drains = self.inner.workers.iter().zip(tasks).map(|(worker, task)| {
            let clock = Arc::clone(&self.inner.clock);
            async move {
                worker.close();
                let drain = worker.drain_time();
                let abort = task.abort_handle();
                tokio::select! {
                    _ = task => {}
                    _ = clock.sleep(drain) => abort.abort(),
                }
                worker.abandon();
            }
        });
        futures::future::join_all(drains).await;
    }
}

/// The event stream of a [`StatsHub`]. A subscriber that falls more than
/// [`EVENT_CAPACITY`] events behind loses the oldest; they are counted in
/// [`MonitoringHealth::lagged_events`].
#[derive(Debug)]
pub struct StatsEvents {
    receiver: broadcast::Receiver<StatsEvent>,
    counters: Arc<HubCounters>,
}

impl StatsEvents {
    /// The next event; `None` once the hub is gone.
    pub async fn recv(&mut self) -> Option<StatsEvent> {
        loop {
            match self.receiver.recv().await {
                Ok(event) => return Some(event),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    add(&self.counters.lagged, n);
                    self.counters.changes.bump();
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Option<StatsEvent> {
        loop {
            match self.receiver.try_recv() {
                Ok(event) => return Some(event),
                Err(broadcast::error::TryRecvError::Lagged(n)) => add(&self.counters.lagged, n),
                Err(_) => return None,
            }
        }
    }
}
