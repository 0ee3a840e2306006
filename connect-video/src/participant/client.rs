//! [`ParticipantClient`]: the five REST operations of the Connect Participant Service (§1).

use std::sync::Arc;
use std::time::Duration;

use connect_core::model::Sensitive;
use connect_core::time::{Clock, SystemClock};
use futures::future::{select, Either};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::ChatError;
use super::model::{
    CreateParticipantConnectionRequest, CreateParticipantConnectionResponse,
    DisconnectParticipantRequest, GetTranscriptRequest, GetTranscriptResponse, SendEventRequest,
    SendEventResponse, SendMessageRequest, SendMessageResponse,
};

/// Path of `CreateParticipantConnection`.
pub const PATH_CONNECTION: &str = "/participant/connection";
/// Path of `SendMessage`.
pub const PATH_MESSAGE: &str = "/participant/message";
/// Path of `SendEvent`.
pub const PATH_EVENT: &str = "/participant/event";
/// Path of `DisconnectParticipant`.
pub const PATH_DISCONNECT: &str = "/participant/disconnect";
/// Path of `GetTranscript`.
pub const PATH_TRANSCRIPT: &str = "/participant/transcript";
/// The header carrying the participant or connection token.
pub const BEARER_HEADER: &str = "X-Amz-Bearer";

/// Default deadline of one request.
///
/// ```
/// assert_eq!(connect_video::participant::DEFAULT_REQUEST_DEADLINE.as_secs(), 10);
/// ```
pub const DEFAULT_REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// A client of the Connect Participant Service. Cheap to clone.
///
/// ```
/// use connect_video::participant::ParticipantClient;
///
/// let client = ParticipantClient::for_region("eu-west-2").unwrap();
/// assert_eq!(client.endpoint(), "https://participant.connect.eu-west-2.amazonaws.com");
/// assert!(ParticipantClient::builder("http://example.com").build().is_err());
/// ```
#[derive(Clone, Debug)]
pub struct ParticipantClient {
    http: reqwest::Client,
    endpoint: Arc<str>,
    deadline: Duration,
    clock: Arc<dyn Clock>,
}

/// Configures a [`ParticipantClient`].
///
/// ```
/// use std::time::Duration;
/// use connect_video::participant::ParticipantClient;
///
/// let client = ParticipantClient::builder("http://127.0.0.1:8080/")
///     .allow_insecure_loopback(true)
///     .request_deadline(Duration::from_secs(3))
///     .build()
///     .unwrap();
/// assert_eq!(client.endpoint(), "http://127.0.0.1:8080");
/// ```
#[derive(Debug)]
#[must_use]
pub struct ParticipantClientBuilder {
    endpoint: String,
    deadline: Duration,
    insecure_loopback: bool,
    clock: Option<Arc<dyn Clock>>,
}

impl ParticipantClientBuilder {
    /// Deadline of each request (default 10 s).
    pub fn request_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Accepts `http://` endpoints on a loopback host (simulators only).
    pub fn allow_insecure_loopback(mut self, allow: bool) -> Self {
        self.insecure_loopback = allow;
        self
    }

    /// The clock that times the deadlines (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the client: the endpoint must be `https://` (or loopback `http://` when allowed).
    pub fn build(self) -> Result<ParticipantClient, ChatError> {
        let endpoint = self.endpoint.trim_end_matches('/');
        let as_ws = if let Some(rest) = endpoint.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = endpoint.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            return Err(ChatError::Config(format!(
                "the participant endpoint `{endpoint}` is not an http(s) URL"
            )));
        };
        connect_core::ws::check_ws_url(&as_ws, self.insecure_loopback)
            .map_err(|reason| ChatError::Config(reason.replace("WebSocket", "endpoint")))?;
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| ChatError::Config(e.to_string()))?;
        Ok(ParticipantClient {
            http,
            endpoint: endpoint.into(),
            deadline: self.deadline,
            clock: self
                .clock
                .unwrap_or_else(|| Arc::new(SystemClock::default())),
        })
    }
}

impl ParticipantClient {
    /// The client of the public endpoint of `region`.
    pub fn for_region(region: &str) -> Result<Self, ChatError> {
        Self::builder(format!(
            "https://participant.connect.{region}.amazonaws.com"
        ))
        .build()
    }

    /// Starts configuring a client of `endpoint` (scheme and host, no path).
    pub fn builder(endpoint: impl Into<String>) -> ParticipantClientBuilder {
        ParticipantClientBuilder {
            endpoint: endpoint.into(),
            deadline: DEFAULT_REQUEST_DEADLINE,
            insecure_loopback: false,
            clock: None,
        }
    }

    /// The endpoint, without a trailing slash.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The clock the client times its deadlines with.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// `CreateParticipantConnection`, authenticated with the **participant** token.
    pub async fn create_participant_connection(
        &self,
        participant_token: &Sensitive,
        req: &CreateParticipantConnectionRequest,
    ) -> Result<CreateParticipantConnectionResponse, ChatError> {
        self.post(PATH_CONNECTION, participant_token, req).await
    }

