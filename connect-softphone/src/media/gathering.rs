//! When ICE gathering counts as complete (spec §8 and R6), as a machine told the time.

use std::time::{Duration, Instant};

use super::IceTimings;

/// What the gatherer should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatherStep {
    /// Keep collecting candidates until this instant (or the next input).
    WaitUntil(Instant),
    /// Gathering is complete: send what was collected.
    Done,
}

/// The completion rule: end-of-candidates, or the timeout, or the first component-1
/// candidate plus the extra window (never past the timeout).
///
/// ```
/// use std::time::Duration;
/// use connect_softphone::media::{GatherStep, GatheringRule, IceTimings};
/// use std::time::Instant;
///
/// let start = Instant::now();
/// let mut rule = GatheringRule::new(start, &IceTimings::default());
/// rule.on_candidate(Some(1), start + Duration::from_millis(100));
/// assert_eq!(rule.poll(start + Duration::from_millis(200)),
///            GatherStep::WaitUntil(start + Duration::from_millis(600)));
/// assert_eq!(rule.poll(start + Duration::from_millis(600)), GatherStep::Done);
/// ```
#[derive(Clone, Debug)]
pub struct GatheringRule {
    deadline: Instant,
    extra_window: Duration,
    first_complete: Option<Instant>,
    ended: bool,
}

impl GatheringRule {
    /// Starts the rule at `now`.
    pub fn new(now: Instant, timings: &IceTimings) -> Self {
        Self {
            deadline: now + timings.gathering_timeout,
            extra_window: timings.extra_gathering_window,
            first_complete: None,
            ended: false,
        }
    }

    /// A usable candidate of this component arrived.
    pub fn on_candidate(&mut self, component: Option<u16>, now: Instant) {
        if component == Some(1) && self.first_complete.is_none() {
            self.first_complete = Some(now);
        }
    }

    /// Gathering reported end-of-candidates.
    pub fn on_end_of_candidates(&mut self) {
        self.ended = true;
    }

    /// The step at `now`.
    pub fn poll(&self, now: Instant) -> GatherStep {
        let until = match self.first_complete {
            Some(at) => (at + self.extra_window).min(self.deadline),
            None => self.deadline,
        };
        if self.ended || now >= until {
            GatherStep::Done
        } else {
            GatherStep::WaitUntil(until)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn completion_rules() {
        let t0 = Instant::now();
        let timings = IceTimings::default();
        // (candidates at ms with component, end-of-candidates, poll at ms, expected)
        type Case = (Vec<(u64, Option<u16>)>, bool, u64, GatherStep);
        let cases: Vec<Case> = vec![
            (vec![], false, 0, GatherStep::WaitUntil(t0 + ms(8000))),
            (vec![], false, 8000, GatherStep::Done),
            (vec![], true, 10, GatherStep::Done),
            (
                vec![(100, Some(1))],
                false,
                599,
                GatherStep::WaitUntil(t0 + ms(600)),
            ),
            (vec![(100, Some(1))], false, 600, GatherStep::Done),
            (
                vec![(100, Some(2))],
                false,
                600,
                GatherStep::WaitUntil(t0 + ms(8000)),
            ),
            (vec![(7900, Some(1))], false, 8000, GatherStep::Done),
            (
                vec![(100, Some(1)), (300, Some(1))],
                false,
                599,
                GatherStep::WaitUntil(t0 + ms(600)),
            ),
        ];
        for (candidates, ended, at, expected) in cases {
            let mut rule = GatheringRule::new(t0, &timings);
            for (when, component) in &candidates {
                rule.on_candidate(*component, t0 + ms(*when));
            }
            if ended {
                rule.on_end_of_candidates();
            }
            assert_eq!(
                rule.poll(t0 + ms(at)),
                expected,
                "{candidates:?} ended={ended} at={at}"
            );
        }
    }

    #[test]
    fn zero_window_reproduces_upstream() {
        let t0 = Instant::now();
        let timings = IceTimings {
            extra_gathering_window: Duration::ZERO,
            ..IceTimings::default()
        };
        let mut rule = GatheringRule::new(t0, &timings);
        rule.on_candidate(Some(1), t0 + ms(50));
        assert_eq!(rule.poll(t0 + ms(50)), GatherStep::Done);
    }
}
