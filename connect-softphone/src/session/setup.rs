//! Call setup (§5.1, §7), persistent-PC reuse (§5.3) and the end of a call (§5.2, R4, CleanUp).

use connect_core::model::Timestamp;

use super::machine::SoftphoneMachine;
use super::reason::{EndReason, FailureReason};
use super::records::{Call, Pc};
use super::types::{
    Action, CallStart, CredentialPurpose, PcId, SessionEvent, SessionState, TalkingState,
};
use crate::signaling::proto::{decode_call_config, resolve_credentials, TransportChoice};
use crate::signaling::{after, CallLeg, SignalingConfig, SignalingMachine, SignalingState};

impl SoftphoneMachine {
    pub(super) fn begin_call(&mut self, now: Timestamp, start: CallStart) {
        let id = start.connection_id.clone();
        let decoded = start
            .call_config_json
            .as_ref()
            .map(|raw| decode_call_config(raw.expose()))
            .transpose()
            .and_then(|config| {
                let config = config.unwrap_or_else(|| connect_core::model::CallConfig {
                    signaling_endpoint: None,
                    ice_servers: Vec::new(),
                    use_web_socket_provider: Some(true),
                    extra: Default::default(),
                });
                TransportChoice::from_config(&config, &self.config.signaling_base)
                    .map(|choice| (config, choice))
            });
        let (config, choice) = match decoded {
            Ok(decoded) => decoded,
            Err(error) => {
                tracing::warn!(call = %id, %error, "invalid callConfigJson");
                let pc = self.new_pc_id();
                self.calls.insert(id.clone(), Call::new(start, pc, now));
                return self.fail_call(now, &id, FailureReason::InvalidCallConfig);
            }
        };
        if let Some(pc) = self.reusable_pc(&choice) {
            return self.reuse_pc(now, pc, start);
        }
        let pc = self.new_pc_id();
        let mut call = Call::new(start, pc, now);
        call.contact_servers = config.ice_servers;
        let mut record = Pc::new(pc, &choice, &call.start.contact_id, self.config.session);
        record.calls.push(id.clone());
        self.pcs.insert(pc, record);
        let app_source = call.start.app_supplied_source;
        self.calls.insert(id.clone(), call);
        self.event(SessionEvent::StateChanged {
            call: id.clone(),
            state: SessionState::GrabLocalMedia,
        });
        self.open_microphone(now, &id, app_source);
        if self.config.cross_region_check {
            if let Some(c) = self.calls.get_mut(&id) {
                c.probe_deadline = Some(after(now, self.config.session.credential_probe));
            }
            self.act(Action::FetchCredentials {
                pc,
                purpose: CredentialPurpose::CrossRegionProbe,
                timeout: self.config.session.credential_probe,
            });
        }
        self.try_create_offer(now, &id);
    }

    fn open_microphone(&mut self, now: Timestamp, call: &str, app_source: bool) {
        let gum = self.config.session.microphone;
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if app_source {
            c.mic_ready = true;
            return;
        }
        c.mic_requested = true;
        c.gum_deadline = Some(after(now, gum));
        self.act(Action::OpenMicrophone {
            call: call.to_owned(),
        });
    }

    pub(super) fn new_pc_id(&mut self) -> PcId {
        let id = PcId(self.next_pc);
        self.next_pc += 1;
        id
    }

    /// A healthy persistent PC on the same transport, Idle or Talking (§5.3, §5.4).
    fn reusable_pc(&self, choice: &TransportChoice) -> Option<PcId> {
        self.pcs
            .values()
            .filter(|p| !p.unhealthy && p.restart.is_none())
            .filter(|p| match choice {
                TransportChoice::Multiplexed => {
                    p.kind == crate::signaling::ChannelKind::Multiplexed
                }
                TransportChoice::Direct { endpoint } => p.endpoint.as_ref() == Some(endpoint),
            })
            .find(|p| {
                p.signaling.as_ref().is_some_and(|s| {
                    s.is_persistent()
                        && matches!(s.state(), SignalingState::Idle | SignalingState::Talking)
                })
            })
            .map(|p| p.id)
    }

