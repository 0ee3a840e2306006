//! A chat both ways over real HTTP and WebSocket on loopback: the customer starts a chat in a
//! simulated Connect instance, the agent accepts it and joins with its snapshot's
//! `connectionData`, they talk, type, read, and the agent ends the chat.
#![cfg(feature = "mock")]

mod support;

use connect_core::api::{AcceptContactRequest, CtiApi, GetAgentSnapshotRequest};
use connect_core::mock::SimInstance;
use connect_video::chat::{AgentChat, ChatEvent, ChatSession, SendOutcome};
use connect_video::mock::SimParticipantService;
use connect_video::participant::{ChatError, GetTranscriptRequest, ParticipantRole};
use support::{content, manual_clock, message, until};

#[tokio::test]
async fn customer_and_agent_talk_both_ways_over_http_and_websocket() {
    let clock = manual_clock();
    let sim = SimInstance::builder()
        .agents(1)
        .clock(clock.clone())
        .build()
        .expect("simulated instance");
    let service = SimParticipantService::builder()
        .instance(sim.clone())
        .start()
        .await
        .expect("participant service");

    // The customer starts a chat and connects.
    let started = service.start_chat_contact("Ann").expect("StartChatContact");
    let (customer, mut customer_events) = ChatSession::builder(
        service.client().expect("client"),
        started.participant_token.clone(),
    )
    .allow_insecure_loopback(true)
    .connect()
    .await
    .expect("customer connects");
    customer
        .send_text("Hello, I need help with my order")
        .await
        .expect("customer sends");

    // The agent is offered the chat, accepts it and joins with its connectionData token.
    let cti = sim.client("agent1").expect("agent CTI");
    cti.accept_contact(AcceptContactRequest::new(&started.contact_id))
        .await
        .expect("accept");
    let snapshot = cti
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await
        .expect("snapshot")
        .snapshot;
    let contact = snapshot
        .contacts
        .iter()
        .find(|c| c.contact_id == started.contact_id)
        .expect("the chat is the agent's");
    let agent_chat = AgentChat::from_contact(contact).expect("agent chat from the snapshot");
    let (agent, mut agent_events) =
        ChatSession::agent_builder(service.client().expect("client"), agent_chat)
            .allow_insecure_loopback(true)
            .connect()
            .await
            .expect("agent connects");

    // The agent sees the history (flagged), then both talk live.
    let (first, _) = message(&mut agent_events, "Hello, I need help with my order").await;
    let ChatEvent::Message(first) = first else {
        unreachable!()
    };
    assert!(first.gap_filled, "history arrives through the transcript");
    assert_eq!(first.item.participant_role, Some(ParticipantRole::Customer));
    let (joined, _) = until(&mut customer_events, |e| matches!(e, ChatEvent::ParticipantJoined(j) if j.item.participant_role == Some(ParticipantRole::Agent))).await;
    assert!(matches!(joined, ChatEvent::ParticipantJoined(_)));

    let sent = agent
        .send_text("Hi Ann, I can help. What is the order number?")
        .await
        .expect("agent sends");
    let (reply, _) = message(
        &mut customer_events,
        "Hi Ann, I can help. What is the order number?",
    )
    .await;
    let ChatEvent::Message(reply) = reply else {
        unreachable!()
    };
    assert!(!reply.gap_filled);
    assert_eq!(reply.item.id, sent.id);
    assert_eq!(reply.item.display_name.as_deref(), Some("agent1"));

    assert!(matches!(
        customer.send_read_receipt(&sent.id).await,
        Ok(SendOutcome::Sent(_))
    ));
    assert_eq!(
        customer.send_read_receipt(&sent.id).await,
        Ok(SendOutcome::Throttled)
    );
    let (read, _) = until(&mut agent_events, |e| matches!(e, ChatEvent::Read { .. })).await;
    assert!(matches!(read, ChatEvent::Read { message_id, .. } if message_id == sent.id));

    assert!(matches!(
        agent.send_typing().await,
        Ok(SendOutcome::Sent(_))
    ));
    assert_eq!(agent.send_typing().await, Ok(SendOutcome::Throttled));
    let (typing, _) = until(&mut customer_events, |e| {
        matches!(e, ChatEvent::Typing { .. })
    })
    .await;
    assert!(
        matches!(typing, ChatEvent::Typing { participant, .. } if participant.role == Some(ParticipantRole::Agent))
    );

    customer
        .send_markdown("**#12345**")
        .await
        .expect("markdown");
    message(&mut agent_events, "**#12345**").await;

    // The transcript holds the conversation in order.
    let page = customer
        .get_transcript(&GetTranscriptRequest::latest(100))
        .await
        .expect("transcript");
    let texts: Vec<_> = page
        .transcript
        .iter()
        .filter(|i| {
            i.content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("text/"))
        })
        .filter_map(|i| i.content.as_deref())
        .collect();
    assert_eq!(
        texts,
        [
            "Hello, I need help with my order",
            "Hi Ann, I can help. What is the order number?",
            "**#12345**"
        ]
    );

    // The agent leaves: the customer sees it and the chat ends; nothing more can be sent.
    agent.disconnect().await.expect("disconnect");
    assert_eq!(agent.send_text("late").await, Err(ChatError::Ended));
    let (_, skipped) = until(&mut customer_events, |e| {
        matches!(e, ChatEvent::ChatEnded { synthetic: false })
    })
    .await;
    assert!(skipped
        .iter()
        .any(|e| matches!(e, ChatEvent::ParticipantLeft(_))));
    assert!(
        customer_events.recv().await.is_none(),
        "the stream ends after ChatEnded"
    );
    assert_eq!(customer.send_text("anyone?").await, Err(ChatError::Ended));
    assert!(customer.is_ended());
    assert!(content(&ChatEvent::Message(first)).is_some());
}
