//! What the signaling machine does once it decided: deadlines and acknowledgements, the end of
//! a call on a shared PC, `bye`, and the terminal states.

use std::time::Duration;

use connect_core::model::{Sensitive, Timestamp};

use super::core::{after, Pending, Purpose, SignalingMachine};
use super::types::{
    AckPolicy, ChannelKind, LegState, SignalingEvent, SignalingOutput, SignalingState,
    SignalingWarning,
};
use crate::signaling::proto::ClientRequest;
use crate::signaling::{RpcMethod, SignalingError};

impl SignalingMachine {
    /// A request's deadline passed.
    pub(super) fn expire(&mut self, now: Timestamp, id: String, pending: Pending) {
        let strict = self.config.ack_policy == AckPolicy::Strict;
        match (pending.method, pending.purpose) {
            (RpcMethod::Invite, Purpose::Setup) => self.fail(SignalingError::Timeout),
            (RpcMethod::Invite, _) => {
                self.event(SignalingEvent::IceRestartFailed(SignalingError::Timeout))
            }
            (RpcMethod::Bye, _) => self.disconnect(Some(false)),
            (method, _) if strict => match method {
                RpcMethod::DisconnectContact => self.send_bye(now, None),
                RpcMethod::Accept if pending.purpose == Purpose::IceRestart => {
                    self.event(SignalingEvent::IceRestartFailed(SignalingError::Timeout));
                }
                _ => self.fail(SignalingError::Timeout),
            },
            (method, purpose) => {
                self.event(SignalingEvent::Warning(SignalingWarning::AckMissing {
                    method,
                }));
                self.late.insert(id, pending.clone());
                self.acknowledged(now, method, purpose, &pending.connection_id, false);
            }
        }
    }

    /// An acknowledgement arrived (or its lenient deadline passed).
    pub(super) fn acknowledged(
        &mut self,
        now: Timestamp,
        method: RpcMethod,
        purpose: Purpose,
        connection_id: &str,
        acknowledged: bool,
    ) {
        match (method, purpose) {
            (RpcMethod::Accept, Purpose::Setup) => {
                self.handshake_done(now, connection_id, acknowledged)
            }
            (RpcMethod::ConnectContact, _) => {
                self.set_leg(connection_id, LegState::Talking);
                if self.state == SignalingState::PendingConnectContact {
                    self.state = SignalingState::Talking;
                }
                self.event(SignalingEvent::Talking {
                    connection_id: connection_id.to_owned(),
                    acknowledged,
                });
            }
            (RpcMethod::DisconnectContact, _) => self.event(SignalingEvent::ContactDisconnected {
                connection_id: connection_id.to_owned(),
                acknowledged,
            }),
            _ => {}
        }
    }

    /// `accept` done: Talking, or Idle for page-load pre-establishment.
    pub(super) fn handshake_done(
        &mut self,
        now: Timestamp,
        connection_id: &str,
        acknowledged: bool,
    ) {
        if self.state != SignalingState::PendingAcceptAck {
            return;
        }
        let page_load = self
            .legs
            .first()
            .is_some_and(|(l, _)| l.contact_id.is_none());
        if page_load {
            self.set_leg(connection_id, LegState::Disconnected);
            self.enter_idle(now);
            self.event(SignalingEvent::IdleReady);
        } else {
            self.set_leg(connection_id, LegState::Talking);
            self.state = SignalingState::Talking;
            self.event(SignalingEvent::Talking {
                connection_id: connection_id.to_owned(),
                acknowledged,
            });
        }
    }

    /// A call ends while Talking (or in its connectContact setup).
    pub(super) fn end_leg(&mut self, now: Timestamp, connection_id: &str) {
        if !self.is_persistent() {
            self.send_bye(now, Some(connection_id));
            return;
        }
        let leg = self
            .legs
            .iter()
            .find(|(l, _)| l.connection_id == connection_id);
        let Some((leg, _)) = leg else {
            return;
        };
        let request = ClientRequest::DisconnectContact {
            contact_id: leg.contact_id.clone().unwrap_or_default(),
            peer_connection: self.pc.clone(),
        };
        self.set_leg(connection_id, LegState::Disconnected);
        // Its own pending connectContact no longer matters.
        self.pending.retain(|_, p| {
            p.connection_id != connection_id || p.method != RpcMethod::ConnectContact
        });
        let timeout = self.config.timeouts.ack;
        self.request(now, request, Purpose::Leg, connection_id, timeout);
        if self.has_active_legs() {
            return;
        }
        if self.pc_bye_pending {
            self.event(SignalingEvent::PcBye);
            self.disconnect(None);
        } else {
            self.enter_idle(now);
        }
    }

