//! Media health of one peer connection (R10): told ICE states, inbound RTP and the time,
//! it says when media degrades, is lost, comes back, or has been gone too long.

use connect_core::model::Timestamp;

use super::config::SessionTimeouts;
use super::types::{HealthCause, IceConnectionState, MediaHealth};
use crate::signaling::after;

/// A change the monitor reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HealthSignal {
    /// Entered `MediaDegraded`.
    Degraded(HealthCause),
    /// Degraded for the whole grace: restart ICE if possible, else media is lost.
    GraceExpired,
    /// Entered `MediaLost`.
    Lost(HealthCause),
    /// Media is back (`MediaRecovered` then `Connected`).
    Recovered,
    /// Not back within the recovery window.
    WindowExpired,
}

/// The monitor of one PC.
#[derive(Clone, Debug)]
pub(crate) struct HealthMonitor {
    timeouts: SessionTimeouts,
    state: MediaHealth,
    ice: IceConnectionState,
    /// Watch inbound RTP (a call is Talking); an idle PPC is watched on ICE only.
    watch_rtp: bool,
    last_rtp: Option<Timestamp>,
    grace_until: Option<Timestamp>,
    window_until: Option<Timestamp>,
}

impl HealthMonitor {
    pub(crate) fn new(timeouts: SessionTimeouts) -> Self {
        Self {
            timeouts,
            state: MediaHealth::Connected,
            ice: IceConnectionState::Checking,
            watch_rtp: false,
            last_rtp: None,
            grace_until: None,
            window_until: None,
        }
    }

    pub(crate) fn state(&self) -> MediaHealth {
        self.state
    }

    /// Start (or stop) watching inbound RTP: the silence clock starts now.
    pub(crate) fn watch_rtp(&mut self, now: Timestamp, watch: bool) {
        self.watch_rtp = watch;
        self.last_rtp = Some(now);
    }

    pub(crate) fn poll_timeout(&self) -> Option<Timestamp> {
        let silence = (self.watch_rtp
            && self.state == MediaHealth::Connected
            && self.ice == IceConnectionState::Connected)
            .then(|| self.last_rtp.map(|t| after(t, self.timeouts.rtp_silence)))
            .flatten();
        [silence, self.grace_until, self.window_until]
            .into_iter()
            .flatten()
            .min()
    }

    pub(crate) fn ice_state(
        &mut self,
        now: Timestamp,
        ice: IceConnectionState,
    ) -> Vec<HealthSignal> {
        self.ice = ice;
        match ice {
            IceConnectionState::Disconnected if self.state == MediaHealth::Connected => {
                vec![self.degrade(now, HealthCause::IceDisconnected)]
            }
            IceConnectionState::Failed | IceConnectionState::Closed
                if self.state != MediaHealth::MediaLost =>
            {
                let mut signals = Vec::new();
                if self.state == MediaHealth::Connected {
                    signals.push(self.degrade(now, HealthCause::IceFailed));
                }
                signals.push(self.lose(HealthCause::IceFailed));
                signals
            }
            IceConnectionState::Connected
                if !self.watch_rtp && self.state != MediaHealth::Connected =>
            {
                vec![self.recover(now)]
            }
            _ => Vec::new(),
        }
    }

    pub(crate) fn rtp(&mut self, now: Timestamp) -> Vec<HealthSignal> {
        self.last_rtp = Some(now);
        if self.state != MediaHealth::Connected && self.ice == IceConnectionState::Connected {
            return vec![self.recover(now)];
        }
        Vec::new()
    }

    /// An ICE restart succeeded: media counts as recovered; the silence clock restarts.
    pub(crate) fn restarted(&mut self, now: Timestamp) -> Vec<HealthSignal> {
        if self.state == MediaHealth::Connected {
            return Vec::new();
        }
        vec![self.recover(now)]
    }

    /// The restart attempts are exhausted, or no restart is possible.
    pub(crate) fn give_up(&mut self, cause: HealthCause) -> Vec<HealthSignal> {
        if self.state == MediaHealth::MediaLost {
            return Vec::new();
        }
        vec![self.lose(cause)]
    }

    pub(crate) fn tick(&mut self, now: Timestamp) -> Vec<HealthSignal> {
        let mut signals = Vec::new();
        if self.window_until.is_some_and(|t| t <= now) {
            self.window_until = None;
            self.grace_until = None;
            signals.push(HealthSignal::WindowExpired);
            return signals;
        }
        if self.grace_until.is_some_and(|t| t <= now) {
            self.grace_until = None;
            signals.push(HealthSignal::GraceExpired);
        }
        let silent = self.watch_rtp
            && self.state == MediaHealth::Connected
            && self.ice == IceConnectionState::Connected
            && self
                .last_rtp
                .is_some_and(|t| after(t, self.timeouts.rtp_silence) <= now);
        if silent {
            signals.push(self.degrade(now, HealthCause::NoInboundRtp));
        }
        signals
    }

    fn degrade(&mut self, now: Timestamp, cause: HealthCause) -> HealthSignal {
        self.state = MediaHealth::MediaDegraded;
        self.grace_until = Some(after(now, self.timeouts.ice_restart_grace));
        self.window_until = Some(after(now, self.timeouts.recovery_window));
        HealthSignal::Degraded(cause)
    }

    fn lose(&mut self, cause: HealthCause) -> HealthSignal {
        self.state = MediaHealth::MediaLost;
        self.grace_until = None;
        HealthSignal::Lost(cause)
    }

    fn recover(&mut self, now: Timestamp) -> HealthSignal {
        self.state = MediaHealth::Connected;
        self.grace_until = None;
        self.window_until = None;
        self.last_rtp = Some(now);
        HealthSignal::Recovered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn silence_degrades_then_rtp_recovers() {
        let mut h = HealthMonitor::new(SessionTimeouts::default());
        h.ice_state(t(0), IceConnectionState::Connected);
        h.watch_rtp(t(0), true);
        assert_eq!(h.poll_timeout(), Some(t(3000)));
        assert!(h.tick(t(2999)).is_empty());
        assert_eq!(
            h.tick(t(3000)),
            vec![HealthSignal::Degraded(HealthCause::NoInboundRtp)]
        );
        assert_eq!(h.rtp(t(3100)), vec![HealthSignal::Recovered]);
        assert_eq!(h.state(), MediaHealth::Connected);
    }

    #[test]
    fn disconnected_grace_then_window() {
        let mut h = HealthMonitor::new(SessionTimeouts::default());
        h.ice_state(t(0), IceConnectionState::Connected);
        assert_eq!(
            h.ice_state(t(10), IceConnectionState::Disconnected),
            vec![HealthSignal::Degraded(HealthCause::IceDisconnected)]
        );
        assert_eq!(h.tick(t(3010)), vec![HealthSignal::GraceExpired]);
        assert_eq!(
            h.give_up(HealthCause::NotRecoverable),
            vec![HealthSignal::Lost(HealthCause::NotRecoverable)]
        );
        assert_eq!(h.poll_timeout(), Some(t(30_010)));
        assert_eq!(h.tick(t(30_010)), vec![HealthSignal::WindowExpired]);
    }

    #[test]
    fn ice_failed_is_lost_at_once_and_idle_recovers_on_ice() {
        let mut h = HealthMonitor::new(SessionTimeouts::default());
        let s = h.ice_state(t(0), IceConnectionState::Failed);
        assert_eq!(s.last(), Some(&HealthSignal::Lost(HealthCause::IceFailed)));
        assert_eq!(
            h.ice_state(t(5), IceConnectionState::Connected),
            vec![HealthSignal::Recovered]
        );
    }
}
