//! A clock that moves only when a test tells it to.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::watch;

use super::Clock;
use crate::model::Timestamp;

/// A manual clock: `now()` stays put until [`ManualClock::advance`]; sleepers wake when the
/// clock passes their deadline.
///
/// ```
/// use std::time::Duration;
/// use connect_core::model::Timestamp;
/// use connect_core::time::{Clock, ManualClock};
///
/// let clock = ManualClock::new(Timestamp::from_millis(1_000));
/// clock.advance(Duration::from_millis(500));
/// assert_eq!(clock.now().as_millis(), 1_500);
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
    ticks: watch::Sender<Timestamp>,
}

impl ManualClock {
    /// A clock that reads `start` until advanced.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
            ticks: watch::channel(start).0,
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has passed.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, time::{Clock, ManualClock}};
    /// let clock = ManualClock::new(Timestamp::from_millis(0));
    /// clock.advance(std::time::Duration::from_secs(2));
    /// assert_eq!(clock.now().as_millis(), 2_000);
    /// ```
    pub fn advance(&self, by: Duration) {
        let now = {
            let mut guard = self.now.lock().unwrap_or_else(PoisonError::into_inner);
            *guard = guard.add_millis(by.as_millis() as i64);
            *guard
        };
        self.ticks.send_replace(now);
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn sleep(&self, duration: Duration) {
        let deadline = self.now().add_millis(duration.as_millis() as i64);
        let mut ticks = self.ticks.subscribe();
        // The sender lives in `self`, so `wait_for` only ends when the deadline is reached.
        let _ = ticks.wait_for(|now| *now >= deadline).await;
    }
}
