//! [`WsMachine`]: the sans-IO WebSocket manager of §5, told the time, returning what to do.

use std::collections::{BTreeSet, VecDeque};

use serde_json::{Map, Value};

use super::backoff::ReconnectPolicy;
use super::config::{check_ws_url, WsTimings};
use super::event::{ResumeCause, SocketId, WsError, WsEvent, WsOutput};
use super::frame::{is_reserved_topic, Frame, Inbound};
use super::source::{WsUrl, WsUrlError};
use super::subscriptions::{millis, Subscriptions};
use crate::model::Timestamp;

/// Close code for a normal close (rotation, shutdown).
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code for a socket found stale (missed heartbeat, open timeout).
pub const CLOSE_STALE: u16 = 4000;

/// Where the machine stands.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_core::ws::{WsMachine, WsState};
///
/// let mut m = WsMachine::new(Default::default());
/// m.start(Timestamp::from_millis(0));
/// assert_eq!(m.state(), WsState::FetchingUrl);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsState {
    /// Waiting for a URL.
    FetchingUrl,
    /// A socket is being opened; none is open.
    Opening,
    /// One socket open.
    Open,
    /// Open, and replacing the socket make-before-break (lifetime or network change).
    Rotating,
    /// Waiting before the next attempt.
    BackingOff,
    /// Stopped: invalid config or shut down.
    Stopped,
}

/// Options of a [`WsMachine`].
///
/// ```
/// use connect_core::ws::{MachineOptions, ReconnectPolicy};
///
/// let opts = MachineOptions { allow_insecure_loopback: true, policy: ReconnectPolicy::default().with_seed(1), ..Default::default() };
/// assert_eq!(opts.timings.heartbeat.as_secs(), 10);
/// ```
#[derive(Clone, Debug, Default)]
pub struct MachineOptions {
    /// Timing constants.
    pub timings: WsTimings,
    /// The reconnect policy (and its jitter seed).
    pub policy: ReconnectPolicy,
    /// Accept `ws://` URLs to loopback hosts (simulator only).
    pub allow_insecure_loopback: bool,
}

#[derive(Debug)]
pub(super) struct Socket {
    pub(super) id: SocketId,
    pub(super) created_at: Timestamp,
    pub(super) opened_at: Option<Timestamp>,
    pub(super) lifetime_ms: i64,
    pub(super) heartbeat_due: Timestamp,
    pub(super) heartbeat_outstanding: bool,
    pub(super) subs: Subscriptions,
}

/// The WebSocket manager as a state machine: feed it inputs with the current time, then drain
/// [`poll_output`](Self::poll_output) and wake it at [`poll_timeout`](Self::poll_timeout).
///
/// ```
/// use std::time::Duration;
/// use connect_core::model::Timestamp;
/// use connect_core::ws::*;
///
/// let t = Timestamp::from_millis(0);
/// let mut m = WsMachine::new(MachineOptions::default());
/// m.subscribe(t, "aws/softphone");
/// m.start(t);
/// assert_eq!(m.poll_output(), Some(WsOutput::FetchUrl));
/// m.url_fetched(t, Ok(WsUrl::new("wss://h/ws", Duration::from_secs(300))));
/// let Some(WsOutput::Open { socket, .. }) = m.poll_output() else { panic!() };
/// m.socket_opened(t, socket);
/// let outputs: Vec<_> = std::iter::from_fn(|| m.poll_output()).collect();
/// assert!(outputs.contains(&WsOutput::Event(WsEvent::ConnectionGained)));
/// assert!(outputs.contains(&WsOutput::Send { socket, text: Frame::heartbeat().to_text() }));
/// assert!(outputs.contains(&WsOutput::Send { socket, text: Frame::subscribe(["aws/softphone"]).to_text() }));
/// ```
#[derive(Debug)]
pub struct WsMachine {
    pub(super) opts: MachineOptions,
    pub(super) desired: BTreeSet<String>,
    /// A URL not yet used for a successful open, and when it was fetched.
    pub(super) url: Option<(WsUrl, Timestamp)>,
    pub(super) fetching: bool,
    pub(super) backoff_until: Option<Timestamp>,
    pub(super) primary: Option<Socket>,
    pub(super) candidate: Option<Socket>,
    pub(super) rebuild: Option<ResumeCause>,
    pub(super) started: bool,
    pub(super) stopped: bool,
    pub(super) lost: bool,
    pub(super) ever_open: bool,
    pub(super) next_id: u64,
    pub(super) out: VecDeque<WsOutput>,
}

