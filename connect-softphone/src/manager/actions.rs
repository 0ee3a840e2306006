//! Carrying out the session machine's [`Action`]s: signaling sends and sockets, credential
//! fetches; media actions go to `peers`, call bookkeeping to `calls`.

use std::sync::Arc;
use std::time::Duration;

use connect_core::api::{CreateTransportRequest, CtiApi};
use connect_core::model::{IceServer, Timestamp};
use serde_json::Value;

use super::driver::{Driver, Input};
use crate::session::{Action, CredentialPurpose, PcId};
use crate::signaling::proto::{api_ice_servers, DirectAuth};
use crate::signaling::transport::{DirectTransport, SignalingTransport, TransportEvents};
use crate::signaling::ChannelKind;

impl Driver {
    /// Carries out every pending action (each may queue more).
    pub(super) async fn carry_out(&mut self) {
        while let Some(action) = self.machine.poll_action() {
            self.action(action).await;
        }
    }

    async fn action(&mut self, action: Action) {
        let now = self.now();
        match action {
            Action::OpenMicrophone { call } => self.open_microphone(now, &call),
            Action::CloseMicrophone { call } => self.close_microphone(&call),
            Action::SwapSource { pc, call } => self.swap_source(pc, &call),
            Action::UseIdleSource { pc } => self.use_idle_source(pc),
            Action::FetchCredentials {
                pc,
                purpose,
                timeout,
            } => self.fetch_credentials(pc, purpose, timeout),
            Action::CreateOffer {
                pc,
                call,
                ice_servers,
            } => self.create_peer(pc, &call, &ice_servers),
            Action::RestartIce { pc, ice_servers } => self.restart_ice(pc, &ice_servers),
            Action::SetLocalDescription { pc, .. } => self.local_description(now, pc),
            Action::GatherCandidates { pc, .. } => self.gathered(now, pc),
            // Gathering is reported with the offer, never later than its deadline.
            Action::FinishGathering { .. } => {}
            Action::ApplyAnswer {
                pc,
                sdp,
                candidates,
            } => self.apply_answer(now, pc, sdp, &candidates),
            Action::ClosePeerConnection { pc } => self.close_peer(pc),
            Action::OpenSignaling {
                pc,
                endpoint,
                auth,
                contact_id,
                ..
            } => self.open_direct(now, pc, endpoint, auth, contact_id),
            Action::CloseSignaling { pc } => {
                if let Some(socket) = self.direct.remove(&pc) {
                    socket.close().await;
                }
            }
            Action::SendSignal {
                pc,
                kind,
                connection_id,
                message,
            } => self.send_signal(pc, kind, &connection_id, message).await,
            Action::Event(event) => self.session_event(event),
        }
    }

    /// `CreateTransport` softphone, within `timeout`; a cross-region check is answered at once
    /// with pre-warmed credentials when there are fresh ones.
    fn fetch_credentials(&mut self, pc: PcId, purpose: CredentialPurpose, timeout: Duration) {
        let inputs = self.inputs.clone();
        if purpose == CredentialPurpose::CrossRegionProbe {
            let now = self.now();
            if let Some(servers) = self.take_prewarmed(now) {
                tracing::info!(pc = pc.0, "pre-warmed TURN credentials used");
                let _ = inputs.send(Input::Credentials {
                    pc,
                    purpose,
                    result: Ok(servers),
                });
                return;
            }
        }
        let fetch = fetch_turn(
            Arc::clone(&self.api),
            self.machine.config().softphone_client_id.clone(),
            timeout,
        );
        tokio::spawn(async move {
            let result = fetch.await;
            if let Err(error) = &result {
                tracing::warn!(%error, ?purpose, "softphone credentials not fetched");
            }
            let _ = inputs.send(Input::Credentials {
                pc,
                purpose,
                result,
            });
        });
    }

    async fn send_signal(
        &mut self,
        pc: PcId,
        kind: ChannelKind,
        connection_id: &str,
        message: Value,
    ) {
        match kind {
            // A failed send reports the channel down through the transport's events (R5).
            ChannelKind::Multiplexed => {
                let _ = self.mux.send(connection_id, message).await;
            }
            ChannelKind::Direct => {
                let sent = match self.direct.get(&pc) {
                    Some(socket) => socket.send(connection_id, message).await.is_ok(),
                    None => false,
                };
                if !sent {
                    let now = self.now();
                    self.direct.remove(&pc);
                    self.machine
                        .channel_down(now, pc, "direct signaling socket gone");
                }
            }
        }
    }

    /// Opens the direct `/LilyRTC` socket of a PC (legacy transport, §3.2).
    fn open_direct(
        &mut self,
        now: Timestamp,
        pc: PcId,
        endpoint: Option<String>,
        auth: DirectAuth,
        contact_id: String,
    ) {
        let Some(endpoint) = endpoint else {
            return self
                .machine
                .channel_down(now, pc, "direct signaling without an endpoint");
        };
        let connector = Arc::clone(&self.connector);
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let result = DirectTransport::connect(connector, &endpoint, &contact_id, &auth)
                .await
                .map_err(|e| e.to_string());
            let _ = inputs.send(Input::DirectOpened { pc, result });
        });
    }

    /// The direct socket's outcome: keep it and forward its events, or report it down.
    pub(super) fn direct_opened(
        &mut self,
        now: Timestamp,
        pc: PcId,
        result: Result<(DirectTransport, TransportEvents), String>,
    ) {
        match result {
            Ok(_) if !self.machine.peer_connections().any(|p| p == pc) => {
                tracing::debug!(pc = pc.0, "direct socket opened for a closed PC: closed");
            }
            Ok((socket, mut events)) => {
                self.direct.insert(pc, socket);
                let inputs = self.inputs.clone();
                tokio::spawn(async move {
                    while let Some(event) = events.recv().await {
                        if inputs.send(Input::Direct(pc, event)).is_err() {
                            break;
                        }
                    }
                });
            }
            Err(reason) => self.machine.channel_down(now, pc, &reason),
        }
    }
}

/// `CreateTransport` softphone for `client_id` through `api`, within `timeout`: the TURN
/// servers, or why not.
pub(super) async fn fetch_turn(
    api: Arc<dyn CtiApi>,
    client_id: String,
    timeout: Duration,
) -> Result<Vec<IceServer>, String> {
    let request = CreateTransportRequest::softphone(client_id);
    match tokio::time::timeout(timeout, api.create_transport(request)).await {
        Ok(Ok(response)) => api_ice_servers(&response)
            .ok_or_else(|| "CreateTransport answered without softphoneTransport".to_owned()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("CreateTransport gave no answer within {timeout:?}")),
    }
}
