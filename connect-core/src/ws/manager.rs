//! [`WsManager`]: the handle to the WebSocket task, its builder and its event stream.

use std::sync::Arc;

use futures::channel::{mpsc, oneshot};
use serde_json::Value;
use tokio::sync::watch;

use super::backoff::ReconnectPolicy;
use super::config::WsTimings;
use super::connector::WsConnector;
use super::event::{ResumeCause, WsError, WsEvent};
use super::frame::is_reserved_topic;
use super::handlers::{Handlers, TopicHandler, TopicMessages};
use super::machine::{MachineOptions, WsMachine, WsState};
use super::source::WsUrlSource;
use super::task::{Command, Driver, EventSink};
use crate::task::{spawn_abortable, TaskGuard};
use crate::time::{Clock, SystemClock};

/// The CCP WebSocket: keeps one socket open (heartbeat, rotation, reconnect with backoff),
/// subscribes every topic on every socket and delivers messages. Cheap to clone; dropping the
/// last clone stops the task and closes the sockets.
///
/// ```no_run
/// use std::sync::Arc;
/// use connect_core::ws::{WsManager, WsUrlSource};
///
/// # async fn demo(api: Arc<dyn connect_core::api::CtiApi>) -> Result<(), connect_core::ws::WsError> {
/// let source: Arc<dyn WsUrlSource> = Arc::new(api);
/// let (manager, mut events) = WsManager::builder(source).connect().await?;
/// let mut softphone = manager.subscribe("aws/softphone");
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WsManager {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    commands: mpsc::UnboundedSender<Command>,
    handlers: Arc<Handlers>,
    state: watch::Receiver<WsState>,
    _task: TaskGuard,
}

/// The manager's events, in order. A receiver that falls behind gets [`WsEvent::Lagged`].
///
/// ```no_run
/// # async fn demo(mut events: connect_core::ws::WsEvents) {
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct WsEvents {
    rx: tokio::sync::mpsc::Receiver<WsEvent>,
}

impl WsEvents {
    /// The next event; `None` once the manager stopped.
    ///
    /// ```no_run
    /// # async fn demo(mut events: connect_core::ws::WsEvents) {
    /// let first = events.recv().await;
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<WsEvent> {
        self.rx.recv().await
    }

    /// An event if one is queued.
    ///
    /// ```no_run
    /// # fn demo(mut events: connect_core::ws::WsEvents) {
    /// while let Some(event) = events.try_recv() { println!("{event:?}"); }
    /// # }
    /// ```
    pub fn try_recv(&mut self) -> Option<WsEvent> {
        self.rx.try_recv().ok()
    }
}

/// Configures a [`WsManager`].
///
/// ```no_run
/// # use std::sync::Arc;
/// # use connect_core::ws::*;
/// # async fn demo(source: Arc<dyn WsUrlSource>, pem: Vec<u8>) -> Result<(), WsError> {
/// let (manager, events) = WsManager::builder(source)
///     .allow_insecure_loopback(false)
///     .root_certificate_pem(pem)
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct WsManagerBuilder {
    source: Arc<dyn WsUrlSource>,
    clock: Arc<dyn Clock>,
    connector: Option<Arc<dyn WsConnector>>,
    root_pem: Option<Vec<u8>>,
    options: MachineOptions,
    event_capacity: usize,
}

impl WsManager {
    /// Starts configuring a manager whose URLs come from `source` (any `CtiApi` is one).
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use connect_core::ws::*;
    /// # fn demo(source: Arc<dyn WsUrlSource>) {
    /// let builder = WsManager::builder(source);
    /// # }
    /// ```
    pub fn builder(source: Arc<dyn WsUrlSource>) -> WsManagerBuilder {
        WsManagerBuilder {
            source,
            clock: Arc::new(SystemClock::default()),
            connector: None,
            root_pem: None,
            options: MachineOptions::default(),
            event_capacity: 1024,
        }
    }

    /// Subscribes `topic` and returns its messages as a stream.
    ///
    /// ```no_run
    /// # async fn demo(manager: connect_core::ws::WsManager) {
    /// let mut messages = manager.subscribe("aws/softphone");
    /// let first = messages.recv().await;
    /// # }
    /// ```
    pub fn subscribe(&self, topic: &str) -> TopicMessages {
        let messages = self.inner.handlers.add_channel(topic);
        self.command(Command::Subscribe(topic.to_owned()));
        messages
    }

