//! [`SignalingClient`]: the signalling session over a real WebSocket (native).

use std::sync::{Arc, Mutex, PoisonError};

use connect_core::time::{Clock, SystemClock};
use tokio::sync::{mpsc, oneshot};

use super::client_driver::{Command, Driver};
use super::error::SignalError;
use super::machine_io::{MachineConfig, SignalingEvent, SignalingTimings};
use super::status::MeetingStatus;
use super::types::{DataMessage, JoinAck, SubscribeAck, Subscription};
use super::url::SignalingRequest;
use crate::meeting::join::JoinInfo;
use connect_core::task::{spawn_abortable, TaskGuard};

/// Builds and joins a [`SignalingClient`].
///
/// ```no_run
/// # use connect_video::meeting::{join::JoinInfo, signal::SignalingClient};
/// # async fn run(info: JoinInfo) -> Result<(), connect_video::meeting::signal::SignalError> {
/// let (client, mut events) = SignalingClient::builder(info).connect().await?;
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SignalingClientBuilder {
    info: JoinInfo,
    clock: Arc<dyn Clock>,
    config: MachineConfig,
}

impl SignalingClientBuilder {
    /// The clock the session's timers use (default: the system clock, which follows tokio's
    /// paused time in tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The timings (default: the Chime SDK client's).
    pub fn timings(mut self, timings: SignalingTimings) -> Self {
        self.config.timings = timings;
        self
    }

    /// The application name sent in `JOIN`.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.config.app_name = name.into();
        self
    }

    /// Opens the socket and joins; completes at the first `JOIN_ACK` (or fails with the status
    /// that ended the session before it).
    pub async fn connect(self) -> Result<(SignalingClient, SignalingEvents), SignalError> {
        let request = SignalingRequest::new(&self.info)?;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let (ready_tx, ready) = oneshot::channel();
        let ended = Arc::new(Mutex::new(None));
        let driver = Driver::new(
            self.config,
            self.clock,
            request,
            command_rx,
            event_tx,
            ready_tx,
            ended.clone(),
        );
        let task = TaskGuard::from(spawn_abortable(driver.run()));
        let join_ack = match ready.await {
            Ok(result) => result?,
            Err(_) => return Err(SignalError::ConnectionLost),
        };
        let client = SignalingClient {
            inner: Arc::new(Inner {
                commands,
                join_ack,
                attendee_id: self.info.attendee_id,
                ended,
                _task: task,
            }),
        };
        Ok((client, SignalingEvents { events }))
    }
}

#[derive(Debug)]
struct Inner {
    commands: mpsc::UnboundedSender<Command>,
    join_ack: JoinAck,
    attendee_id: String,
    ended: Arc<Mutex<Option<MeetingStatus>>>,
    _task: TaskGuard,
}

/// A joined signalling session. Cheap to clone; dropping the last clone closes the socket.
///
/// ```no_run
/// # use connect_video::meeting::signal::{SignalingClient, Subscription};
/// # async fn run(client: SignalingClient) -> Result<(), connect_video::meeting::signal::SignalError> {
/// let ack = client
///     .subscribe(Subscription { sdp_offer: "v=0…".into(), send_streams: vec![], receive_stream_ids: vec![] })
///     .await?;
/// println!("answer: {}", ack.sdp_answer);
/// client.audio_control(true).await?;
/// client.leave().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SignalingClient {
    inner: Arc<Inner>,
}

impl SignalingClient {
    /// A builder for this attendee.
    pub fn builder(info: JoinInfo) -> SignalingClientBuilder {
        let mut seed = [0u8; 8];
        if crate::random::fill(&mut seed).is_err() {
            tracing::warn!("no OS randomness for the audio session id; using the clock");
            seed = SystemClock::default().now().as_millis().to_le_bytes();
        }
        SignalingClientBuilder {
            info,
            clock: Arc::new(SystemClock::default()),
            config: MachineConfig::new(u64::from_le_bytes(seed)),
        }
    }

    /// The first `JOIN_ACK` (TURN credentials, subscription limit).
    pub fn join_ack(&self) -> &JoinAck {
        &self.inner.join_ack
    }

    /// This connection's attendee id.
    pub fn attendee_id(&self) -> &str {
        &self.inner.attendee_id
    }

    /// Sends `SUBSCRIBE` and waits for its `SUBSCRIBE_ACK`. Fails with
    /// [`SignalError::ConnectionLost`] when the socket drops first: subscribe again with a
    /// fresh offer after `Reconnected`.
    pub async fn subscribe(&self, subscription: Subscription) -> Result<SubscribeAck, SignalError> {
        self.call(|reply| Command::Subscribe(subscription, reply))
            .await?
    }

    /// Mutes or unmutes (`AUDIO_CONTROL`).
    pub async fn audio_control(&self, muted: bool) -> Result<(), SignalError> {
        self.call(|reply| Command::AudioControl(muted, reply))
            .await?
    }

    /// Stops receiving these streams (`PAUSE`).
    pub async fn pause(&self, stream_ids: Vec<u32>) -> Result<(), SignalError> {
        self.call(|reply| Command::Pause(stream_ids, reply)).await?
    }

    /// Receives these streams again (`RESUME`).
    pub async fn resume(&self, stream_ids: Vec<u32>) -> Result<(), SignalError> {
        self.call(|reply| Command::Resume(stream_ids, reply))
            .await?
    }

    /// Sends a data message to the other attendees.
    pub async fn send_data_message(&self, message: DataMessage) -> Result<(), SignalError> {
        self.call(|reply| Command::DataMessage(message, reply))
            .await?
    }

    /// Leaves (`LEAVE` → `LEAVE_ACK`) and returns the status the session ended with.
    pub async fn leave(&self) -> Result<MeetingStatus, SignalError> {
        self.call(Command::Leave).await
    }

    async fn call<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, SignalError> {
        let (reply, answer) = oneshot::channel();
        if self.inner.commands.send(command(reply)).is_err() {
            return Err(self.gone());
        }
        answer.await.map_err(|_| self.gone())
    }

    fn gone(&self) -> SignalError {
        let ended = *self
            .inner
            .ended
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        ended.map_or(SignalError::ConnectionLost, SignalError::Ended)
    }
}

/// The session's events, in order.
#[derive(Debug)]
pub struct SignalingEvents {
    events: mpsc::UnboundedReceiver<SignalingEvent>,
}

impl SignalingEvents {
    /// The next event; `None` once the session is over and every event was read.
    pub async fn recv(&mut self) -> Option<SignalingEvent> {
        self.events.recv().await
    }
}

impl futures::Stream for SignalingEvents {
    type Item = SignalingEvent;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}
