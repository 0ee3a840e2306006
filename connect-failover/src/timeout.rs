//! Deadlines on the injected clock.

use std::future::Future;
use std::time::Duration;

use connect_core::time::Clock;
use futures::future::Either;

/// `future`'s output, or `None` when `limit` passes first on `clock`.
pub(crate) async fn with_timeout<F: Future>(
    clock: &dyn Clock,
    limit: Duration,
    future: F,
) -> Option<F::Output> {
    let future = std::pin::pin!(future);
    let sleep = std::pin::pin!(clock.sleep(limit));
    match futures::future::select(future, sleep).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}
