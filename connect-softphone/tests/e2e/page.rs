//! The browser peer's page and its signaling: an HTTP server on 127.0.0.1:0 serving a page
//! (`page.html`, the raw WebRTC peer; `agent_page.html`, the agent's softphone; or
//! `service_page.html`, the media service's side of a softphone call), the script the two
//! softphone pages share (`/softphone_common.js`), and one WebSocket (`/ws`) that carries JSON
//! messages between the page and the test (configuration, offer/answer with candidates or the
//! call's signaling parameters, the page's reports).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use connect_testkit::within;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The raw WebRTC peer (offer/answer relayed by the test).
pub const PEER_PAGE: &str = include_str!("page.html");

/// The agent's softphone, signaling to the media service itself.
pub const AGENT_PAGE: &str = include_str!("agent_page.html");

/// The media service's side of a softphone call, answering the agent's signaling.
pub const SERVICE_PAGE: &str = include_str!("service_page.html");

/// What the softphone pages share: the test channel, JSON-RPC, gathering, the audio check.
const SOFTPHONE_COMMON: &str = include_str!("softphone_common.js");

/// The channels of the one page session, taken by the first WebSocket.
type Session = Arc<Mutex<Option<(mpsc::UnboundedReceiver<Value>, mpsc::UnboundedSender<Value>)>>>;

/// The test's end of the page's WebSocket.
pub struct PageServer {
    addr: SocketAddr,
    to_page: mpsc::UnboundedSender<Value>,
    from_page: mpsc::UnboundedReceiver<Value>,
    task: JoinHandle<()>,
}

impl PageServer {
    /// Serves the raw WebRTC peer's page on a free loopback port.
    pub async fn start() -> PageServer {
        PageServer::serve(PEER_PAGE).await
    }

    /// Serves `page` on a free loopback port.
    pub async fn serve(page: &'static str) -> PageServer {
        let (to_page, page_inbox) = mpsc::unbounded_channel();
        let (page_outbox, from_page) = mpsc::unbounded_channel();
        let session: Session = Arc::new(Mutex::new(Some((page_inbox, page_outbox))));
        let app = Router::new()
            .route("/", get(move || async move { Html(page) }))
            .route("/softphone_common.js", get(common_script))
            .route("/ws", get(upgrade))
            .with_state(session);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("page server socket");
        let addr = listener.local_addr().expect("page server address");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("page server runs");
        });
        PageServer {
            addr,
            to_page,
            from_page,
            task,
        }
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Sends a message to the page (queued until it connects).
    pub fn send(&self, message: Value) {
        self.to_page.send(message).expect("page session alive");
    }

    /// The page's next message of type `kind`, skipping others; an `error` message from the
    /// page fails the test.
    pub async fn recv_type(&mut self, kind: &str) -> Value {
        loop {
            let message = self.recv().await;
            if message["type"] == kind {
                return message;
            }
        }
    }

    /// The page's next message; an `error` message from the page fails the test.
    pub async fn recv(&mut self) -> Value {
        let message = within("the browser page answers", self.from_page.recv())
            .await
            .expect("page session alive");
        assert_ne!(message["type"], "error", "the page failed: {message}");
        message
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn common_script() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "text/javascript")],
        SOFTPHONE_COMMON,
    )
}

async fn upgrade(ws: WebSocketUpgrade, State(session): State<Session>) -> impl IntoResponse {
    let taken = session.lock().expect("session lock").take();
    ws.on_upgrade(move |socket| async move {
        if let Some((inbox, outbox)) = taken {
            relay(socket, inbox, outbox).await;
        }
    })
}

/// Forwards the test's messages to the page and the page's to the test.
async fn relay(
    socket: WebSocket,
    mut inbox: mpsc::UnboundedReceiver<Value>,
    outbox: mpsc::UnboundedSender<Value>,
) {
    let (mut sink, mut stream) = socket.split();
    let outgoing = async {
        while let Some(message) = inbox.recv().await {
            if sink
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
    };
    let incoming = async {
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                match serde_json::from_str(text.as_str()) {
                    Ok(value) => {
                        let _ = outbox.send(value);
                    }
                    Err(error) => {
                        let _ = outbox.send(serde_json::json!({
                            "type": "error",
                            "message": format!("bad JSON from the page: {error}"),
                        }));
                    }
                }
            }
        }
    };
    tokio::select! {
        () = outgoing => {}
        () = incoming => {}
    }
}
