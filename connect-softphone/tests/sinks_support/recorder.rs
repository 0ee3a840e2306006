//! Test helpers for the stats-sink tests: an HTTP server on 127.0.0.1:0 that records every
//! request and answers as told (or fails on demand), and a manual clock that reports when
//! someone sleeps on it.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::Router;
use connect_core::model::Timestamp;
use connect_core::time::{Clock, ManualClock};
use tokio::sync::watch;

/// One request the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub status: u16,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("body is JSON")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Responder = dyn Fn(&Seen) -> (u16, String) + Send + Sync;

struct State {
    seen: Mutex<Vec<Seen>>,
    failures: Mutex<VecDeque<u16>>,
    failing: Mutex<Option<u16>>,
    responder: Box<Responder>,
    count: watch::Sender<usize>,
}

/// The recording server.
#[derive(Clone)]
pub struct Recorder {
    pub url: String,
    state: Arc<State>,
}

impl Recorder {
    /// A server answering 200 `{}` to everything.
    pub async fn start() -> Self {
        Self::with_responder(|_| (200, "{}".to_owned())).await
    }

    /// A server answering with `responder` (unless told to fail).
    pub async fn with_responder(
        responder: impl Fn(&Seen) -> (u16, String) + Send + Sync + 'static,
    ) -> Self {
        let state = Arc::new(State {
            seen: Mutex::new(Vec::new()),
            failures: Mutex::new(VecDeque::new()),
            failing: Mutex::new(None),
            responder: Box::new(responder),
            count: watch::channel(0).0,
        });
        let handler_state = Arc::clone(&state);
        let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
            let state = Arc::clone(&handler_state);
            async move { answer(&state, uri, headers, body) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}"),
            state,
        }
    }

    /// Answers every request with `status` until told otherwise (`None` = recover).
    pub fn fail_with(&self, status: Option<u16>) {
        *self.state.failing.lock().expect("lock") = status;
    }

    /// Answers the next requests with these statuses, one each.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.state
            .failures
            .lock()
            .expect("lock")
            .extend(statuses.iter().copied());
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().expect("lock").clone()
    }

    /// The requests answered 2xx.
    pub fn accepted(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| (200..300).contains(&s.status))
            .collect()
    }

    /// Waits until `n` requests have been seen.
    pub async fn wait_for_requests(&self, n: usize) {
        let mut count = self.state.count.subscribe();
        count.wait_for(|c| *c >= n).await.expect("server alive");
    }
}

fn answer(state: &State, uri: Uri, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let mut seen = Seen {
        path: uri.path().to_owned(),
        headers,
        body: body.to_vec(),
        status: 0,
    };
    let failure = state
        .failures
        .lock()
        .expect("lock")
        .pop_front()
        .or(*state.failing.lock().expect("lock"));
    let (status, text) = match failure {
        Some(status) => (
            status,
            r#"{"__type":"ThrottlingException","message":"down"}"#.to_owned(),
        ),
        None => (state.responder)(&seen),
    };
    seen.status = status;
    state.seen.lock().expect("lock").push(seen);
    state.count.send_modify(|c| *c += 1);
    let status = StatusCode::from_u16(status).expect("valid status");
    (status, [("content-type", "application/json")], text)
}

/// A manual clock whose sleepers can be waited for, so a test advances it only once the
/// delivery loop is really backing off.
#[derive(Clone, Debug)]
pub struct SteppedClock {
    inner: ManualClock,
    sleepers: Arc<watch::Sender<usize>>,
}

impl SteppedClock {
    pub fn new(start_ms: i64) -> Self {
        Self {
            inner: ManualClock::new(Timestamp::from_millis(start_ms)),
            sleepers: Arc::new(watch::channel(0).0),
        }
    }

    /// Waits until someone sleeps on the clock, then moves it by `by`.
    pub async fn advance_when_sleeping(&self, by: Duration) {
        self.advance_when_sleepers(1, by).await;
    }

    /// Waits until `n` sleep on the clock, then moves it by `by`.
    pub async fn advance_when_sleepers(&self, n: usize, by: Duration) {
        let mut sleepers = self.sleepers.subscribe();
        sleepers.wait_for(|s| *s >= n).await.expect("clock alive");
        self.inner.advance(by);
    }
}

struct Asleep(Arc<watch::Sender<usize>>);

impl Drop for Asleep {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

#[async_trait]
impl Clock for SteppedClock {
    fn now(&self) -> Timestamp {
        self.inner.now()
    }

    async fn sleep(&self, duration: Duration) {
        self.sleepers.send_modify(|n| *n += 1);
        let _asleep = Asleep(Arc::clone(&self.sleepers));
        self.inner.sleep(duration).await;
    }
}
