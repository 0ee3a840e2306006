//! The retry rules of R10: which failures of which methods are retried, and how long to wait.

use std::time::Duration;

use crate::api::{CtiError, CtiMethod};
use crate::time::{full_jitter, uuid_v4, Jitter};

/// Transient-failure retries (R10): idempotent reads (the six R methods and `getEndpoints`)
/// retry transport errors, 429 and 5xx; every other method retries only what provably was
/// not sent (a connect failure). Waits are full-jitter exponential (base 200 ms), all inside
/// the request's deadline.
///
/// ```
/// use connect_core::api::{CtiError, CtiMethod, TransportErrorKind};
/// use connect_core::http::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// let unavailable = CtiError::from_wire(503, b"", None);
/// assert!(policy.should_retry(CtiMethod::GetAgentStates, &unavailable, 1));
/// assert!(!policy.should_retry(CtiMethod::GetAgentStates, &unavailable, 3));
/// assert!(!policy.should_retry(CtiMethod::AcceptContact, &unavailable, 1));
/// let refused = CtiError::transport(TransportErrorKind::Connect, "refused");
/// assert!(policy.should_retry(CtiMethod::CreateOutboundContact, &refused, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Backoff base: the first retry waits up to this long, the next up to twice as long...
    pub base: Duration,
    /// The longest single wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    ///
    /// ```
    /// # use connect_core::http::RetryPolicy;
    /// assert_eq!(RetryPolicy::none().max_attempts, 1);
    /// ```
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether attempt number `attempt` (1-based) of `method`, which failed with `error`, is
    /// followed by another.
    pub fn should_retry(&self, method: CtiMethod, error: &CtiError, attempt: u32) -> bool {
        if attempt >= self.max_attempts {
            return false;
        }
        if method.is_idempotent_read() {
            error.is_retryable()
        } else {
            error.was_not_sent()
        }
    }

    /// The wait before retry number `retry` (1-based), given a uniform draw `unit` in `[0, 1)`.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::http::RetryPolicy;
    /// assert_eq!(RetryPolicy::default().delay(2, 0.5), Duration::from_millis(200));
    /// ```
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        full_jitter(self.base, retry, self.cap, unit)
    }
}

/// A random UUID-shaped idempotency token for a retried `createTaskContact`.
pub(crate) fn idempotency_token(jitter: &Jitter) -> String {
    let hi = jitter.next_u64();
    uuid_v4(hi, jitter.next_u64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::TransportErrorKind;

    #[test]
    fn reads_retry_transients_and_mutations_only_unsent() {
        let policy = RetryPolicy::default();
        let closed = CtiError::transport(TransportErrorKind::Closed, "reset");
        let refused = CtiError::transport(TransportErrorKind::Connect, "refused");
        let throttled = CtiError::from_wire(429, b"", None);
        let bad = CtiError::from_wire(400, b"", None);
        for &method in CtiMethod::ALL {
            let read = method.is_idempotent_read();
            assert_eq!(policy.should_retry(method, &closed, 1), read, "{method}");
            assert_eq!(policy.should_retry(method, &throttled, 2), read, "{method}");
            assert!(policy.should_retry(method, &refused, 1), "{method}");
            assert!(!policy.should_retry(method, &refused, 3), "{method}");
            assert!(!policy.should_retry(method, &bad, 1), "{method}");
        }
        assert!(!RetryPolicy::none().should_retry(CtiMethod::GetEndpoints, &closed, 1));
    }

    #[test]
    fn idempotency_tokens_look_like_uuids_and_differ() {
        let jitter = Jitter::seeded(1);
        let (a, b) = (idempotency_token(&jitter), idempotency_token(&jitter));
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_eq!(a.matches('-').count(), 4);
    }
}
