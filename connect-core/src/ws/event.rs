//! What the WebSocket machine reports and asks for: events, outputs, errors.

use serde_json::Value;

use crate::model::Sensitive;

/// Events of the WebSocket manager, in order.
///
/// ```
/// use connect_core::ws::WsEvent;
///
/// let e = WsEvent::Message { topic: "aws/softphone".into(), content: serde_json::json!({}) };
/// assert!(matches!(e, WsEvent::Message { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WsEvent {
    /// The first socket opened after a loss (or the very first open).
    ConnectionGained,
    /// The socket went away; once per outage.
    ConnectionLost {
        /// Why.
        reason: String,
    },
    /// A message on a subscribed topic.
    Message {
        /// The topic.
        topic: String,
        /// The payload.
        content: Value,
    },
    /// The server confirmed these topics.
    SubscriptionUpdate {
        /// Now subscribed.
        topics: Vec<String>,
    },
    /// These topics could not be subscribed (retry constants exhausted).
    SubscriptionFailure {
        /// Still unsubscribed.
        topics: Vec<String>,
    },
    /// The URL config is invalid (`ws://` refused, lifetime too short): the manager stopped.
    InitFailure {
        /// Why.
        reason: String,
    },
    /// A stale connection was rebuilt (R5): listeners should refresh what depends on it.
    Resumed {
        /// What found it stale.
        cause: ResumeCause,
    },
    /// The event receiver was too slow; this many events were dropped.
    Lagged {
        /// Dropped events.
        dropped: u64,
    },
}

/// What triggered a rebuild of the socket.
///
/// ```
/// # use connect_core::ws::ResumeCause;
/// assert_ne!(ResumeCause::MissedHeartbeat, ResumeCause::NetworkChanged);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResumeCause {
    /// A heartbeat was unanswered at the next tick.
    MissedHeartbeat,
    /// The host called `notify_network_changed()`.
    NetworkChanged,
    /// The snapshot long poll overran its deadline.
    LongPollOverrun,
    /// The wall clock jumped ahead of the timers (the host slept), or a timer fired late.
    ClockJump,
}

/// Identifies one socket the machine asked the driver to open.
///
/// ```
/// # use connect_core::ws::SocketId;
/// assert!(SocketId(1) < SocketId(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SocketId(pub u64);

/// What the machine wants its driver to do.
///
/// ```
/// use connect_core::ws::{SocketId, WsOutput};
///
/// let out = WsOutput::Close { socket: SocketId(1), code: 1000 };
/// assert!(matches!(out, WsOutput::Close { code: 1000, .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WsOutput {
    /// Fetch a new URL and report it with `url_fetched`.
    FetchUrl,
    /// Open a socket and report `socket_opened` / `socket_closed`.
    Open {
        /// The id to report with.
        socket: SocketId,
        /// Where.
        url: Sensitive,
    },
    /// Send a text frame.
    Send {
        /// On which socket.
        socket: SocketId,
        /// The frame's JSON.
        text: String,
    },
    /// Close a socket (or abandon its opening); no further reports are expected for it.
    Close {
        /// Which.
        socket: SocketId,
        /// Close code (1000 normal, 4000 stale).
        code: u16,
    },
    /// Deliver an event.
    Event(WsEvent),
}

/// Errors of the WebSocket API.
///
/// ```
/// use connect_core::ws::WsError;
///
/// assert!(WsError::ReservedTopic("aws/heartbeat".into()).to_string().contains("reserved"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// Applications may not send on `aws/…` protocol topics.
    #[error("topic `{0}` is reserved for the WebSocket protocol")]
    ReservedTopic(String),
    /// No socket is open right now.
    #[error("the WebSocket is not connected")]
    NotConnected,
    /// The manager has stopped (invalid config or shut down).
    #[error("the WebSocket manager has stopped")]
    Stopped,
    /// Opening a socket failed.
    #[error("WebSocket connect failed: {0}")]
    Connect(String),
    /// A TLS setting (root certificate) is unusable.
    #[error("WebSocket TLS configuration: {0}")]
    Tls(String),
}
