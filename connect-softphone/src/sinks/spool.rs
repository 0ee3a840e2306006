//! [`Spool`]: a sink's bounded in-memory FIFO. Enqueue never blocks or fails; past the bound
//! the oldest records go, counted.

use std::collections::VecDeque;
use std::time::Duration;

use crate::stats::Record;

/// A spool's bound, batch size and retry timing; the defaults are the specification's.
///
/// ```
/// use connect_softphone::sinks::SpoolConfig;
/// let c = SpoolConfig::default();
/// assert_eq!((c.max_records, c.max_bytes), (20_000, 16 * 1024 * 1024));
/// assert_eq!((c.backoff_base.as_secs(), c.backoff_cap.as_secs(), c.shutdown_drain.as_secs()), (1, 60, 5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpoolConfig {
    /// Records kept at most.
    pub max_records: usize,
    /// Approximate bytes kept at most.
    pub max_bytes: usize,
    /// Records per delivery at most.
    pub max_batch_records: usize,
    /// Approximate bytes per delivery at most (a single larger record still goes alone).
    pub max_batch_bytes: usize,
    /// Full-jitter backoff base.
    pub backoff_base: Duration,
    /// Full-jitter backoff cap.
    pub backoff_cap: Duration,
    /// How long shutdown keeps delivering before the rest counts as dropped.
    pub shutdown_drain: Duration,
}

impl Default for SpoolConfig {
    fn default() -> Self {
        Self {
            max_records: 20_000,
            max_bytes: 16 * 1024 * 1024,
            max_batch_records: 1_000,
            max_batch_bytes: 4 * 1024 * 1024,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(60),
            shutdown_drain: Duration::from_secs(5),
        }
    }
}

/// Records taken out of a spool for one delivery, with their sizes.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    /// The records, oldest first.
    pub records: Vec<Record>,
    sizes: Vec<usize>,
}

impl Batch {
    /// The batch reduced to the records at `indices` (in batch order; others are let go).
    pub fn keep_only(self, indices: &[usize]) -> Batch {
        let mut kept = Batch::default();
        for (i, (record, size)) in self.records.into_iter().zip(self.sizes).enumerate() {
            if indices.contains(&i) {
                kept.records.push(record);
                kept.sizes.push(size);
            }
        }
        kept
    }

    /// Records in the batch.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The outcome of adding to a spool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    /// Oldest records dropped to stay within the bound.
    pub dropped: u64,
    /// This is the first drop since the last successful delivery (report backpressure).
    pub backpressure: bool,
}

/// A bounded FIFO of records (sans-IO: the delivery loop drives it).
///
/// ```
/// use std::sync::Arc;
/// use connect_core::model::Timestamp;
/// use connect_softphone::sinks::{Spool, SpoolConfig};
/// use connect_softphone::stats::*;
///
/// let call = Arc::new(CallContext::new("c", "ac", Enrichment::new("jdoe")));
/// let record = |ms| Record::StreamSample { call: call.clone(),
///     sample: StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(ms)) };
/// let mut spool = Spool::new(SpoolConfig { max_records: 2, ..SpoolConfig::default() });
/// spool.push(record(1));
/// spool.push(record(2));
/// let admission = spool.push(record(3));
/// assert_eq!((admission.dropped, admission.backpressure), (1, true));
/// assert_eq!(spool.push(record(4)).backpressure, false); // once per outage
/// let batch = spool.take_batch();
/// assert_eq!(batch.len(), 2);
/// ```
#[derive(Debug)]
pub struct Spool {
    config: SpoolConfig,
    queue: VecDeque<(Record, usize)>,
    bytes: usize,
    backpressure_reported: bool,
}

impl Spool {
    /// An empty spool.
    pub fn new(config: SpoolConfig) -> Self {
        Self {
            config,
            queue: VecDeque::new(),
            bytes: 0,
            backpressure_reported: false,
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &SpoolConfig {
        &self.config
    }

    /// Records waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Approximate bytes waiting.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Appends a record, dropping the oldest past the bound.
    pub fn push(&mut self, record: Record) -> Admission {
        let size = record.approx_bytes();
        self.bytes += size;
        self.queue.push_back((record, size));
        self.trim()
    }

    /// Takes the oldest records for one delivery (within the batch limits; at least one).
    pub fn take_batch(&mut self) -> Batch {
        let mut batch = Batch::default();
        let mut bytes = 0;
        while let Some((_, size)) = self.queue.front() {
            let full = batch.len() >= self.config.max_batch_records.max(1)
                || (!batch.is_empty() && bytes + size > self.config.max_batch_bytes);
            if full {
                break;
            }
            let Some((record, size)) = self.queue.pop_front() else {
                break;
            };
            bytes += size;
            self.bytes -= size;
            batch.records.push(record);
            batch.sizes.push(size);
        }
        batch
    }

    /// Puts a failed batch back in front (it is still the oldest), then applies the bound.
    pub fn requeue(&mut self, batch: Batch) -> Admission {
        for (record, size) in batch.records.into_iter().zip(batch.sizes).rev() {
            self.bytes += size;
            self.queue.push_front((record, size));
        }
        self.trim()
    }

    /// A delivery succeeded: the next drop starts a new outage.
    pub fn delivered(&mut self) {
        self.backpressure_reported = false;
    }

    /// Drops everything, returning how many records went.
    pub fn clear(&mut self) -> usize {
        let n = self.queue.len();
        self.queue.clear();
        self.bytes = 0;
        n
    }

    fn trim(&mut self) -> Admission {
        let mut admission = Admission::default();
        while self.queue.len() > self.config.max_records || self.bytes > self.config.max_bytes {
            let Some((_, size)) = self.queue.pop_front() else {
                break;
            };
            self.bytes -= size;
            admission.dropped += 1;
        }
        if admission.dropped > 0 && !self.backpressure_reported {
            self.backpressure_reported = true;
            admission.backpressure = true;
        }
        admission
    }
}
