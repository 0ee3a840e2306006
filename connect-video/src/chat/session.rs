//! [`ChatSession`]: the handle of a connected chat participant: send messages, events and
//! receipts, read the transcript, disconnect.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use connect_core::model::Sensitive;
use connect_core::time::Clock;
use futures::channel::mpsc;

use crate::participant::content::{
    check_message, MESSAGE_DELIVERED, MESSAGE_READ, TEXT_MARKDOWN, TEXT_PLAIN, TYPING,
};
use crate::participant::{
    ChatError, DisconnectParticipantRequest, GetTranscriptRequest, GetTranscriptResponse,
    ParticipantClient, SendEventRequest, SendEventResponse, SendMessageRequest,
    SendMessageResponse,
};
use crate::random::random_uuid;
use connect_core::task::TaskGuard;

use super::auth::ParticipantAuth;
use super::builder::ChatSessionBuilder;
use super::fetch::require_token;
use super::throttle::{ReceiptKind, SendThrottle};
use super::AgentChat;

/// First wait before retrying a send after a timeout or 5xx (doubled per retry).
const RETRY_BASE: Duration = Duration::from_millis(200);

/// What became of a throttled send.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SendOutcome {
    /// Sent; the service's answer.
    Sent(SendEventResponse),
    /// Not sent: an identical or too recent one went already.
    Throttled,
}

#[derive(Debug)]
struct State {
    connection_token: Option<Sensitive>,
    ended: bool,
    stopped: bool,
    throttle: SendThrottle,
}

