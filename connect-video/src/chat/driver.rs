//! The session task: owns the sockets and timers, feeds the socket and delivery machines, and
//! turns their outputs into requests and events. Thin by design.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::ws::{SocketCommand, SocketEvent as WireEvent, WsConnector, WsError, WsSocket};
use futures::channel::{mpsc, oneshot};
use futures::stream::{FuturesUnordered, SelectAll};
use futures::{FutureExt, StreamExt};

use crate::participant::{
    ChatError, ChatSocketMachine, ConnectionDetails, FetchFailure, FetchPurpose,
    GetTranscriptRequest, GetTranscriptResponse, SocketEvent, SocketId, SocketOutput,
};

use super::delivery::{ChatItem, Delivery, FillStep};
use super::event::ChatEvent;
use super::events::EventSink;
use super::fetch::fetch_connection;
use super::session::{Command, Shared};

/// Attempts of one gap-fill page before the fill gives up.
const FILL_ATTEMPTS: u32 = 3;
/// Wait before retrying a failed gap-fill page.
const FILL_RETRY: Duration = Duration::from_secs(1);

#[cfg(not(target_arch = "wasm32"))]
type OpFuture = futures::future::BoxFuture<'static, Op>;
#[cfg(target_arch = "wasm32")]
type OpFuture = futures::future::LocalBoxFuture<'static, Op>;
#[cfg(not(target_arch = "wasm32"))]
type Incoming = futures::stream::BoxStream<'static, (SocketId, WireEvent)>;
#[cfg(target_arch = "wasm32")]
type Incoming = futures::stream::LocalBoxStream<'static, (SocketId, WireEvent)>;

#[cfg(not(target_arch = "wasm32"))]
fn boxed(future: impl Future<Output = Op> + Send + 'static) -> OpFuture {
    future.boxed()
}
#[cfg(target_arch = "wasm32")]
fn boxed(future: impl Future<Output = Op> + 'static) -> OpFuture {
    future.boxed_local()
}

enum Op {
    Fetched(FetchPurpose, Result<ConnectionDetails, FetchFailure>),
    Opened(SocketId, Result<WsSocket, WsError>),
    Page(Result<GetTranscriptResponse, ChatError>),
}

/// The gap fill in progress, if any.
#[derive(Debug, Default)]
struct FillState {
    running: bool,
    announce: bool,
    again: bool,
    filled: usize,
    failures: u32,
    retry: Option<(Timestamp, GetTranscriptRequest)>,
}

pub(crate) struct Driver {
    shared: Arc<Shared>,
    connector: Arc<dyn WsConnector>,
    machine: ChatSocketMachine,
    delivery: Delivery,
    sink: EventSink,
    commands: mpsc::UnboundedReceiver<Command>,
    ready: Option<oneshot::Sender<Result<(), ChatError>>>,
    deliver_history: bool,
    sockets: HashMap<SocketId, mpsc::UnboundedSender<SocketCommand>>,
    incoming: SelectAll<Incoming>,
    ops: FuturesUnordered<OpFuture>,
    fill: FillState,
    done: bool,
}

