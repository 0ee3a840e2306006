//! [`EscalationEvent`]: what the escalation backend reports (§6.7).

use tokio::sync::mpsc;

/// Who ended a video escalation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedBy {
    /// The agent hung up the video call.
    Agent,
    /// The customer hung up the video call.
    Customer,
    /// The chat contact ended.
    ContactEnded,
}

/// One step of a video escalation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EscalationEvent {
    /// The agent's meeting was created (the agent owns it).
    MeetingCreated {
        /// The chat contact.
        contact_id: String,
        /// The meeting.
        meeting_id: String,
    },
    /// The customer's attendee was added.
    CustomerAdded {
        /// The chat contact.
        contact_id: String,
        /// The customer's attendee id.
        attendee_id: String,
    },
    /// The structured invitation went out on the chat.
    InvitationSent {
        /// The chat contact.
        contact_id: String,
    },
    /// The customer is present in the meeting.
    CustomerJoined {
        /// The chat contact.
        contact_id: String,
        /// The customer's attendee id.
        attendee_id: String,
    },
    /// The meeting was deleted.
    EscalationEnded {
        /// The chat contact.
        contact_id: String,
        /// Who ended it.
        by: EndedBy,
    },
    /// The agent has no meeting left and is ready for the next contact.
    AgentReady {
        /// The agent.
        agent_id: String,
    },
}

/// The stream of [`EscalationEvent`]s, in order.
#[derive(Debug)]
pub struct EscalationEvents {
    pub(super) rx: mpsc::UnboundedReceiver<EscalationEvent>,
}

impl EscalationEvents {
    /// The next event; `None` once the backend is dropped.
    pub async fn recv(&mut self) -> Option<EscalationEvent> {
        self.rx.recv().await
    }

    /// An event if one is queued.
    pub fn try_recv(&mut self) -> Option<EscalationEvent> {
        self.rx.try_recv().ok()
    }
}
