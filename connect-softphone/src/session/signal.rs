//! The glue between the softphone machine and each PC's signaling machine: carrying out its
//! outputs, reacting to its events, and routing inbound messages to it (R2, R5).

use connect_core::model::Timestamp;
use serde_json::Value;

use super::machine::SoftphoneMachine;
use super::reason::{EndReason, FailureReason};
use super::types::{Action, PcId, SessionEvent, SessionState};
use crate::signaling::proto::{
    classify, decode_server_content, Classified, Envelope, ProtoError, Route, ServerMessage,
};
use crate::signaling::{ChannelKind, SignalingError, SignalingEvent, SignalingOutput};

impl SoftphoneMachine {
    /// The CCP socket is connected and `aws/softphone` (re)subscribed (R5).
    pub fn multiplexed_up(&mut self, now: Timestamp) {
        self.multiplexed_up = true;
        let waiting: Vec<PcId> = self
            .pcs
            .values()
            .filter(|p| p.kind == ChannelKind::Multiplexed && p.open_wanted)
            .map(|p| p.id)
            .collect();
        for pc in waiting {
            self.channel_opened(now, pc);
        }
    }

    /// The CCP socket was lost, or a send on it failed (R5): every multiplexed channel is
    /// down.
    pub fn multiplexed_down(&mut self, now: Timestamp, reason: &str) {
        self.multiplexed_up = false;
        let pcs: Vec<PcId> = self
            .pcs
            .values()
            .filter(|p| p.kind == ChannelKind::Multiplexed)
            .map(|p| p.id)
            .collect();
        for pc in pcs {
            self.channel_down(now, pc, reason);
        }
    }

    /// The PC's channel is open (direct socket open).
    pub fn channel_opened(&mut self, now: Timestamp, pc: PcId) {
        let Some(s) = self.pcs.get_mut(&pc).and_then(|p| {
            p.open_wanted = false;
            p.signaling.as_mut()
        }) else {
            return;
        };
        s.channel_opened(now);
        self.pump(now, pc);
    }

    /// The PC's channel went down or could not be written.
    pub fn channel_down(&mut self, now: Timestamp, pc: PcId, reason: &str) {
        let Some(s) = self.pcs.get_mut(&pc).and_then(|p| p.signaling.as_mut()) else {
            return;
        };
        s.channel_down(now, reason);
        self.pump(now, pc);
    }

    /// The `content` of an `aws/softphone` frame, decoded then routed as
    /// [`receive_envelope`](Self::receive_envelope) does.
    pub fn receive_multiplexed(
        &mut self,
        now: Timestamp,
        content: &Value,
    ) -> Result<(), ProtoError> {
        let envelope = decode_server_content(content).inspect_err(|e| self.malformed_message(e))?;
        self.receive_envelope(now, None, &envelope)
    }

    /// A text frame of the PC's direct socket (bare JSON-RPC).
    pub fn receive_direct(
        &mut self,
        now: Timestamp,
        pc: PcId,
        text: &str,
    ) -> Result<(), ProtoError> {
        let message: Value = serde_json::from_str(text)
            .map_err(|e| ProtoError::new(format!("not JSON: {e}")))
            .inspect_err(|e| self.malformed_message(e))?;
        let envelope = Envelope {
            route: Route::Unaddressed,
            message,
        };
        self.receive_envelope(now, Some(pc), &envelope)
    }

    /// One decoded inbound message (R2): by `connectionId` to its call's PC, by
    /// `peerConnectionId` for `PCBye`, by `clientId` to the softphone; an unaddressed message
    /// (direct transport) to `direct_pc`. Malformed or unroutable messages are dropped, counted
    /// and logged; no call is affected.
    pub fn receive_envelope(
        &mut self,
        now: Timestamp,
        direct_pc: Option<PcId>,
        envelope: &Envelope,
    ) -> Result<(), ProtoError> {
        let target = match &envelope.route {
            Route::Connection(id) => self.pc_for_connection(id),
            Route::Unaddressed => direct_pc.filter(|pc| self.pcs.contains_key(pc)),
            Route::Client(_) => None,
        };
        let target = target.or_else(|| self.pc_for_pc_bye(&envelope.message));
        match (target, &envelope.route) {
            (Some(pc), route) => {
                let connection = match route {
                    Route::Connection(id) => Some(id.as_str()),
                    _ => None,
                };
                self.deliver(now, pc, connection, &envelope.message)
            }
            (None, Route::Client(client)) if *client == self.config.softphone_client_id => {
                self.client_message(now, &envelope.message)
            }
            (None, route) => {
                self.unrouted += 1;
                tracing::info!(?route, "softphone message for no known call dropped");
                Ok(())
            }
        }
    }

