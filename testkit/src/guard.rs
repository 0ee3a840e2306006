//! The hang guard: how long a test waits for what must happen before it fails.

use std::future::Future;
use std::time::Duration;

/// How long a test waits for something that must happen before it fails instead of hanging.
///
/// A guard, never a timing assertion: what a test waits for normally happens far sooner. Under
/// paused tokio time (`#[tokio::test(start_paused = true)]`) it is virtual time, which tokio
/// advances as soon as every task is idle, so a wait that can never end fails at once.
///
/// ```
/// assert_eq!(connect_testkit::HANG_GUARD.as_secs(), 60);
/// ```
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// Awaits `future` under the [`HANG_GUARD`]; panics naming `what` if the guard expires first.
///
/// `what` says what the test expects, like the message of an `expect`: "the peer connects",
/// "SessionStarted". It replaces `tokio::time::timeout(HANG_GUARD, future).await.expect(what)`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let (tx, rx) = tokio::sync::oneshot::channel();
/// tx.send(7).expect("receiver alive");
/// let value = connect_testkit::within("the value", rx).await.expect("sender sent");
/// assert_eq!(value, 7);
/// # }
/// ```
///
/// # Panics
///
/// When `future` is still pending after [`HANG_GUARD`]; the message names `what`.
pub async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(HANG_GUARD, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: not within the {HANG_GUARD:?} hang guard"),
    }
}
