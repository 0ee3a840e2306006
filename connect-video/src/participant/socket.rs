//! [`ChatSocketMachine`]: the chat WebSocket's rules (§2, §6.4), sans IO and told the time.
//!
//! Subscribe `aws/chat` with its retries, heartbeat and deep heartbeat every 10 s, roll over
//! make-before-break at 3540 s, re-open with the same URL inside its 85 s window with a
//! jittered back-off, fetch new connection details with a capped back-off, renew the
//! connection token 60 s before it expires, and turn a 403 while reconnecting into a
//! synthetic chat end.

use std::collections::VecDeque;
use std::time::Duration;

use connect_core::model::{Sensitive, Timestamp};
use connect_core::time::SplitMix64;
pub use connect_core::ws::SocketId;

use super::error::ChatError;
use super::frame::{heartbeat_frame, parse_frame, ping_frame, subscribe_frame, ChatFrame};
pub use super::socket_io::{
    ConnectionDetails, FetchFailure, FetchPurpose, SocketEvent, SocketOutput,
};
use super::timings::SocketTimings;

/// Close code of a normal close (rotation, stop).
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code of a socket given up as stale.
pub const CLOSE_STALE: u16 = 4000;

#[derive(Debug)]
struct Subscribing {
    sent_at: Timestamp,
    unanswered: u32,
    failures: u32,
    retry_at: Option<Timestamp>,
}

