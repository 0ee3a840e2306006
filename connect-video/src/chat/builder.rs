//! [`ChatSessionBuilder`]: configuration of a chat session with the spec's defaults.

use std::sync::Arc;
use std::time::Duration;

use connect_core::time::{Clock, Jitter};
use connect_core::ws::WsConnector;
use futures::channel::{mpsc, oneshot};

use crate::participant::{ChatError, ChatSocketMachine, ParticipantClient, SocketTimings};
use connect_core::task::{spawn_abortable, TaskGuard};

use super::auth::ParticipantAuth;
use super::delivery::{Delivery, DEFAULT_SEEN_CAPACITY};
use super::driver::Driver;
use super::events::{ChatEvents, EventSink, DEFAULT_EVENT_CAPACITY};
use super::session::{ChatSession, Shared};
use super::throttle::{SendThrottle, DEFAULT_RECEIPT_INTERVAL, DEFAULT_TYPING_INTERVAL};

/// Default number of attempts of a send (the first and two retries).
pub const DEFAULT_SEND_ATTEMPTS: u32 = 3;

/// Configures a [`ChatSession`]; [`connect`](Self::connect) returns once the chat socket is
/// subscribed.
///
/// ```no_run
/// use std::time::Duration;
/// use connect_video::chat::ChatSession;
/// use connect_video::participant::ParticipantClient;
///
/// # async fn demo() -> Result<(), connect_video::participant::ChatError> {
/// let client = ParticipantClient::for_region("us-east-1")?;
/// let (chat, events) = ChatSession::builder(client, "participant-token")
///     .deliver_history(false)
///     .typing_interval(Duration::from_secs(3))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ChatSessionBuilder {
    client: ParticipantClient,
    auth: ParticipantAuth,
    clock: Option<Arc<dyn Clock>>,
    connector: Option<Arc<dyn WsConnector>>,
    timings: SocketTimings,
    seed: Option<u64>,
    deliver_history: bool,
    event_capacity: usize,
    insecure_loopback: bool,
    typing_interval: Duration,
    receipt_interval: Duration,
    send_attempts: u32,
    seen_capacity: usize,
}

impl std::fmt::Debug for ChatSessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatSessionBuilder")
            .field("endpoint", &self.client.endpoint())
            .field("timings", &self.timings)
            .field("deliver_history", &self.deliver_history)
            .finish_non_exhaustive()
    }
}

impl ChatSessionBuilder {
    pub(crate) fn new(client: ParticipantClient, auth: ParticipantAuth) -> Self {
        Self {
            client,
            auth,
            clock: None,
            connector: None,
            timings: SocketTimings::default(),
            seed: None,
            deliver_history: true,
            event_capacity: DEFAULT_EVENT_CAPACITY,
            insecure_loopback: false,
            typing_interval: DEFAULT_TYPING_INTERVAL,
            receipt_interval: DEFAULT_RECEIPT_INTERVAL,
            send_attempts: DEFAULT_SEND_ATTEMPTS,
            seen_capacity: DEFAULT_SEEN_CAPACITY,
        }
    }

    /// The clock of heartbeats, rollover and back-offs (default: the client's clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How sockets are opened (default: tokio-tungstenite natively, the browser's WebSocket
    /// on wasm).
    pub fn connector(mut self, connector: Arc<dyn WsConnector>) -> Self {
        self.connector = Some(connector);
        self
    }

    /// The socket's timing rules (default: the spec's).
    pub fn timings(mut self, timings: SocketTimings) -> Self {
        self.timings = timings;
        self
    }

    /// Seeds the re-open jitter (reproducible tests).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Whether the transcript so far is delivered (flagged as gap-filled) after the first
    /// connection (default `true`).
    pub fn deliver_history(mut self, deliver: bool) -> Self {
        self.deliver_history = deliver;
        self
    }

    /// Capacity of the event queue before [`ChatEvent::Lagged`](super::ChatEvent::Lagged).
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity;
        self
    }

    /// Accepts `ws://` socket URLs on a loopback host (simulators only).
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.insecure_loopback = allow;
        self
    }

    /// Minimum interval between typing events (default 5 s).
    pub fn typing_interval(mut self, interval: Duration) -> Self {
        self.typing_interval = interval;
        self
    }

    /// Minimum interval between receipts of one kind (default 5 s).
    pub fn receipt_interval(mut self, interval: Duration) -> Self {
        self.receipt_interval = interval;
        self
    }

    /// Attempts per send, the first included (default 3).
    pub fn send_attempts(mut self, attempts: u32) -> Self {
        self.send_attempts = attempts;
        self
    }

    /// Ids remembered for de-duplication (default 10 000).
    pub fn seen_capacity(mut self, capacity: usize) -> Self {
        self.seen_capacity = capacity;
        self
    }

    /// Connects: `CreateParticipantConnection` (plus the agent's acknowledgement), opens and
    /// subscribes the chat socket, then returns the handle and its events.
    ///
    /// A refused participant token gives [`ChatError::Auth`].
    pub async fn connect(self) -> Result<(ChatSession, ChatEvents), ChatError> {
        let clock = self.clock.unwrap_or_else(|| self.client.clock());
        let seed = self
            .seed
            .unwrap_or_else(|| Jitter::from_time(clock.now()).next_u64());
        let connector = self.connector.unwrap_or_else(default_connector);
        let shared = Arc::new(Shared::new(
            self.client,
            clock,
            self.auth,
            self.insecure_loopback,
            self.send_attempts,
            SendThrottle::new(self.typing_interval, self.receipt_interval),
        ));
        let (sink, events) = EventSink::new(self.event_capacity);
        let (commands, command_rx) = mpsc::unbounded();
        let (ready_tx, ready_rx) = oneshot::channel();
        let driver = Driver::new(
            shared.clone(),
            connector,
            ChatSocketMachine::new(self.timings, seed),
            Delivery::new(self.seen_capacity),
            sink,
            command_rx,
            ready_tx,
            self.deliver_history,
        );
        let task = TaskGuard::from(spawn_abortable(driver.run()));
        match ready_rx.await {
            Ok(Ok(())) => Ok((ChatSession::from_parts(shared, commands, task), events)),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(ChatError::Stopped),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn default_connector() -> Arc<dyn WsConnector> {
    Arc::new(connect_core::ws::TungsteniteConnector::default())
}

#[cfg(target_arch = "wasm32")]
fn default_connector() -> Arc<dyn WsConnector> {
    Arc::new(connect_core::ws::BrowserConnector)
}
