//! Malformed frames and bodies from the network: typed errors, no crash, the session goes on.
#![cfg(feature = "mock")]

mod support;

use connect_video::chat::{ChatEvent, ChatSession};
use connect_video::mock::SimParticipantService;
use connect_video::participant::{ChatError, GetTranscriptRequest, PATH_MESSAGE, PATH_TRANSCRIPT};
use support::{manual_clock, message, pair, until};

#[tokio::test]
async fn malformed_frames_are_reported_and_the_session_goes_on() {
    let (service, mut p) = pair(manual_clock()).await;
    let frames = [
        "this is not json",
        "[1,2,3]",
        r#"{"topic":"aws/chat","content":{"Id":"not-a-string-content"}}"#,
        r#"{"topic":"aws/chat","content":"{\"Id\":42}"}"#,
        r#"{"topic":"aws/chat","content":"{\"Id\":\"x\"}"}"#,
        r#"{"no":"topic"}"#,
    ];
    for frame in frames {
        assert_eq!(service.inject_frame(&p.contact_id, frame), 2, "{frame}");
        let (error, _) = until(&mut p.customer_events, |e| matches!(e, ChatEvent::Error(_))).await;
        assert!(
            matches!(error, ChatEvent::Error(e) if e.is_protocol()),
            "{frame}"
        );
    }
    // Unknown topics and error frames are only logged.
    service.inject_frame(&p.contact_id, r#"{"topic":"aws/unknown","content":{}}"#);
    service.inject_frame(
        &p.contact_id,
        r#"{"message":"Internal error","requestId":"r-1"}"#,
    );

    p.agent.send_text("still talking").await.expect("send");
    let (_, skipped) = message(&mut p.customer_events, "still talking").await;
    assert!(
        skipped.iter().all(|e| matches!(e, ChatEvent::Error(_))),
        "nothing but the reported errors: {skipped:?}"
    );
}

#[tokio::test]
async fn malformed_response_bodies_are_typed_errors() {
    let (service, mut p) = pair(manual_clock()).await;
    service.corrupt_responses(PATH_MESSAGE, 1);
    let error = p
        .customer
        .send_text("first try")
        .await
        .expect_err("corrupt body");
    assert!(error.is_protocol(), "{error:?}");
    p.customer
        .send_text("second try")
        .await
        .expect("the next send works");
    message(&mut p.agent_events, "second try").await;

    service.corrupt_responses(PATH_TRANSCRIPT, 1);
    let error = p
        .customer
        .get_transcript(&GetTranscriptRequest::latest(10))
        .await
        .expect_err("corrupt transcript");
    assert!(error.is_protocol());
    assert!(p
        .customer
        .get_transcript(&GetTranscriptRequest::latest(10))
        .await
        .is_ok());
}

#[tokio::test]
async fn local_checks_and_refused_tokens() {
    let clock = manual_clock();
    let service = SimParticipantService::builder()
        .clock(clock)
        .start()
        .await
        .expect("service");
    // A refused token on the first connection is an auth error.
    let refused = ChatSession::builder(service.client().expect("client"), "not-a-token")
        .allow_insecure_loopback(true)
        .connect()
        .await
        .expect_err("refused");
    assert!(refused.is_auth(), "{refused:?}");

    // ws:// URLs are refused unless insecure loopback is allowed.
    let started = service.start_chat_contact("Ann").expect("chat");
    let insecure = ChatSession::builder(
        service.client().expect("client"),
        started.participant_token.clone(),
    )
    .connect()
    .await
    .expect_err("ws:// refused");
    assert!(matches!(insecure, ChatError::Config(_)), "{insecure:?}");

    let (chat, _events) = ChatSession::builder(
        service.client().expect("client"),
        started.participant_token.clone(),
    )
    .allow_insecure_loopback(true)
    .connect()
    .await
    .expect("connects");
    for (content_type, content) in [
        ("text/plain", "x".repeat(1025)),
        ("text/plain", "  ".into()),
        ("image/png", "x".into()),
    ] {
        let error = chat
            .send_message(content_type, &content)
            .await
            .expect_err("refused locally");
        assert!(matches!(error, ChatError::InvalidContent(_)), "{error:?}");
    }
    assert!(service
        .transcript(&started.contact_id)
        .iter()
        .all(|i| i.content_type.as_deref() != Some("text/plain")));
    chat.shutdown();
    assert_eq!(
        chat.send_text("after shutdown").await,
        Err(ChatError::Stopped)
    );
}
