//! The manager's task: feeds [`WsMachine`] from sockets, URL fetches, commands and the clock,
//! and carries out what it asks.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::future::{AbortHandle, Abortable};
use futures::stream::{FuturesUnordered, SelectAll};
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use tokio::sync::watch;

use super::connector::{SocketCommand, SocketEvent, WsConnector, WsSocket};
use super::event::{ResumeCause, SocketId, WsError, WsEvent, WsOutput};
use super::handlers::Handlers;
use super::machine::{WsMachine, WsState};
use super::source::{WsUrl, WsUrlError, WsUrlSource};
use crate::time::Clock;

#[cfg(not(target_arch = "wasm32"))]
type Fut<T> = futures::future::BoxFuture<'static, T>;
#[cfg(target_arch = "wasm32")]
type Fut<T> = futures::future::LocalBoxFuture<'static, T>;
#[cfg(not(target_arch = "wasm32"))]
type Incoming = futures::stream::BoxStream<'static, (SocketId, SocketEvent)>;
#[cfg(target_arch = "wasm32")]
type Incoming = futures::stream::LocalBoxStream<'static, (SocketId, SocketEvent)>;

/// Requests from the handles.
#[derive(Debug)]
pub(crate) enum Command {
    Subscribe(String),
    Unsubscribe(String),
    Send {
        topic: String,
        content: Value,
        reply: oneshot::Sender<Result<(), WsError>>,
    },
    SendFields {
        topic: String,
        fields: serde_json::Map<String, Value>,
        reply: oneshot::Sender<Result<(), WsError>>,
    },
    Rebuild(ResumeCause),
    Shutdown(oneshot::Sender<()>),
}

/// Completed asynchronous work.
enum Done {
    Url(Result<WsUrl, WsUrlError>),
    Connected(SocketId, Result<WsSocket, WsError>),
    Abandoned,
}

/// Delivers events without ever blocking: a full queue counts drops and reports `Lagged`.
#[derive(Debug)]
pub(crate) struct EventSink {
    pub(crate) tx: tokio::sync::mpsc::Sender<WsEvent>,
    pub(crate) dropped: u64,
}

impl EventSink {
    fn emit(&mut self, event: WsEvent) {
        if self.dropped > 0 {
            let lagged = WsEvent::Lagged {
                dropped: self.dropped,
            };
            if self.tx.try_send(lagged).is_err() {
                self.dropped += 1;
                return;
            }
            self.dropped = 0;
        }
        if let Err(tokio::sync::mpsc::error::TrySendError::Full(_)) = self.tx.try_send(event) {
            self.dropped += 1;
        }
    }
}

/// Everything the task owns.
pub(crate) struct Driver {
    pub(crate) machine: WsMachine,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) source: Arc<dyn WsUrlSource>,
    pub(crate) connector: Arc<dyn WsConnector>,
    pub(crate) handlers: Arc<Handlers>,
    pub(crate) events: EventSink,
    pub(crate) state: watch::Sender<WsState>,
}