    /// §5.3 step 3: `connectContact` on the existing PC, reopen the microphone, swap the source.
    fn reuse_pc(&mut self, now: Timestamp, pc: PcId, start: CallStart) {
        let id = start.connection_id.clone();
        let leg = CallLeg::new(
            id.clone(),
            Some(start.contact_id.clone()),
            start.call_context_token.clone(),
        );
        let app_source = start.app_supplied_source;
        let mut call = Call::new(start, pc, now);
        call.state = SessionState::ConnectContact;
        call.report.persistent_connection = true;
        self.calls.insert(id.clone(), call);
        self.event(SessionEvent::StateChanged {
            call: id.clone(),
            state: SessionState::ConnectContact,
        });
        let accepted = match self.pcs.get_mut(&pc) {
            Some(p) => {
                p.calls.push(id.clone());
                p.signaling
                    .as_mut()
                    .is_some_and(|s| s.connect_contact(now, leg))
            }
            None => false,
        };
        self.pump(now, pc);
        if !accepted {
            return self.fail_call(now, &id, FailureReason::SignallingHandshakeFailure);
        }
        self.open_microphone(now, &id, app_source);
        self.try_talking(now, &id);
    }

    /// The cross-region probe answered (`None`: failed).
    pub(super) fn probe_answered(
        &mut self,
        now: Timestamp,
        pc: PcId,
        api: Option<Vec<connect_core::model::IceServer>>,
    ) {
        let Some(call) = self.setup_call(pc, SessionState::GrabLocalMedia) else {
            return;
        };
        if let Some(c) = self.calls.get_mut(&call) {
            if c.probe_deadline.take().is_none() {
                return; // already given up on
            }
            c.api_servers = api;
        }
        self.try_create_offer(now, &call);
    }