    fn malformed_message(&mut self, error: &ProtoError) {
        self.malformed += 1;
        tracing::warn!(%error, "softphone signaling message dropped");
    }

    fn deliver(
        &mut self,
        now: Timestamp,
        pc: PcId,
        connection: Option<&str>,
        message: &Value,
    ) -> Result<(), ProtoError> {
        let Some(s) = self.pcs.get_mut(&pc).and_then(|p| p.signaling.as_mut()) else {
            self.unrouted += 1;
            return Ok(());
        };
        let result = s.receive(now, connection, message);
        self.pump(now, pc);
        result
    }

    /// The PC whose channel carries `connection_id` (live or ended call of a live PC).
    fn pc_for_connection(&self, connection_id: &str) -> Option<PcId> {
        if let Some(c) = self.calls.get(connection_id) {
            return Some(c.pc);
        }
        self.pcs
            .values()
            .find(|p| {
                p.signaling
                    .as_ref()
                    .is_some_and(|s| s.carries(connection_id))
            })
            .map(|p| p.id)
    }

    /// `PCBye` goes to the owner of its `peerConnectionId`.
    fn pc_for_pc_bye(&self, message: &Value) -> Option<PcId> {
        if message.get("method").and_then(Value::as_str) != Some("PCBye") {
            return None;
        }
        let id = message
            .get("peerConnectionId")
            .or_else(|| {
                message
                    .get("params")
                    .and_then(|p| p.get("peerConnectionId"))
            })
            .and_then(Value::as_str)?;
        self.pcs
            .values()
            .find(|p| {
                p.signaling
                    .as_ref()
                    .is_some_and(|s| s.peer_connection().id.as_deref() == Some(id))
            })
            .map(|p| p.id)
    }

    /// A client-level notification (`clientId`): `idleConnection`, `quotaBreached`.
    fn client_message(&mut self, now: Timestamp, message: &Value) -> Result<(), ProtoError> {
        let parsed = classify(message, |_| false).and_then(|c| match c {
            Classified::Request {
                method,
                id,
                params,
                message,
            } => ServerMessage::from_request(&method, id, &params, &message),
            Classified::Response { .. } => Err(ProtoError::new("response addressed to the client")),
        });
        match parsed.inspect_err(|e| self.malformed_message(e))? {
            ServerMessage::IdleConnection => self.close_idle_pcs(now, false),
            ServerMessage::QuotaBreached => self.close_idle_pcs(now, true),
            other => tracing::info!(?other, "client-level softphone message ignored"),
        }
        Ok(())
    }

    /// `idleConnection` / `quotaBreached`: close every idle PPC (no call).
    fn close_idle_pcs(&mut self, now: Timestamp, quota: bool) {
        if quota {
            self.event(SessionEvent::MultipleSoftphoneActiveSessions);
        }
        let idle: Vec<PcId> = self
            .pcs
            .values()
            .filter(|p| p.calls.is_empty())
            .map(|p| p.id)
            .collect();
        for pc in idle {
            self.destroy_pc(now, pc);
        }
    }

