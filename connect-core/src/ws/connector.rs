//! [`WsConnector`]: how the manager opens a socket, as a pair of channels.

use std::fmt::Debug;

use async_trait::async_trait;
use futures::channel::mpsc;

use super::event::WsError;

/// What a socket reports to the manager.
///
/// ```
/// use connect_core::ws::SocketEvent;
///
/// let e = SocketEvent::Closed { code: Some(1000), reason: "bye".into() };
/// assert!(matches!(e, SocketEvent::Closed { code: Some(1000), .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SocketEvent {
    /// A text frame.
    Text(String),
    /// The socket closed or failed; nothing follows.
    Closed {
        /// The close code, when the peer sent one.
        code: Option<u16>,
        /// Why.
        reason: String,
    },
}

/// What the manager tells a socket to do.
///
/// ```
/// use connect_core::ws::WsSocket;
///
/// let (socket, _commands, _events) = WsSocket::pair();
/// assert!(socket.send_text("{}".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SocketCommand {
    /// Send a text frame.
    Text(String),
    /// Close with this code.
    Close(u16),
}

/// An open socket: commands go in, [`SocketEvent`]s come out. Dropping the command side closes
/// the socket.
///
/// ```
/// use futures::StreamExt;
/// use connect_core::ws::{SocketEvent, WsSocket};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (socket, _commands, events) = WsSocket::pair();
/// events.unbounded_send(SocketEvent::Text("hi".into())).unwrap();
/// let mut incoming = socket.events;
/// assert_eq!(incoming.next().await, Some(SocketEvent::Text("hi".into())));
/// # }
/// ```
#[derive(Debug)]
pub struct WsSocket {
    /// Commands to the socket.
    pub commands: mpsc::UnboundedSender<SocketCommand>,
    /// Frames and the final close from the socket.
    pub events: mpsc::UnboundedReceiver<SocketEvent>,
}

impl WsSocket {
    /// A socket and the connector's ends of its channels (command receiver, event sender).
    ///
    /// ```
    /// # use connect_core::ws::WsSocket;
    /// let (socket, commands, events) = WsSocket::pair();
    /// drop((socket, commands, events));
    /// ```
    pub fn pair() -> (
        Self,
        mpsc::UnboundedReceiver<SocketCommand>,
        mpsc::UnboundedSender<SocketEvent>,
    ) {
        let (commands, command_rx) = mpsc::unbounded();
        let (event_tx, events) = mpsc::unbounded();
        (Self { commands, events }, command_rx, event_tx)
    }

    /// Queues a text frame; false when the socket is gone.
    ///
    /// ```
    /// # use connect_core::ws::WsSocket;
    /// let (socket, commands, _events) = WsSocket::pair();
    /// drop(commands);
    /// assert!(!socket.send_text("x".into()));
    /// ```
    pub fn send_text(&self, text: String) -> bool {
        self.commands
            .unbounded_send(SocketCommand::Text(text))
            .is_ok()
    }
}

/// Opens WebSocket connections: tokio-tungstenite natively, the browser's `WebSocket` on wasm, a
/// test double in tests.
///
/// ```
/// use connect_core::ws::{WsConnector, WsError, WsSocket};
///
/// #[derive(Debug)]
/// struct Refusing;
///
/// #[async_trait::async_trait]
/// impl WsConnector for Refusing {
///     async fn connect(&self, _url: &str) -> Result<WsSocket, WsError> {
///         Err(WsError::Connect("refused".into()))
///     }
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// assert!(Refusing.connect("wss://h/").await.is_err());
/// # }
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait WsConnector: Debug + Send + Sync {
    /// Opens a socket to `url` and completes once it is open.
    async fn connect(&self, url: &str) -> Result<WsSocket, WsError>;
}
