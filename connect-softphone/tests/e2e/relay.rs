//! The direct signaling endpoint of a call whose media service is a browser page: a page
//! cannot listen for WebSockets, so this server on 127.0.0.1:0 takes the agent's socket on
//! `/LilyRTC` (the `signalingEndpoint` of the contact's `callConfigJson`) and the page's on
//! `/service`, and forwards every text frame unchanged from one to the other. It journals each
//! frame and the query of each agent socket, so that a test can check what crossed the wire.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use connect_testkit::HANG_GUARD;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// Which end sent a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The agent's softphone.
    Agent,
    /// The page, in the media service's place.
    Service,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Agent => Side::Service,
            Side::Service => Side::Agent,
        }
    }
}

/// One frame that crossed the relay (a string if it was not JSON).
#[derive(Clone, Debug)]
pub struct Frame {
    /// Its sender.
    pub from: Side,
    /// Its JSON.
    pub message: Value,
}

/// One end's queue: frames for it wait here until its socket takes them.
struct Queue {
    tx: mpsc::UnboundedSender<String>,
    /// Held by the end's socket while it is open (one socket per end at a time).
    rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<String>>,
}

impl Queue {
    fn new() -> Queue {
        let (tx, rx) = mpsc::unbounded_channel();
        Queue {
            tx,
            rx: tokio::sync::Mutex::new(rx),
        }
    }
}

struct Shared {
    to_agent: Queue,
    to_service: Queue,
    journal: Mutex<Vec<Frame>>,
    agent_sockets: Mutex<Vec<HashMap<String, String>>>,
    seen: broadcast::Sender<Frame>,
}

impl Shared {
    fn queue(&self, side: Side) -> &Queue {
        match side {
            Side::Agent => &self.to_agent,
            Side::Service => &self.to_service,
        }
    }

    fn record(&self, frame: Frame) {
        self.journal
            .lock()
            .expect("journal lock")
            .push(frame.clone());
        let _ = self.seen.send(frame);
    }
}

/// A running relay; stops when dropped.
pub struct SignalingRelay {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl SignalingRelay {
    /// Starts the relay on a free loopback port.
    pub async fn start() -> SignalingRelay {
        let (seen, _) = broadcast::channel(256);
        let shared = Arc::new(Shared {
            to_agent: Queue::new(),
            to_service: Queue::new(),
            journal: Mutex::default(),
            agent_sockets: Mutex::default(),
            seen,
        });
        let app = Router::new()
            .route("/LilyRTC", get(agent_upgrade))
            .route("/service", get(service_upgrade))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("relay socket");
        let addr = listener.local_addr().expect("relay address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("relay runs");
        });
        SignalingRelay { addr, shared, task }
    }

    /// `ws://127.0.0.1:<port>/LilyRTC`: the agent's `signalingEndpoint`.
    pub fn endpoint(&self) -> String {
        format!("ws://{}/LilyRTC", self.addr)
    }

    /// `ws://127.0.0.1:<port>/service`: where the page connects.
    pub fn service_url(&self) -> String {
        format!("ws://{}/service", self.addr)
    }

    /// The query parameters of each agent socket so far.
    pub fn agent_sockets(&self) -> Vec<HashMap<String, String>> {
        self.shared
            .agent_sockets
            .lock()
            .expect("socket list lock")
            .clone()
    }

    /// Every frame so far, in order.
    pub fn journal(&self) -> Vec<Frame> {
        self.shared.journal.lock().expect("journal lock").clone()
    }

    /// The first frame from `from` satisfying `f`, past or to come.
    pub async fn frame(&self, from: Side, f: impl Fn(&Value) -> bool) -> Value {
        let mut seen = self.shared.seen.subscribe();
        let matches = |frame: &Frame| frame.from == from && f(&frame.message);
        if let Some(frame) = self.journal().into_iter().find(matches) {
            return frame.message;
        }
        let wait = async {
            loop {
                match seen.recv().await {
                    Ok(frame) if matches(&frame) => return frame.message,
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => panic!("relay gone"),
                }
            }
        };
        // Not `first_event!`: when the guard expires, the message shows the journal as it is
        // then, with the frames that came while waiting.
        tokio::time::timeout(HANG_GUARD, wait)
            .await
            .unwrap_or_else(|_| panic!("no such frame from {from:?}: {:?}", self.journal()))
    }

    /// The first request of `method` from `from`, past or to come.
    pub async fn request(&self, from: Side, method: &str) -> Value {
        self.frame(from, |m| m["method"] == method && m.get("id").is_some())
            .await
    }

    /// The first response from `from` to the request with `id`, past or to come.
    pub async fn response(&self, from: Side, id: &Value) -> Value {
        self.frame(from, |m| m["id"] == *id && m.get("method").is_none())
            .await
    }
}

impl Drop for SignalingRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn agent_upgrade(
    ws: WebSocketUpgrade,
    Query(query): Query<HashMap<String, String>>,
    State(shared): State<Arc<Shared>>,
) -> impl IntoResponse {
    shared
        .agent_sockets
        .lock()
        .expect("socket list lock")
        .push(query);
    ws.on_upgrade(move |socket| pipe(socket, Side::Agent, shared))
}

async fn service_upgrade(
    ws: WebSocketUpgrade,
    State(shared): State<Arc<Shared>>,
) -> impl IntoResponse {
    ws.on_upgrade(move |socket| pipe(socket, Side::Service, shared))
}

/// Carries `side`'s socket: its queued frames out, its frames (journaled) to the other end.
async fn pipe(socket: WebSocket, side: Side, shared: Arc<Shared>) {
    let mut inbox = shared.queue(side).rx.lock().await;
    let outbox = shared.queue(side.other()).tx.clone();
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            out = inbox.recv() => {
                let Some(text) = out else { return };
                if sink.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str().to_owned();
                    let message = serde_json::from_str(&text)
                        .unwrap_or_else(|_| Value::String(text.clone()));
                    shared.record(Frame { from: side, message });
                    let _ = outbox.send(text);
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
}
