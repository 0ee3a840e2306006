//! The retry and reconnect delays of spec §3.6, as pure functions of the attempt number and a
//! uniform draw in `[0, 1)`.

use std::time::Duration;

use connect_core::api::CtiError;
use connect_core::time::full_jitter;

/// Attempts of one request (discovery GET, `createTransport`, `putAgentState`, cleanup calls).
pub const REQUEST_ATTEMPTS: u32 = 3;
/// Base of the request retry delay `U[0, 200 ms × 2^n]`.
pub const REQUEST_RETRY_BASE: Duration = Duration::from_millis(200);
/// Base of the reconnect delay `U[0, min(7 s, 300 ms × 2^(n−1))]`.
pub const RECONNECT_BASE: Duration = Duration::from_millis(300);
/// Cap of the reconnect delay.
pub const RECONNECT_CAP: Duration = Duration::from_secs(7);
/// After this many reconnect attempts the loop keeps trying at the cap and reports `Degraded`.
pub const RECONNECT_DEGRADED_AFTER: u32 = 10;

/// Delay before request retry `retry` (1 = the first retry): `U[0, 200 ms × 2^(retry−1)]`.
///
/// ```
/// use std::time::Duration;
/// use connect_failover::coordinator::request_retry_delay;
/// assert_eq!(request_retry_delay(1, 0.5), Duration::from_millis(100));
/// assert_eq!(request_retry_delay(2, 0.5), Duration::from_millis(200));
/// ```
pub fn request_retry_delay(retry: u32, unit: f64) -> Duration {
    full_jitter(REQUEST_RETRY_BASE, retry, Duration::from_secs(10), unit)
}

/// Delay before reconnect attempt `attempt` (1-based): `U[0, min(7 s, 300 ms × 2^(n−1))]`.
///
/// ```
/// use std::time::Duration;
/// use connect_failover::coordinator::reconnect_delay;
/// assert_eq!(reconnect_delay(1, 1.0), Duration::from_millis(300));
/// assert_eq!(reconnect_delay(30, 1.0), Duration::from_secs(7));
/// ```
pub fn reconnect_delay(attempt: u32, unit: f64) -> Duration {
    full_jitter(RECONNECT_BASE, attempt.max(1), RECONNECT_CAP, unit)
}

/// Whether a failed request may be sent again: transport failures, 429 and 5xx, and 401/403
/// (the CTI client refreshes its token first); never other 4xx. With less than 5 s left before
/// the caller's deadline there is a single attempt.
///
/// ```
/// use std::time::Duration;
/// use connect_core::api::{CtiError, CtiExceptionKind};
/// use connect_failover::coordinator::should_retry_request;
///
/// let busy = CtiError::Service { code: CtiExceptionKind::ThrottlingException, message: String::new(), status: 429 };
/// assert!(should_retry_request(&busy, Duration::from_secs(10)));
/// assert!(!should_retry_request(&busy, Duration::from_secs(4)));
/// let bad = CtiError::Service { code: CtiExceptionKind::InvalidStateException, message: String::new(), status: 400 };
/// assert!(!should_retry_request(&bad, Duration::from_secs(10)));
/// ```
pub fn should_retry_request(error: &CtiError, remaining: Duration) -> bool {
    if remaining < Duration::from_secs(5) {
        return false;
    }
    error.is_retryable() || error.is_auth()
}
