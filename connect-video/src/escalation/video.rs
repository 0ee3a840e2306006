//! [`VideoEscalation`]: the chat → video flow of the escalation backend (§5.1, §6.3).
//!
//! 1. At the customer's chat start the backend mints the external meeting id and the
//!    customer's external user id and issues a join ticket, returned only in the chat-start
//!    response ([`VideoEscalation::register_chat`]).
//! 2. The agent presses Start: the meeting is created with the agent as owner, the agent's and
//!    the customer's attendees are added, and the structured invitation goes out on the agent's
//!    chat ([`VideoEscalation::start`]).
//! 3. The customer's client, seeing the invitation, trades its ticket for its join data
//!    ([`VideoEscalation::customer_join_info`]).
//! 4. Either side ends: the meeting is deleted as its owner, and the agent is ready for the next
//!    contact ([`VideoEscalation::end`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use connect_core::time::{Clock, SystemClock};
use tokio::sync::mpsc;

use super::backend::MeetingBackend;
use super::error::EscalationError;
use super::event::{EndedBy, EscalationEvent, EscalationEvents};
use super::invitation::Invitation;
use super::meeting::{Attendee, Meeting};
use super::ticket::{JoinTicket, TicketBinding};
use crate::chat::ChatSession;
use crate::meeting::join::JoinInfo;
use crate::random_uuid;

/// How long a join ticket lives when the meeting never ends on its own (default 1 hour).
pub const DEFAULT_TICKET_TTL: Duration = Duration::from_secs(3600);

/// One chat's escalation.
#[derive(Debug)]
struct Escalation {
    ticket: JoinTicket,
    external_meeting_id: String,
    customer_external_user_id: String,
    started: Option<Started>,
}

/// What exists once the agent pressed Start.
#[derive(Clone, Debug)]
struct Started {
    agent_id: String,
    meeting: Meeting,
    customer: Attendee,
    customer_present: bool,
}

/// Builds a [`VideoEscalation`].
pub struct VideoEscalationBuilder {
    control: Arc<dyn MeetingBackend>,
    clock: Arc<dyn Clock>,
    ticket_ttl: Duration,
}

impl VideoEscalationBuilder {
    /// The clock tickets expire on (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// How long a join ticket lives ([`DEFAULT_TICKET_TTL`]).
    pub fn ticket_ttl(mut self, ttl: Duration) -> Self {
        self.ticket_ttl = ttl;
        self
    }

    /// The backend and its events.
    pub fn build(self) -> (VideoEscalation, EscalationEvents) {
        let (tx, rx) = mpsc::unbounded_channel();
        let backend = VideoEscalation {
            control: self.control,
            clock: self.clock,
            ticket_ttl: self.ticket_ttl,
            chats: Mutex::new(HashMap::new()),
            events: tx,
        };
        (backend, EscalationEvents { rx })
    }
}

/// The escalation backend for chat contacts: meetings owned by agents, customers admitted only
/// with their join ticket.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use connect_video::escalation::{EndedBy, MeetingBackend, VideoEscalation};
/// # async fn run(control: Arc<dyn MeetingBackend>, agent_chat: connect_video::chat::ChatSession)
/// #     -> Result<(), connect_video::escalation::EscalationError> {
/// let (backend, mut events) = VideoEscalation::builder(control).build();
/// let ticket = backend.register_chat("contact-1")?; // in the customer's chat-start response
/// let agent_join = backend.start("agent-1", "contact-1", &agent_chat).await?;
/// let customer_join = backend.customer_join_info("contact-1", &ticket)?;
/// backend.end("contact-1", EndedBy::Customer).await?;
/// # Ok(()) }
/// ```
pub struct VideoEscalation {
    control: Arc<dyn MeetingBackend>,
    clock: Arc<dyn Clock>,
    ticket_ttl: Duration,
    chats: Mutex<HashMap<String, Escalation>>,
    events: mpsc::UnboundedSender<EscalationEvent>,
}

impl VideoEscalation {
    /// A backend driving `control`.
    pub fn builder(control: Arc<dyn MeetingBackend>) -> VideoEscalationBuilder {
        VideoEscalationBuilder {
            control,
            clock: Arc::new(SystemClock::default()),
            ticket_ttl: DEFAULT_TICKET_TTL,
        }
    }

    /// At the customer's chat start: mints the meeting's and the customer's external ids and
    /// returns the join ticket's secret, for the chat-start response only.
    pub fn register_chat(&self, contact_id: &str) -> Result<String, EscalationError> {
        let external_meeting_id = uuid()?;
        let customer_external_user_id = uuid()?;
        let ttl_millis = i64::try_from(self.ticket_ttl.as_millis()).unwrap_or(i64::MAX);
        let expires_at = self.clock.now().add_millis(ttl_millis);
        let ticket = JoinTicket::issue(
            TicketBinding {
                contact_id: contact_id.to_owned(),
                external_meeting_id: external_meeting_id.clone(),
                attendee_external_user_id: customer_external_user_id.clone(),
            },
            expires_at,
        )?;
        let secret = ticket.secret().to_owned();
        self.chats().insert(
            contact_id.to_owned(),
            Escalation {
                ticket,
                external_meeting_id,
                customer_external_user_id,
                started: None,
            },
        );
        Ok(secret)
    }

