//! When to restart ICE (spec §5.5, §8, R11), as a machine told the time: `disconnected` or
//! `failed` for the grace period → restart; a failed attempt is retried with full-jitter
//! backoff until the recovery window ends.

use std::time::{Duration, Instant};

use connect_core::time::full_jitter;

use super::{IceState, IceTimings};

/// Base of the retry backoff after a failed attempt (R11).
const RETRY_BASE: Duration = Duration::from_millis(500);
/// Cap of the retry backoff (R11).
const RETRY_CAP: Duration = Duration::from_secs(5);

/// What the supervisor must do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartAction {
    /// Fetch fresh credentials and restart ICE; this is attempt `n` of the outage.
    Restart(u32),
    /// The recovery window is over: stop trying for this outage.
    GiveUp(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Healthy,
    Degraded { next_at: Instant },
    Attempting,
    AwaitingAnswer,
    Exhausted,
}

/// The ICE-restart policy of one peer.
///
/// ```
/// use connect_softphone::media::{IceState, IceTimings, RestartAction, RestartPolicy};
/// use std::time::Duration;
/// use std::time::Instant;
///
/// let t0 = Instant::now();
/// let mut policy = RestartPolicy::new(IceTimings::default());
/// policy.on_ice(IceState::Disconnected, t0);
/// assert_eq!(policy.poll(t0 + Duration::from_millis(2999)), None);
/// assert_eq!(policy.poll(t0 + Duration::from_secs(3)), Some(RestartAction::Restart(1)));
/// ```
#[derive(Clone, Debug)]
pub struct RestartPolicy {
    timings: IceTimings,
    phase: Phase,
    outage_start: Option<Instant>,
    attempt: u32,
}

impl RestartPolicy {
    /// A policy for a healthy peer.
    pub fn new(timings: IceTimings) -> Self {
        Self {
            timings,
            phase: Phase::Healthy,
            outage_start: None,
            attempt: 0,
        }
    }

    /// ICE changed state.
    pub fn on_ice(&mut self, state: IceState, now: Instant) {
        if state.is_connected() {
            self.phase = Phase::Healthy;
            self.outage_start = None;
            self.attempt = 0;
            return;
        }
        if matches!(state, IceState::Disconnected | IceState::Failed)
            && matches!(self.phase, Phase::Healthy | Phase::AwaitingAnswer)
        {
            self.outage_start.get_or_insert(now);
            self.phase = Phase::Degraded {
                next_at: now + self.timings.restart_grace,
            };
        }
    }

    /// The action due at `now`, if any; a `Restart` must be answered with
    /// [`RestartPolicy::on_attempt_result`].
    pub fn poll(&mut self, now: Instant) -> Option<RestartAction> {
        let Phase::Degraded { next_at } = self.phase else {
            return None;
        };
        if now < next_at {
            return None;
        }
        let start = self.outage_start.unwrap_or(now);
        if now.duration_since(start) >= self.timings.recovery_window {
            self.phase = Phase::Exhausted;
            return Some(RestartAction::GiveUp(self.attempt));
        }
        self.attempt += 1;
        self.phase = Phase::Attempting;
        Some(RestartAction::Restart(self.attempt))
    }

    /// The attempt produced a restart offer (`ok`) or failed; `unit` in `[0, 1]` is the jitter.
    pub fn on_attempt_result(&mut self, ok: bool, now: Instant, unit: f64) {
        if self.phase != Phase::Attempting {
            return;
        }
        self.phase = if ok {
            Phase::AwaitingAnswer
        } else {
            Phase::Degraded {
                next_at: now + full_jitter(RETRY_BASE, self.attempt, RETRY_CAP, unit),
            }
        };
    }

    /// When [`RestartPolicy::poll`] next has something to say.
    pub fn deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Degraded { next_at } => Some(next_at),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn reconnecting_within_grace_cancels() {
        let t0 = Instant::now();
        let mut policy = RestartPolicy::new(IceTimings::default());
        policy.on_ice(IceState::Disconnected, t0);
        policy.on_ice(IceState::Connected, t0 + s(2));
        assert_eq!(policy.poll(t0 + s(4)), None);
        assert_eq!(policy.deadline(), None);
    }

    #[test]
    fn failed_attempts_back_off_then_give_up() {
        let t0 = Instant::now();
        let mut policy = RestartPolicy::new(IceTimings::default());
        policy.on_ice(IceState::Failed, t0);
        let mut now = t0 + s(3);
        let mut attempts = 0;
        loop {
            match policy.poll(now) {
                Some(RestartAction::Restart(n)) => {
                    attempts = n;
                    policy.on_attempt_result(false, now, 1.0);
                    let next = policy.deadline().expect("a retry is scheduled");
                    assert!(next > now && next <= now + RETRY_CAP);
                    now = next;
                }
                Some(RestartAction::GiveUp(n)) => {
                    assert_eq!(n, attempts);
                    break;
                }
                None => panic!("the policy stalled at {:?}", now - t0),
            }
        }
        assert!(now - t0 >= s(30));
        assert_eq!(policy.poll(now + s(10)), None);
    }

    #[test]
    fn failure_after_restart_offer_rearms_grace() {
        let t0 = Instant::now();
        let mut policy = RestartPolicy::new(IceTimings::default());
        policy.on_ice(IceState::Disconnected, t0);
        assert_eq!(policy.poll(t0 + s(3)), Some(RestartAction::Restart(1)));
        policy.on_attempt_result(true, t0 + s(3), 0.5);
        assert_eq!(policy.poll(t0 + s(5)), None);
        policy.on_ice(IceState::Failed, t0 + s(6));
        assert_eq!(policy.poll(t0 + s(9)), Some(RestartAction::Restart(2)));
        policy.on_ice(IceState::Connected, t0 + s(10));
        policy.on_ice(IceState::Disconnected, t0 + s(20));
        assert_eq!(policy.poll(t0 + s(23)), Some(RestartAction::Restart(1)));
    }
}
