//! Deadlines on requests (R4): every call ends in time, on the session's clock.

use std::future::Future;
use std::time::Duration;

use futures::future::{select, Either};

use crate::api::{CtiError, TransportErrorKind};
use crate::time::Clock;

/// Runs `request` until it completes or `limit` passes on `clock`; the request future is
/// dropped (cancelled) on timeout.
pub(crate) async fn with_deadline<T, F>(
    clock: &dyn Clock,
    limit: Duration,
    operation: &str,
    request: F,
) -> Result<T, CtiError>
where
    F: Future<Output = Result<T, CtiError>>,
{
    let request = std::pin::pin!(request);
    let timer = std::pin::pin!(clock.sleep(limit));
    match select(request, timer).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => Err(CtiError::Transport {
            kind: TransportErrorKind::Timeout,
            message: format!("{operation} exceeded its {} ms deadline", limit.as_millis()),
        }),
    }
}