    /// Carries out the PC's signaling outputs and reacts to its events, until it is quiet.
    pub(super) fn pump(&mut self, now: Timestamp, pc: PcId) {
        loop {
            let Some(p) = self.pcs.get_mut(&pc) else {
                return;
            };
            let kind = p.kind;
            let Some(output) = p.signaling.as_mut().and_then(|s| s.poll_output()) else {
                return;
            };
            match output {
                SignalingOutput::OpenChannel { auth, attempt } => match kind {
                    ChannelKind::Multiplexed => {
                        p.open_wanted = true;
                        if self.multiplexed_up {
                            self.channel_opened(now, pc);
                        }
                    }
                    ChannelKind::Direct => {
                        let endpoint = p.endpoint.clone();
                        let contact_id = p.contact_id.clone();
                        self.act(Action::OpenSignaling {
                            pc,
                            kind,
                            endpoint,
                            auth,
                            contact_id,
                            attempt,
                        });
                    }
                },
                SignalingOutput::CloseChannel => {
                    p.open_wanted = false;
                    if kind == ChannelKind::Direct {
                        self.act(Action::CloseSignaling { pc });
                    }
                }
                SignalingOutput::Send {
                    connection_id,
                    message,
                } => self.act(Action::SendSignal {
                    pc,
                    kind,
                    connection_id,
                    message,
                }),
                SignalingOutput::Event(event) => self.signaling_event(now, pc, event),
            }
        }
    }

    fn signaling_event(&mut self, now: Timestamp, pc: PcId, event: SignalingEvent) {
        let first = self.pcs.get(&pc).and_then(|p| p.calls.first().cloned());
        match event {
            SignalingEvent::Ready => {
                if let Some(call) = first {
                    if let Some(c) = self.calls.get_mut(&call) {
                        c.signaling_ready = true;
                        c.report.signalling_connect_time_millis =
                            Some(now.as_millis() - c.setup_mark.as_millis());
                    }
                    self.try_invite(now, &call);
                }
            }
            SignalingEvent::Answered(answer) => {
                let Some(call) = self.setup_call(pc, SessionState::InviteAnswer) else {
                    return;
                };
                if let Some(c) = self.calls.get_mut(&call) {
                    c.report.is_media_cluster_path = Some(answer.is_media_cluster_path());
                }
                self.set_state(&call, SessionState::Accept);
                if answer.sdp.trim().is_empty() {
                    return self.fail_call(now, &call, FailureReason::InvalidRemoteSdp);
                }
                if answer.candidates.is_empty() {
                    return self.fail_call(now, &call, FailureReason::NoRemoteIceCandidate);
                }
                self.act(Action::ApplyAnswer {
                    pc,
                    sdp: answer.sdp,
                    candidates: answer.candidates,
                });
            }
            SignalingEvent::Talking {
                connection_id,
                acknowledged,
            } => {
                if let Some(c) = self.calls.get_mut(&connection_id) {
                    c.handshake = true;
                    c.report.accept_acknowledged = Some(acknowledged);
                }
                self.try_talking(now, &connection_id);
            }
            SignalingEvent::IdleReady => self.event(SessionEvent::PeerConnectionIdle { pc }),
            SignalingEvent::RemoteHangup { connection_id } => {
                let calls = self
                    .pcs
                    .get(&pc)
                    .map(|p| p.calls.clone())
                    .unwrap_or_default();
                let targets: Vec<String> = match connection_id {
                    Some(id) if calls.contains(&id) => vec![id],
                    _ => calls,
                };
                for call in &targets {
                    self.end_call(now, call, EndReason::RemoteHangup);
                }
                if targets.is_empty() {
                    // A server bye for the idle PPC: answer it and close.
                    self.destroy_pc(now, pc);
                }
            }
            SignalingEvent::IceRestartAnswered(answer) => self.restart_answered(now, pc, *answer),
            SignalingEvent::IceRestartFailed(error) => self.restart_invite_failed(now, pc, &error),
            SignalingEvent::StalePeerConnection => self.start_restart(now, pc),
            SignalingEvent::IdleConnection => self.close_idle_pcs(now, false),
            SignalingEvent::QuotaBreached => self.close_idle_pcs(now, true),
            SignalingEvent::Warning(warning) => self.event(SessionEvent::SignalingWarning {
                call: first,
                warning,
            }),
            SignalingEvent::Failed(error) => self.signaling_failed(now, pc, &error),
            SignalingEvent::Disconnected { bye_acknowledged } => {
                self.signaling_disconnected(now, pc, bye_acknowledged);
            }
            SignalingEvent::PcBye => {
                tracing::info!(pc = pc.0, "PCBye: peer connection closed by the server");
            }
            other => tracing::debug!(?other, "softphone signaling event"),
        }
    }

