//! What the chat socket machine is told and what it asks for: fetch purposes and results,
//! outputs to its driver and events for the chat session.

use connect_core::model::{Sensitive, Timestamp};
use connect_core::ws::SocketId;

use super::error::ChatError;
use super::model::Item;

/// Why new connection details are wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchPurpose {
    /// The first connection.
    Connect,
    /// After a loss, when the URL is no longer usable.
    Reconnect,
    /// For the secondary socket of a rollover.
    Rotate,
    /// Only to renew the connection token.
    RenewToken,
}

/// What a successful `CreateParticipantConnection` gave the machine.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionDetails {
    /// The socket URL.
    pub url: Option<Sensitive>,
    /// When the URL stops being usable, if the service said.
    pub url_expiry: Option<Timestamp>,
    /// When the connection token expires, if the service said.
    pub token_expiry: Option<Timestamp>,
}

/// Why a fetch failed.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchFailure {
    /// 401/403: the participant may no longer connect.
    Forbidden(String),
    /// Worth retrying (network, timeout, throttling, 5xx).
    Retryable(ChatError),
    /// Not worth retrying.
    Fatal(ChatError),
}

/// What the machine reports to the chat session.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SocketEvent {
    /// The first socket is subscribed.
    Connected,
    /// The connection went away (once per outage).
    Lost {
        /// Why.
        reason: String,
    },
    /// A socket is subscribed again after a loss.
    Restored,
    /// A rollover completed: the secondary socket took over.
    Rotated,
    /// An item arrived on `aws/chat`.
    Item(Box<Item>),
    /// A frame could not be understood (logged; the socket goes on).
    Malformed(ChatError),
    /// The server sent an error frame.
    ServerError {
        /// Its message.
        message: String,
    },
    /// A 403 while reconnecting: the chat has ended.
    Ended,
    /// The connection could not be made at all, or failed for good.
    Failed(ChatError),
}

/// What the machine asks its driver to do.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SocketOutput {
    /// Call `CreateParticipantConnection` and report with [`ChatSocketMachine::fetched`](super::ChatSocketMachine::fetched).
    Fetch(FetchPurpose),
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
        /// The frame.
        text: String,
    },
    /// Close a socket (or abandon its opening); nothing more is expected from it.
    Close {
        /// Which.
        socket: SocketId,
        /// Close code.
        code: u16,
    },
    /// Tell the session.
    Event(SocketEvent),
}
