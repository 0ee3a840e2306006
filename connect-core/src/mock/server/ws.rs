//! `GET /ws?ticket=…`: the CCP WebSocket (spec §5). The ticket (from `createTransport
//! web_socket`, valid 85 s for opening) names the agent. Frames are `{topic, content}`:
//! `aws/subscribe` and `aws/unsubscribe` answer `{status, topics}`, `aws/heartbeat` is
//! echoed, other topics go to their [`TopicHandler`](super::TopicHandler) (a frame without
//! `content` hands its other top-level members over as the content); anything else
//! gets an error frame `{"message": …}` and the socket stays up.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::extract::ws::{
    rejection::WebSocketUpgradeRejection, Message, WebSocket, WebSocketUpgrade,
};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use futures::FutureExt;
use serde_json::{json, Value};

use super::hub::Outgoing;
use super::reply::{bad_request, cti_error, unauthorized};
use super::state::Shared;
use super::topic::WsPeer;

const SUBSCRIBE: &str = "aws/subscribe";
const UNSUBSCRIBE: &str = "aws/unsubscribe";
const HEARTBEAT: &str = "aws/heartbeat";

/// The route handler: checks the ticket, then upgrades.
pub(super) async fn ws(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let ticket = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "ticket")
        .map(|(_, value)| value)
        .unwrap_or_default();
    let agent_id = match shared.instance.redeem_ws_ticket(ticket) {
        Ok(agent) => agent,
        Err(_) if ticket.is_empty() => return cti_error(&unauthorized("missing ticket")),
        Err(err) => return cti_error(&err),
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return cti_error(&bad_request(rejection.body_text())),
    };
    let max = shared.limits.max_body_bytes;
    upgrade
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| run_socket(shared, agent_id, socket))
}

/// One socket's task: client frames in, hub frames out, until either side ends it.
async fn run_socket(shared: Arc<Shared>, agent_id: String, mut socket: WebSocket) {
    let (id, mut rx) = shared.hub.open(&agent_id);
    let Some(tx) = shared.hub.sender(id) else {
        return;
    };
    let peer = WsPeer::new(id, agent_id, tx);
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outgoing::Frame(text)) => {
                    if shared.hub.is_frozen() {
                        continue;
                    }
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                // Dropping the socket closes the TCP connection without a close frame.
                Some(Outgoing::Kill) | None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => on_text(&shared, &peer, text.as_str()).await,
                Some(Ok(Message::Binary(_))) => {
                    peer_error(&peer, "binary frames are not supported");
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
        }
    }
    shared.hub.close(id);
    for handler in shared.all_handlers() {
        let _ = AssertUnwindSafe(handler.on_disconnect(&peer))
            .catch_unwind()
            .await;
    }
}

fn peer_error(peer: &WsPeer, message: &str) {
    peer.send_error(message);
}

fn reply(peer: &WsPeer, topic: &str, content: Value) {
    peer.send(topic, content);
}

/// Handles one client text frame.
async fn on_text(shared: &Shared, peer: &WsPeer, text: &str) {
    let Ok(Value::Object(mut frame)) = serde_json::from_str::<Value>(text) else {
        return peer_error(
            peer,
            "malformed frame: expected a JSON object {topic, content}",
        );
    };
    let Some(Value::String(topic)) = frame.remove("topic") else {
        return peer_error(peer, "malformed frame: missing topic");
    };
    // Without `content`, the other top-level members are the payload (the softphone sends
    // `{"topic", "connectionId", "jsonRpcMsg"}`).
    let content = match frame.remove("content") {
        Some(content) => content,
        None if frame.is_empty() => Value::Null,
        None => Value::Object(frame),
    };
    match topic.as_str() {
        SUBSCRIBE | UNSUBSCRIBE => {
            let Some(topics) = topic_list(&content) else {
                return peer_error(peer, &format!("malformed {topic}: expected content.topics"));
            };
            if shared.hub.fails_subscriptions() {
                return reply(peer, &topic, json!({"status": "failure", "topics": topics}));
            }
            if topic == SUBSCRIBE {
                shared.hub.subscribe(peer.socket_id(), &topics);
            } else {
                shared.hub.unsubscribe(peer.socket_id(), &topics);
            }
            reply(peer, &topic, json!({"status": "success", "topics": topics}));
        }
        HEARTBEAT => reply(peer, HEARTBEAT, Value::Null),
        _ => match shared.handler(&topic) {
            Some(handler) => {
                let handled = AssertUnwindSafe(handler.on_message(peer, content))
                    .catch_unwind()
                    .await;
                if handled.is_err() {
                    tracing::warn!(topic, "sim server: topic handler panicked");
                    peer_error(peer, &format!("internal error handling {topic}"));
                }
            }
            None => peer_error(peer, &format!("no handler for topic {topic}")),
        },
    }
}

/// `content.topics` as non-empty strings.
fn topic_list(content: &Value) -> Option<Vec<String>> {
    content
        .get("topics")?
        .as_array()?
        .iter()
        .map(|t| t.as_str().filter(|s| !s.is_empty()).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_lists_must_be_non_empty_strings() {
        assert_eq!(
            topic_list(&json!({"topics": ["a", "b"]})),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(topic_list(&json!({"topics": ["a", 1]})), None);
        assert_eq!(topic_list(&json!({"topics": [""]})), None);
        assert_eq!(topic_list(&json!({})), None);
        assert_eq!(topic_list(&Value::Null), None);
    }

    #[tokio::test]
    async fn frames_are_answered_or_refused_without_closing() {
        let sim = crate::mock::SimInstance::builder().agents(1).build();
        let Ok(sim) = sim else { panic!("sim") };
        let limits = super::super::state::Limits {
            max_body_bytes: 1024,
            read_timeout: std::time::Duration::from_secs(1),
        };
        let shared = Shared::new(sim, limits);
        let (id, mut rx) = shared.hub.open("a1");
        let Some(tx) = shared.hub.sender(id) else {
            panic!("open")
        };
        let peer = WsPeer::new(id, "a1".into(), tx);
        let mut answers = Vec::new();
        for text in [
            "not json",
            "[]",
            r#"{"content":1}"#,
            r#"{"topic":"aws/subscribe","content":{"topics":["x"]}}"#,
            r#"{"topic":"aws/heartbeat"}"#,
            r#"{"topic":"aws/unsubscribe","content":{"topics":["x"]}}"#,
            r#"{"topic":"app/unknown","content":{}}"#,
        ] {
            on_text(&shared, &peer, text).await;
            match rx.try_recv() {
                Ok(Outgoing::Frame(f)) => {
                    answers.push(serde_json::from_str::<Value>(&f).unwrap_or_default())
                }
                other => panic!("no answer to {text}: {other:?}"),
            }
        }
        for error in &answers[..3] {
            assert!(error["message"].is_string(), "{error}");
        }
        assert_eq!(
            answers[3],
            json!({"topic": "aws/subscribe", "content": {"status": "success", "topics": ["x"]}})
        );
        assert_eq!(answers[4], json!({"topic": "aws/heartbeat"}));
        assert_eq!(answers[5]["content"]["status"], "success");
        assert!(answers[6]["message"]
            .as_str()
            .is_some_and(|m| m.contains("app/unknown")));
    }
}