/// What the handle and the session task share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) client: ParticipantClient,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) auth: ParticipantAuth,
    pub(crate) insecure_loopback: bool,
    send_attempts: u32,
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn new(
        client: ParticipantClient,
        clock: Arc<dyn Clock>,
        auth: ParticipantAuth,
        insecure_loopback: bool,
        send_attempts: u32,
        throttle: SendThrottle,
    ) -> Self {
        Self {
            client,
            clock,
            auth,
            insecure_loopback,
            send_attempts: send_attempts.max(1),
            state: Mutex::new(State {
                connection_token: None,
                ended: false,
                stopped: false,
                throttle,
            }),
        }
    }

    fn state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn set_connection_token(&self, token: Sensitive) {
        self.state(|s| s.connection_token = Some(token));
    }

    pub(crate) fn connection_token(&self) -> Result<Sensitive, ChatError> {
        require_token(self.state(|s| s.connection_token.clone()))
    }

    pub(crate) fn mark_ended(&self) {
        self.state(|s| s.ended = true);
    }

    pub(crate) fn mark_stopped(&self) {
        self.state(|s| s.stopped = true);
    }

    fn check_can_send(&self) -> Result<(), ChatError> {
        self.state(|s| match (s.ended, s.stopped) {
            (true, _) => Err(ChatError::Ended),
            (_, true) => Err(ChatError::Stopped),
            _ => Ok(()),
        })
    }

    /// Runs `call` with the connection token, retrying timeouts, transport errors and 5xx with
    /// the same idempotency token.
    pub(crate) async fn retrying<T, F, Fut>(&self, mut call: F) -> Result<T, ChatError>
    where
        F: FnMut(Sensitive) -> Fut,
        Fut: Future<Output = Result<T, ChatError>>,
    {
        let mut attempt = 1;
        loop {
            let result = call(self.connection_token()?).await;
            match result {
                Err(error) if error.is_retryable() && attempt < self.send_attempts => {
                    tracing::debug!(%error, attempt, "retrying participant request");
                    self.clock
                        .sleep(RETRY_BASE.saturating_mul(1 << (attempt - 1).min(10)))
                        .await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// Commands from the handle to the session task.
#[derive(Debug)]
pub(crate) enum Command {
    Stop,
}

/// A connected chat participant (customer or agent). Cheap to clone; dropping the last clone
/// stops the session's task and closes its socket.
///
/// ```no_run
/// use connect_video::chat::{ChatEvent, ChatSession};
/// use connect_video::participant::ParticipantClient;
///
/// # async fn demo(participant_token: String) -> Result<(), connect_video::participant::ChatError> {
/// let client = ParticipantClient::for_region("us-east-1")?;
/// let (chat, mut events) = ChatSession::builder(client, participant_token).connect().await?;
/// chat.send_text("Hello!").await?;
/// while let Some(event) = events.recv().await {
///     if let ChatEvent::Message(m) = &event {
///         println!("{:?}: {:?}", m.item.display_name, m.item.content);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ChatSession {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    shared: Arc<Shared>,
    commands: mpsc::UnboundedSender<Command>,
    _task: TaskGuard,
}

impl ChatSession {
    /// A customer's session from its `ParticipantToken` (StartChatContact's answer).
    pub fn builder(
        client: ParticipantClient,
        participant_token: impl Into<Sensitive>,
    ) -> ChatSessionBuilder {
        ChatSessionBuilder::new(client, ParticipantAuth::customer(participant_token.into()))
    }

    /// An agent's session of a chat contact.
    pub fn agent_builder(client: ParticipantClient, agent: AgentChat) -> ChatSessionBuilder {
        ChatSessionBuilder::new(client, ParticipantAuth::agent(agent))
    }

    pub(crate) fn from_parts(
        shared: Arc<Shared>,
        commands: mpsc::UnboundedSender<Command>,
        task: TaskGuard,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                shared,
                commands,
                _task: task,
            }),
        }
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// Whether the chat has ended or this participant disconnected.
    pub fn is_ended(&self) -> bool {
        self.shared().state(|s| s.ended)
    }

    /// Sends a `text/plain` message (≤ 1024 characters).
    pub async fn send_text(&self, text: &str) -> Result<SendMessageResponse, ChatError> {
        self.send_message(TEXT_PLAIN, text).await
    }

    /// Sends a `text/markdown` message (≤ 1024 characters).
    pub async fn send_markdown(&self, text: &str) -> Result<SendMessageResponse, ChatError> {
        self.send_message(TEXT_MARKDOWN, text).await
    }

    /// Sends a message of `content_type` after checking its length locally; retried after a
    /// timeout or 5xx with the same `ClientToken`.
    pub async fn send_message(
        &self,
        content_type: &str,
        content: &str,
    ) -> Result<SendMessageResponse, ChatError> {
        self.shared().check_can_send()?;
        check_message(content_type, content)?;
        let request = SendMessageRequest {
            content_type: content_type.to_owned(),
            content: content.to_owned(),
            client_token: client_token()?,
        };
        let (client, request) = (&self.shared().client, &request);
        self.shared()
            .retrying(|token| async move { client.send_message(&token, request).await })
            .await
    }

    /// Sends an event of `content_type` with optional JSON `content`, unthrottled.
    pub async fn send_event(
        &self,
        content_type: &str,
        content: Option<String>,
    ) -> Result<SendEventResponse, ChatError> {
        self.shared().check_can_send()?;
        let request = SendEventRequest {
            content_type: content_type.to_owned(),
            content,
            client_token: client_token()?,
        };
        let (client, request) = (&self.shared().client, &request);
        self.shared()
            .retrying(|token| async move { client.send_event(&token, request).await })
            .await
    }

    /// Sends a typing event, at most one per typing interval (default 5 s).
    pub async fn send_typing(&self) -> Result<SendOutcome, ChatError> {
        self.shared().check_can_send()?;
        let now = self.shared().clock.now();
        if !self.shared().state(|s| s.throttle.allow_typing(now)) {
            return Ok(SendOutcome::Throttled);
        }
        self.send_event(TYPING, None).await.map(SendOutcome::Sent)
    }

    /// Sends a read receipt for `message_id` (throttled, never twice for one message).
    pub async fn send_read_receipt(&self, message_id: &str) -> Result<SendOutcome, ChatError> {
        self.send_receipt(ReceiptKind::Read, message_id).await
    }

    /// Sends a delivery receipt for `message_id` (throttled, never twice for one message).
    pub async fn send_delivered_receipt(&self, message_id: &str) -> Result<SendOutcome, ChatError> {
        self.send_receipt(ReceiptKind::Delivered, message_id).await
    }

    async fn send_receipt(
        &self,
        kind: ReceiptKind,
        message_id: &str,
    ) -> Result<SendOutcome, ChatError> {
        self.shared().check_can_send()?;
        let now = self.shared().clock.now();
        if !self
            .shared()
            .state(|s| s.throttle.allow_receipt(kind, message_id, now))
        {
            return Ok(SendOutcome::Throttled);
        }
        let content_type = match kind {
            ReceiptKind::Read => MESSAGE_READ,
            ReceiptKind::Delivered => MESSAGE_DELIVERED,
        };
        let content = serde_json::json!({ "messageId": message_id }).to_string();
        self.send_event(content_type, Some(content))
            .await
            .map(SendOutcome::Sent)
    }

    /// One page of the transcript.
    pub async fn get_transcript(
        &self,
        request: &GetTranscriptRequest,
    ) -> Result<GetTranscriptResponse, ChatError> {
        if self.shared().state(|s| s.stopped) {
            return Err(ChatError::Stopped);
        }
        let client = &self.shared().client;
        self.shared()
            .retrying(|token| async move { client.get_transcript(&token, request).await })
            .await
    }

    /// Leaves the chat (`DisconnectParticipant`) and stops the session. The event stream ends.
    pub async fn disconnect(&self) -> Result<(), ChatError> {
        self.shared().check_can_send()?;
        let request = DisconnectParticipantRequest {
            client_token: client_token()?,
        };
        let (client, request) = (&self.shared().client, &request);
        self.shared()
            .retrying(|token| async move { client.disconnect_participant(&token, request).await })
            .await?;
        self.shared().mark_ended();
        let _ = self.inner.commands.unbounded_send(Command::Stop);
        Ok(())
    }

    /// Stops the session's task and closes its socket without leaving the chat.
    pub fn shutdown(&self) {
        self.shared().mark_stopped();
        let _ = self.inner.commands.unbounded_send(Command::Stop);
    }
}

fn client_token() -> Result<String, ChatError> {
    random_uuid().map_err(|e| ChatError::Config(format!("no OS randomness: {e}")))
}
