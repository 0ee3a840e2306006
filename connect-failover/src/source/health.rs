//! [`HealthTracker`]: a region's health from the outcomes of its calls (spec §3.3). Sans-IO.

use std::time::Duration;

use connect_core::api::CtiError;
use connect_core::model::Timestamp;

use crate::RegionHealth;

/// Default `region_dead_after`: a region with no successful call for this long is impaired.
pub const DEFAULT_REGION_DEAD_AFTER: Duration = Duration::from_secs(30);

/// Folds call outcomes into [`RegionHealth`]: `Healthy` while calls succeed; `Degraded` while
/// they fail for less than `region_dead_after`; `Impaired` after that, or at once when
/// connections are refused or time out (black-holed). Answers such as 4xx count as success:
/// the region is there.
///
/// ```
/// use std::time::Duration;
/// use connect_core::api::{CtiError, TransportErrorKind};
/// use connect_core::model::Timestamp;
/// use connect_failover::{source::HealthTracker, RegionHealth};
///
/// let t = Timestamp::from_millis;
/// let mut health = HealthTracker::new(Duration::from_secs(30));
/// health.on_outcome(t(0), Err(&CtiError::transport(TransportErrorKind::Closed, "reset")));
/// assert_eq!(health.evaluate(t(1_000)), RegionHealth::Degraded);
/// assert_eq!(health.evaluate(t(30_000)), RegionHealth::Impaired);
/// health.on_outcome(t(31_000), Ok(()));
/// assert_eq!(health.evaluate(t(31_000)), RegionHealth::Healthy);
/// health.on_outcome(t(32_000), Err(&CtiError::transport(TransportErrorKind::Connect, "refused")));
/// assert_eq!(health.evaluate(t(32_000)), RegionHealth::Impaired);
/// ```
#[derive(Clone, Debug)]
pub struct HealthTracker {
    dead_after_ms: i64,
    failing_since: Option<Timestamp>,
    cut_off: bool,
}

impl HealthTracker {
    /// A healthy tracker.
    pub fn new(region_dead_after: Duration) -> Self {
        Self {
            dead_after_ms: i64::try_from(region_dead_after.as_millis()).unwrap_or(i64::MAX),
            failing_since: None,
            cut_off: false,
        }
    }

    /// Records one call's outcome.
    pub fn on_outcome(&mut self, now: Timestamp, outcome: Result<(), &CtiError>) {
        match outcome {
            Err(error) if error.is_retryable() => {
                self.failing_since.get_or_insert(now);
                self.cut_off = error.was_not_sent() || error.is_timeout();
            }
            _ => {
                self.failing_since = None;
                self.cut_off = false;
            }
        }
    }

    /// The health at `now`.
    pub fn evaluate(&self, now: Timestamp) -> RegionHealth {
        match self.failing_since {
            None => RegionHealth::Healthy,
            Some(_) if self.cut_off => RegionHealth::Impaired,
            Some(since) if now.millis_since(since) >= self.dead_after_ms => RegionHealth::Impaired,
            Some(_) => RegionHealth::Degraded,
        }
    }
}
