//! The task behind a `SignalingClient`: it owns the socket and the timers and feeds the
//! [`SignalingMachine`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use connect_core::time::Clock;
use futures::future::OptionFuture;
use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::error::SignalError;
use super::frame::{decode_frame, encode_frame, FrameError};
use super::machine::SignalingMachine;
use super::machine_io::{MachineConfig, SignalingEvent, SignalingOutput, SocketId};
use super::status::MeetingStatus;
use super::types::{DataMessage, JoinAck, SubscribeAck, Subscription};
use super::url::SignalingRequest;

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;
type Opening = Pin<Box<dyn Future<Output = Result<Socket, String>> + Send>>;

/// A write that takes longer than this marks the socket dead.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

type Reply<T> = oneshot::Sender<Result<T, SignalError>>;

/// What a client handle asks of the driver.
#[derive(Debug)]
pub(super) enum Command {
    Subscribe(Subscription, Reply<SubscribeAck>),
    AudioControl(bool, Reply<()>),
    Pause(Vec<u32>, Reply<()>),
    Resume(Vec<u32>, Reply<()>),
    DataMessage(DataMessage, Reply<()>),
    Leave(oneshot::Sender<MeetingStatus>),
}

/// One turn of the driver loop.
enum Step {
    Timer,
    Command(Option<Command>),
    Opened(SocketId, Result<Box<Socket>, String>),
    Incoming(SocketId, Option<Result<Message, String>>),
}

pub(super) struct Driver {
    machine: SignalingMachine,
    clock: Arc<dyn Clock>,
    request: SignalingRequest,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<SignalingEvent>,
    ready: Option<oneshot::Sender<Result<JoinAck, SignalError>>>,
    ended: Arc<Mutex<Option<MeetingStatus>>>,
    socket: Option<(SocketId, Socket)>,
    opening: Option<(SocketId, Opening)>,
    subscribing: Option<Reply<SubscribeAck>>,
    leaving: Vec<oneshot::Sender<MeetingStatus>>,
    handles_gone: bool,
}

impl Driver {
    pub(super) fn new(
        config: MachineConfig,
        clock: Arc<dyn Clock>,
        request: SignalingRequest,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::UnboundedSender<SignalingEvent>,
        ready: oneshot::Sender<Result<JoinAck, SignalError>>,
        ended: Arc<Mutex<Option<MeetingStatus>>>,
    ) -> Self {
        Self {
            machine: SignalingMachine::new(config),
            clock,
            request,
            commands,
            events,
            ready: Some(ready),
            ended,
            socket: None,
            opening: None,
            subscribing: None,
            leaving: Vec::new(),
            handles_gone: false,
        }
    }

    pub(super) async fn run(mut self) {
        self.machine.start(self.clock.now());
        loop {
            self.flush().await;
            if self.is_ended() {
                return;
            }
            match self.next_step().await {
                Step::Timer => self.machine.handle_timeout(self.clock.now()),
                Step::Command(Some(command)) => self.command(command),
                Step::Command(None) => {
                    // Every handle is gone: leave politely, then stop.
                    self.handles_gone = true;
                    self.machine.leave(self.clock.now());
                }
                Step::Opened(id, Ok(socket)) => {
                    self.opening = None;
                    self.socket = Some((id, *socket));
                    self.machine.on_open(id, self.clock.now());
                }
                Step::Opened(id, Err(reason)) => {
                    self.opening = None;
                    self.machine
                        .on_connect_failed(id, self.clock.now(), &reason);
                }
                Step::Incoming(id, message) => self.incoming(id, message),
            }
        }
    }

    async fn next_step(&mut self) -> Step {
        let now = self.clock.now();
        let wait = self
            .machine
            .poll_timeout()
            .map(|at| Duration::from_millis(u64::try_from(at.millis_since(now)).unwrap_or(0)));
        let clock = self.clock.clone();
        let timer: OptionFuture<_> = wait.map(|d| async move { clock.sleep(d).await }).into();
        let opening: OptionFuture<_> = self
            .opening
            .as_mut()
            .map(|(id, fut)| {
                let id = *id;
                async move { (id, fut.await) }
            })
            .into();
        let incoming: OptionFuture<_> = self
            .socket
            .as_mut()
            .map(|(id, socket)| {
                let id = *id;
                async move {
                    (
                        id,
                        socket.next().await.map(|r| r.map_err(|e| e.to_string())),
                    )
                }
            })
            .into();
        tokio::select! {
            Some(()) = timer => Step::Timer,
            command = self.commands.recv(), if !self.handles_gone => Step::Command(command),
            Some((id, result)) = opening => Step::Opened(id, result.map(Box::new)),
            Some((id, message)) = incoming => Step::Incoming(id, message),
        }
    }

