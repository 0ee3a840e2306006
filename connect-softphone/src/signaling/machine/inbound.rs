//! What the signaling machine does with an inbound JSON-RPC message.

use connect_core::model::Timestamp;
use serde_json::Value;

use super::core::{Pending, Purpose, SignalingMachine};
use super::types::{LegState, SignalingEvent, SignalingState, SignalingWarning};
use crate::signaling::proto::{
    classify, result_response, AckResult, Classified, InviteResult, ProtoError, RpcError,
    ServerMessage,
};
use crate::signaling::{RpcMethod, SignalingError};

impl SignalingMachine {
    /// One JSON-RPC message routed to this channel (`connection_id`: the envelope's, `None`
    /// on the direct transport). A malformed message is dropped, counted, logged and returned
    /// as an error; the call is unaffected.
    pub fn receive(
        &mut self,
        now: Timestamp,
        connection_id: Option<&str>,
        message: &Value,
    ) -> Result<(), ProtoError> {
        let classified = classify(message, |id| {
            self.pending.contains_key(id) || self.late.contains_key(id)
        });
        let result = match classified {
            Ok(Classified::Response { id, outcome }) => self.response(now, &id, outcome),
            Ok(Classified::Request {
                method,
                id,
                params,
                message,
            }) => ServerMessage::from_request(&method, id, &params, &message)
                .map(|m| self.server_message(now, connection_id, m)),
            Err(e) => Err(e),
        };
        if let Err(error) = &result {
            self.dropped += 1;
            tracing::warn!(%error, state = ?self.state, "softphone signaling message dropped");
        }
        result
    }

    fn response(
        &mut self,
        now: Timestamp,
        id: &str,
        outcome: Result<Value, RpcError>,
    ) -> Result<(), ProtoError> {
        if let Some(late) = self.late.remove(id) {
            // Lenient acknowledgement that came after its deadline: only an error matters.
            if let Err(error) = outcome {
                let error = SignalingError::from_code(late.method, error.code, error.message);
                self.error_for(now, &late, error);
            }
            return Ok(());
        }
        let Some(pending) = self.pending.remove(id) else {
            return Err(ProtoError::new("response to no pending request"));
        };
        match outcome {
            Ok(result) => self.result_for(now, &pending, &result),
            Err(error) => {
                let error = SignalingError::from_code(pending.method, error.code, error.message);
                self.error_for(now, &pending, error);
            }
        }
        Ok(())
    }

    fn result_for(&mut self, now: Timestamp, pending: &Pending, result: &Value) {
        match (pending.method, pending.purpose) {
            (RpcMethod::Invite, purpose) => {
                let answer = match InviteResult::parse(result) {
                    Ok(answer) => answer,
                    Err(e) => {
                        let error = SignalingError::Malformed { reason: e.reason };
                        return self.error_for(now, pending, error);
                    }
                };
                if answer.peer_connection_id.is_some() {
                    self.pc = answer.peer_connection();
                }
                if let Some(ms) = answer.inactivity_duration {
                    self.inactivity = Some(std::time::Duration::from_millis(ms));
                }
                let accept = crate::signaling::proto::ClientRequest::Accept {
                    contact_id: if purpose == Purpose::Setup {
                        self.legs.first().and_then(|(l, _)| l.contact_id.clone())
                    } else {
                        None
                    },
                    persistent_connection: self.config.persistent_connection,
                    peer_connection: self.pc.clone(),
                };
                if purpose == Purpose::Setup {
                    self.state = SignalingState::PendingAccept;
                    self.event(SignalingEvent::Answered(Box::new(answer)));
                    self.state = SignalingState::PendingAcceptAck;
                } else {
                    self.event(SignalingEvent::IceRestartAnswered(Box::new(answer)));
                }
                let timeout = self.config.timeouts.ack;
                self.request(now, accept, purpose, &pending.connection_id, timeout);
            }
            (RpcMethod::Bye, _) => self.disconnect(Some(true)),
            (method, purpose) => {
                let ack = AckResult::parse(result);
                if let Some(token) = ack.client_token {
                    self.client_token = Some(token);
                }
                self.acknowledged(now, method, purpose, &pending.connection_id, true);
            }
        }
    }