impl Driver {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        shared: Arc<Shared>,
        connector: Arc<dyn WsConnector>,
        machine: ChatSocketMachine,
        delivery: Delivery,
        sink: EventSink,
        commands: mpsc::UnboundedReceiver<Command>,
        ready: oneshot::Sender<Result<(), ChatError>>,
        deliver_history: bool,
    ) -> Self {
        Self {
            shared,
            connector,
            machine,
            delivery,
            sink,
            commands,
            ready: Some(ready),
            deliver_history,
            sockets: HashMap::new(),
            incoming: SelectAll::new(),
            ops: FuturesUnordered::new(),
            fill: FillState::default(),
            done: false,
        }
    }

    pub(crate) async fn run(mut self) {
        let clock = self.shared.clock.clone();
        self.machine.start(clock.now());
        loop {
            self.flush();
            if self.done {
                break;
            }
            let now = clock.now();
            let deadline = [
                self.machine.poll_timeout(),
                self.fill.retry.as_ref().map(|r| r.0),
            ]
            .into_iter()
            .flatten()
            .min();
            let sleep = async {
                match deadline {
                    Some(at) => {
                        let wait = u64::try_from(at.millis_since(now)).unwrap_or(0);
                        clock.sleep(Duration::from_millis(wait)).await;
                    }
                    None => futures::future::pending::<()>().await,
                }
            };
            tokio::select! {
                biased;
                command = self.commands.next() => match command {
                    Some(Command::Stop) | None => {
                        self.machine.stop();
                        self.flush();
                        break;
                    }
                },
                Some((socket, event)) = self.incoming.next(), if !self.incoming.is_empty() => {
                    let now = clock.now();
                    match event {
                        WireEvent::Text(text) => self.machine.frame_received(now, socket, &text),
                        WireEvent::Closed { reason, .. } => {
                            self.sockets.remove(&socket);
                            self.machine.socket_closed(now, socket, &reason);
                        }
                        _ => tracing::debug!("unknown socket event ignored"),
                    }
                }
                Some(op) = self.ops.next(), if !self.ops.is_empty() => self.on_op(op),
                () = sleep => {
                    let now = clock.now();
                    self.machine.tick(now);
                    self.fill_tick(now);
                }
            }
        }
        self.shared.mark_stopped();
        if let Some(ready) = self.ready.take() {
            let _ = ready.send(Err(ChatError::Stopped));
        }
    }

    /// Carries out everything the machine asked for.
    fn flush(&mut self) {
        while let Some(output) = self.machine.poll_output() {
            match output {
                SocketOutput::Fetch(purpose) => {
                    let shared = self.shared.clone();
                    self.ops.push(boxed(async move {
                        Op::Fetched(purpose, fetch_connection(shared, purpose).await)
                    }));
                }
                SocketOutput::Open { socket, url } => {
                    let connector = self.connector.clone();
                    self.ops.push(boxed(async move {
                        Op::Opened(socket, connector.connect(url.expose()).await)
                    }));
                }
                SocketOutput::Send { socket, text } => {
                    if let Some(commands) = self.sockets.get(&socket) {
                        let _ = commands.unbounded_send(SocketCommand::Text(text));
                    }
                }
                SocketOutput::Close { socket, code } => {
                    if let Some(commands) = self.sockets.remove(&socket) {
                        let _ = commands.unbounded_send(SocketCommand::Close(code));
                    }
                }
                SocketOutput::Event(event) => self.on_socket_event(event),
            }
        }
    }

    fn on_op(&mut self, op: Op) {
        let now = self.shared.clock.now();
        match op {
            Op::Fetched(purpose, result) => self.machine.fetched(now, purpose, result),
            Op::Opened(socket, Ok(ws)) => {
                if self.machine.is_ended() {
                    let _ = ws.commands.unbounded_send(SocketCommand::Close(1000));
                    return;
                }
                self.sockets.insert(socket, ws.commands);
                let closed = WireEvent::Closed {
                    code: None,
                    reason: "the socket went away".into(),
                };
                let events = ws
                    .events
                    .chain(futures::stream::once(async move { closed }))
                    .map(move |event| (socket, event));
                #[cfg(not(target_arch = "wasm32"))]
                self.incoming.push(events.boxed());
                #[cfg(target_arch = "wasm32")]
                self.incoming.push(events.boxed_local());
                self.machine.socket_opened(now, socket);
            }
            Op::Opened(socket, Err(error)) => {
                tracing::debug!(%error, "chat socket did not open");
                self.machine.socket_closed(now, socket, &error.to_string());
            }
            Op::Page(result) => self.on_page(now, result),
        }
    }

    fn on_socket_event(&mut self, event: SocketEvent) {
        match event {
            SocketEvent::Connected => {
                if let Some(ready) = self.ready.take() {
                    let _ = ready.send(Ok(()));
                }
                if self.deliver_history {
                    self.start_fill(false);
                }
            }
            SocketEvent::Lost { reason } => self.sink.emit(ChatEvent::ConnectionLost { reason }),
            SocketEvent::Restored => self.start_fill(true),
            SocketEvent::Rotated => self.start_fill(false),
            SocketEvent::Item(item) => {
                let items = self.delivery.live(*item);
                self.deliver(items);
            }
            SocketEvent::Malformed(error) => self.sink.emit(ChatEvent::Error(error)),
            SocketEvent::ServerError { message } => {
                tracing::warn!(%message, "the chat socket reported an error");
            }
            SocketEvent::Ended => self.end(true),
            SocketEvent::Failed(error) => match self.ready.take() {
                Some(ready) => {
                    let _ = ready.send(Err(error));
                    self.done = true;
                }
                None => {
                    self.sink.emit(ChatEvent::Error(error));
                    self.end(true);
                }
            },
        }
    }

    fn deliver(&mut self, items: Vec<ChatItem>) {
        for item in items {
            let event = ChatEvent::from_item(item);
            let ended = matches!(event, ChatEvent::ChatEnded { .. });
            if ended {
                self.end(false);
                return;
            }
            self.sink.emit(event);
        }
    }

    fn end(&mut self, synthetic: bool) {
        if self.done {
            return;
        }
        self.shared.mark_ended();
        self.machine.stop();
        self.sink.emit(ChatEvent::ChatEnded { synthetic });
        self.done = true;
    }

    fn start_fill(&mut self, announce: bool) {
        self.fill.announce |= announce;
        if self.fill.running {
            self.fill.again = true;
            return;
        }
        self.fill.running = true;
        self.fill.failures = 0;
        let request = self.delivery.begin_fill();
        self.fetch_page(request);
    }

    fn fetch_page(&mut self, request: GetTranscriptRequest) {
        let shared = self.shared.clone();
        self.ops.push(boxed(async move {
            let result = match shared.connection_token() {
                Ok(token) => shared.client.get_transcript(&token, &request).await,
                Err(e) => Err(e),
            };
            Op::Page(result)
        }));
    }

    fn on_page(&mut self, now: Timestamp, result: Result<GetTranscriptResponse, ChatError>) {
        let step = match result {
            Ok(page) => self.delivery.page(page),
            Err(ChatError::Auth { .. }) if self.fill.announce => return self.end(true),
            Err(error) => {
                self.fill.failures += 1;
                tracing::warn!(%error, failures = self.fill.failures, "gap-fill page failed");
                if self.fill.failures < FILL_ATTEMPTS {
                    let retry = GetTranscriptRequest::latest(super::delivery::GAP_FILL_PAGE_SIZE);
                    let at = now.add_millis(i64::try_from(FILL_RETRY.as_millis()).unwrap_or(0));
                    self.fill.retry = Some((at, retry));
                    self.delivery.begin_fill();
                    return;
                }
                self.sink.emit(ChatEvent::Error(error));
                self.delivery.fill_failed()
            }
        };
        match step {
            FillStep::Fetch(request) => self.fetch_page(request),
            FillStep::Done { items, filled } => {
                self.fill.running = false;
                self.fill.filled += filled;
                self.deliver(items);
                if self.done {
                    return;
                }
                if std::mem::take(&mut self.fill.again) {
                    return self.start_fill(false);
                }
                let gap_filled = std::mem::take(&mut self.fill.filled);
                if std::mem::take(&mut self.fill.announce) {
                    self.sink.emit(ChatEvent::ConnectionRestored { gap_filled });
                }
            }
        }
    }

    fn fill_tick(&mut self, now: Timestamp) {
        if self.fill.retry.as_ref().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, request)) = self.fill.retry.take() {
                self.fetch_page(request);
            }
        }
    }
}
