//! Talking: media health (R10) and recovery by ICE restart with fresh credentials (§5.5,
//! R11).

use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::full_jitter;

use super::config::OnMediaLost;
use super::health::HealthSignal;
use super::machine::SoftphoneMachine;
use super::reason::FailureReason;
use super::records::{IceRestart, RestartStep};
use super::types::{
    Action, CredentialPurpose, HealthCause, MediaHealth, PcId, SessionEvent, SessionState,
    TalkingState,
};
use crate::signaling::proto::{IceCandidate, InviteResult};
use crate::signaling::{after, SignalingError, SignalingState};

/// Deadline of one `CreateTransport` for an ICE restart.
const RESTART_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

impl SoftphoneMachine {
    pub(super) fn health_signals(&mut self, now: Timestamp, pc: PcId, signals: Vec<HealthSignal>) {
        for signal in signals {
            match signal {
                HealthSignal::Degraded(cause) => {
                    self.health_event(pc, MediaHealth::MediaDegraded, cause);
                    self.set_talking(pc, TalkingState::MediaDegraded);
                }
                HealthSignal::GraceExpired => {
                    if self.can_restart(pc) {
                        self.start_restart(now, pc);
                    } else {
                        self.give_up(now, pc, HealthCause::NotRecoverable);
                    }
                }
                HealthSignal::Lost(cause) => {
                    self.health_event(pc, MediaHealth::MediaLost, cause);
                    self.set_talking(pc, TalkingState::MediaLost);
                    let gave_up = matches!(
                        cause,
                        HealthCause::RestartsExhausted | HealthCause::NotRecoverable
                    );
                    if !gave_up && self.can_restart(pc) {
                        self.start_restart(now, pc);
                    } else if self.pcs.get(&pc).is_some_and(|p| p.calls.is_empty()) {
                        self.destroy_pc(now, pc);
                    }
                }
                HealthSignal::Recovered => {
                    self.health_event(pc, MediaHealth::MediaRecovered, HealthCause::Recovered);
                    self.health_event(pc, MediaHealth::Connected, HealthCause::Recovered);
                    self.set_talking(pc, TalkingState::Connected);
                }
                HealthSignal::WindowExpired => self.recovery_window_expired(now, pc),
            }
        }
    }

    fn recovery_window_expired(&mut self, now: Timestamp, pc: PcId) {
        if let Some(p) = self.pcs.get_mut(&pc) {
            p.restart = None;
            p.unhealthy = true;
        }
        let calls = self.talking_calls(pc);
        if calls.is_empty() {
            return self.destroy_pc(now, pc);
        }
        for call in calls {
            match self.config.on_media_lost {
                OnMediaLost::FailCall => self.fail_call(now, &call, FailureReason::MediaLost),
                OnMediaLost::KeepCall => {
                    tracing::warn!(%call, "media lost past the recovery window: call kept");
                }
            }
        }
    }

    fn give_up(&mut self, now: Timestamp, pc: PcId, cause: HealthCause) {
        let signals = match self.pcs.get_mut(&pc) {
            Some(p) => p.health.give_up(cause),
            None => return,
        };
        self.health_signals(now, pc, signals);
    }

    fn health_event(&mut self, pc: PcId, state: MediaHealth, cause: HealthCause) {
        for call in self.talking_calls(pc) {
            self.event(SessionEvent::MediaHealth { call, state, cause });
        }
    }

