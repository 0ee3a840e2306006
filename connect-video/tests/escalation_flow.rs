//! The chat → video escalation backend end to end over loopback (spec §5.1, §6.3): a customer
//! chat, the agent's Start (meeting owned by the agent, customer attendee, the structured
//! invitation on the chat), the customer trading its join ticket for its join data, and the
//! end (meeting deleted, tokens dead, agent ready).
#![cfg(feature = "mock")]

mod support;

use std::sync::Arc;

use connect_video::escalation::{
    EndedBy, EscalationError, EscalationEvent, Invitation, MeetingBackend, VideoEscalation,
};
use connect_video::mock::meeting::sfu::SfuRouter;
use connect_video::mock::meeting::SimMeetingService;
use support::{manual_clock, pair};

const AGENT: &str = "agent-1";

#[tokio::test]
async fn a_chat_escalates_to_a_meeting_only_the_ticket_holder_joins() {
    let clock = manual_clock();
    let (_participants, mut chat) = pair(clock.clone()).await;
    let meetings = Arc::new(
        SimMeetingService::builder(Arc::new(SfuRouter::new()))
            .start()
            .await
            .expect("meeting service"),
    );
    let (backend, mut events) =
        VideoEscalation::builder(Arc::clone(&meetings) as Arc<dyn MeetingBackend>)
            .clock(clock.clone())
            .build();

    // Chat start: the ticket goes only to the customer.
    let ticket = backend.register_chat(&chat.contact_id).expect("ticket");
    assert_eq!(ticket.len(), 64);
    assert_eq!(
        backend.customer_join_info(&chat.contact_id, &ticket).err(),
        Some(EscalationError::NotStarted),
        "no join data before the agent starts"
    );

    // The agent presses Start.
    let agent_join = backend
        .start(AGENT, &chat.contact_id, &chat.agent)
        .await
        .expect("started");
    let meeting_id = agent_join.meeting_id.clone();
    let mut steps = Vec::new();
    while let Some(event) = events.try_recv() {
        steps.push(event);
    }
    assert!(
        matches!(&steps[0], EscalationEvent::MeetingCreated { meeting_id: m, .. } if *m == meeting_id)
    );
    let customer_attendee = match &steps[1] {
        EscalationEvent::CustomerAdded { attendee_id, .. } => attendee_id.clone(),
        other => panic!("expected CustomerAdded, got {other:?}"),
    };
    assert!(matches!(steps[2], EscalationEvent::InvitationSent { .. }));
    assert_eq!(
        backend
            .start(AGENT, &chat.contact_id, &chat.agent)
            .await
            .err(),
        Some(EscalationError::AlreadyStarted(chat.contact_id.clone()))
    );

    // The customer sees the structured invitation (and a plain line for other clients).
    let (event, _) = support::until(&mut chat.customer_events, |event| {
        support::content(event)
            .and_then(Invitation::parse)
            .is_some()
    })
    .await;
    let invitation = support::content(&event)
        .and_then(Invitation::parse)
        .expect("an invitation");
    let meeting = meetings.meeting(&meeting_id).expect("meeting exists");
    assert_eq!(
        Some(invitation.external_meeting_id),
        meeting.external_meeting_id
    );

    // Join data only against the ticket.
    assert_eq!(
        backend
            .customer_join_info(&chat.contact_id, "0".repeat(64).as_str())
            .err(),
        Some(EscalationError::InvalidTicket)
    );
    assert_eq!(
        backend.customer_join_info("another-contact", &ticket).err(),
        Some(EscalationError::InvalidTicket)
    );
    let customer_join = backend
        .customer_join_info(&chat.contact_id, &ticket)
        .expect("join data");
    assert_eq!(customer_join.meeting_id, meeting_id);
    assert_eq!(customer_join.attendee_id, customer_attendee);
    assert_ne!(customer_join.attendee_id, agent_join.attendee_id);

    // Only the owner adds attendees.
    assert_eq!(
        MeetingBackend::create_attendee(&*meetings, "agent-2", &meeting_id, "intruder")
            .await
            .err(),
        Some(EscalationError::NotOwner)
    );

    // The agent's meeting sees the customer: reported once.
    backend.attendee_present(&chat.contact_id, &agent_join.attendee_id);
    backend.attendee_present(&chat.contact_id, &customer_attendee);
    backend.attendee_present(&chat.contact_id, &customer_attendee);
    assert_eq!(
        events.try_recv(),
        Some(EscalationEvent::CustomerJoined {
            contact_id: chat.contact_id.clone(),
            attendee_id: customer_attendee.clone()
        })
    );
    assert_eq!(events.try_recv(), None);

    // The customer ends: the meeting is gone, the ticket is dead, the agent is ready.
    backend
        .end(&chat.contact_id, EndedBy::Customer)
        .await
        .expect("ended");
    assert_eq!(
        events.try_recv(),
        Some(EscalationEvent::EscalationEnded {
            contact_id: chat.contact_id.clone(),
            by: EndedBy::Customer
        })
    );
    assert_eq!(
        events.try_recv(),
        Some(EscalationEvent::AgentReady {
            agent_id: AGENT.into()
        })
    );
    assert!(meetings.meeting(&meeting_id).is_none());
    assert_eq!(
        backend.customer_join_info(&chat.contact_id, &ticket).err(),
        Some(EscalationError::InvalidTicket)
    );
}

#[tokio::test]
async fn a_ticket_expires() {
    let clock = manual_clock();
    let (_participants, chat) = pair(clock.clone()).await;
    let meetings = Arc::new(
        SimMeetingService::builder(Arc::new(SfuRouter::new()))
            .start()
            .await
            .expect("meeting service"),
    );
    let (backend, _events) = VideoEscalation::builder(meetings as Arc<dyn MeetingBackend>)
        .clock(clock.clone())
        .ticket_ttl(std::time::Duration::from_secs(600))
        .build();
    let ticket = backend.register_chat(&chat.contact_id).expect("ticket");
    backend
        .start(AGENT, &chat.contact_id, &chat.agent)
        .await
        .expect("started");
    assert!(backend
        .customer_join_info(&chat.contact_id, &ticket)
        .is_ok());
    clock.advance(std::time::Duration::from_secs(600));
    assert_eq!(
        backend.customer_join_info(&chat.contact_id, &ticket).err(),
        Some(EscalationError::InvalidTicket)
    );
}