impl WsMachine {
    /// A machine that does nothing until [`start`](Self::start).
    ///
    /// ```
    /// # use connect_core::ws::*;
    /// let m = WsMachine::new(MachineOptions::default());
    /// assert_eq!(m.state(), WsState::FetchingUrl);
    /// ```
    pub fn new(opts: MachineOptions) -> Self {
        Self {
            opts,
            desired: BTreeSet::new(),
            url: None,
            fetching: false,
            backoff_until: None,
            primary: None,
            candidate: None,
            rebuild: None,
            started: false,
            stopped: false,
            lost: false,
            ever_open: false,
            next_id: 0,
            out: VecDeque::new(),
        }
    }

    /// Starts connecting.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.start(Timestamp::from_millis(0));
    /// assert_eq!(m.poll_output(), Some(WsOutput::FetchUrl));
    /// ```
    pub fn start(&mut self, now: Timestamp) {
        self.started = true;
        self.drive(now);
    }

    /// The current state.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.stop();
    /// assert_eq!(m.state(), WsState::Stopped);
    /// ```
    pub fn state(&self) -> WsState {
        if self.stopped {
            return WsState::Stopped;
        }
        match (&self.primary, &self.candidate) {
            (Some(_), Some(_)) => WsState::Rotating,
            (Some(_), None) if self.fetching || self.backoff_until.is_some() => WsState::Rotating,
            (Some(_), None) => WsState::Open,
            (None, Some(_)) => WsState::Opening,
            (None, None) if self.backoff_until.is_some() => WsState::BackingOff,
            (None, None) => WsState::FetchingUrl,
        }
    }