    fn talking_calls(&self, pc: PcId) -> Vec<String> {
        self.pcs
            .get(&pc)
            .map(|p| {
                p.calls
                    .iter()
                    .filter(|id| {
                        self.calls
                            .get(*id)
                            .is_some_and(|c| matches!(c.state, SessionState::Talking(_)))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    fn set_talking(&mut self, pc: PcId, substate: TalkingState) {
        for call in self.talking_calls(pc) {
            self.set_state(&call, SessionState::Talking(substate));
        }
    }

    /// ICE restart is possible: allowlisted PC, signaling Talking or Idle.
    fn can_restart(&self, pc: PcId) -> bool {
        self.pcs.get(&pc).is_some_and(|p| {
            p.signaling.as_ref().is_some_and(|s| {
                s.peer_connection().is_allowlisted()
                    && matches!(s.state(), SignalingState::Talking | SignalingState::Idle)
            })
        })
    }

    /// §5.5 step 2: fresh credentials first (R11).
    pub(super) fn start_restart(&mut self, now: Timestamp, pc: PcId) {
        if !self.can_restart(pc) {
            return self.give_up(now, pc, HealthCause::NotRecoverable);
        }
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        if p.restart.is_some() {
            return;
        }
        p.restart = Some(IceRestart {
            step: RestartStep::Credentials { retry_at: None },
            started: now,
            fetch_failures: 0,
            invite_retries: 0,
            sdp: String::new(),
            candidates: Vec::new(),
        });
        for call in p.calls.clone() {
            if let Some(c) = self.calls.get_mut(&call) {
                c.report.ice_restarts.ice_restart_attempts += 1;
            }
        }
        self.set_talking(pc, TalkingState::IceRestart);
        self.fetch_restart_credentials(pc);
    }

    fn fetch_restart_credentials(&mut self, pc: PcId) {
        self.act(Action::FetchCredentials {
            pc,
            purpose: CredentialPurpose::IceRestart,
            timeout: RESTART_FETCH_TIMEOUT,
        });
    }

    fn restart_step(&self, pc: PcId) -> Option<&RestartStep> {
        self.pcs.get(&pc)?.restart.as_ref().map(|r| &r.step)
    }

    fn set_restart_step(&mut self, pc: PcId, step: RestartStep) {
        if let Some(r) = self.pcs.get_mut(&pc).and_then(|p| p.restart.as_mut()) {
            r.step = step;
        }
    }

    pub(super) fn restart_credentials(
        &mut self,
        now: Timestamp,
        pc: PcId,
        result: Result<Vec<connect_core::model::IceServer>, String>,
    ) {
        if !matches!(
            self.restart_step(pc),
            Some(RestartStep::Credentials { retry_at: None })
        ) {
            return;
        }
        match result {
            Ok(ice_servers) => {
                self.set_restart_step(pc, RestartStep::Offer);
                self.act(Action::RestartIce { pc, ice_servers });
            }
            Err(error) => {
                let (base, cap) = (
                    self.config.session.credential_backoff_base,
                    self.config.session.credential_backoff_cap,
                );
                let unit = self.rng.next_f64();
                let Some(r) = self.pcs.get_mut(&pc).and_then(|p| p.restart.as_mut()) else {
                    return;
                };
                let delay = full_jitter(base, r.fetch_failures, cap, unit);
                r.fetch_failures += 1;
                tracing::warn!(%error, ?delay, "ICE-restart credentials failed: retrying");
                r.step = RestartStep::Credentials {
                    retry_at: Some(after(now, delay)),
                };
            }
        }
    }

    pub(super) fn restart_offer(
        &mut self,
        now: Timestamp,
        pc: PcId,
        result: &Result<String, String>,
    ) -> bool {
        if self.restart_step(pc) != Some(&RestartStep::Offer) {
            return false;
        }
        match result {
            Ok(sdp) => {
                self.set_restart_step(pc, RestartStep::LocalDescription);
                self.set_talking(pc, TalkingState::SetLocalDescription);
                self.act(Action::SetLocalDescription {
                    pc,
                    sdp: sdp.clone(),
                });
            }
            Err(_) => self.restart_failed(now, pc),
        }
        true
    }

    pub(super) fn restart_local_description(
        &mut self,
        now: Timestamp,
        pc: PcId,
        result: &Result<String, String>,
    ) -> bool {
        if self.restart_step(pc) != Some(&RestartStep::LocalDescription) {
            return false;
        }
        match result {
            Ok(sdp) => {
                let deadline = after(now, self.config.session.ice_gathering);
                if let Some(r) = self.pcs.get_mut(&pc).and_then(|p| p.restart.as_mut()) {
                    r.sdp = sdp.clone();
                    r.step = RestartStep::Gathering {
                        deadline,
                        finish_requested: false,
                    };
                }
                self.set_talking(pc, TalkingState::ConnectSignalingAndIceCollection);
                let extra_window = self.config.session.extra_gathering_window;
                self.act(Action::GatherCandidates { pc, extra_window });
            }
            Err(_) => self.restart_failed(now, pc),
        }
        true
    }

    pub(super) fn restart_gathered(
        &mut self,
        now: Timestamp,
        pc: PcId,
        candidates: &[IceCandidate],
    ) -> bool {
        if !matches!(self.restart_step(pc), Some(RestartStep::Gathering { .. })) {
            return false;
        }
        if candidates.is_empty() {
            tracing::warn!(
                pc = pc.0,
                "ICE restart gathered no candidate: attempt abandoned"
            );
            self.restart_failed(now, pc);
            return true;
        }
        if let Some(r) = self.pcs.get_mut(&pc).and_then(|p| p.restart.as_mut()) {
            r.candidates = candidates.to_vec();
        }
        self.send_restart_invite(now, pc);
        true
    }

    fn send_restart_invite(&mut self, now: Timestamp, pc: PcId) {
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        let Some(r) = p.restart.as_mut() else {
            return;
        };
        let (sdp, candidates) = (r.sdp.clone(), r.candidates.clone());
        r.step = RestartStep::Invite;
        let sent = p
            .signaling
            .as_mut()
            .is_some_and(|s| s.ice_restart(now, sdp, candidates));
        if !sent {
            return self.restart_failed(now, pc);
        }
        self.set_talking(pc, TalkingState::InviteAnswer);
        self.pump(now, pc);
    }

    pub(super) fn restart_answered(&mut self, _now: Timestamp, pc: PcId, answer: InviteResult) {
        if self.restart_step(pc) != Some(&RestartStep::Invite) {
            return;
        }
        self.set_restart_step(pc, RestartStep::Answer);
        self.set_talking(pc, TalkingState::Accept);
        self.act(Action::ApplyAnswer {
            pc,
            sdp: answer.sdp,
            candidates: answer.candidates,
        });
    }

    pub(super) fn restart_invite_failed(
        &mut self,
        now: Timestamp,
        pc: PcId,
        error: &SignalingError,
    ) {
        if self.restart_step(pc) != Some(&RestartStep::Invite) {
            return;
        }
        let max = self.config.session.ice_restart_retries;
        let delay = self.config.session.ice_restart_retry_delay;
        let retries = self
            .pcs
            .get(&pc)
            .and_then(|p| p.restart.as_ref())
            .map_or(0, |r| r.invite_retries);
        if error.is_retryable() && retries < max {
            self.set_restart_step(
                pc,
                RestartStep::RetryWait {
                    until: after(now, delay),
                },
            );
        } else {
            tracing::warn!(%error, retries, "ICE restart gave up");
            self.restart_failed(now, pc);
        }
    }

    pub(super) fn restart_remote_description(
        &mut self,
        now: Timestamp,
        pc: PcId,
        result: &Result<(), String>,
    ) -> bool {
        if self.restart_step(pc) != Some(&RestartStep::Answer) {
            return false;
        }
        if result.is_err() {
            self.restart_failed(now, pc);
            return true;
        }
        let Some(p) = self.pcs.get_mut(&pc) else {
            return true;
        };
        let restart = p.restart.take();
        let elapsed = restart.map(|r| now.as_millis() - r.started.as_millis());
        for call in p.calls.clone() {
            if let Some(c) = self.calls.get_mut(&call) {
                c.report.ice_restarts.ice_restart_successes += 1;
                c.report.ice_restarts.ice_restart_time_millis = elapsed;
            }
        }
        let signals = p.health.restarted(now);
        self.set_talking(pc, TalkingState::Connected);
        self.health_signals(now, pc, signals);
        true
    }

    fn restart_failed(&mut self, now: Timestamp, pc: PcId) {
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        p.restart = None;
        for call in p.calls.clone() {
            if let Some(c) = self.calls.get_mut(&call) {
                c.report.ice_restarts.ice_restart_failed = true;
            }
        }
        self.give_up(now, pc, HealthCause::RestartsExhausted);
    }

    pub(super) fn tick_restart(&mut self, now: Timestamp, pc: PcId) {
        let Some(step) = self.restart_step(pc).cloned() else {
            return;
        };
        match step {
            RestartStep::Credentials { retry_at: Some(at) } if at <= now => {
                self.set_restart_step(pc, RestartStep::Credentials { retry_at: None });
                self.fetch_restart_credentials(pc);
            }
            RestartStep::Gathering {
                deadline,
                finish_requested: false,
            } if deadline <= now => {
                self.set_restart_step(
                    pc,
                    RestartStep::Gathering {
                        deadline,
                        finish_requested: true,
                    },
                );
                self.act(Action::FinishGathering { pc });
            }
            RestartStep::RetryWait { until } if until <= now => {
                for call in self
                    .pcs
                    .get(&pc)
                    .map(|p| p.calls.clone())
                    .unwrap_or_default()
                {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.report.ice_restarts.ice_restart_invite_retries += 1;
                    }
                }
                if let Some(r) = self.pcs.get_mut(&pc).and_then(|p| p.restart.as_mut()) {
                    r.invite_retries += 1;
                }
                self.send_restart_invite(now, pc);
            }
            _ => {}
        }
    }
}