    fn command(&mut self, command: Command) {
        let now = self.clock.now();
        match command {
            Command::Subscribe(subscription, reply) => {
                match self.machine.subscribe(now, &subscription) {
                    Ok(()) => self.subscribing = Some(reply),
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            Command::AudioControl(muted, reply) => {
                let _ = reply.send(self.machine.audio_control(now, muted));
            }
            Command::Pause(ids, reply) => {
                let _ = reply.send(self.machine.pause(now, &ids));
            }
            Command::Resume(ids, reply) => {
                let _ = reply.send(self.machine.resume(now, &ids));
            }
            Command::DataMessage(message, reply) => {
                let _ = reply.send(self.machine.send_data_message(now, &message));
            }
            Command::Leave(reply) => {
                self.leaving.push(reply);
                self.machine.leave(now);
            }
        }
    }

    fn incoming(&mut self, id: SocketId, message: Option<Result<Message, String>>) {
        let now = self.clock.now();
        match message {
            Some(Ok(Message::Binary(bytes))) => match decode_frame(&bytes) {
                Ok(frame) => self.machine.on_frame(id, now, frame),
                Err(error) => self.machine.on_malformed(id, error),
            },
            Some(Ok(Message::Text(text))) => {
                self.machine.on_malformed(id, FrameError::Text(text.len()))
            }
            Some(Ok(Message::Close(frame))) => {
                self.socket = None;
                let code = frame.map(|f| u16::from(f.code));
                self.machine.on_closed(id, now, code);
            }
            Some(Ok(_)) => {} // ping, pong: answered by tungstenite
            Some(Err(reason)) => {
                tracing::info!(%reason, "signalling socket failed");
                self.socket = None;
                self.machine.on_closed(id, now, None);
            }
            None => {
                self.socket = None;
                self.machine.on_closed(id, now, None);
            }
        }
    }

    /// Carries out everything the machine asked for.
    async fn flush(&mut self) {
        while let Some(output) = self.machine.poll_output() {
            match output {
                SignalingOutput::Connect(id) => {
                    self.opening = Some((id, Box::pin(open(self.request.clone()))));
                }
                SignalingOutput::Send(id, frame) => {
                    let Some((current, socket)) = self.socket.as_mut() else {
                        continue;
                    };
                    if *current != id {
                        continue;
                    }
                    let message = Message::binary(encode_frame(&frame));
                    let sent = tokio::time::timeout(WRITE_TIMEOUT, socket.send(message)).await;
                    if !matches!(sent, Ok(Ok(()))) {
                        tracing::info!("signalling write failed or timed out");
                        self.socket = None;
                        self.machine.on_closed(id, self.clock.now(), None);
                    }
                }
                SignalingOutput::Close(id, code) => self.close(id, code).await,
                SignalingOutput::Event(event) => self.report(event),
            }
        }
    }

    async fn close(&mut self, id: SocketId, code: u16) {
        if self.opening.as_ref().is_some_and(|(o, _)| *o == id) {
            self.opening = None;
        }
        if self.socket.as_ref().is_some_and(|(s, _)| *s == id) {
            if let Some((_, mut socket)) = self.socket.take() {
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: "".into(),
                };
                let _ = tokio::time::timeout(WRITE_TIMEOUT, socket.close(Some(frame))).await;
            }
        }
    }

    fn report(&mut self, event: SignalingEvent) {
        match &event {
            SignalingEvent::JoinAck(ack) => {
                if let Some(ready) = self.ready.take() {
                    let _ = ready.send(Ok(ack.clone()));
                }
            }
            SignalingEvent::SubscribeAck(ack) => {
                if let Some(reply) = self.subscribing.take() {
                    let _ = reply.send(Ok(ack.clone()));
                }
            }
            SignalingEvent::ServerError {
                status,
                description,
            } => {
                if let Some(reply) = self.subscribing.take() {
                    let _ = reply.send(Err(SignalError::Server {
                        status: *status,
                        description: description.clone(),
                    }));
                }
            }
            SignalingEvent::Reconnecting { .. } => {
                if let Some(reply) = self.subscribing.take() {
                    let _ = reply.send(Err(SignalError::ConnectionLost));
                }
            }
            SignalingEvent::Ended { status } => {
                *self.ended.lock().unwrap_or_else(PoisonError::into_inner) = Some(*status);
                if let Some(ready) = self.ready.take() {
                    let _ = ready.send(Err(SignalError::Ended(*status)));
                }
                if let Some(reply) = self.subscribing.take() {
                    let _ = reply.send(Err(SignalError::Ended(*status)));
                }
                for reply in self.leaving.drain(..) {
                    let _ = reply.send(*status);
                }
            }
            _ => {}
        }
        let _ = self.events.send(event);
    }

    fn is_ended(&self) -> bool {
        matches!(
            self.machine.state(),
            super::machine_io::SignalingState::Ended(_)
        )
    }
}

/// Opens the signalling socket with the subprotocols (the join token never reaches a log).
async fn open(request: SignalingRequest) -> Result<Socket, String> {
    let mut http = request
        .url()
        .into_client_request()
        .map_err(|e| format!("bad signalling URL: {e}"))?;
    let protocols = request.subprotocols().join(", ");
    let header = HeaderValue::from_str(&protocols)
        .map_err(|_| "the join token is not a valid subprotocol".to_owned())?;
    http.headers_mut().insert("Sec-WebSocket-Protocol", header);
    let (socket, _response) = tokio_tungstenite::connect_async(http)
        .await
        .map_err(|e| e.to_string())?;
    Ok(socket)
}