    /// The topics the application wants.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.subscribe(Timestamp::from_millis(0), "t");
    /// assert!(m.topics().any(|t| t == "t"));
    /// ```
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.desired.iter().map(String::as_str)
    }

    /// The next thing for the driver to do.
    ///
    /// ```
    /// # use connect_core::ws::*;
    /// assert_eq!(WsMachine::new(MachineOptions::default()).poll_output(), None);
    /// ```
    pub fn poll_output(&mut self) -> Option<WsOutput> {
        self.out.pop_front()
    }

    /// When to call [`tick`](Self::tick) next (`None`: only on input).
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.start(Timestamp::from_millis(0));
    /// assert_eq!(m.poll_timeout(), None); // waiting for the URL
    /// ```
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        if self.stopped {
            return None;
        }
        let t = &self.opts.timings;
        let mut deadlines = vec![self.backoff_until];
        for socket in self.primary.iter().chain(self.candidate.iter()) {
            match socket.opened_at {
                None => deadlines.push(Some(socket.created_at.add_millis(millis(t.open_timeout)))),
                Some(_) => {
                    deadlines.push(Some(socket.heartbeat_due));
                    deadlines.push(socket.subs.deadline(t));
                }
            }
        }
        if let Some(primary) = &self.primary {
            if self.candidate.is_none() && !self.fetching && self.backoff_until.is_none() {
                deadlines.push(
                    primary
                        .opened_at
                        .map(|at| at.add_millis(primary.lifetime_ms)),
                );
            }
        }
        deadlines.into_iter().flatten().min()
    }

    /// Time passed: heartbeats, timeouts, retries, rotation.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.tick(Timestamp::from_millis(5)); // not started: nothing to do
    /// assert_eq!(m.poll_output(), None);
    /// ```
    pub fn tick(&mut self, now: Timestamp) {
        self.drive(now);
    }

    /// The application wants `topic`; it is subscribed on every socket, now and after reconnects.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.subscribe(Timestamp::from_millis(0), "t");
    /// assert_eq!(m.topics().count(), 1);
    /// ```
    pub fn subscribe(&mut self, now: Timestamp, topic: impl Into<String>) {
        if self.desired.insert(topic.into()) {
            for socket in self.sockets_mut() {
                socket.subs.topic_added();
            }
        }
        self.drive(now);
    }

    /// The application no longer wants `topic`: `aws/unsubscribe` where it was subscribed.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.subscribe(Timestamp::from_millis(0), "t");
    /// m.unsubscribe(Timestamp::from_millis(0), "t");
    /// assert_eq!(m.topics().count(), 0);
    /// ```
    pub fn unsubscribe(&mut self, now: Timestamp, topic: &str) {
        self.desired.remove(topic);
        let mut sends = Vec::new();
        for socket in self.sockets_mut() {
            if socket.subs.remove(topic) {
                sends.push(socket.id);
            }
        }
        for socket in sends {
            self.send_frame(socket, &Frame::unsubscribe([topic]));
        }
        self.drive(now);
    }

    /// An application message on the open socket. Reserved topics are refused.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// let t = Timestamp::from_millis(0);
    /// assert_eq!(m.send(t, "aws/subscribe", serde_json::Value::Null), Err(WsError::ReservedTopic("aws/subscribe".into())));
    /// assert_eq!(m.send(t, "app", serde_json::Value::Null), Err(WsError::NotConnected));
    /// ```
    pub fn send(&mut self, now: Timestamp, topic: &str, content: Value) -> Result<(), WsError> {
        let _ = now;
        let socket = self.sendable(topic)?;
        self.send_frame(socket, &Frame::new(topic, content));
        Ok(())
    }

    /// An application frame whose members sit next to `topic` at the top level rather than in
    /// `content`: the softphone's `{"topic", "connectionId", "jsonRpcMsg"}` shape. A `topic`
    /// member of `fields` is ignored. Reserved topics are refused.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// let t = Timestamp::from_millis(0);
    /// let fields = serde_json::json!({"connectionId": "ac-1"});
    /// let fields = fields.as_object().cloned().unwrap_or_default();
    /// assert_eq!(m.send_fields(t, "aws/softphone", fields), Err(WsError::NotConnected));
    /// ```
    pub fn send_fields(
        &mut self,
        now: Timestamp,
        topic: &str,
        fields: Map<String, Value>,
    ) -> Result<(), WsError> {
        let _ = now;
        let socket = self.sendable(topic)?;
        let mut frame = Map::new();
        frame.insert("topic".to_owned(), Value::String(topic.to_owned()));
        frame.extend(fields.into_iter().filter(|(name, _)| name != "topic"));
        self.out.push_back(WsOutput::Send {
            socket,
            text: Value::Object(frame).to_string(),
        });
        Ok(())
    }

    /// The socket an application frame on `topic` goes out on.
    fn sendable(&self, topic: &str) -> Result<SocketId, WsError> {
        if is_reserved_topic(topic) {
            return Err(WsError::ReservedTopic(topic.to_owned()));
        }
        if self.stopped {
            return Err(WsError::Stopped);
        }
        self.primary
            .as_ref()
            .map(|s| s.id)
            .ok_or(WsError::NotConnected)
    }

    /// The host's network changed (or it woke from sleep): rebuild on a fresh URL. An open
    /// socket stays until its replacement is subscribed (make-before-break).
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.start(Timestamp::from_millis(0));
    /// m.network_changed(Timestamp::from_millis(1));
    /// assert_eq!(m.state(), WsState::FetchingUrl);
    /// ```
    pub fn network_changed(&mut self, now: Timestamp) {
        self.rebuild(now, ResumeCause::NetworkChanged);
    }

    /// Something outside found the connection stale (`cause`): drop the URL and the candidate
    /// socket, fetch a fresh URL now, and report [`WsEvent::Resumed`] with `cause` once rebuilt.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.start(Timestamp::from_millis(0));
    /// m.rebuild(Timestamp::from_millis(1), ResumeCause::ClockJump);
    /// assert_eq!(m.state(), WsState::FetchingUrl);
    /// ```
    pub fn rebuild(&mut self, now: Timestamp, cause: ResumeCause) {
        if self.stopped {
            return;
        }
        self.url = None;
        self.backoff_until = None;
        self.opts.policy.reset();
        self.rebuild = Some(cause);
        if let Some(candidate) = self.candidate.take() {
            self.out.push_back(WsOutput::Close {
                socket: candidate.id,
                code: CLOSE_NORMAL,
            });
        }
        self.drive(now);
    }

    /// The URL fetch finished.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// let t = Timestamp::from_millis(0);
    /// m.start(t);
    /// m.poll_output();
    /// m.url_fetched(t, Err(WsUrlError::new("down", true)));
    /// assert_eq!(m.state(), WsState::BackingOff);
    /// ```
    pub fn url_fetched(&mut self, now: Timestamp, result: Result<WsUrl, WsUrlError>) {
        if !self.fetching || self.stopped {
            return;
        }
        self.fetching = false;
        match result {
            Ok(url) => {
                let timings = &self.opts.timings;
                let invalid = check_ws_url(url.url.expose(), self.opts.allow_insecure_loopback)
                    .err()
                    .or_else(|| {
                        (url.lifetime < timings.min_lifetime).then(|| {
                            format!(
                                "transportLifeTimeInSeconds {} is below {}",
                                url.lifetime.as_secs(),
                                timings.min_lifetime.as_secs()
                            )
                        })
                    });
                if let Some(reason) = invalid {
                    tracing::error!(%reason, "invalid WebSocket config: stopping");
                    self.out
                        .push_back(WsOutput::Event(WsEvent::InitFailure { reason }));
                    self.stop();
                    return;
                }
                self.url = Some((url, now));
            }
            Err(err) => {
                tracing::warn!(error = %err, "WebSocket URL fetch failed");
                self.back_off(now);
            }
        }
        self.drive(now);
    }

    /// A socket the machine asked for is open.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.socket_opened(Timestamp::from_millis(0), SocketId(9)); // unknown: ignored
    /// assert_eq!(m.poll_output(), None);
    /// ```
    pub fn socket_opened(&mut self, now: Timestamp, socket: SocketId) {
        let Some(candidate) = self.candidate.as_mut().filter(|c| c.id == socket) else {
            return;
        };
        if candidate.opened_at.is_some() {
            return;
        }
        candidate.opened_at = Some(now);
        candidate.heartbeat_due = now;
        self.opts.policy.reset();
        self.drive(now);
    }

    /// A socket closed or failed (before or after opening).
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.socket_closed(Timestamp::from_millis(0), SocketId(9), "gone"); // unknown: ignored
    /// assert_eq!(m.poll_output(), None);
    /// ```
    pub fn socket_closed(&mut self, now: Timestamp, socket: SocketId, reason: &str) {
        if self.candidate.as_ref().is_some_and(|c| c.id == socket) {
            tracing::warn!(socket = socket.0, reason, "replacement WebSocket failed");
            self.candidate = None;
            self.back_off(now);
        } else if self.primary.as_ref().is_some_and(|p| p.id == socket) {
            tracing::warn!(socket = socket.0, reason, "WebSocket closed");
            self.primary = None;
            match &self.candidate {
                Some(c) if c.opened_at.is_some() => {} // promoted below: no outage
                Some(_) => self.connection_lost(reason),
                None => {
                    self.connection_lost(reason);
                    self.back_off(now);
                }
            }
        }
        self.drive(now);
    }

    /// A text frame arrived on `socket`. Malformed frames are logged and ignored.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, ws::*};
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.frame_received(Timestamp::from_millis(0), SocketId(1), "garbage");
    /// assert_eq!(m.poll_output(), None);
    /// ```
    pub fn frame_received(&mut self, now: Timestamp, socket: SocketId, text: &str) {
        let is_primary = self.primary.as_ref().is_some_and(|p| p.id == socket);
        let is_candidate = self.candidate.as_ref().is_some_and(|c| c.id == socket);
        if !is_primary && !is_candidate {
            return;
        }
        match Inbound::parse(text) {
            Inbound::Heartbeat => {
                if let Some(s) = self.socket_mut(socket) {
                    s.heartbeat_outstanding = false;
                }
            }
            Inbound::SubscribeAnswer { status, topics } => {
                let (desired, timings) = (&self.desired, &self.opts.timings);
                let slot = if is_primary {
                    &mut self.primary
                } else {
                    &mut self.candidate
                };
                if let Some(s) = slot.as_mut() {
                    let step = s.subs.answer(now, status, topics, desired, timings);
                    let id = s.id;
                    self.apply(now, id, step, is_primary);
                }
            }
            Inbound::Message { topic, content } if is_primary => {
                if self.desired.contains(&topic) {
                    self.out
                        .push_back(WsOutput::Event(WsEvent::Message { topic, content }));
                } else {
                    tracing::debug!(%topic, "message on a topic nobody subscribed");
                }
            }
            Inbound::Message { topic, .. } => {
                tracing::debug!(%topic, "message on the replacement socket before switching: dropped");
            }
            Inbound::ServerError { message } => {
                tracing::warn!(socket = socket.0, %message, "WebSocket server error");
            }
            Inbound::Malformed { reason } => {
                tracing::warn!(socket = socket.0, %reason, "malformed WebSocket frame ignored");
            }
        }
        self.drive(now);
    }

    /// Stops: closes every socket; later inputs are ignored.
    ///
    /// ```
    /// # use connect_core::ws::*;
    /// let mut m = WsMachine::new(MachineOptions::default());
    /// m.stop();
    /// assert_eq!(m.state(), WsState::Stopped);
    /// ```
    pub fn stop(&mut self) {
        for socket in [self.candidate.take(), self.primary.take()]
            .into_iter()
            .flatten()
        {
            self.out.push_back(WsOutput::Close {
                socket: socket.id,
                code: CLOSE_NORMAL,
            });
        }
        self.stopped = true;
        self.fetching = false;
        self.backoff_until = None;
    }
}