    /// GrabLocalMedia → CreateOffer once the microphone is open and credentials are resolved.
    pub(super) fn try_create_offer(&mut self, now: Timestamp, call: &str) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.state != SessionState::GrabLocalMedia || !c.mic_ready || c.probe_deadline.is_some() {
            return;
        }
        let resolved = resolve_credentials(&c.contact_servers, c.api_servers.as_deref());
        c.report.ice_credential_source = Some(resolved.source);
        c.report.is_contact_credentials_different_region =
            Some(resolved.is_contact_credentials_different_region);
        c.setup_mark = now;
        let pc = c.pc;
        self.set_state(call, SessionState::CreateOffer);
        self.act(Action::CreateOffer {
            pc,
            call: call.to_owned(),
            ice_servers: resolved.servers,
        });
    }

    /// SetLocalDescription done → ConnectSignalingAndIceCollection: open signaling and gather.
    pub(super) fn connect_and_gather(&mut self, now: Timestamp, pc: PcId, call: &str, sdp: String) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        c.setup_mark = now;
        let leg = CallLeg::new(
            call.to_owned(),
            Some(c.start.contact_id.clone()),
            c.start.call_context_token.clone(),
        );
        let mut config = SignalingConfig::new(
            self.pcs
                .get(&pc)
                .map_or(crate::signaling::ChannelKind::Multiplexed, |p| p.kind),
            self.config.browser_id.clone(),
        );
        config.timeouts = self.config.signaling;
        config.ack_policy = self.config.ack_policy;
        config.persistent_connection = self.config.persistent_connection;
        config.seed = self
            .config
            .seed
            .wrapping_add(pc.0.wrapping_mul(0x9E37_79B9));
        let window = self.config.session.extra_gathering_window;
        let gather = self.config.session.ice_gathering;
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        p.local_sdp = Some(sdp);
        p.gather_deadline = Some(after(now, gather));
        p.signaling = Some(SignalingMachine::new(config, leg, now));
        self.set_state(call, SessionState::ConnectSignalingAndIceCollection);
        self.act(Action::GatherCandidates {
            pc,
            extra_window: window,
        });
        self.pump(now, pc);
    }

    /// Both signaling and gathering done → InviteAnswer.
    pub(super) fn try_invite(&mut self, now: Timestamp, call: &str) {
        let Some(c) = self.calls.get(call) else {
            return;
        };
        let pc = c.pc;
        let ready = c.state == SessionState::ConnectSignalingAndIceCollection && c.signaling_ready;
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        let (Some(sdp), Some(candidates)) = (p.local_sdp.clone(), p.candidates.clone()) else {
            return;
        };
        if !ready {
            return;
        }
        let sent = p
            .signaling
            .as_mut()
            .is_some_and(|s| s.invite(now, sdp, candidates));
        if let Some(c) = self.calls.get_mut(call) {
            c.invite_sent_at = Some(now);
            c.report.initialization_time_millis = Some(now.as_millis() - c.started.as_millis());
        }
        if sent {
            self.set_state(call, SessionState::InviteAnswer);
        }
        self.pump(now, pc);
    }

    /// Accept → Talking (handshake and remote description), ConnectContact → Talking
    /// (acknowledgement and microphone; then the source is swapped).
    pub(super) fn try_talking(&mut self, now: Timestamp, call: &str) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        let ready = match c.state {
            SessionState::Accept => c.handshake && c.remote_set,
            SessionState::ConnectContact => c.handshake && c.mic_ready,
            _ => false,
        };
        if !ready || c.ending.is_some() {
            return;
        }
        let pc = c.pc;
        let reuse = c.state == SessionState::ConnectContact;
        c.talking_since = Some(now);
        c.report.pre_talk_time_millis = Some(now.as_millis() - c.started.as_millis());
        if let Some(sent) = c.invite_sent_at {
            c.report.handshake_time_millis = Some(now.as_millis() - sent.as_millis());
        }
        if reuse {
            self.act(Action::SwapSource {
                pc,
                call: call.to_owned(),
            });
        }
        if let Some(p) = self.pcs.get_mut(&pc) {
            if let Some(s) = &p.signaling {
                let persistent = s.is_persistent();
                if let Some(c) = self.calls.get_mut(call) {
                    c.report.persistent_connection = persistent;
                }
            }
            p.health.watch_rtp(now, true);
        }
        self.set_state(call, SessionState::Talking(TalkingState::Connected));
    }

    pub(super) fn tick_calls(&mut self, now: Timestamp) {
        let due: Vec<(String, bool, bool)> = self
            .calls
            .values()
            .map(|c| {
                let gum = c.gum_deadline.is_some_and(|d| d <= now);
                let probe = c.probe_deadline.is_some_and(|d| d <= now);
                (c.id().to_owned(), gum, probe)
            })
            .filter(|(_, gum, probe)| *gum || *probe)
            .collect();
        for (call, gum, probe) in due {
            if gum {
                self.fail_call(now, &call, FailureReason::GumTimeoutFailure);
                continue;
            }
            if probe {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.probe_deadline = None;
                    c.api_servers = None;
                }
                tracing::info!(%call, "credential probe timed out: contact-provided credentials");
                self.try_create_offer(now, &call);
            }
        }
    }

    /// The app hangs up or the contact ended.
    pub(super) fn local_hangup(&mut self, now: Timestamp, call: &str) {
        let Some(c) = self.calls.get(call) else {
            return;
        };
        let reason = match c.state.setup_step() {
            Some(step) => EndReason::HangupDuringSetup { step },
            None => EndReason::LocalHangup,
        };
        self.end_call(now, call, reason);
    }

    /// Starts ending a call: signaling first (bye / disconnectContact / reply to the server's
    /// bye), then CleanUp once signaling no longer waits.
    pub(super) fn end_call(&mut self, now: Timestamp, call: &str, reason: EndReason) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.ending.is_some() || c.state.is_terminal() {
            return;
        }
        c.ending = Some(reason);
        let pc = c.pc;
        let signaling_failed = self
            .pcs
            .get(&pc)
            .and_then(|p| p.signaling.as_ref())
            .is_some_and(|s| matches!(s.state(), SignalingState::Failed(_)));
        if signaling_failed {
            // [R12]: a bye may still go out, but nobody waits for it.
            if let Some(c) = self.calls.get_mut(call) {
                c.report.bye_acknowledged = Some(false);
            }
        }
        if let Some(p) = self.pcs.get_mut(&pc) {
            let last = p.calls.iter().filter(|id| *id != call).count() == 0;
            if let Some(s) = p.signaling.as_mut() {
                let failed_talk = matches!(s.state(), SignalingState::Failed(_));
                if p.unhealthy && last && s.is_persistent() && !failed_talk {
                    s.destroy(now);
                } else {
                    s.hangup(now, call);
                }
            }
        }
        self.pump(now, pc);
        self.settle_ending(now, call);
    }

    /// CleanUp as soon as signaling no longer waits for the `bye` answer.
    pub(super) fn settle_ending(&mut self, now: Timestamp, call: &str) {
        let Some(c) = self.calls.get(call) else {
            return;
        };
        let Some(reason) = c.ending else {
            return;
        };
        let waiting = self
            .pcs
            .get(&c.pc)
            .and_then(|p| p.signaling.as_ref())
            .is_some_and(|s| s.state() == &SignalingState::PendingRemoteHangup);
        if !waiting {
            self.finish_call(now, call, reason);
        }
    }

    /// A failure: CleanUp at once (signaling ends in the background).
    pub(super) fn fail_call(&mut self, now: Timestamp, call: &str, reason: FailureReason) {
        let Some(c) = self.calls.get_mut(call) else {
            return;
        };
        if c.state.is_terminal() {
            return;
        }
        c.report.flags.fail(reason);
        let pc = c.pc;
        let already_ending = c.ending.replace(EndReason::Failed(reason)).is_some();
        if !already_ending {
            if let Some(s) = self.pcs.get_mut(&pc).and_then(|p| p.signaling.as_mut()) {
                s.hangup(now, call);
            }
            self.pump(now, pc);
        }
        self.finish_call(now, call, EndReason::Failed(reason));
    }

    /// CleanUp → Disconnected / Failed: release the microphone, report, settle the PC.
    pub(super) fn finish_call(&mut self, now: Timestamp, call: &str, reason: EndReason) {
        let Some(mut c) = self.calls.remove(call) else {
            return;
        };
        c.state = SessionState::CleanUp;
        self.event(SessionEvent::StateChanged {
            call: call.to_owned(),
            state: SessionState::CleanUp,
        });
        if c.mic_requested {
            self.act(Action::CloseMicrophone {
                call: call.to_owned(),
            });
        }
        c.report.call_end_time = Some(now);
        if let Some(since) = c.talking_since {
            c.report.talk_time_millis = Some(now.as_millis() - since.as_millis());
        }
        c.report.cleanup_time_millis = Some(0);
        let final_state = match reason {
            EndReason::Failed(r) => SessionState::Failed(r),
            _ => SessionState::Disconnected,
        };
        self.event(SessionEvent::StateChanged {
            call: call.to_owned(),
            state: final_state,
        });
        if let EndReason::Failed(r) = reason {
            tracing::warn!(%call, reason = r.as_str(), "softphone session failed");
            self.event(SessionEvent::SessionFailed {
                call: call.to_owned(),
                reason: r,
            });
        }
        self.event(SessionEvent::SessionEnded {
            call: call.to_owned(),
            reason,
            report: Box::new(c.report),
        });
        if let Some(p) = self.pcs.get_mut(&c.pc) {
            p.calls.retain(|id| id != call);
        }
        self.settle_pc(now, c.pc);
    }

    /// After a call left a PC: close it, or keep it Idle (PPC, R9).
    pub(super) fn settle_pc(&mut self, now: Timestamp, pc: PcId) {
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        if !p.calls.is_empty() {
            return;
        }
        match p.signaling.as_ref().map(|s| s.state().clone()) {
            None => self.close_pc(pc),
            Some(state) if state.is_terminal() => self.close_pc(pc),
            Some(SignalingState::Idle) | Some(SignalingState::PendingReconnect(_)) => {
                p.health.watch_rtp(now, false);
                p.restart = None;
                self.act(Action::UseIdleSource { pc });
                self.event(SessionEvent::PeerConnectionIdle { pc });
            }
            Some(SignalingState::PendingRemoteHangup) => {}
            Some(_) => self.destroy_pc(now, pc),
        }
    }

    /// Ends a PC: `bye` when its signaling is alive, otherwise close at once.
    pub(super) fn destroy_pc(&mut self, now: Timestamp, pc: PcId) {
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        match p.signaling.as_mut() {
            Some(s) if !s.state().is_terminal() => {
                s.destroy(now);
                self.pump(now, pc);
            }
            _ => self.close_pc(pc),
        }
    }

    /// Removes a PC and tells the driver to close it.
    pub(super) fn close_pc(&mut self, pc: PcId) {
        let Some(p) = self.pcs.remove(&pc) else {
            return;
        };
        if p.kind == crate::signaling::ChannelKind::Direct && p.signaling.is_some() {
            self.act(Action::CloseSignaling { pc });
        }
        self.act(Action::ClosePeerConnection { pc });
        self.event(SessionEvent::PeerConnectionClosed { pc });
    }
}