    /// Signaling Failed: setup calls fail by state (§7); Talking calls go on unless
    /// `AccessDenied` (R12).
    fn signaling_failed(&mut self, now: Timestamp, pc: PcId, error: &SignalingError) {
        if let Some(p) = self.pcs.get_mut(&pc) {
            p.unhealthy = true;
        }
        let calls = self
            .pcs
            .get(&pc)
            .map(|p| p.calls.clone())
            .unwrap_or_default();
        for call in calls {
            let Some(c) = self.calls.get(&call) else {
                continue;
            };
            if c.ending.is_some() {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.report.bye_acknowledged.get_or_insert(false);
                }
                self.settle_ending(now, &call);
                continue;
            }
            let reason = match c.state {
                SessionState::ConnectSignalingAndIceCollection
                | SessionState::GrabLocalMedia
                | SessionState::CreateOffer
                | SessionState::SetLocalDescription => {
                    Some(FailureReason::SignallingConnectionFailure)
                }
                SessionState::InviteAnswer
                | SessionState::Accept
                | SessionState::ConnectContact => Some(match error {
                    SignalingError::Busy { .. } => FailureReason::UserBusy,
                    SignalingError::CallNotFound { .. } => FailureReason::CallNotFound,
                    _ => FailureReason::SignallingHandshakeFailure,
                }),
                SessionState::Talking(_) => matches!(error, SignalingError::AccessDenied { .. })
                    .then_some(FailureReason::SignallingHandshakeFailure),
                _ => None,
            };
            match reason {
                Some(reason) => self.fail_call(now, &call, reason),
                None => {
                    tracing::warn!(%call, %error, "signaling failed while talking: media goes on")
                }
            }
        }
        self.settle_pc(now, pc);
    }

    /// Signaling ended: finish the calls waiting for it; any other call on the PC ends too
    /// (`PCBye`, crossing byes, local ends while the channel was down).
    fn signaling_disconnected(&mut self, now: Timestamp, pc: PcId, bye_acknowledged: Option<bool>) {
        let calls = self
            .pcs
            .get(&pc)
            .map(|p| p.calls.clone())
            .unwrap_or_default();
        for call in calls {
            let ending = match self.calls.get_mut(&call) {
                Some(c) => {
                    if bye_acknowledged.is_some() {
                        c.report.bye_acknowledged = bye_acknowledged;
                    }
                    c.ending
                }
                None => continue,
            };
            match ending {
                Some(reason) => self.finish_call(now, &call, reason),
                None => {
                    let reason = match self.calls.get(&call).map(|c| c.state) {
                        Some(SessionState::Talking(_)) | None => EndReason::PeerConnectionClosed,
                        Some(state) => match state.setup_step() {
                            Some(_) => EndReason::Failed(FailureReason::SignallingHandshakeFailure),
                            None => EndReason::PeerConnectionClosed,
                        },
                    };
                    match reason {
                        EndReason::Failed(r) => self.fail_call(now, &call, r),
                        _ => self.finish_call(now, &call, reason),
                    }
                }
            }
        }
        self.settle_pc(now, pc);
    }

    pub(super) fn tick_pc(&mut self, now: Timestamp, pc: PcId) {
        let Some(p) = self.pcs.get_mut(&pc) else {
            return;
        };
        if let Some(s) = p.signaling.as_mut() {
            if s.poll_timeout().is_some_and(|t| t <= now) {
                s.tick(now);
            }
        }
        if p.gather_deadline.is_some_and(|t| t <= now) && !p.finish_requested {
            p.finish_requested = true;
            self.act(Action::FinishGathering { pc });
        }
        self.pump(now, pc);
        self.tick_restart(now, pc);
        let signals = match self.pcs.get_mut(&pc) {
            Some(p) => p.health.tick(now),
            None => return,
        };
        self.health_signals(now, pc, signals);
    }
}
