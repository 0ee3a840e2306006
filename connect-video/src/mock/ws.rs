//! The chat WebSocket of the simulated participant service: subscribe, heartbeat, ping, and
//! pushes of the contact's items.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::participant::{TOPIC_CHAT, TOPIC_HEARTBEAT, TOPIC_PING, TOPIC_SUBSCRIBE};

use super::service::Shared;
use super::state::{Push, SimSocket, Who};

pub(crate) async fn websocket(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let now = shared.core.now();
    let ticket = query.get("ticket").cloned().unwrap_or_default();
    let who = shared.core.data(|d| {
        let (who, expiry) = d.tickets.get(&ticket).cloned()?;
        let ended = d.chats.get(&who.contact_id).is_none_or(|c| c.ended);
        (now < expiry && !ended).then_some(who)
    });
    match who {
        Some(who) => upgrade.on_upgrade(move |socket| serve(shared, who, socket)),
        None => (StatusCode::FORBIDDEN, "Access denied").into_response(),
    }
}

async fn serve(shared: Arc<Shared>, who: Who, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = shared.core.data(|d| {
        d.next_socket += 1;
        let id = d.next_socket;
        d.sockets.insert(
            id,
            SimSocket {
                contact_id: who.contact_id.clone(),
                subscribed: false,
                tx,
            },
        );
        id
    });
    shared.notify();
    loop {
        tokio::select! {
            push = rx.recv() => match push {
                Some(Push::Frame(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                // Dropped by the service: cut the connection without a close frame.
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = shared.on_frame(id, text.as_str()) {
                        if socket.send(Message::Text(reply.into())).await.is_err() {
                            break;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    shared.core.data(|d| d.sockets.remove(&id));
    shared.notify();
}

impl Shared {
    /// The answer to a client frame, if any.
    fn on_frame(&self, socket: u64, text: &str) -> Option<String> {
        let Ok(frame) = serde_json::from_str::<Value>(text) else {
            return Some(
                json!({"message": "Invalid request", "connectionId": socket.to_string()})
                    .to_string(),
            );
        };
        match frame.get("topic").and_then(Value::as_str) {
            Some(TOPIC_SUBSCRIBE) => {
                let wants_chat = frame
                    .pointer("/content/topics")
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.iter().any(|t| t == TOPIC_CHAT));
                let ok = wants_chat && !self.faults().fail_subscriptions;
                if ok {
                    self.core.data(|d| {
                        if let Some(s) = d.sockets.get_mut(&socket) {
                            s.subscribed = true;
                        }
                    });
                    self.notify();
                }
                let status = if ok { "success" } else { "failure" };
                Some(json!({"topic": TOPIC_SUBSCRIBE, "content": {"status": status, "topics": [TOPIC_CHAT]}}).to_string())
            }
            Some(TOPIC_HEARTBEAT) if !self.faults().frozen => {
                Some(json!({"topic": TOPIC_HEARTBEAT}).to_string())
            }
            Some(TOPIC_PING) if !self.faults().frozen => {
                Some(json!({"topic": TOPIC_PING, "statusCode": 200}).to_string())
            }
            _ => None,
        }
    }
}
