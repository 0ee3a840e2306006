//! The chat that escalates: a customer starts a chat on the simulated participant service, the
//! agent accepts it over CTI and joins with its snapshot's `connectionData`, and they exchange
//! messages both ways.

use connect_core::api::{AcceptContactRequest, CtiApi, GetAgentSnapshotRequest};
use connect_core::mock::{ContactSpec, SimInstance};
use connect_video::chat::{AgentChat, ChatEvent, ChatEvents, ChatSession};
use connect_video::mock::SimParticipantService;

use super::{failed, DemoError};

/// Both ends of one chat.
pub struct ChatLeg {
    /// The chat contact.
    pub contact_id: String,
    /// The customer's session.
    pub customer: ChatSession,
    /// The customer's events.
    pub customer_events: ChatEvents,
    /// The agent's session.
    pub agent: ChatSession,
    /// The agent's events.
    pub agent_events: ChatEvents,
}

impl ChatLeg {
    /// The customer `name` starts a chat that agent `login` accepts and joins.
    pub async fn start(
        sim: &SimInstance,
        chats: &SimParticipantService,
        login: &str,
        name: &str,
    ) -> Result<Self, DemoError> {
        let client = || {
            chats
                .client()
                .map_err(|e| failed("chat client")(e.to_string()))
        };
        let started = chats
            .start_chat(ContactSpec::chat(name).to_agent(login), name)
            .map_err(|e| failed("StartChatContact")(e.to_string()))?;
        let (customer, customer_events) =
            ChatSession::builder(client()?, started.participant_token.clone())
                .allow_insecure_loopback(true)
                .connect()
                .await
                .map_err(|e| failed("customer connects")(e.to_string()))?;
        let cti = sim
            .client(login)
            .map_err(|e| failed("agent CTI")(e.to_string()))?;
        cti.accept_contact(AcceptContactRequest::new(&started.contact_id))
            .await
            .map_err(|e| failed("accept the chat")(e.to_string()))?;
        let snapshot = cti
            .get_agent_snapshot(GetAgentSnapshotRequest::default())
            .await
            .map_err(|e| failed("snapshot")(e.to_string()))?
            .snapshot;
        let contact = snapshot
            .contacts
            .iter()
            .find(|c| c.contact_id == started.contact_id)
            .ok_or_else(|| failed("the chat is the agent's")(started.contact_id.clone()))?;
        let agent_chat = AgentChat::from_contact(contact)
            .map_err(|e| failed("agent chat token")(e.to_string()))?;
        let (agent, agent_events) = ChatSession::agent_builder(client()?, agent_chat)
            .allow_insecure_loopback(true)
            .connect()
            .await
            .map_err(|e| failed("agent connects")(e.to_string()))?;
        Ok(Self {
            contact_id: started.contact_id,
            customer,
            customer_events,
            agent,
            agent_events,
        })
    }

    /// Customer and agent take turns sending `turns` lines each; returns how many reached the
    /// other side (each awaited before the next is sent).
    pub async fn converse(&mut self, turns: usize) -> Result<u32, DemoError> {
        let mut delivered = 0;
        for turn in 0..turns {
            let question = format!("Customer line {turn}: my order has not arrived");
            self.customer
                .send_text(&question)
                .await
                .map_err(|e| failed("customer sends")(e.to_string()))?;
            delivered += u32::from(next_text(&mut self.agent_events, &question).await);
            let answer = format!("Agent line {turn}: let me check that for you");
            self.agent
                .send_text(&answer)
                .await
                .map_err(|e| failed("agent sends")(e.to_string()))?;
            delivered += u32::from(next_text(&mut self.customer_events, &answer).await);
        }
        Ok(delivered)
    }
}

/// Waits for the message `text`; false if the session stopped first.
async fn next_text(events: &mut ChatEvents, text: &str) -> bool {
    while let Some(event) = events.recv().await {
        if let ChatEvent::Message(message) = event {
            if message.item.content.as_deref() == Some(text) {
                return true;
            }
        }
    }
    false
}
