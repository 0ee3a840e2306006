//! The WebSocket extension point: [`TopicHandler`]s receive the client frames of an
//! application topic (e.g. `aws/softphone`) and answer through a [`WsPeer`].

use std::fmt;

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::mpsc;

use super::hub::{error_frame, frame, Outgoing};

/// One client socket as a [`TopicHandler`] sees it: whose it is, and a way to send frames
/// back to it.
///
/// ```
/// use connect_core::mock::WsPeer;
///
/// let peer = WsPeer::detached("agent-id");
/// assert_eq!(peer.agent_id(), "agent-id");
/// assert!(!peer.send("aws/softphone", serde_json::json!({"ok": true}))); // nobody listens
/// ```
#[derive(Clone)]
pub struct WsPeer {
    socket_id: u64,
    agent_id: String,
    tx: mpsc::UnboundedSender<Outgoing>,
}

impl fmt::Debug for WsPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsPeer")
            .field("socket_id", &self.socket_id)
            .field("agent_id", &self.agent_id)
            .finish()
    }
}

impl WsPeer {
    pub(super) fn new(
        socket_id: u64,
        agent_id: String,
        tx: mpsc::UnboundedSender<Outgoing>,
    ) -> Self {
        Self {
            socket_id,
            agent_id,
            tx,
        }
    }

    /// A peer connected to nothing (for unit tests of handlers): every send returns false.
    ///
    /// ```
    /// # use connect_core::mock::WsPeer;
    /// assert_eq!(WsPeer::detached("a").socket_id(), 0);
    /// ```
    pub fn detached(agent_id: &str) -> Self {
        let (tx, _) = mpsc::unbounded_channel();
        Self::new(0, agent_id.to_owned(), tx)
    }

    /// The id of the agent the socket was opened for (from its ticket).
    ///
    /// ```
    /// # use connect_core::mock::WsPeer;
    /// assert_eq!(WsPeer::detached("a1").agent_id(), "a1");
    /// ```
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The socket's id, unique within the server (a reconnect gets a new one).
    ///
    /// ```
    /// # use connect_core::mock::WsPeer;
    /// assert_eq!(WsPeer::detached("a1").socket_id(), 0);
    /// ```
    pub fn socket_id(&self) -> u64 {
        self.socket_id
    }

    /// Sends `{topic, content}` to this socket (whether or not it subscribed to `topic`);
    /// false when the socket is gone. `Null` content is omitted from the frame.
    ///
    /// ```
    /// # use connect_core::mock::WsPeer;
    /// assert!(!WsPeer::detached("a1").send("t", serde_json::Value::Null));
    /// ```
    pub fn send(&self, topic: &str, content: Value) -> bool {
        self.tx
            .send(Outgoing::Frame(frame(topic, &content)))
            .is_ok()
    }

    /// Sends a server error frame `{"message": …}`; false when the socket is gone.
    ///
    /// ```
    /// # use connect_core::mock::WsPeer;
    /// assert!(!WsPeer::detached("a1").send_error("bad offer"));
    /// ```
    pub fn send_error(&self, message: &str) -> bool {
        self.tx.send(Outgoing::Frame(error_frame(message))).is_ok()
    }
}

/// Handles the client frames of one application topic on a
/// [`SimServer`](super::SimServer) (register with
/// [`SimServer::register_topic_handler`](super::SimServer::register_topic_handler)).
///
/// Frames of one socket are handled in order, one at a time: `on_message` runs on the
/// socket's task, so long work should be spawned. A handler that panics gets the socket an
/// error frame; the socket stays up.
///
/// ```
/// use async_trait::async_trait;
/// use connect_core::mock::{TopicHandler, WsPeer};
/// use serde_json::Value;
///
/// /// Answers every frame with the same content.
/// struct Echo;
///
/// #[async_trait]
/// impl TopicHandler for Echo {
///     async fn on_message(&self, peer: &WsPeer, content: Value) {
///         peer.send("echo", content);
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// Echo.on_message(&WsPeer::detached("a1"), Value::Null).await;
/// # }
/// ```
#[async_trait]
pub trait TopicHandler: Send + Sync + 'static {
    /// A client frame `{topic, content}` of this handler's topic. Without `content`, the
    /// frame's other top-level members arrive as an object (`{"connectionId", "jsonRpcMsg"}`
    /// of the softphone); a bare `{topic}` gives `Null`.
    async fn on_message(&self, peer: &WsPeer, content: Value);

    /// The socket closed or was killed (called on every handler, once per socket).
    async fn on_disconnect(&self, _peer: &WsPeer) {}
}
