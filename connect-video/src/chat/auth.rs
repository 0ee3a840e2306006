//! Where a chat participant's token comes from: a customer's `ParticipantToken`, or the agent's
//! `connectionData` / a fresh `createTransport chat_token` (§3).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use connect_core::api::{CreateTransportRequest, CtiApi};
use connect_core::model::{Contact, Sensitive};
use serde_json::Value;

use crate::participant::ChatError;

/// The agent's side of a chat contact: its ids, the initial token from `connectionData` and,
/// optionally, the CTI client that issues fresh tokens.
///
/// ```
/// use connect_video::chat::AgentChat;
///
/// let agent = AgentChat::new("contact-1", "agent-leg-1")
///     .connection_data(r#"{"ConnectionAuthenticationToken":"pt-1"}"#)
///     .unwrap();
/// assert_eq!(agent.contact_id(), "contact-1");
/// assert!(format!("{agent:?}").contains("contact-1"));
/// assert!(!format!("{agent:?}").contains("pt-1"));
/// ```
#[derive(Clone)]
pub struct AgentChat {
    contact_id: String,
    participant_id: String,
    initial_token: Option<Sensitive>,
    cti: Option<Arc<dyn CtiApi>>,
}

impl fmt::Debug for AgentChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentChat")
            .field("contact_id", &self.contact_id)
            .field("participant_id", &self.participant_id)
            .field("has_initial_token", &self.initial_token.is_some())
            .field("has_cti", &self.cti.is_some())
            .finish()
    }
}

impl AgentChat {
    /// The agent's leg `participant_id` (its connection id) of chat `contact_id`.
    pub fn new(contact_id: impl Into<String>, participant_id: impl Into<String>) -> Self {
        Self {
            contact_id: contact_id.into(),
            participant_id: participant_id.into(),
            initial_token: None,
            cti: None,
        }
    }

    /// The agent's chat from a contact of the agent snapshot: the agent connection's id and the
    /// token inside its `chatMediaInfo.connectionData`, when present.
    pub fn from_contact(contact: &Contact) -> Result<Self, ChatError> {
        let leg = contact
            .agent_connection()
            .ok_or_else(|| ChatError::Config("the contact has no agent connection".into()))?;
        let chat = Self::new(contact.contact_id.clone(), leg.connection_id.clone());
        match leg
            .chat_media_info
            .as_ref()
            .and_then(|m| m.connection_data.as_ref())
        {
            Some(data) => chat.connection_data(data.expose()),
            None => Ok(chat),
        }
    }

    /// Takes the initial participant token from `connectionData` (a JSON string holding
    /// `ConnectionAuthenticationToken`).
    pub fn connection_data(mut self, connection_data: &str) -> Result<Self, ChatError> {
        let value: Value = serde_json::from_str(connection_data)
            .map_err(|e| ChatError::protocol("connectionData", e))?;
        let token = value
            .get("ConnectionAuthenticationToken")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ChatError::protocol("connectionData", "no ConnectionAuthenticationToken")
            })?;
        self.initial_token = Some(Sensitive::new(token));
        Ok(self)
    }

    /// Issues fresh participant tokens with `createTransport chat_token` when the initial one
    /// is missing or refused.
    pub fn cti(mut self, cti: Arc<dyn CtiApi>) -> Self {
        self.cti = Some(cti);
        self
    }

    /// The contact.
    pub fn contact_id(&self) -> &str {
        &self.contact_id
    }

    /// The agent's participant (connection) id.
    pub fn participant_id(&self) -> &str {
        &self.participant_id
    }

    async fn fresh_token(&self) -> Result<Sensitive, ChatError> {
        let cti = self.cti.as_ref().ok_or_else(|| {
            ChatError::Config("no participant token and no CTI client to fetch one".into())
        })?;
        let response = cti
            .create_transport(CreateTransportRequest::chat_token(
                &self.contact_id,
                &self.participant_id,
            ))
            .await
            .map_err(|e| {
                if e.is_auth() {
                    ChatError::Auth {
                        message: e.to_string(),
                    }
                } else if e.is_retryable() {
                    ChatError::Transport(e.to_string())
                } else {
                    ChatError::Service {
                        status: 400,
                        code: "createTransport".into(),
                        message: e.to_string(),
                    }
                }
            })?;
        response
            .chat_token_transport
            .map(|t| t.participant_token)
            .ok_or_else(|| ChatError::protocol("createTransport", "no chatTokenTransport"))
    }
}

/// The participant token of a session, renewed for agents.
#[derive(Debug)]
pub(crate) struct ParticipantAuth {
    agent: Option<AgentChat>,
    token: Mutex<Option<Sensitive>>,
}

impl ParticipantAuth {
    pub(crate) fn customer(token: Sensitive) -> Self {
        Self {
            agent: None,
            token: Mutex::new(Some(token)),
        }
    }

    pub(crate) fn agent(agent: AgentChat) -> Self {
        Self {
            token: Mutex::new(agent.initial_token.clone()),
            agent: Some(agent),
        }
    }

    pub(crate) fn is_agent(&self) -> bool {
        self.agent.is_some()
    }

    /// Whether a refused token can be replaced by a fresh one.
    pub(crate) fn can_refresh(&self) -> bool {
        self.agent.as_ref().is_some_and(|a| a.cti.is_some())
    }

    /// The current token, fetching one first when there is none (agents).
    pub(crate) async fn token(&self) -> Result<Sensitive, ChatError> {
        let current = self
            .token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match current {
            Some(token) => Ok(token),
            None => self.refresh().await,
        }
    }

    /// Replaces the token with a fresh one (agents with a CTI client only).
    pub(crate) async fn refresh(&self) -> Result<Sensitive, ChatError> {
        let agent = self
            .agent
            .as_ref()
            .ok_or_else(|| ChatError::Config("a customer token cannot be renewed".into()))?;
        let token = agent.fresh_token().await?;
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
        Ok(token)
    }
}