    /// `SendMessage`, authenticated with the connection token.
    pub async fn send_message(
        &self,
        connection_token: &Sensitive,
        req: &SendMessageRequest,
    ) -> Result<SendMessageResponse, ChatError> {
        self.post(PATH_MESSAGE, connection_token, req).await
    }

    /// `SendEvent`, authenticated with the connection token.
    pub async fn send_event(
        &self,
        connection_token: &Sensitive,
        req: &SendEventRequest,
    ) -> Result<SendEventResponse, ChatError> {
        self.post(PATH_EVENT, connection_token, req).await
    }

    /// `GetTranscript`, one page, authenticated with the connection token.
    pub async fn get_transcript(
        &self,
        connection_token: &Sensitive,
        req: &GetTranscriptRequest,
    ) -> Result<GetTranscriptResponse, ChatError> {
        self.post(PATH_TRANSCRIPT, connection_token, req).await
    }

    /// `DisconnectParticipant`, authenticated with the connection token.
    pub async fn disconnect_participant(
        &self,
        connection_token: &Sensitive,
        req: &DisconnectParticipantRequest,
    ) -> Result<(), ChatError> {
        self.post::<_, serde_json::Value>(PATH_DISCONNECT, connection_token, req)
            .await
            .map(drop)
    }

    async fn post<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        path: &'static str,
        token: &Sensitive,
        body: &Req,
    ) -> Result<Resp, ChatError> {
        let request = self
            .http
            .post(format!("{}{path}", self.endpoint))
            .header(BEARER_HEADER, token.expose())
            .json(body)
            .send();
        let exchange = async move {
            let response = request.await.map_err(transport_error)?;
            let status = response.status().as_u16();
            let error_type = response
                .headers()
                .get("x-amzn-ErrorType")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response.bytes().await.map_err(transport_error)?;
            Ok::<_, ChatError>((status, error_type, bytes))
        };
        let sleep = self.clock.sleep(self.deadline);
        let (status, error_type, bytes) = match select(Box::pin(exchange), sleep).await {
            Either::Left((result, _)) => result?,
            Either::Right(_) => {
                tracing::debug!(path, "participant request timed out");
                return Err(ChatError::Timeout);
            }
        };
        if !(200..300).contains(&status) {
            let error = service_error(status, error_type.as_deref(), &bytes);
            tracing::debug!(path, status, %error, "participant request failed");
            return Err(error);
        }
        let text = if bytes.is_empty() { &b"{}"[..] } else { &bytes };
        serde_json::from_slice(text).map_err(|e| {
            tracing::warn!(path, error = %e, "malformed participant service response");
            ChatError::protocol(format!("{path} response"), e)
        })
    }
}

fn transport_error(error: reqwest::Error) -> ChatError {
    if error.is_timeout() {
        ChatError::Timeout
    } else {
        ChatError::Transport(error.to_string())
    }
}

/// Maps an error answer: 401/403 → [`ChatError::Auth`], others → [`ChatError::Service`] with the
/// exception name from `x-amzn-ErrorType` or the body's `__type`/`code`.
fn service_error(status: u16, error_type: Option<&str>, body: &[u8]) -> ChatError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| json.get(*n).and_then(|v| v.as_str()))
            .map(str::to_owned)
    };
    let message = field(&["Message", "message"])
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(200).collect());
    if status == 401 || status == 403 {
        return ChatError::Auth { message };
    }
    let code = error_type
        .map(str::to_owned)
        .or_else(|| field(&["__type", "code", "Code"]))
        .unwrap_or_default();
    // `Name:http://…` in the header, `namespace#Name` in bodies.
    let code = code.split(':').next().unwrap_or_default();
    let code = code.rsplit('#').next().unwrap_or_default().to_owned();
    ChatError::Service {
        status,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_are_typed() {
        let cases: [(u16, Option<&str>, &str, &str); 5] = [
            (403, None, r#"{"Message":"Access denied"}"#, "auth"),
            (401, None, "", "auth"),
            (
                429,
                Some("ThrottlingException:http://x"),
                "{}",
                "ThrottlingException",
            ),
            (
                400,
                None,
                r#"{"__type":"com.amazon#ValidationException","message":"bad"}"#,
                "ValidationException",
            ),
            (500, None, "<html>", ""),
        ];
        for (status, header, body, want) in cases {
            match service_error(status, header, body.as_bytes()) {
                ChatError::Auth { .. } => assert_eq!(want, "auth", "{status}"),
                ChatError::Service { code, .. } => assert_eq!(code, want, "{status}"),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(service_error(500, None, b"").is_retryable());
        assert!(!service_error(400, None, b"").is_retryable());
    }

    #[test]
    fn endpoints_are_checked() {
        assert!(ParticipantClient::builder("ftp://h").build().is_err());
        assert!(ParticipantClient::builder("http://127.0.0.1:1")
            .build()
            .is_err());
        assert!(ParticipantClient::builder("http://10.0.0.1:1")
            .allow_insecure_loopback(true)
            .build()
            .is_err());
        assert!(ParticipantClient::builder("https://h/").build().is_ok());
    }
}