    pub(super) fn enter_idle(&mut self, now: Timestamp) {
        self.state = SignalingState::Idle;
        self.deadline = Some(after(now, self.inactivity.unwrap_or_default()));
    }

    pub(super) fn has_active_legs(&self) -> bool {
        self.legs.iter().any(|(_, s)| !s.is_terminal())
    }

    pub(super) fn set_leg(&mut self, connection_id: &str, state: LegState) {
        for (leg, s) in &mut self.legs {
            if leg.connection_id == connection_id {
                *s = state;
            }
        }
    }

    /// `bye` (full params) → PendingRemoteHangup.
    pub(super) fn send_bye(&mut self, now: Timestamp, connection_id: Option<&str>) {
        if !self.channel_up {
            self.disconnect(Some(false));
            return;
        }
        let request = self.bye_request(connection_id);
        let connection = connection_id.map_or_else(|| self.pc_connection_id(), str::to_owned);
        let timeout = self.config.timeouts.bye;
        self.pending.retain(|_, p| p.purpose == Purpose::Bye);
        self.deadline = None;
        self.request(now, request, Purpose::Bye, &connection, timeout);
        self.state = SignalingState::PendingRemoteHangup;
    }

    pub(super) fn bye_request(&self, connection_id: Option<&str>) -> ClientRequest {
        let leg = connection_id
            .and_then(|id| self.legs.iter().find(|(l, _)| l.connection_id == id))
            .map(|(l, _)| l);
        ClientRequest::Bye {
            contact_id: leg.and_then(|l| l.contact_id.clone()),
            persistent_connection: self.is_persistent(),
            peer_connection: self.pc.clone(),
            call_context_token: leg.and_then(|l| l.call_context_token.clone()),
        }
    }

    /// The connection id PC-level messages go out with: the latest call's (R2).
    pub(super) fn pc_connection_id(&self) -> String {
        self.legs
            .last()
            .map(|(l, _)| l.connection_id.clone())
            .unwrap_or_default()
    }

    pub(super) fn first_leg_token(&self) -> Option<Sensitive> {
        self.legs
            .first()
            .and_then(|(l, _)| l.call_context_token.clone())
    }

    pub(super) fn request(
        &mut self,
        now: Timestamp,
        request: ClientRequest,
        purpose: Purpose,
        connection_id: &str,
        timeout: Duration,
    ) {
        let id = self.ids.next_id();
        let message = request.to_message(&id);
        self.pending.insert(
            id,
            Pending {
                method: request.method(),
                purpose,
                connection_id: connection_id.to_owned(),
                deadline: after(now, timeout),
            },
        );
        self.send(connection_id, message);
    }

    pub(super) fn send(&mut self, connection_id: &str, message: serde_json::Value) {
        self.output(SignalingOutput::Send {
            connection_id: connection_id.to_owned(),
            message,
        });
    }

    pub(super) fn fail(&mut self, error: SignalingError) {
        if self.state.is_terminal() {
            return;
        }
        tracing::warn!(state = ?self.state, %error, "softphone signaling failed");
        for (_, state) in &mut self.legs {
            if !state.is_terminal() {
                *state = LegState::Failed;
            }
        }
        self.finish(SignalingState::Failed(error.clone()));
        self.event(SignalingEvent::Failed(error));
    }

    pub(super) fn disconnect(&mut self, bye_acknowledged: Option<bool>) {
        if self.state.is_terminal() {
            return;
        }
        for (_, state) in &mut self.legs {
            if !state.is_terminal() {
                *state = LegState::Disconnected;
            }
        }
        self.finish(SignalingState::Disconnected);
        self.event(SignalingEvent::Disconnected { bye_acknowledged });
    }

    pub(super) fn finish(&mut self, state: SignalingState) {
        if self.config.kind == ChannelKind::Direct {
            self.channel_up = false;
        }
        self.state = state;
        self.deadline = None;
        self.pending.clear();
        self.server_bye = None;
        self.output(SignalingOutput::CloseChannel);
    }

    pub(super) fn event(&mut self, event: SignalingEvent) {
        self.output(SignalingOutput::Event(event));
    }

    pub(super) fn output(&mut self, output: SignalingOutput) {
        self.out.push_back(output);
    }
}