    /// Subscribes `topic` with a callback (run on the manager's task; keep it short).
    ///
    /// ```no_run
    /// # fn demo(manager: connect_core::ws::WsManager) {
    /// manager.subscribe_with("aws/softphone", |topic: &str, content: &serde_json::Value| {
    ///     println!("{topic}: {content}");
    /// });
    /// # }
    /// ```
    pub fn subscribe_with(&self, topic: &str, handler: impl TopicHandler + 'static) {
        self.inner.handlers.add_callback(topic, Arc::new(handler));
        self.command(Command::Subscribe(topic.to_owned()));
    }

    /// Unsubscribes `topic`: its streams end and its callbacks are dropped.
    ///
    /// ```no_run
    /// # fn demo(manager: connect_core::ws::WsManager) {
    /// manager.unsubscribe("aws/softphone");
    /// # }
    /// ```
    pub fn unsubscribe(&self, topic: &str) {
        self.inner.handlers.remove_topic(topic);
        self.command(Command::Unsubscribe(topic.to_owned()));
    }

    /// Sends `{topic, content}` on the open socket. Reserved `aws/…` protocol topics are refused.
    ///
    /// ```no_run
    /// # async fn demo(manager: connect_core::ws::WsManager) {
    /// manager.send("aws/softphone", serde_json::json!({"ping": 1})).await.ok();
    /// # }
    /// ```
    pub async fn send(&self, topic: &str, content: Value) -> Result<(), WsError> {
        if is_reserved_topic(topic) {
            return Err(WsError::ReservedTopic(topic.to_owned()));
        }
        let (reply, answer) = oneshot::channel();
        self.inner
            .commands
            .unbounded_send(Command::Send {
                topic: topic.to_owned(),
                content,
                reply,
            })
            .map_err(|_| WsError::Stopped)?;
        answer.await.unwrap_or(Err(WsError::Stopped))
    }

    /// Sends a frame whose members sit next to `topic` at the top level instead of inside
    /// `content` (the softphone's `{"topic", "connectionId", "jsonRpcMsg"}`). Reserved `aws/…`
    /// protocol topics are refused.
    ///
    /// ```no_run
    /// # async fn demo(manager: connect_core::ws::WsManager) {
    /// let fields = serde_json::json!({"connectionId": "ac-1", "jsonRpcMsg": {"jsonrpc": "2.0"}});
    /// let fields = fields.as_object().cloned().unwrap_or_default();
    /// manager.send_fields("aws/softphone", fields).await.ok();
    /// # }
    /// ```
    pub async fn send_fields(
        &self,
        topic: &str,
        fields: serde_json::Map<String, Value>,
    ) -> Result<(), WsError> {
        if is_reserved_topic(topic) {
            return Err(WsError::ReservedTopic(topic.to_owned()));
        }
        let (reply, answer) = oneshot::channel();
        self.inner
            .commands
            .unbounded_send(Command::SendFields {
                topic: topic.to_owned(),
                fields,
                reply,
            })
            .map_err(|_| WsError::Stopped)?;
        answer.await.unwrap_or(Err(WsError::Stopped))
    }

    /// The network changed or the host woke up: rebuild the socket on a fresh URL now (R5).
    ///
    /// ```no_run
    /// # fn demo(manager: connect_core::ws::WsManager) {
    /// manager.notify_network_changed();
    /// # }
    /// ```
    pub fn notify_network_changed(&self) {
        self.resume(ResumeCause::NetworkChanged);
    }

    /// Rebuilds the socket on a fresh URL now because `cause` found it stale; the rebuild is
    /// reported as [`WsEvent::Resumed`] with that cause.
    ///
    /// ```no_run
    /// # fn demo(manager: connect_core::ws::WsManager) {
    /// manager.resume(connect_core::ws::ResumeCause::ClockJump);
    /// # }
    /// ```
    pub fn resume(&self, cause: ResumeCause) {
        self.command(Command::Rebuild(cause));
    }

    /// The machine's state as of its last step.
    ///
    /// ```no_run
    /// # fn demo(manager: connect_core::ws::WsManager) {
    /// println!("{:?}", manager.state());
    /// # }
    /// ```
    pub fn state(&self) -> WsState {
        *self.inner.state.borrow()
    }

    /// Closes the sockets (code 1000) and stops the task.
    ///
    /// ```no_run
    /// # async fn demo(manager: connect_core::ws::WsManager) {
    /// manager.shutdown().await;
    /// # }
    /// ```
    pub async fn shutdown(&self) {
        let (reply, done) = oneshot::channel();
        if self
            .inner
            .commands
            .unbounded_send(Command::Shutdown(reply))
            .is_ok()
        {
            let _ = done.await;
        }
    }

    fn command(&self, command: Command) {
        let _ = self.inner.commands.unbounded_send(command);
    }
}

