//! Reconnection over loopback on a manual clock: dropped sockets, gap fill, heartbeat timeout,
//! rollover at 3540 s and the synthetic end after a 403.
#![cfg(feature = "mock")]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use connect_video::chat::{ChatEvent, ChatSession};
use connect_video::mock::SimParticipantService;
use connect_video::participant::SocketTimings;
use support::{content, manual_clock, message, pair, until};

fn message_ids(events: &[ChatEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Message(m) => Some(m.item.id.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn messages_sent_while_the_socket_is_down_arrive_once_in_order() {
    let clock = manual_clock();
    let (service, mut p) = pair(clock.clone()).await;
    p.customer.send_text("before 1").await.expect("send");
    p.agent.send_text("before 2").await.expect("send");
    message(&mut p.customer_events, "before 2").await;
    message(&mut p.agent_events, "before 2").await;

    assert_eq!(service.drop_websockets(), 2);
    until(&mut p.customer_events, |e| {
        matches!(e, ChatEvent::ConnectionLost { .. })
    })
    .await;
    until(&mut p.agent_events, |e| {
        matches!(e, ChatEvent::ConnectionLost { .. })
    })
    .await;

    // Five messages while the customer's socket is down: never pushed to it.
    let mut sent = Vec::new();
    for n in 1..=5 {
        sent.push(
            p.agent
                .send_text(&format!("during {n}"))
                .await
                .expect("REST works without the socket")
                .id,
        );
    }

    // Time passes: both re-open their sockets and fill the gap from the transcript.
    clock.advance(Duration::from_secs(3));
    let (restored, skipped) = until(&mut p.customer_events, |e| {
        matches!(e, ChatEvent::ConnectionRestored { .. })
    })
    .await;
    assert_eq!(restored, ChatEvent::ConnectionRestored { gap_filled: 5 });
    let texts: Vec<_> = skipped.iter().filter_map(content).collect();
    assert_eq!(
        texts,
        ["during 1", "during 2", "during 3", "during 4", "during 5"]
    );
    assert_eq!(message_ids(&skipped), sent);
    assert!(skipped
        .iter()
        .all(|e| matches!(e, ChatEvent::Message(m) if m.gap_filled)));

    // Live again, and nothing is delivered twice.
    p.agent.send_text("after").await.expect("send");
    let (_, more) = message(&mut p.customer_events, "after").await;
    assert!(message_ids(&more).is_empty(), "no duplicates: {more:?}");

    // The agent's side recovered its own five messages the same way.
    let (_, agent_skipped) = until(&mut p.agent_events, |e| {
        matches!(e, ChatEvent::ConnectionRestored { .. })
    })
    .await;
    assert_eq!(message_ids(&agent_skipped), sent);
}

#[tokio::test]
async fn an_unanswered_heartbeat_reconnects() {
    let clock = manual_clock();
    let service = SimParticipantService::builder()
        .clock(clock.clone())
        .start()
        .await
        .expect("service");
    let started = service.start_chat_contact("Ann").expect("chat");
    // The heartbeat and ping sent on subscription go unanswered.
    service.freeze_heartbeats(true);
    let (_customer, mut events) = ChatSession::builder(
        service.client().expect("client"),
        started.participant_token.clone(),
    )
    .allow_insecure_loopback(true)
    .connect()
    .await
    .expect("connects");
    // The history (the customer's own join) is delivered first.
    until(&mut events, |e| {
        matches!(e, ChatEvent::ParticipantJoined(_))
    })
    .await;
    clock.advance(Duration::from_secs(10));
    let (lost, _) = until(&mut events, |e| {
        matches!(e, ChatEvent::ConnectionLost { .. })
    })
    .await;
    assert!(matches!(lost, ChatEvent::ConnectionLost { reason } if reason.contains("heartbeat")));
    // Messages meanwhile are recovered once the socket is back.
    service
        .post_text(&started.contact_id, &started.participant_id, "while stale")
        .expect("post");
    service.freeze_heartbeats(false);
    clock.advance(Duration::from_secs(3));
    let (restored, skipped) = until(&mut events, |e| {
        matches!(e, ChatEvent::ConnectionRestored { .. })
    })
    .await;
    assert_eq!(
        restored,
        ChatEvent::ConnectionRestored { gap_filled: 1 },
        "{skipped:#?}"
    );
    assert_eq!(
        skipped.iter().filter_map(content).collect::<Vec<_>>(),
        ["while stale"]
    );
}

#[tokio::test]
async fn a_403_after_the_chat_ended_gives_a_synthetic_end() {
    let clock = manual_clock();
    let (service, mut p) = pair(clock.clone()).await;
    service.drop_websockets();
    until(&mut p.customer_events, |e| {
        matches!(e, ChatEvent::ConnectionLost { .. })
    })
    .await;
    service.end_chat(&p.contact_id).expect("end");
    // Past the URL's 85 s window: the re-open is refused, new details get 403.
    clock.advance(Duration::from_secs(100));
    let (ended, _) = until(&mut p.customer_events, |e| {
        matches!(e, ChatEvent::ChatEnded { .. })
    })
    .await;
    assert_eq!(ended, ChatEvent::ChatEnded { synthetic: true });
    assert!(p.customer.is_ended());
}

#[tokio::test]
async fn rollover_at_3540_seconds_loses_and_duplicates_nothing() {
    let clock = manual_clock();
    let service = SimParticipantService::builder()
        .clock(clock.clone())
        .start()
        .await
        .expect("service");
    let started = service.start_chat_contact("Ann").expect("chat");
    // Heartbeats out of the way so that only the rollover acts when time jumps.
    let timings = SocketTimings {
        heartbeat: Duration::from_secs(24 * 3600),
        ..SocketTimings::default()
    };
    let (customer, mut events) = ChatSession::builder(
        service.client().expect("client"),
        started.participant_token.clone(),
    )
    .allow_insecure_loopback(true)
    .timings(timings)
    .connect()
    .await
    .expect("connects");
    customer.send_text("one").await.expect("send");
    message(&mut events, "one").await;
    assert_eq!(service.connections_created(), 1);

    clock.advance(Duration::from_secs(3540));
    // Messages around the switch: pushed on the old socket, the new one, or gap-filled.
    customer.send_text("two").await.expect("send");
    service
        .wait_until(|s| s.connections_created() == 2 && s.subscribed_sockets(None) == 1)
        .await;
    customer.send_text("three").await.expect("send");
    let (_, skipped) = message(&mut events, "three").await;
    customer.send_text("four").await.expect("send");
    let (_, more) = message(&mut events, "four").await;
    let texts: Vec<_> = skipped
        .iter()
        .chain(more.iter())
        .filter_map(content)
        .collect();
    assert_eq!(texts, ["two"], "each message exactly once");
    let ids: HashSet<_> = message_ids(&skipped).into_iter().collect();
    assert_eq!(ids.len(), message_ids(&skipped).len());
    assert!(!skipped
        .iter()
        .any(|e| matches!(e, ChatEvent::ConnectionLost { .. })));
}
