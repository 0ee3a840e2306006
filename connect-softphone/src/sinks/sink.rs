//! [`StatsSink`]: where quality records go, and [`SinkError`], how a delivery failed.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;

use crate::stats::{Record, RecordKind};

/// A destination for quality records: Connect's CTI, an HTTP batch endpoint, a search
/// cluster, or the app's own. Each sink runs behind its own spool and delivery loop, so a
/// slow or failing sink delays nobody else.
///
/// ```
/// use async_trait::async_trait;
/// use connect_softphone::sinks::{SinkError, StatsSink};
/// use connect_softphone::stats::{Record, RecordKind};
///
/// #[derive(Debug)]
/// struct Counting(std::sync::atomic::AtomicUsize);
///
/// #[async_trait]
/// impl StatsSink for Counting {
///     fn name(&self) -> &str { "counting" }
///     fn accepts(&self, kind: RecordKind) -> bool { kind == RecordKind::QualitySummary }
///     async fn send(&self, batch: &[Record]) -> Result<(), SinkError> {
///         self.0.fetch_add(batch.len(), std::sync::atomic::Ordering::Relaxed);
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait StatsSink: Debug + Send + Sync {
    /// A short name for logs, health and events.
    fn name(&self) -> &str;

    /// Whether records of `kind` are for this sink (others never reach its spool).
    fn accepts(&self, kind: RecordKind) -> bool;

    /// Delivers `batch` (oldest first). `Ok` removes it from the spool; see [`SinkError`] for
    /// failures.
    async fn send(&self, batch: &[Record]) -> Result<(), SinkError>;
}

/// A failed delivery.
///
/// A retryable failure keeps the batch (or, with [`SinkError::retry_only`], the listed part
/// of it) in the spool and retries after a backoff; a permanent one drops the batch and
/// counts it as rejected.
///
/// ```
/// use std::time::Duration;
/// use connect_softphone::sinks::SinkError;
///
/// let e = SinkError::retryable("HTTP 503").with_retry_after(Duration::from_secs(5));
/// assert!(e.retryable);
/// assert_eq!(e.retry_after, Some(Duration::from_secs(5)));
/// assert!(!SinkError::permanent("HTTP 400").retryable);
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct SinkError {
    /// Trying again may succeed.
    pub retryable: bool,
    /// The server asked to wait at least this long.
    pub retry_after: Option<Duration>,
    /// What went wrong (never a credential).
    pub message: String,
    /// For a retryable failure of part of a batch: the indices of the records to retry; the
    /// others were delivered, except `rejected` of them, which were refused for good.
    pub retry_only: Option<Vec<usize>>,
    /// Records of the batch refused for good (with `retry_only`).
    pub rejected: usize,
}

impl SinkError {
    /// A failure worth retrying (throttling, 5xx, network).
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            retryable: true,
            retry_after: None,
            message: message.into(),
            retry_only: None,
            rejected: 0,
        }
    }

    /// A failure that retrying will not fix (the batch is dropped and counted).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            retryable: false,
            ..Self::retryable(message)
        }
    }

    /// The same failure, waiting at least `delay` before the retry.
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// A retryable partial failure: only the records at `indices` are retried; `rejected`
    /// others were refused for good; the rest were delivered.
    ///
    /// ```
    /// use connect_softphone::sinks::SinkError;
    ///
    /// let e = SinkError::retry_only("2 items throttled", vec![1, 3], 1);
    /// assert!(e.retryable);
    /// assert_eq!(e.retry_only.as_deref(), Some(&[1, 3][..]));
    /// ```
    pub fn retry_only(message: impl Into<String>, indices: Vec<usize>, rejected: usize) -> Self {
        Self {
            retry_only: Some(indices),
            rejected,
            ..Self::retryable(message)
        }
    }
}