    /// The agent pressed Start on `contact_id`'s chat: creates the meeting (owned by
    /// `agent_id`), the agent's and the customer's attendees, and sends the invitation on
    /// `agent_chat`. Returns the agent's join data.
    pub async fn start(
        &self,
        agent_id: &str,
        contact_id: &str,
        agent_chat: &ChatSession,
    ) -> Result<JoinInfo, EscalationError> {
        let (external_meeting_id, customer_user) = {
            let chats = self.chats();
            let chat = chats
                .get(contact_id)
                .ok_or_else(|| EscalationError::UnknownContact(contact_id.to_owned()))?;
            if chat.started.is_some() {
                return Err(EscalationError::AlreadyStarted(contact_id.to_owned()));
            }
            (
                chat.external_meeting_id.clone(),
                chat.customer_external_user_id.clone(),
            )
        };
        let meeting = self
            .control
            .create_meeting(agent_id, &external_meeting_id)
            .await?;
        self.emit(EscalationEvent::MeetingCreated {
            contact_id: contact_id.to_owned(),
            meeting_id: meeting.meeting_id.clone(),
        });
        let agent = self
            .control
            .create_attendee(agent_id, &meeting.meeting_id, &uuid()?)
            .await?;
        let customer = self
            .control
            .create_attendee(agent_id, &meeting.meeting_id, &customer_user)
            .await?;
        self.emit(EscalationEvent::CustomerAdded {
            contact_id: contact_id.to_owned(),
            attendee_id: customer.attendee_id.clone(),
        });
        let agent_join = join_info(&meeting, &agent)?;
        if let Some(chat) = self.chats().get_mut(contact_id) {
            chat.started = Some(Started {
                agent_id: agent_id.to_owned(),
                meeting,
                customer,
                customer_present: false,
            });
        }
        let invitation = Invitation::new(external_meeting_id);
        for (content_type, content) in [invitation.json_message(), invitation.text_message()] {
            agent_chat
                .send_message(content_type, &content)
                .await
                .map_err(|e| EscalationError::Chat(e.to_string()))?;
        }
        self.emit(EscalationEvent::InvitationSent {
            contact_id: contact_id.to_owned(),
        });
        Ok(agent_join)
    }

    /// The customer's join data, released only against the chat's join ticket once the
    /// meeting exists.
    pub fn customer_join_info(
        &self,
        contact_id: &str,
        ticket: &str,
    ) -> Result<JoinInfo, EscalationError> {
        let chats = self.chats();
        let chat = chats
            .get(contact_id)
            .ok_or(EscalationError::InvalidTicket)?;
        chat.ticket.redeem(ticket, self.clock.now())?;
        let started = chat.started.as_ref().ok_or(EscalationError::NotStarted)?;
        join_info(&started.meeting, &started.customer)
    }

    /// The agent's meeting reports `attendee_id` present: the first time it is the customer of
    /// `contact_id`, [`EscalationEvent::CustomerJoined`].
    pub fn attendee_present(&self, contact_id: &str, attendee_id: &str) {
        let joined = {
            let mut chats = self.chats();
            let started = chats
                .get_mut(contact_id)
                .and_then(|chat| chat.started.as_mut());
            match started {
                Some(s) if s.customer.attendee_id == attendee_id && !s.customer_present => {
                    s.customer_present = true;
                    true
                }
                _ => false,
            }
        };
        if joined {
            self.emit(EscalationEvent::CustomerJoined {
                contact_id: contact_id.to_owned(),
                attendee_id: attendee_id.to_owned(),
            });
        }
    }

    /// Ends `contact_id`'s escalation: the meeting is deleted as its owner (its join tokens
    /// die), the ticket is forgotten, and the agent is ready for the next contact.
    pub async fn end(&self, contact_id: &str, by: EndedBy) -> Result<(), EscalationError> {
        let chat = self
            .chats()
            .remove(contact_id)
            .ok_or_else(|| EscalationError::UnknownContact(contact_id.to_owned()))?;
        let Some(started) = chat.started else {
            return Ok(());
        };
        self.control
            .delete_meeting(&started.agent_id, &started.meeting.meeting_id)
            .await?;
        self.emit(EscalationEvent::EscalationEnded {
            contact_id: contact_id.to_owned(),
            by,
        });
        self.emit(EscalationEvent::AgentReady {
            agent_id: started.agent_id,
        });
        Ok(())
    }

    fn chats(&self) -> MutexGuard<'_, HashMap<String, Escalation>> {
        self.chats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn emit(&self, event: EscalationEvent) {
        tracing::info!(?event, "video escalation");
        // No receiver: the app does not watch events; the backend goes on.
        let _ = self.events.send(event);
    }
}

fn uuid() -> Result<String, EscalationError> {
    random_uuid().map_err(|e| EscalationError::Random(e.to_string()))
}

fn join_info(meeting: &Meeting, attendee: &Attendee) -> Result<JoinInfo, EscalationError> {
    JoinInfo::from_parts(meeting, attendee).map_err(|e| EscalationError::JoinData(e.to_string()))
}
