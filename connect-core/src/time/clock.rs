//! The [`Clock`] trait and the system clock.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;

use crate::model::Timestamp;

/// A source of wall-clock time and sleeps, injected into every session and machine driver.
///
/// ```
/// use connect_core::time::{Clock, SystemClock};
///
/// let clock = SystemClock::default();
/// assert!(clock.now().as_millis() > 1_600_000_000_000);
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait Clock: Debug + Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> Timestamp;

    /// Completes once `duration` has passed on this clock.
    async fn sleep(&self, duration: Duration);
}

/// The operating system's clock; sleeps with tokio natively and with browser timers on wasm.
///
/// Under tokio's paused time (`#[tokio::test(start_paused = true)]`) its sleeps are virtual,
/// and [`Clock::now`] advances with them, so timeouts are testable without waiting.
///
/// ```
/// # use connect_core::time::{Clock, SystemClock};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let clock = SystemClock::default();
/// let before = clock.now();
/// clock.sleep(std::time::Duration::from_millis(5)).await;
/// assert!(clock.now() >= before);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SystemClock {
    #[cfg(not(target_arch = "wasm32"))]
    origin: (Timestamp, tokio::time::Instant),
}

impl Default for SystemClock {
    fn default() -> Self {
        Self {
            #[cfg(not(target_arch = "wasm32"))]
            origin: (wall_now(), tokio::time::Instant::now()),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn wall_now() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_millis(since_epoch.as_millis() as i64)
}

#[cfg(not(target_arch = "wasm32"))]
#[async_trait]
impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // Wall time at creation plus tokio's monotonic elapsed time: follows paused test time.
        let elapsed = tokio::time::Instant::now().duration_since(self.origin.1);
        self.origin.0.add_millis(elapsed.as_millis() as i64)
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

#[cfg(target_arch = "wasm32")]
#[async_trait(?Send)]
impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(js_sys::Date::now() as i64)
    }

    async fn sleep(&self, duration: Duration) {
        gloo_timers::future::sleep(duration).await;
    }
}
