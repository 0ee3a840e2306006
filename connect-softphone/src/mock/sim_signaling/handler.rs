//! Handling one client message: journal, faults, and the answers of §4.

use async_trait::async_trait;
use connect_core::mock::{TopicHandler, WsPeer};
use serde_json::{json, Map, Value};

use super::types::{Fault, Offer, Peer, SeenRequest};
use super::SimSignaling;
use crate::signaling::proto::{
    decode_client_content, error_response, result_response, InviteParams, Route, RpcError,
};

/// The `aws/softphone` topic handler registered on the `SimServer`.
pub(super) struct TopicBridge(pub(super) SimSignaling);

#[async_trait]
impl TopicHandler for TopicBridge {
    async fn on_message(&self, peer: &WsPeer, content: Value) {
        match decode_client_content(&content) {
            Ok(envelope) => {
                let connection = match envelope.route {
                    Route::Connection(id) => id,
                    Route::Client(id) => id,
                    Route::Unaddressed => String::new(),
                };
                self.0
                    .handle(Peer::Ws(peer.clone()), connection, envelope.message);
            }
            Err(error) => {
                tracing::warn!(%error, "sim signaling: malformed client frame");
                peer.send_error(&format!("malformed softphone frame: {error}"));
            }
        }
    }
}

impl SimSignaling {
    /// One JSON-RPC message from `connection_id` on `peer`.
    pub(super) fn handle(&self, peer: Peer, connection_id: String, message: Value) {
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let id = message.get("id").cloned();
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        let seen = SeenRequest {
            connection_id: connection_id.clone(),
            method: method.clone().unwrap_or_else(|| "response".to_owned()),
            params: if method.is_some() {
                params.clone()
            } else {
                message.clone()
            },
        };
        let fault = {
            let mut state = self.state();
            state.peers.insert(connection_id.clone(), peer.clone());
            state.last_peer = Some(peer.clone());
            state.journal.push(seen.clone());
            method
                .as_deref()
                .and_then(|m| state.faults.get_mut(m))
                .and_then(|queue| queue.pop_front())
        };
        let _ = self.inner.seen.send(seen);
        let (Some(method), Some(id)) = (method, id) else {
            return; // a response to a server request, or a notification
        };
        let route = Route::Connection(connection_id.clone());
        let reply_error = |error: RpcError| {
            peer.send(&route, error_response(&id, &error));
        };
        match fault {
            Some(Fault::Error { code, message }) => {
                return reply_error(RpcError::new(code, message))
            }
            Some(Fault::NoReply) => return,
            Some(Fault::Delay(delay)) => {
                let this = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    this.answer(peer, connection_id, &method, id, params).await;
                });
                return;
            }
            None => {}
        }
        let this = self.clone();
        tokio::spawn(async move { this.answer(peer, connection_id, &method, id, params).await });
    }

    /// The normal answer to a request.
    async fn answer(
        &self,
        peer: Peer,
        connection_id: String,
        method: &str,
        id: Value,
        params: Value,
    ) {
        let settings = self.settings();
        let route = Route::Connection(connection_id.clone());
        let result = match method {
            "invite" => match self.invite(&connection_id, &params).await {
                Ok(result) => result,
                Err(error) => {
                    peer.send(&route, error_response(&id, &error));
                    return;
                }
            },
            "accept" | "connectContact" | "disconnectContact" if !settings.acknowledge => return,
            "accept" => {
                let pc = params
                    .get("peerConnectionId")
                    .cloned()
                    .unwrap_or(Value::Null);
                let token = params
                    .get("peerConnectionToken")
                    .cloned()
                    .unwrap_or(Value::Null);
                json!({"peerConnectionId": pc, "peerConnectionToken": token})
            }
            "connectContact" | "disconnectContact" | "bye" => json!({}),
            other => {
                let error = RpcError::new(400, format!("unknown method {other}"));
                peer.send(&route, error_response(&id, &error));
                return;
            }
        };
        let mut reply = result_response(&id, result);
        if settings.mock_style {
            if let Some(object) = reply.as_object_mut() {
                object.remove("jsonrpc");
                let echoed = if method == "invite" { "answer" } else { method };
                object.insert("method".into(), Value::String(echoed.to_owned()));
            }
        }
        peer.send(&route, reply);
    }

    /// `invite`: a PC (new, or the one being restarted), the provider's answer, the result.
    async fn invite(&self, connection_id: &str, params: &Value) -> Result<Value, RpcError> {
        let invite = InviteParams::from_params(params).map_err(|e| RpcError::new(400, e.reason))?;
        let settings = self.settings();
        let (pc_id, pc_token) = {
            let mut state = self.state();
            let known = invite
                .peer_connection
                .id
                .clone()
                .and_then(|id| state.pcs.get(&id).map(|token| (id, token.clone())));
            match known {
                Some(known) => known,
                None if invite.ice_restart => {
                    return Err(RpcError::new(400, crate::signaling::STALE_PEER_CONNECTION));
                }
                None => {
                    state.next_pc += 1;
                    let id = format!("sim-pc-{}", state.next_pc);
                    let token = format!("sim-pct-{}", state.next_pc);
                    state.pcs.insert(id.clone(), token.clone());
                    (id, token)
                }
            }
        };
        let offer = Offer {
            connection_id: connection_id.to_owned(),
            contact_id: invite.contact_id.clone(),
            sdp: invite.sdp.clone(),
            candidates: invite.candidates.clone(),
            ice_restart: invite.ice_restart,
            peer_connection_id: pc_id.clone(),
        };
        let answer = self
            .inner
            .answers
            .answer(offer)
            .await
            .map_err(|e| RpcError::new(500, e))?;
        let mut sdp = answer.sdp;
        if settings.media_cluster_markers && !sdp.contains("AmazonConnect") {
            sdp.push_str("a=tool:AmazonConnect silenceSupp\r\n");
        }
        let (pc, token) = if settings.allowlisted {
            (Value::String(pc_id), Value::String(pc_token))
        } else {
            (Value::Null, Value::Null)
        };
        let mut result = Map::new();
        result.insert("sdp".into(), Value::String(sdp));
        result.insert(
            "candidates".into(),
            serde_json::to_value(&answer.candidates).unwrap_or_else(|_| json!([])),
        );
        result.insert(
            "inactivityDuration".into(),
            json!(settings.inactivity_duration_ms),
        );
        result.insert("peerConnectionId".into(), pc);
        result.insert("peerConnectionToken".into(), token);
        Ok(Value::Object(result))
    }
}