    /// A server error for one of our requests (§4.3, §6).
    fn error_for(&mut self, now: Timestamp, pending: &Pending, error: SignalingError) {
        let talking_or_idle = matches!(
            self.state,
            SignalingState::Talking | SignalingState::Idle | SignalingState::PendingReconnect(_)
        );
        if talking_or_idle && error.is_stale_peer_connection() {
            self.event(SignalingEvent::StalePeerConnection);
            return;
        }
        match (pending.method, pending.purpose) {
            (RpcMethod::Bye, _) => self.disconnect(Some(false)),
            (RpcMethod::Invite | RpcMethod::Accept, Purpose::IceRestart) => {
                self.event(SignalingEvent::IceRestartFailed(error));
            }
            (RpcMethod::DisconnectContact, _) => {
                tracing::warn!(%error, "disconnectContact refused: destroying the peer connection");
                if !matches!(self.state, SignalingState::PendingRemoteHangup) {
                    self.send_bye(now, None);
                }
            }
            // invite/accept of the setup, connectContact, late errors while talking.
            (method, _) => match self.state {
                SignalingState::Idle
                | SignalingState::PendingRemoteHangup
                | SignalingState::PendingLocalHangup => {
                    self.event(SignalingEvent::Warning(SignalingWarning::IgnoredError {
                        method,
                        error,
                    }));
                }
                _ => {
                    if method == RpcMethod::ConnectContact {
                        self.set_leg(&pending.connection_id, LegState::Failed);
                    }
                    self.fail(error);
                }
            },
        }
    }

    fn server_message(
        &mut self,
        now: Timestamp,
        connection_id: Option<&str>,
        message: ServerMessage,
    ) {
        match message {
            ServerMessage::Bye { id } => self.server_bye(connection_id, id),
            ServerMessage::PcBye { peer_connection_id } => {
                let matches = peer_connection_id.is_some() && peer_connection_id == self.pc.id;
                if !matches || self.state.is_terminal() {
                    tracing::info!(
                        ?peer_connection_id,
                        "PCBye for another peer connection ignored"
                    );
                } else if self.has_active_legs() && !matches!(self.state, SignalingState::Idle) {
                    self.pc_bye_pending = true;
                } else {
                    self.event(SignalingEvent::PcBye);
                    self.disconnect(None);
                }
            }
            ServerMessage::RenewClientToken { client_token } => {
                self.client_token = Some(client_token);
                self.event(SignalingEvent::ClientTokenRenewed);
            }
            ServerMessage::IdleConnection => self.event(SignalingEvent::IdleConnection),
            ServerMessage::QuotaBreached => self.event(SignalingEvent::QuotaBreached),
            other => tracing::info!(?other, "unknown softphone server message ignored"),
        }
        let _ = now;
    }

    fn server_bye(&mut self, connection_id: Option<&str>, id: Option<Value>) {
        match self.state {
            SignalingState::Disconnected
            | SignalingState::Failed(_)
            | SignalingState::PendingLocalHangup => {
                tracing::debug!("server bye after the end ignored");
            }
            SignalingState::PendingRemoteHangup => {
                // Crossing byes: the hang-up is complete; answer it (SDK choice).
                if let Some(id) = id {
                    let target =
                        connection_id.map_or_else(|| self.pc_connection_id(), str::to_owned);
                    self.send(&target, result_response(&id, serde_json::json!({})));
                }
                self.disconnect(Some(true));
            }
            _ => {
                self.state = SignalingState::PendingLocalHangup;
                self.deadline = None;
                self.pending.clear();
                self.server_bye = id;
                self.event(SignalingEvent::RemoteHangup {
                    connection_id: connection_id.map(str::to_owned),
                });
            }
        }
    }
}
