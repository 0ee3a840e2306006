//! The server side of softphone signaling for the simulator (§11.4 "Signaling" and "Fault
//! injection"): `aws/softphone` on [`SimServer`]'s CCP WebSocket and, optionally, a direct
//! `/LilyRTC` WebSocket endpoint. Offers are answered by an injected [`AnswerProvider`].

mod direct;
mod handler;
mod types;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use connect_core::mock::SimServer;
use serde_json::Value;
use tokio::sync::broadcast;

pub use direct::DirectEndpoint;
pub use types::{Answer, AnswerProvider, Fault, Offer, SeenRequest, SimSignalingSettings};

use crate::signaling::proto::{request, Route, SOFTPHONE_TOPIC};
use types::Peer;

/// The simulated signaling service. Cheap to clone.
///
/// ```no_run
/// use std::sync::Arc;
/// use connect_core::mock::{SimInstance, SimServer};
/// use connect_softphone::mock::sim_signaling::{Answer, AnswerProvider, Offer, SimSignaling};
///
/// struct Fixed;
/// #[async_trait::async_trait]
/// impl AnswerProvider for Fixed {
///     async fn answer(&self, _offer: Offer) -> Result<Answer, String> {
///         Ok(Answer { sdp: "v=0\r\n".into(), candidates: vec![] })
///     }
/// }
///
/// # #[tokio::main] async fn main() {
/// let sim = SimInstance::builder().agents(1).build().unwrap();
/// let server = SimServer::builder(sim).insecure_ws(true).start().await.unwrap();
/// let signaling = SimSignaling::new(Arc::new(Fixed));
/// signaling.register(&server);
/// # }
/// ```
#[derive(Clone)]
pub struct SimSignaling {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SimSignaling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimSignaling").finish_non_exhaustive()
    }
}

struct Inner {
    answers: Arc<dyn AnswerProvider>,
    state: Mutex<State>,
    seen: broadcast::Sender<SeenRequest>,
}

#[derive(Default)]
struct State {
    settings: SimSignalingSettings,
    /// Faults for the next requests of a method, in order.
    faults: HashMap<String, VecDeque<Fault>>,
    /// The socket each call (connection id, or `callId` on the direct endpoint) last used.
    peers: HashMap<String, Peer>,
    /// The socket a client-level notification goes to.
    last_peer: Option<Peer>,
    /// Issued peer connections: id → token.
    pcs: HashMap<String, String>,
    next_pc: u64,
    journal: Vec<SeenRequest>,
}

impl SimSignaling {
    /// A service answering offers with `answers`.
    pub fn new(answers: Arc<dyn AnswerProvider>) -> Self {
        let (seen, _) = broadcast::channel(256);
        Self {
            inner: Arc::new(Inner {
                answers,
                state: Mutex::new(State::default()),
                seen,
            }),
        }
    }

    /// Serves `aws/softphone` on `server`'s CCP WebSocket.
    pub fn register(&self, server: &SimServer) {
        server.register_topic_handler(
            SOFTPHONE_TOPIC,
            Arc::new(handler::TopicBridge(self.clone())),
        );
    }

    /// Starts the direct `/LilyRTC` endpoint on `127.0.0.1:0` (`ws://`).
    pub async fn serve_direct(&self) -> std::io::Result<DirectEndpoint> {
        DirectEndpoint::start(self.clone()).await
    }

    /// Replaces the settings.
    pub fn set_settings(&self, settings: SimSignalingSettings) {
        self.state().settings = settings;
    }

    /// The settings.
    pub fn settings(&self) -> SimSignalingSettings {
        self.state().settings.clone()
    }

    /// The next request of `method` (`invite`, `accept`, `bye`, …) meets `fault`. Faults
    /// queue up per method.
    pub fn inject(&self, method: &str, fault: Fault) {
        self.state()
            .faults
            .entry(method.to_owned())
            .or_default()
            .push_back(fault);
    }

    /// Every request and response received so far, in order.
    pub fn journal(&self) -> Vec<SeenRequest> {
        self.state().journal.clone()
    }

    /// Requests as they arrive.
    pub fn watch(&self) -> broadcast::Receiver<SeenRequest> {
        self.inner.seen.subscribe()
    }

    /// Server `bye` to a call; false when its socket is unknown or gone.
    pub fn push_bye(&self, connection_id: &str) -> bool {
        let id = format!("sb-{}", self.next_pc_number());
        self.push(
            connection_id,
            request("bye", Value::Object(Default::default()), &id),
        )
    }

    /// `PCBye` (top-level `peerConnectionId`) on a call's socket.
    pub fn push_pc_bye(&self, connection_id: &str, peer_connection_id: &str) -> bool {
        let message = serde_json::json!({
            "jsonrpc": "2.0", "method": "PCBye", "peerConnectionId": peer_connection_id,
        });
        self.push(connection_id, message)
    }

    /// `renewClientToken{clientToken}` to a call.
    pub fn push_renew_client_token(&self, connection_id: &str, token: &str) -> bool {
        let message = serde_json::json!({
            "jsonrpc": "2.0", "method": "renewClientToken", "params": {"clientToken": token},
        });
        self.push(connection_id, message)
    }

    /// `idleConnection` to a softphone client (on the last socket seen).
    pub fn push_idle_connection(&self, client_id: &str) -> bool {
        self.push_client(client_id, "idleConnection")
    }

    /// `quotaBreached` to a softphone client (on the last socket seen).
    pub fn push_quota_breached(&self, client_id: &str) -> bool {
        self.push_client(client_id, "quotaBreached")
    }

    /// Sends `content` as is on a call's socket (multiplexed: as the frame's `content`; direct:
    /// as the text frame if it is a string) — for malformed-message tests.
    pub fn push_raw(&self, connection_id: &str, content: Value) -> bool {
        let peer = self.state().peers.get(connection_id).cloned();
        peer.is_some_and(|p| p.send_raw(content))
    }

    /// The PC ids issued so far.
    pub fn peer_connection_ids(&self) -> Vec<String> {
        self.state().pcs.keys().cloned().collect()
    }

    /// Pushes for `connection_id` go to `peer` from now on.
    fn attach(&self, connection_id: &str, peer: Peer) {
        let mut state = self.state();
        state.peers.insert(connection_id.to_owned(), peer.clone());
        state.last_peer = Some(peer);
    }

    /// Adds an entry to the journal and the watchers.
    fn record(&self, seen: SeenRequest) {
        self.state().journal.push(seen.clone());
        let _ = self.inner.seen.send(seen);
    }

    fn push_client(&self, client_id: &str, method: &str) -> bool {
        let peer = self.state().last_peer.clone();
        let message = serde_json::json!({"jsonrpc": "2.0", "method": method});
        peer.is_some_and(|p| p.send(&Route::Client(client_id.to_owned()), message))
    }

    fn push(&self, connection_id: &str, message: Value) -> bool {
        let peer = self.state().peers.get(connection_id).cloned();
        peer.is_some_and(|p| p.send(&Route::Connection(connection_id.to_owned()), message))
    }

    fn next_pc_number(&self) -> u64 {
        let mut state = self.state();
        state.next_pc += 1;
        state.next_pc
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
