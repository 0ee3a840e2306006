//! Shared helpers of the loopback tests.
#![allow(dead_code)]

use std::sync::Arc;

use connect_core::model::Timestamp;
use connect_core::time::ManualClock;
use connect_testkit::first_event;
use connect_video::chat::{AgentChat, ChatEvent, ChatEvents, ChatSession};
use connect_video::mock::SimParticipantService;

/// 2025-03-01T09:00:00Z.
pub const T0: i64 = 1_740_819_600_000;

pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_millis(T0)))
}

/// The next event matching `want`, skipping others; returns it and the skipped ones.
pub async fn until(
    events: &mut ChatEvents,
    mut want: impl FnMut(&ChatEvent) -> bool,
) -> (ChatEvent, Vec<ChatEvent>) {
    let mut skipped = Vec::new();
    let event = first_event!(events, |event| {
        if want(event) {
            return Some(event.clone());
        }
        skipped.push(event.clone());
        None
    });
    (event, skipped)
}

/// The next message whose content is `text`.
pub async fn message(events: &mut ChatEvents, text: &str) -> (ChatEvent, Vec<ChatEvent>) {
    until(
        events,
        |e| matches!(e, ChatEvent::Message(m) if m.item.content.as_deref() == Some(text)),
    )
    .await
}

/// The content of a message event.
pub fn content(event: &ChatEvent) -> Option<&str> {
    match event {
        ChatEvent::Message(m) => m.item.content.as_deref(),
        _ => None,
    }
}

/// A customer and an agent connected to a chat of `service`.
pub struct Pair {
    pub contact_id: String,
    pub customer: ChatSession,
    pub customer_events: ChatEvents,
    pub agent: ChatSession,
    pub agent_events: ChatEvents,
}

/// A service on a manual clock with a customer and an agent (token from the
/// `createTransport chat_token` stand-in), both connected.
pub async fn pair(clock: Arc<ManualClock>) -> (SimParticipantService, Pair) {
    let service = SimParticipantService::builder()
        .clock(clock)
        .start()
        .await
        .expect("service on loopback");
    let started = service.start_chat_contact("Ann").expect("chat started");
    let (customer, customer_events) = ChatSession::builder(
        service.client().expect("client"),
        started.participant_token.clone(),
    )
    .allow_insecure_loopback(true)
    .seed(1)
    .connect()
    .await
    .expect("customer connects");
    let token = service
        .issue_agent_token(&started.contact_id, "agent-leg-1", "jdoe")
        .expect("agent token");
    let agent_chat = AgentChat::new(&started.contact_id, "agent-leg-1")
        .connection_data(&format!(
            r#"{{"ConnectionAuthenticationToken":"{}"}}"#,
            token.expose()
        ))
        .expect("connection data");
    let (agent, agent_events) =
        ChatSession::agent_builder(service.client().expect("client"), agent_chat)
            .allow_insecure_loopback(true)
            .seed(2)
            .connect()
            .await
            .expect("agent connects");
    (
        service,
        Pair {
            contact_id: started.contact_id,
            customer,
            customer_events,
            agent,
            agent_events,
        },
    )
}
