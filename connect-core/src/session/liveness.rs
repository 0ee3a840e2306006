//! Liveness of the CCP, apart from authentication (R7): connected, degraded while requests
//! fail, disconnected when nothing has succeeded for a while.

use crate::events::Liveness;
use crate::model::Timestamp;

/// Folds request outcomes into [`Liveness`] and reports only its changes.
#[derive(Debug)]
pub(crate) struct LivenessTracker {
    current: Liveness,
    failing_since: Option<Timestamp>,
    disconnected_after_ms: i64,
}

impl LivenessTracker {
    /// Starts `Connected` (a session exists only after its first successful requests).
    pub(crate) fn new(disconnected_after: std::time::Duration) -> Self {
        Self {
            current: Liveness::Connected,
            failing_since: None,
            disconnected_after_ms: disconnected_after.as_millis() as i64,
        }
    }

    /// A request succeeded.
    pub(crate) fn on_success(&mut self) -> Option<Liveness> {
        self.failing_since = None;
        self.change_to(Liveness::Connected)
    }

    /// A request failed for a transport reason (auth failures are not liveness).
    pub(crate) fn on_failure(&mut self, now: Timestamp, cause: &str) -> Option<Liveness> {
        let since = *self.failing_since.get_or_insert(now);
        let next = if now.millis_since(since) >= self.disconnected_after_ms {
            Liveness::Disconnected { since }
        } else {
            Liveness::Degraded {
                since,
                cause: cause.to_owned(),
            }
        };
        self.change_to(next)
    }

    /// Moves to `next` if it is a different kind of state; a new cause alone is no change.
    fn change_to(&mut self, next: Liveness) -> Option<Liveness> {
        if std::mem::discriminant(&next) == std::mem::discriminant(&self.current) {
            return None;
        }
        self.current = next.clone();
        Some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(1_000_000 + ms)
    }

    #[test]
    fn failures_degrade_then_disconnect_and_a_success_reconnects() {
        let mut tracker = LivenessTracker::new(Duration::from_secs(30));
        assert_eq!(tracker.on_success(), None, "already connected");
        assert_eq!(
            tracker.on_failure(at(0), "timeout"),
            Some(Liveness::Degraded {
                since: at(0),
                cause: "timeout".into()
            })
        );
        assert_eq!(tracker.on_failure(at(5_000), "503"), None, "still degraded");
        assert_eq!(
            tracker.on_failure(at(30_000), "refused"),
            Some(Liveness::Disconnected { since: at(0) })
        );
        assert_eq!(tracker.on_failure(at(40_000), "refused"), None);
        assert_eq!(tracker.on_success(), Some(Liveness::Connected));
        assert_eq!(
            tracker.on_failure(at(50_000), "timeout"),
            Some(Liveness::Degraded {
                since: at(50_000),
                cause: "timeout".into()
            }),
            "a new outage starts its own clock"
        );
    }
}