impl Driver {
    /// Runs until shutdown, the last handle is dropped, or the config proves invalid.
    pub(crate) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut sockets: HashMap<SocketId, mpsc::UnboundedSender<SocketCommand>> = HashMap::new();
        let mut connecting: HashMap<SocketId, AbortHandle> = HashMap::new();
        let mut work: FuturesUnordered<Fut<Done>> = FuturesUnordered::new();
        let mut incoming: SelectAll<Incoming> = SelectAll::new();
        let mut shutdown_reply = None;
        self.machine.start(self.clock.now());
        loop {
            self.carry_out(&mut sockets, &mut connecting, &mut work);
            self.state.send_replace(self.machine.state());
            if self.machine.state() == WsState::Stopped {
                break;
            }
            let sleep = match self.machine.poll_timeout() {
                Some(at) => {
                    let wait = at.millis_since(self.clock.now()).max(0);
                    let clock = Arc::clone(&self.clock);
                    async move { clock.sleep(Duration::from_millis(wait as u64)).await }.boxed_any()
                }
                None => futures::future::pending().boxed_any(),
            };
            tokio::select! {
                command = commands.next() => match command {
                    None => self.machine.stop(),
                    Some(Command::Shutdown(reply)) => {
                        shutdown_reply = Some(reply);
                        self.machine.stop();
                    }
                    Some(command) => self.command(command),
                },
                Some(done) = work.next(), if !work.is_empty() => {
                    let now = self.clock.now();
                    match done {
                        Done::Url(result) => self.machine.url_fetched(now, result),
                        // Closed (abandoned) while its open completed: dropping it closes it.
                        Done::Connected(id, Ok(_)) if connecting.remove(&id).is_none() => {}
                        Done::Connected(id, Ok(socket)) => {
                            sockets.insert(id, socket.commands);
                            incoming.push(socket_stream(id, socket.events));
                            self.machine.socket_opened(now, id);
                        }
                        Done::Connected(id, Err(err)) => {
                            connecting.remove(&id);
                            self.machine.socket_closed(now, id, &err.to_string());
                        }
                        Done::Abandoned => {}
                    }
                }
                Some((id, event)) = incoming.next(), if !incoming.is_empty() => {
                    let now = self.clock.now();
                    match event {
                        SocketEvent::Text(text) => self.machine.frame_received(now, id, &text),
                        SocketEvent::Closed { code, reason } => {
                            sockets.remove(&id);
                            let reason = format!("closed ({code:?}): {reason}");
                            self.machine.socket_closed(now, id, &reason);
                        }
                    }
                }
                () = sleep => self.machine.tick(self.clock.now()),
            }
        }
        self.carry_out(&mut sockets, &mut connecting, &mut work);
        for handle in connecting.values() {
            handle.abort();
        }
        self.handlers.clear();
        if let Some(reply) = shutdown_reply {
            let _ = reply.send(());
        }
    }

    fn command(&mut self, command: Command) {
        let now = self.clock.now();
        match command {
            Command::Subscribe(topic) => self.machine.subscribe(now, topic),
            Command::Unsubscribe(topic) => self.machine.unsubscribe(now, &topic),
            Command::Send {
                topic,
                content,
                reply,
            } => {
                let _ = reply.send(self.machine.send(now, &topic, content));
            }
            Command::SendFields {
                topic,
                fields,
                reply,
            } => {
                let _ = reply.send(self.machine.send_fields(now, &topic, fields));
            }
            Command::Rebuild(cause) => self.machine.rebuild(now, cause),
            Command::Shutdown(_) => {}
        }
    }

    fn carry_out(
        &mut self,
        sockets: &mut HashMap<SocketId, mpsc::UnboundedSender<SocketCommand>>,
        connecting: &mut HashMap<SocketId, AbortHandle>,
        work: &mut FuturesUnordered<Fut<Done>>,
    ) {
        while let Some(output) = self.machine.poll_output() {
            match output {
                WsOutput::FetchUrl => {
                    let source = Arc::clone(&self.source);
                    work.push(async move { Done::Url(source.fetch_ws_url().await) }.boxed_any());
                }
                WsOutput::Open { socket, url } => {
                    let connector = Arc::clone(&self.connector);
                    let (handle, registration) = AbortHandle::new_pair();
                    connecting.insert(socket, handle);
                    let open = async move { connector.connect(url.expose()).await };
                    work.push(
                        Abortable::new(open, registration)
                            .map(move |r| match r {
                                Ok(result) => Done::Connected(socket, result),
                                Err(_) => Done::Abandoned,
                            })
                            .boxed_any(),
                    );
                }
                WsOutput::Send { socket, text } => {
                    if let Some(tx) = sockets.get(&socket) {
                        let _ = tx.unbounded_send(SocketCommand::Text(text));
                    }
                }
                WsOutput::Close { socket, code } => {
                    if let Some(handle) = connecting.remove(&socket) {
                        handle.abort();
                    }
                    if let Some(tx) = sockets.remove(&socket) {
                        let _ = tx.unbounded_send(SocketCommand::Close(code));
                    }
                }
                WsOutput::Event(event) => {
                    if let WsEvent::Message { topic, content } = &event {
                        self.handlers.dispatch(topic, content);
                    }
                    self.events.emit(event);
                }
            }
        }
    }
}

/// A socket's events tagged with its id, ending with a `Closed` if the socket forgot to say so.
fn socket_stream(id: SocketId, events: mpsc::UnboundedReceiver<SocketEvent>) -> Incoming {
    let end = futures::stream::once(async {
        SocketEvent::Closed {
            code: None,
            reason: "socket task ended".into(),
        }
    });
    let tagged = events.chain(end).map(move |e| (id, e));
    #[cfg(not(target_arch = "wasm32"))]
    return tagged.boxed();
    #[cfg(target_arch = "wasm32")]
    return tagged.boxed_local();
}

/// `boxed()` natively, `boxed_local()` on wasm.
trait BoxedAny<T> {
    fn boxed_any(self) -> T;
}

#[cfg(not(target_arch = "wasm32"))]
impl<F: std::future::Future + Send + 'static> BoxedAny<Fut<F::Output>> for F {
    fn boxed_any(self) -> Fut<F::Output> {
        self.boxed()
    }
}

#[cfg(target_arch = "wasm32")]
impl<F: std::future::Future + 'static> BoxedAny<Fut<F::Output>> for F {
    fn boxed_any(self) -> Fut<F::Output> {
        self.boxed_local()
    }
}