#[derive(Debug)]
struct Sock {
    id: SocketId,
    created_at: Timestamp,
    opened_at: Option<Timestamp>,
    subscribing: Option<Subscribing>,
    subscribed: bool,
    heartbeat_at: Timestamp,
    heartbeat_pending: bool,
    ping_pending: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Idle,
    Fetching,
    Opening,
    Live,
    ReopenAt(Timestamp),
    FetchAt(Timestamp),
    Ended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rotation {
    None,
    Fetching,
    Opening,
    RetryAt(Timestamp),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Renewal {
    At(Option<Timestamp>),
    Fetching,
}

/// The chat socket's state machine.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_video::participant::*;
///
/// let t0 = Timestamp::from_millis(0);
/// let mut m = ChatSocketMachine::new(SocketTimings::default(), 7);
/// m.start(t0);
/// assert_eq!(m.poll_output(), Some(SocketOutput::Fetch(FetchPurpose::Connect)));
/// let details = ConnectionDetails { url: Some("wss://h/c".into()), url_expiry: None, token_expiry: None };
/// m.fetched(t0, FetchPurpose::Connect, Ok(details));
/// let Some(SocketOutput::Open { socket, .. }) = m.poll_output() else { panic!() };
/// m.socket_opened(t0, socket);
/// assert!(matches!(m.poll_output(), Some(SocketOutput::Send { .. })));
/// m.frame_received(t0, socket, r#"{"topic":"aws/subscribe","content":{"status":"success"}}"#);
/// let outputs: Vec<_> = std::iter::from_fn(|| m.poll_output()).collect();
/// assert!(outputs.contains(&SocketOutput::Event(SocketEvent::Connected)));
/// ```
#[derive(Debug)]
pub struct ChatSocketMachine {
    timings: SocketTimings,
    rng: SplitMix64,
    outputs: VecDeque<SocketOutput>,
    next_id: u64,
    primary: Option<Sock>,
    secondary: Option<Sock>,
    url: Option<(Sensitive, Timestamp)>,
    link: Link,
    rotation: Rotation,
    renewal: Renewal,
    rotate_at: Option<Timestamp>,
    ever_connected: bool,
    lost: bool,
    reopen_attempts: u32,
    fetch_failures: u32,
}

fn at(now: Timestamp, after: Duration) -> Timestamp {
    now.add_millis(i64::try_from(after.as_millis()).unwrap_or(i64::MAX))
}

impl ChatSocketMachine {
    /// A machine with these timings; `seed` drives the re-open jitter.
    pub fn new(timings: SocketTimings, seed: u64) -> Self {
        Self {
            timings,
            rng: SplitMix64::new(seed),
            outputs: VecDeque::new(),
            next_id: 0,
            primary: None,
            secondary: None,
            url: None,
            link: Link::Idle,
            rotation: Rotation::None,
            renewal: Renewal::At(None),
            rotate_at: None,
            ever_connected: false,
            lost: false,
            reopen_attempts: 0,
            fetch_failures: 0,
        }
    }

    /// Starts: asks for the first connection details.
    pub fn start(&mut self, _now: Timestamp) {
        if self.link == Link::Idle {
            self.link = Link::Fetching;
            self.outputs
                .push_back(SocketOutput::Fetch(FetchPurpose::Connect));
        }
    }

    /// The next thing to do, if any.
    pub fn poll_output(&mut self) -> Option<SocketOutput> {
        self.outputs.pop_front()
    }

    /// Whether the machine has stopped for good (ended, failed or stopped).
    pub fn is_ended(&self) -> bool {
        self.link == Link::Ended
    }

    /// Whether a subscribed socket is carrying the chat right now.
    pub fn is_live(&self) -> bool {
        self.link == Link::Live
    }

    /// Stops: closes every socket; nothing more happens.
    pub fn stop(&mut self) {
        for sock in [self.primary.take(), self.secondary.take()]
            .into_iter()
            .flatten()
        {
            self.outputs.push_back(SocketOutput::Close {
                socket: sock.id,
                code: CLOSE_NORMAL,
            });
        }
        self.link = Link::Ended;
        self.rotation = Rotation::None;
        self.renewal = Renewal::At(None);
    }

    /// The result of a [`SocketOutput::Fetch`].
    pub fn fetched(
        &mut self,
        now: Timestamp,
        purpose: FetchPurpose,
        result: Result<ConnectionDetails, FetchFailure>,
    ) {
        if self.link == Link::Ended {
            return;
        }
        let details = match result {
            Ok(details) => details,
            Err(failure) => return self.fetch_failed(now, purpose, failure),
        };
        if let Some(expiry) = details.token_expiry {
            let lead = i64::try_from(self.timings.token_renewal_lead.as_millis()).unwrap_or(0);
            self.renewal = Renewal::At(Some(expiry.add_millis(-lead)));
        } else if purpose == FetchPurpose::RenewToken {
            self.renewal = Renewal::At(None);
        }
        self.fetch_failures = 0;
        let url = match (purpose, details.url) {
            (FetchPurpose::RenewToken, _) => return,
            (_, Some(url)) => url,
            (_, None) => {
                let error = ChatError::protocol("CreateParticipantConnection", "no Websocket URL");
                return self.fetch_failed(now, purpose, FetchFailure::Retryable(error));
            }
        };
        match purpose {
            FetchPurpose::Rotate => {
                if self.link == Link::Live && self.rotation == Rotation::Fetching {
                    let sock = self.open(now, url);
                    self.secondary = Some(sock);
                    self.rotation = Rotation::Opening;
                }
            }
            _ if self.link != Link::Fetching => {}
            _ => {
                self.url = Some((url.clone(), now));
                let sock = self.open(now, url);
                self.primary = Some(sock);
                self.link = Link::Opening;
            }
        }
    }

    fn fetch_failed(&mut self, now: Timestamp, purpose: FetchPurpose, failure: FetchFailure) {
        match failure {
            FetchFailure::Forbidden(message) if !self.ever_connected => {
                self.fail(ChatError::Auth { message });
            }
            FetchFailure::Forbidden(_) => {
                tracing::info!(?purpose, "403 while reconnecting: the chat has ended");
                self.stop();
                self.outputs
                    .push_back(SocketOutput::Event(SocketEvent::Ended));
            }
            FetchFailure::Fatal(error) => {
                if matches!(purpose, FetchPurpose::Connect | FetchPurpose::Reconnect) {
                    self.fail(error);
                } else {
                    tracing::warn!(?purpose, %error, "connection fetch failed");
                    self.retry_later(now, purpose);
                }
            }
            FetchFailure::Retryable(error) => {
                tracing::debug!(?purpose, %error, "connection fetch failed; retrying");
                self.fetch_failures += 1;
                if !self.ever_connected
                    && self.fetch_failures >= self.timings.initial_fetch_attempts
                {
                    return self.fail(error);
                }
                self.retry_later(now, purpose);
            }
        }
    }

    fn retry_later(&mut self, now: Timestamp, purpose: FetchPurpose) {
        let when = at(now, self.timings.fetch_delay(self.fetch_failures.max(1)));
        match purpose {
            FetchPurpose::Connect | FetchPurpose::Reconnect => self.link = Link::FetchAt(when),
            FetchPurpose::Rotate => self.rotation = Rotation::RetryAt(when),
            FetchPurpose::RenewToken => self.renewal = Renewal::At(Some(when)),
        }
    }

    fn fail(&mut self, error: ChatError) {
        self.stop();
        self.outputs
            .push_back(SocketOutput::Event(SocketEvent::Failed(error)));
    }

    fn open(&mut self, now: Timestamp, url: Sensitive) -> Sock {
        self.next_id += 1;
        let id = SocketId(self.next_id);
        self.outputs
            .push_back(SocketOutput::Open { socket: id, url });
        Sock {
            id,
            created_at: now,
            opened_at: None,
            subscribing: None,
            subscribed: false,
            heartbeat_at: now,
            heartbeat_pending: false,
            ping_pending: false,
        }
    }

    fn sock_mut(&mut self, id: SocketId) -> Option<&mut Sock> {
        [self.primary.as_mut(), self.secondary.as_mut()]
            .into_iter()
            .flatten()
            .find(|s| s.id == id)
    }

    fn send(&mut self, socket: SocketId, text: String) {
        self.outputs.push_back(SocketOutput::Send { socket, text });
    }

    /// The socket opened: subscribe `aws/chat`.
    pub fn socket_opened(&mut self, now: Timestamp, socket: SocketId) {
        let Some(sock) = self.sock_mut(socket) else {
            return;
        };
        sock.opened_at = Some(now);
        sock.subscribing = Some(Subscribing {
            sent_at: now,
            unanswered: 0,
            failures: 0,
            retry_at: None,
        });
        self.send(socket, subscribe_frame());
    }

    /// The socket closed, or could not be opened.
    pub fn socket_closed(&mut self, now: Timestamp, socket: SocketId, reason: &str) {
        self.fail_socket(now, socket, reason, false);
    }

    fn fail_socket(&mut self, now: Timestamp, socket: SocketId, reason: &str, close: bool) {
        if self.secondary.as_ref().is_some_and(|s| s.id == socket) {
            tracing::debug!(reason, "rollover socket failed; retrying");
            self.secondary = None;
            if close {
                self.outputs.push_back(SocketOutput::Close {
                    socket,
                    code: CLOSE_STALE,
                });
            }
            self.rotation = Rotation::RetryAt(at(now, self.timings.fetch_base));
            return;
        }
        if self.primary.as_ref().is_none_or(|s| s.id != socket) {
            return;
        }
        self.primary = None;
        if close {
            self.outputs.push_back(SocketOutput::Close {
                socket,
                code: CLOSE_STALE,
            });
        }
        if self.secondary.as_ref().is_some_and(|s| s.subscribed) {
            return self.promote_secondary();
        }
        self.lose(now, reason);
    }

    fn lose(&mut self, now: Timestamp, reason: &str) {
        if let Some(sock) = self.secondary.take() {
            self.outputs.push_back(SocketOutput::Close {
                socket: sock.id,
                code: CLOSE_NORMAL,
            });
        }
        self.rotation = Rotation::None;
        self.rotate_at = None;
        if self.ever_connected && !self.lost {
            tracing::info!(reason, "chat connection lost");
            self.outputs
                .push_back(SocketOutput::Event(SocketEvent::Lost {
                    reason: reason.to_owned(),
                }));
        }
        self.lost = true;
        self.reopen_attempts += 1;
        let delay = self
            .timings
            .reopen_delay(self.reopen_attempts, self.rng.next_f64());
        let reopen_at = at(now, delay);
        let usable = self
            .url
            .as_ref()
            .is_some_and(|(_, fetched)| reopen_at < at(*fetched, self.timings.url_validity));
        if usable {
            self.link = Link::ReopenAt(reopen_at);
        } else {
            self.url = None;
            self.link = Link::Fetching;
            self.outputs
                .push_back(SocketOutput::Fetch(FetchPurpose::Reconnect));
        }
    }

    fn promote_secondary(&mut self) {
        if let Some(old) = self.primary.take() {
            self.outputs.push_back(SocketOutput::Close {
                socket: old.id,
                code: CLOSE_NORMAL,
            });
        }
        self.primary = self.secondary.take();
        self.rotation = Rotation::None;
        self.rotate_at = self
            .primary
            .as_ref()
            .and_then(|s| s.opened_at)
            .map(|opened| at(opened, self.timings.lifetime));
        self.outputs
            .push_back(SocketOutput::Event(SocketEvent::Rotated));
    }

    /// A text frame arrived on `socket`.
    pub fn frame_received(&mut self, now: Timestamp, socket: SocketId, text: &str) {
        let frame = match parse_frame(text) {
            Ok(frame) => frame,
            Err(error) => {
                tracing::warn!(%error, "malformed chat frame ignored");
                self.outputs
                    .push_back(SocketOutput::Event(SocketEvent::Malformed(error)));
                return;
            }
        };
        let is_primary = self.primary.as_ref().is_some_and(|s| s.id == socket);
        let heartbeat = self.timings.heartbeat;
        let retry = at(now, self.timings.subscribe_retry);
        let max = self.timings.max_subscribe_failures;
        let Some(sock) = self.sock_mut(socket) else {
            return;
        };
        match frame {
            ChatFrame::Subscribed { success: true, .. } => {
                if sock.subscribed {
                    return;
                }
                sock.subscribed = true;
                sock.subscribing = None;
                sock.heartbeat_at = at(now, heartbeat);
                sock.heartbeat_pending = true;
                sock.ping_pending = true;
                self.send(socket, heartbeat_frame());
                self.send(socket, ping_frame());
                if is_primary {
                    self.primary_subscribed(now);
                } else {
                    self.promote_secondary();
                }
            }
            ChatFrame::Subscribed { success: false, .. } => {
                let failures = sock.subscribing.as_mut().map_or(0, |s| {
                    s.failures += 1;
                    s.retry_at = Some(retry);
                    s.failures
                });
                if failures >= max {
                    self.fail_socket(now, socket, "subscription failed", true);
                }
            }
            ChatFrame::Heartbeat => sock.heartbeat_pending = false,
            ChatFrame::Ping {
                status_code: Some(200),
            } => sock.ping_pending = false,
            ChatFrame::Ping { status_code } => {
                tracing::info!(?status_code, "deep heartbeat failed");
                self.fail_socket(now, socket, "deep heartbeat failed", true);
            }
            ChatFrame::Item(item) => {
                self.outputs
                    .push_back(SocketOutput::Event(SocketEvent::Item(item)));
            }
            ChatFrame::ServerError { message, .. } => {
                tracing::warn!(%message, "chat socket error frame");
                self.outputs
                    .push_back(SocketOutput::Event(SocketEvent::ServerError { message }));
            }
            ChatFrame::Other { topic } => tracing::debug!(%topic, "frame on an unused topic"),
        }
    }

    fn primary_subscribed(&mut self, _now: Timestamp) {
        self.link = Link::Live;
        self.reopen_attempts = 0;
        self.rotate_at = self
            .primary
            .as_ref()
            .and_then(|s| s.opened_at)
            .map(|opened| at(opened, self.timings.lifetime));
        let event = if !self.ever_connected {
            self.ever_connected = true;
            SocketEvent::Connected
        } else {
            SocketEvent::Restored
        };
        self.lost = false;
        self.outputs.push_back(SocketOutput::Event(event));
    }

    /// The earliest time at which [`tick`](Self::tick) has something to do.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let t = &self.timings;
        let mut deadlines: Vec<Timestamp> = Vec::new();
        for sock in [self.primary.as_ref(), self.secondary.as_ref()]
            .into_iter()
            .flatten()
        {
            match (&sock.opened_at, &sock.subscribing) {
                (None, _) => deadlines.push(at(sock.created_at, t.open_timeout)),
                (Some(_), Some(sub)) => deadlines.push(
                    sub.retry_at
                        .unwrap_or_else(|| at(sub.sent_at, t.subscribe_answer)),
                ),
                _ => {}
            }
            if sock.subscribed {
                deadlines.push(sock.heartbeat_at);
            }
        }
        match self.link {
            Link::ReopenAt(when) | Link::FetchAt(when) => deadlines.push(when),
            Link::Live if self.rotation == Rotation::None => deadlines.extend(self.rotate_at),
            Link::Ended => return None,
            _ => {}
        }
        if let Rotation::RetryAt(when) = self.rotation {
            deadlines.push(when);
        }
        if let Renewal::At(Some(when)) = self.renewal {
            deadlines.push(when);
        }
        deadlines.into_iter().min()
    }

    /// Does what is due at `now`.
    pub fn tick(&mut self, now: Timestamp) {
        for id in [self.primary.as_ref(), self.secondary.as_ref()]
            .into_iter()
            .flatten()
            .map(|s| s.id)
            .collect::<Vec<_>>()
        {
            self.tick_socket(now, id);
        }
        match self.link {
            Link::ReopenAt(when) if when <= now => match self.url.clone() {
                Some((url, _)) => {
                    let sock = self.open(now, url);
                    self.primary = Some(sock);
                    self.link = Link::Opening;
                }
                None => {
                    self.link = Link::Fetching;
                    self.outputs
                        .push_back(SocketOutput::Fetch(FetchPurpose::Reconnect));
                }
            },
            Link::FetchAt(when) if when <= now => {
                self.link = Link::Fetching;
                let purpose = if self.ever_connected {
                    FetchPurpose::Reconnect
                } else {
                    FetchPurpose::Connect
                };
                self.outputs.push_back(SocketOutput::Fetch(purpose));
            }
            Link::Ended => return,
            _ => {}
        }
        let rotate_due = match self.rotation {
            Rotation::None => self.link == Link::Live && self.rotate_at.is_some_and(|t| t <= now),
            Rotation::RetryAt(when) => self.link == Link::Live && when <= now,
            _ => false,
        };
        if rotate_due {
            self.rotation = Rotation::Fetching;
            self.outputs
                .push_back(SocketOutput::Fetch(FetchPurpose::Rotate));
        }
        if let Renewal::At(Some(when)) = self.renewal {
            if when <= now {
                self.renewal = Renewal::Fetching;
                self.outputs
                    .push_back(SocketOutput::Fetch(FetchPurpose::RenewToken));
            }
        }
    }

    fn tick_socket(&mut self, now: Timestamp, id: SocketId) {
        let t = self.timings.clone();
        let Some(sock) = self.sock_mut(id) else {
            return;
        };
        if sock.opened_at.is_none() {
            if now >= at(sock.created_at, t.open_timeout) {
                self.fail_socket(now, id, "the socket did not open in time", true);
            }
            return;
        }
        if let Some(sub) = sock.subscribing.as_mut() {
            let due = sub
                .retry_at
                .unwrap_or_else(|| at(sub.sent_at, t.subscribe_answer));
            if due <= now {
                if sub.retry_at.take().is_none() {
                    sub.unanswered += 1;
                }
                if sub.unanswered > t.max_unanswered_subscribes {
                    return self.fail_socket(now, id, "subscription unanswered", true);
                }
                sub.sent_at = now;
                self.send(id, subscribe_frame());
            }
            return;
        }
        if sock.subscribed && sock.heartbeat_at <= now {
            if sock.heartbeat_pending || sock.ping_pending {
                return self.fail_socket(now, id, "heartbeat unanswered", true);
            }
            sock.heartbeat_pending = true;
            sock.ping_pending = true;
            sock.heartbeat_at = at(now, t.heartbeat);
            self.send(id, heartbeat_frame());
            self.send(id, ping_frame());
        }
    }
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;
