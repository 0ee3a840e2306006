//! The open WebSocket connections: who they belong to, what they subscribed, and the
//! controls that act on all of them (kill, freeze, failing subscriptions).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::{json, Value};
use tokio::sync::mpsc;

/// What the hub tells a socket's task.
#[derive(Debug)]
pub(super) enum Outgoing {
    /// A text frame to send (dropped while frozen).
    Frame(String),
    /// Drop the connection at once, without a close frame.
    Kill,
}

struct Socket {
    agent_id: String,
    tx: mpsc::UnboundedSender<Outgoing>,
    topics: BTreeSet<String>,
}

/// The registry of open sockets.
#[derive(Default)]
pub(super) struct Hub {
    sockets: Mutex<BTreeMap<u64, Socket>>,
    next_id: AtomicU64,
    frozen: AtomicBool,
    fail_subscriptions: AtomicBool,
}

/// A `{topic, content}` frame as text (`content` omitted when `Null`).
pub(super) fn frame(topic: &str, content: &Value) -> String {
    if content.is_null() {
        json!({ "topic": topic }).to_string()
    } else {
        json!({ "topic": topic, "content": content }).to_string()
    }
}

/// A server error frame `{"message": …}`.
pub(super) fn error_frame(message: &str) -> String {
    json!({ "message": message }).to_string()
}

impl Hub {
    fn sockets(&self) -> MutexGuard<'_, BTreeMap<u64, Socket>> {
        self.sockets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a socket of `agent_id`; returns its id and the receiver its task reads.
    pub fn open(&self, agent_id: &str) -> (u64, mpsc::UnboundedReceiver<Outgoing>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (tx, rx) = mpsc::unbounded_channel();
        self.sockets().insert(
            id,
            Socket {
                agent_id: agent_id.to_owned(),
                tx,
                topics: BTreeSet::new(),
            },
        );
        (id, rx)
    }

    /// Forgets a closed socket.
    pub fn close(&self, id: u64) {
        self.sockets().remove(&id);
    }

    /// The sender of socket `id`, while it is open.
    pub fn sender(&self, id: u64) -> Option<mpsc::UnboundedSender<Outgoing>> {
        self.sockets().get(&id).map(|s| s.tx.clone())
    }

    /// Adds topics to socket `id`'s subscriptions.
    pub fn subscribe(&self, id: u64, topics: &[String]) {
        if let Some(socket) = self.sockets().get_mut(&id) {
            socket.topics.extend(topics.iter().cloned());
        }
    }

    /// Removes topics from socket `id`'s subscriptions.
    pub fn unsubscribe(&self, id: u64, topics: &[String]) {
        if let Some(socket) = self.sockets().get_mut(&id) {
            for topic in topics {
                socket.topics.remove(topic);
            }
        }
    }

    /// Sends `{topic, content}` to every socket of `agent_id` subscribed to `topic`;
    /// returns how many sockets it was queued on.
    pub fn publish(&self, agent_id: &str, topic: &str, content: &Value) -> usize {
        let text = frame(topic, content);
        self.sockets()
            .values()
            .filter(|s| s.agent_id == agent_id && s.topics.contains(topic))
            .filter(|s| s.tx.send(Outgoing::Frame(text.clone())).is_ok())
            .count()
    }

    /// Drops every socket at once (no close frame); returns how many there were.
    pub fn kill_all(&self) -> usize {
        let sockets = std::mem::take(&mut *self.sockets());
        for socket in sockets.values() {
            let _ = socket.tx.send(Outgoing::Kill);
        }
        sockets.len()
    }

    /// Number of open sockets.
    pub fn count(&self) -> usize {
        self.sockets().len()
    }

    /// Number of open sockets of `agent_id`.
    pub fn count_of(&self, agent_id: &str) -> usize {
        self.sockets()
            .values()
            .filter(|s| s.agent_id == agent_id)
            .count()
    }

    pub fn set_frozen(&self, frozen: bool) {
        self.frozen.store(frozen, Ordering::SeqCst);
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }

    pub fn set_fail_subscriptions(&self, fail: bool) {
        self.fail_subscriptions.store(fail, Ordering::SeqCst);
    }

    pub fn fails_subscriptions(&self) -> bool {
        self.fail_subscriptions.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_reaches_only_subscribed_sockets_of_the_agent() {
        let hub = Hub::default();
        let (a, mut rx_a) = hub.open("agent-a");
        let (_b, mut rx_b) = hub.open("agent-b");
        hub.subscribe(a, &["t".to_owned()]);
        assert_eq!(hub.publish("agent-a", "t", &json!({"x": 1})), 1);
        assert_eq!(hub.publish("agent-a", "other", &Value::Null), 0);
        assert!(matches!(rx_a.try_recv(), Ok(Outgoing::Frame(f)) if f.contains("\"x\":1")));
        assert!(rx_b.try_recv().is_err());
        hub.unsubscribe(a, &["t".to_owned()]);
        assert_eq!(hub.publish("agent-a", "t", &Value::Null), 0);
        assert_eq!(hub.kill_all(), 2);
        assert!(matches!(rx_a.try_recv(), Ok(Outgoing::Kill)));
        assert_eq!(hub.count(), 0);
    }

    #[test]
    fn frames_omit_null_content() {
        assert_eq!(
            frame("aws/heartbeat", &Value::Null),
            r#"{"topic":"aws/heartbeat"}"#
        );
        assert_eq!(error_frame("bad"), r#"{"message":"bad"}"#);
    }
}
