//! `WsManager` over loopback against a small §5 WebSocket server in this file, on tokio's
//! paused clock (virtual time: heartbeats, backoff and rotation run without real waiting).
#![cfg(all(feature = "ws", not(target_arch = "wasm32")))]

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use connect_core::ws::{
    ResumeCause, TopicMessages, WsEvent, WsEvents, WsManager, WsState, WsUrl, WsUrlError,
    WsUrlSource,
};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant};
use tokio_tungstenite::tungstenite::Message;

/// A generous bound in *virtual* time: a broken test fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(900);

/// What the server does to one socket.
enum Control {
    Send(String),
    Kill,
}

struct Conn {
    topics: BTreeSet<String>,
    tx: mpsc::UnboundedSender<Control>,
}

/// A WebSocket server speaking §5: subscribe answers, heartbeat answers (switchable),
/// publishing, killing sockets, raw frames.
#[derive(Default)]
struct Server {
    conns: Mutex<HashMap<u64, Conn>>,
    opened: AtomicU64,
    closed_normally: AtomicU64,
    frozen: AtomicBool,
    received: Mutex<Vec<(String, Value)>>,
}

impl Server {
    async fn start() -> (Arc<Self>, u16) {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("local addr").port();
        let server = Arc::new(Self::default());
        let accepting = Arc::clone(&server);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let server = Arc::clone(&accepting);
                tokio::spawn(async move { server.serve(tcp).await });
            }
        });
        (server, port)
    }

    async fn serve(self: Arc<Self>, tcp: tokio::net::TcpStream) {
        // Without it, Nagle + delayed ACK hold small answers ~40 ms: under paused time the
        // clock jumps to the next heartbeat meanwhile.
        let _ = tcp.set_nodelay(true);
        let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
            return;
        };
        let id = self.opened.fetch_add(1, Ordering::SeqCst) + 1;
        let (tx, mut control) = mpsc::unbounded_channel();
        self.lock().insert(
            id,
            Conn {
                topics: BTreeSet::new(),
                tx: tx.clone(),
            },
        );
        let (mut sink, mut source) = ws.split();
        loop {
            tokio::select! {
                c = control.recv() => match c {
                    Some(Control::Send(text)) => { if sink.send(Message::text(text)).await.is_err() { break; } }
                    Some(Control::Kill) | None => break, // dropped without a close frame
                },
                m = source.next() => match m {
                    Some(Ok(Message::Text(text))) => self.on_frame(id, &tx, text.as_str()),
                    Some(Ok(Message::Close(frame))) => {
                        if frame.is_some_and(|f| u16::from(f.code) == 1000) {
                            self.closed_normally.fetch_add(1, Ordering::SeqCst);
                        }
                        break;
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
            }
        }
        self.lock().remove(&id);
    }

    fn on_frame(&self, id: u64, tx: &mpsc::UnboundedSender<Control>, text: &str) {
        let frame: Value = serde_json::from_str(text).expect("the client sends JSON");
        let topic = frame["topic"].as_str().unwrap_or_default().to_owned();
        match topic.as_str() {
            "aws/heartbeat" if !self.frozen.load(Ordering::SeqCst) => {
                let _ = tx.send(Control::Send(r#"{"topic":"aws/heartbeat"}"#.into()));
            }
            "aws/heartbeat" => {}
            "aws/subscribe" => {
                let topics: Vec<String> =
                    serde_json::from_value(frame["content"]["topics"].clone())
                        .expect("topics are strings");
                if let Some(conn) = self.lock().get_mut(&id) {
                    conn.topics.extend(topics.iter().cloned());
                }
                let answer =
                    json!({"topic":"aws/subscribe","content":{"status":"success","topics":topics}});
                let _ = tx.send(Control::Send(answer.to_string()));
            }
            _ => self
                .received
                .lock()
                .expect("lock")
                .push((topic, frame["content"].clone())),
        }
    }

    fn publish(&self, topic: &str, content: Value) {
        let text = json!({"topic": topic, "content": content}).to_string();
        for conn in self.lock().values().filter(|c| c.topics.contains(topic)) {
            let _ = conn.tx.send(Control::Send(text.clone()));
        }
    }

    fn send_raw(&self, text: &str) {
        for conn in self.lock().values() {
            let _ = conn.tx.send(Control::Send(text.to_owned()));
        }
    }

    fn kill_websockets(&self) {
        for conn in self.lock().values() {
            let _ = conn.tx.send(Control::Kill);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Conn>> {
        self.conns.lock().expect("lock")
    }
}

/// Hands out `ws://` URLs to the test server, like `createTransport{web_socket}`.
#[derive(Debug)]
struct Urls {
    url: String,
    fetched: AtomicU64,
}

#[async_trait]
impl WsUrlSource for Urls {
    async fn fetch_ws_url(&self) -> Result<WsUrl, WsUrlError> {
        let n = self.fetched.fetch_add(1, Ordering::SeqCst);
        Ok(WsUrl::new(
            format!("{}?ticket={n}", self.url),
            Duration::from_secs(300),
        ))
    }
}

async fn manager(port: u16) -> (WsManager, WsEvents, Arc<Urls>) {
    let urls = Arc::new(Urls {
        url: format!("ws://127.0.0.1:{port}/ws"),
        fetched: AtomicU64::new(0),
    });
    let (manager, events) = WsManager::builder(Arc::clone(&urls) as Arc<dyn WsUrlSource>)
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect("manager starts");
    (manager, events, urls)
}

/// Waits (in virtual time) for the first event matching `pred`, returning those before it.
async fn until(events: &mut WsEvents, pred: impl Fn(&WsEvent) -> bool) -> Vec<WsEvent> {
    let mut seen = Vec::new();
    timeout(LIMIT, async {
        loop {
            let event = events.recv().await.expect("the manager is running");
            let done = pred(&event);
            seen.push(event);
            if done {
                return;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("event never came; saw {seen:?}"));
    seen
}

async fn next_message(messages: &mut TopicMessages) -> Value {
    timeout(LIMIT, messages.recv())
        .await
        .expect("a message in time")
        .expect("stream open")
}

/// Connected, subscribed to `t`, with one message received.
async fn subscribed() -> (Arc<Server>, WsManager, WsEvents, TopicMessages) {
    let (server, port) = Server::start().await;
    let (manager, mut events, _) = manager(port).await;
    let mut messages = manager.subscribe("t");
    until(&mut events, |e| {
        matches!(e, WsEvent::SubscriptionUpdate { .. })
    })
    .await;
    server.publish("t", json!(1));
    assert_eq!(next_message(&mut messages).await, json!(1));
    (server, manager, events, messages)
}

#[tokio::test(start_paused = true)]
async fn subscribes_receives_and_sends() {
    let (server, manager, mut events, _messages) = subscribed().await;
    assert_eq!(manager.state(), WsState::Open);
    let seen = until(&mut events, |e| matches!(e, WsEvent::Message { .. })).await;
    assert_eq!(
        seen,
        [WsEvent::Message {
            topic: "t".into(),
            content: json!(1)
        }]
    );
    manager.send("app", json!({"x": 1})).await.expect("sent");
    assert!(manager.send("aws/heartbeat", json!(null)).await.is_err());
    // A round trip proves the app frame arrived before it.
    server.publish("t", json!(2));
    until(&mut events, |e| matches!(e, WsEvent::Message { .. })).await;
    assert_eq!(
        *server.received.lock().expect("lock"),
        [("app".to_owned(), json!({"x": 1}))]
    );
}

#[tokio::test(start_paused = true)]
async fn killed_socket_reconnects_with_backoff_and_resubscribes() {
    let (server, _manager, mut events, mut messages) = subscribed().await;
    let killed_at = Instant::now();
    server.kill_websockets();
    until(&mut events, |e| matches!(e, WsEvent::ConnectionLost { .. })).await;
    let seen = until(&mut events, |e| {
        matches!(e, WsEvent::SubscriptionUpdate { .. })
    })
    .await;
    assert!(seen.contains(&WsEvent::ConnectionGained), "{seen:?}");
    assert!(
        killed_at.elapsed() >= Duration::from_millis(1_400),
        "backoff honoured"
    );
    assert_eq!(server.opened.load(Ordering::SeqCst), 2);
    for n in 2..5 {
        server.publish("t", json!(n));
    }
    for n in 2..5 {
        assert_eq!(next_message(&mut messages).await, json!(n));
    }
    server.publish("t", json!("end"));
    assert_eq!(
        next_message(&mut messages).await,
        json!("end"),
        "nothing duplicated"
    );
}

#[tokio::test(start_paused = true)]
async fn unanswered_heartbeat_rebuilds_within_two_intervals() {
    let (server, _manager, mut events, mut messages) = subscribed().await;
    let frozen_at = Instant::now();
    server.frozen.store(true, Ordering::SeqCst);
    until(&mut events, |e| matches!(e, WsEvent::ConnectionLost { .. })).await;
    assert!(
        frozen_at.elapsed() <= Duration::from_secs(20),
        "{:?}",
        frozen_at.elapsed()
    );
    server.frozen.store(false, Ordering::SeqCst);
    let seen = until(&mut events, |e| {
        matches!(e, WsEvent::SubscriptionUpdate { .. })
    })
    .await;
    assert!(
        seen.contains(&WsEvent::Resumed {
            cause: ResumeCause::MissedHeartbeat
        }),
        "{seen:?}"
    );
    assert!(
        frozen_at.elapsed() <= Duration::from_secs(21),
        "{:?}",
        frozen_at.elapsed()
    );
    server.publish("t", json!(2));
    assert_eq!(next_message(&mut messages).await, json!(2));
}

#[tokio::test(start_paused = true)]
async fn rotation_at_lifetime_loses_and_duplicates_nothing() {
    let (server, _manager, mut events, mut messages) = subscribed().await;
    let started = Instant::now();
    // Publish every 30 s of virtual time across the 300 s rotation.
    for n in 2..14 {
        tokio::time::sleep(Duration::from_secs(30)).await;
        server.publish("t", json!(n));
        assert_eq!(next_message(&mut messages).await, json!(n));
    }
    assert!(started.elapsed() >= Duration::from_secs(300));
    assert_eq!(server.opened.load(Ordering::SeqCst), 2, "one rotation");
    assert_eq!(
        server.closed_normally.load(Ordering::SeqCst),
        1,
        "old socket closed with 1000"
    );
    server.publish("t", json!("end"));
    assert_eq!(next_message(&mut messages).await, json!("end"));
    while let Some(event) = events.try_recv() {
        assert!(
            !matches!(event, WsEvent::ConnectionLost { .. }),
            "no outage: {event:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn ws_urls_are_refused_unless_insecure_loopback_is_allowed() {
    let (server, port) = Server::start().await;
    let urls = Arc::new(Urls {
        url: format!("ws://127.0.0.1:{port}/ws"),
        fetched: AtomicU64::new(0),
    });
    let (manager, mut events) = WsManager::builder(urls as Arc<dyn WsUrlSource>)
        .connect()
        .await
        .expect("manager starts");
    let seen = until(&mut events, |e| matches!(e, WsEvent::InitFailure { .. })).await;
    assert_eq!(seen.len(), 1);
    assert!(events.recv().await.is_none(), "the manager stopped");
    assert_eq!(manager.state(), WsState::Stopped);
    assert_eq!(server.opened.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn malformed_frames_are_ignored_and_the_socket_stays_up() {
    let (server, _manager, mut events, mut messages) = subscribed().await;
    for garbage in [
        "not json",
        "[1,2]",
        r#"{"topic":5}"#,
        r#"{"topic":"aws/subscribe"}"#,
        r#"{"message":"boom"}"#,
        "{}",
    ] {
        server.send_raw(garbage);
    }
    server.publish("t", json!(2));
    assert_eq!(next_message(&mut messages).await, json!(2));
    tokio::time::sleep(Duration::from_secs(60)).await;
    server.publish("t", json!(3));
    assert_eq!(next_message(&mut messages).await, json!(3));
    assert_eq!(server.opened.load(Ordering::SeqCst), 1);
    while let Some(event) = events.try_recv() {
        assert!(
            !matches!(event, WsEvent::ConnectionLost { .. }),
            "{event:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_the_last_handle_closes_the_socket() {
    let (server, manager, _events, _messages) = subscribed().await;
    drop(manager);
    timeout(LIMIT, async {
        while !server.lock().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("socket closed");
}
