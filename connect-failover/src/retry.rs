//! Request retries of spec §3.6: up to three attempts, each under its own timeout on the
//! injected clock, full-jitter delays between them, only for retryable failures.

use std::future::Future;
use std::time::Duration;

use connect_core::api::{CtiError, TransportErrorKind};
use connect_core::time::{Clock, Jitter};

use crate::coordinator::{request_retry_delay, should_retry_request, REQUEST_ATTEMPTS};
use crate::timeout::with_timeout;

/// Runs `call` until it succeeds, fails for good, or three attempts are spent. `deadline` is
/// the caller's whole budget: with less than 5 s of it left there is no further attempt.
pub(crate) async fn with_retries<T, F, Fut>(
    clock: &dyn Clock,
    jitter: &Jitter,
    per_attempt: Duration,
    deadline: Duration,
    what: &'static str,
    mut call: F,
) -> Result<T, CtiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CtiError>>,
{
    let started = clock.now();
    let mut attempt = 1;
    loop {
        let result = with_timeout(clock, per_attempt, call())
            .await
            .unwrap_or_else(|| {
                Err(CtiError::transport(
                    TransportErrorKind::Timeout,
                    format!("{what}: no answer within {} ms", per_attempt.as_millis()),
                ))
            });
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let spent = u64::try_from(clock.now().millis_since(started).max(0)).unwrap_or(0);
        let remaining = deadline.saturating_sub(Duration::from_millis(spent));
        if attempt >= REQUEST_ATTEMPTS || !should_retry_request(&error, remaining) {
            return Err(error);
        }
        let delay = request_retry_delay(attempt, jitter.next_unit());
        tracing::debug!(what, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
        clock.sleep(delay).await;
        attempt += 1;
    }
}