impl WsManagerBuilder {
    /// The clock for heartbeats, timeouts and backoff (default: the system clock).
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # fn demo(b: connect_core::ws::WsManagerBuilder) {
    /// let b = b.clock(Arc::new(connect_core::time::SystemClock::default()));
    /// # }
    /// ```
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Accept `ws://` URLs to loopback hosts (the simulator without TLS). Default false.
    ///
    /// ```no_run
    /// # fn demo(b: connect_core::ws::WsManagerBuilder) {
    /// let b = b.allow_insecure_loopback(true);
    /// # }
    /// ```
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.options.allow_insecure_loopback = allow;
        self
    }

    /// Trust exactly the certificates of this PEM (e.g. the simulator's test CA) instead of the
    /// public roots. Native only; the browser uses its own trust store.
    ///
    /// ```no_run
    /// # fn demo(b: connect_core::ws::WsManagerBuilder, pem: Vec<u8>) {
    /// let b = b.root_certificate_pem(pem);
    /// # }
    /// ```
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_pem = Some(pem.into());
        self
    }

    /// Opens sockets with `connector` instead of the platform's default.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # fn demo(b: connect_core::ws::WsManagerBuilder, c: Arc<dyn connect_core::ws::WsConnector>) {
    /// let b = b.connector(c);
    /// # }
    /// ```
    pub fn connector(mut self, connector: Arc<dyn WsConnector>) -> Self {
        self.connector = Some(connector);
        self
    }

    /// Timing constants (defaults: the spec's).
    ///
    /// ```no_run
    /// # fn demo(b: connect_core::ws::WsManagerBuilder) {
    /// let b = b.timings(connect_core::ws::WsTimings::default());
    /// # }
    /// ```
    pub fn timings(mut self, timings: WsTimings) -> Self {
        self.options.timings = timings;
        self
    }

    /// The reconnect policy, e.g. with a fixed jitter seed for tests.
    ///
    /// ```no_run
    /// # fn demo(b: connect_core::ws::WsManagerBuilder) {
    /// let b = b.reconnect_policy(connect_core::ws::ReconnectPolicy::default().with_seed(1));
    /// # }
    /// ```
    pub fn reconnect_policy(mut self, policy: ReconnectPolicy) -> Self {
        self.options.policy = policy;
        self
    }

    /// How many events may wait for the receiver before `Lagged` (default 1024).
    ///
    /// ```no_run
    /// # fn demo(b: connect_core::ws::WsManagerBuilder) {
    /// let b = b.event_capacity(64);
    /// # }
    /// ```
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// Starts the manager's task; the first socket opens in the background (watch the events).
    /// Fails only on an unusable root certificate.
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # async fn demo(source: Arc<dyn connect_core::ws::WsUrlSource>) -> Result<(), connect_core::ws::WsError> {
    /// let (manager, events) = connect_core::ws::WsManager::builder(source).connect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(self) -> Result<(WsManager, WsEvents), WsError> {
        let connector = match self.connector {
            Some(connector) => connector,
            None => default_connector(self.root_pem.as_deref())?,
        };
        let (commands, command_rx) = mpsc::unbounded();
        let (event_tx, event_rx) = tokio::sync::mpsc::channel(self.event_capacity);
        let (state_tx, state_rx) = watch::channel(WsState::FetchingUrl);
        let handlers = Arc::new(Handlers::default());
        let driver = Driver {
            machine: WsMachine::new(self.options),
            clock: self.clock,
            source: self.source,
            connector,
            handlers: Arc::clone(&handlers),
            events: EventSink {
                tx: event_tx,
                dropped: 0,
            },
            state: state_tx,
        };
        let task = TaskGuard::default();
        task.push(spawn_abortable(driver.run(command_rx)));
        let inner = Inner {
            commands,
            handlers,
            state: state_rx,
            _task: task,
        };
        Ok((
            WsManager {
                inner: Arc::new(inner),
            },
            WsEvents { rx: event_rx },
        ))
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn default_connector(root_pem: Option<&[u8]>) -> Result<Arc<dyn WsConnector>, WsError> {
    let connector = match root_pem {
        Some(pem) => super::tungstenite::TungsteniteConnector::with_root_certificate_pem(pem)?,
        None => super::tungstenite::TungsteniteConnector::default(),
    };
    Ok(Arc::new(connector))
}

#[cfg(target_arch = "wasm32")]
fn default_connector(_root_pem: Option<&[u8]>) -> Result<Arc<dyn WsConnector>, WsError> {
    Ok(Arc::new(super::browser::BrowserConnector))
}
