//! Meeting signalling over loopback: real WebSockets between `SignalingClient`s and the
//! `SimMeetingService`, with a recording media router.
#![cfg(feature = "mock")]

mod meeting_sim;

use connect_video::meeting::signal::{
    DataMessage, MediaType, MeetingStatus, SignalError, SignalingEvent, Subscription,
};
use meeting_sim::{
    assert_refused, attendee, canned_answer, join, muted, presence, send_streams, service, until,
    OWNER,
};

#[tokio::test]
async fn join_with_a_valid_token_gets_turn_credentials_and_presence() {
    let (service, _router, meeting) = service().await;
    let (a, info) = attendee(&service, &meeting, "customer-1");
    let (client, mut events) = join(info).await.expect("valid token joins");
    let turn = client.join_ack().turn.clone().expect("TURN credentials");
    assert_eq!(turn.uris, ["turn:127.0.0.1:3478?transport=udp"]);
    assert_eq!(turn.username, "1740819600:sim");
    assert_eq!(turn.password.expose(), "turn-password");
    assert_eq!(client.join_ack().video_subscription_limit, 25);
    assert!(!format!("{:?}", client.join_ack()).contains("turn-password"));
    assert!(matches!(
        events.recv().await,
        Some(SignalingEvent::JoinAck(_))
    ));
    presence(&mut events, &a.attendee_id, true).await;
    assert_eq!(
        service.present(&meeting.meeting_id),
        [(a.attendee_id.clone(), false)]
    );
}

#[tokio::test]
async fn a_bad_token_is_rejected() {
    let (service, _router, meeting) = service().await;
    let (_, mut info) = attendee(&service, &meeting, "customer-1");
    info.join_token = "not-a-token".into();
    assert_refused(info).await;
}

#[tokio::test]
async fn only_the_owner_adds_attendees_or_ends_the_meeting() {
    let (service, router, meeting) = service().await;
    let id = &meeting.meeting_id;
    let err = service
        .create_attendee("agent-2", id, "customer-1")
        .expect_err("a non-owner may not add attendees");
    assert!(err.is_not_owner());
    let err = service
        .delete_meeting("agent-2", id)
        .await
        .expect_err("a non-owner may not end the meeting");
    assert!(err.is_not_owner());
    assert!(service.meeting(id).is_some(), "the meeting lives on");
    assert!(router.ended.lock().expect("lock").is_empty());
    service
        .create_attendee(OWNER, id, "customer-1")
        .expect("the owner may");
}

#[tokio::test]
async fn subscribe_gets_the_router_answer_and_index_reaches_the_others() {
    let (service, router, meeting) = service().await;
    let (_, a_info) = attendee(&service, &meeting, "agent-user");
    let (b, b_info) = attendee(&service, &meeting, "customer-1");
    let (a_client, mut a_events) = join(a_info).await.expect("A joins");
    let (b_client, _b_events) = join(b_info).await.expect("B joins");
    presence(&mut a_events, &b.attendee_id, true).await;

    let ack = b_client
        .subscribe(Subscription {
            sdp_offer: "v=0\r\ns=B offer\r\n".into(),
            send_streams: send_streams(true),
            receive_stream_ids: vec![],
        })
        .await
        .expect("subscribed");
    assert_eq!(ack.sdp_answer, canned_answer(&b.attendee_id));
    assert_eq!(ack.allocations.len(), 2);

    let recorded = router.subscribes.lock().expect("lock").clone();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].meeting_id, meeting.meeting_id);
    assert_eq!(recorded[0].attendee_id, b.attendee_id);
    assert_eq!(recorded[0].offer_sdp, "v=0\r\ns=B offer\r\n");
    assert_eq!(recorded[0].send_streams.len(), 2);

    let video = until(&mut a_events, |e| match e {
        SignalingEvent::Index(index) => index
            .sources
            .iter()
            .find(|s| s.media == Some(MediaType::Video))
            .cloned(),
        _ => None,
    })
    .await;
    assert_eq!(video.attendee_id, b.attendee_id);
    assert_eq!(video.external_user_id.as_deref(), Some("customer-1"));
    let allocated = ack
        .allocations
        .iter()
        .find(|al| al.track_label == "1")
        .expect("video allocation");
    assert_eq!(video.stream_id, allocated.stream_id);

    // A subscribes to B's video: the router binds it and the ack maps the track.
    let ack = a_client
        .subscribe(Subscription {
            sdp_offer: "v=0\r\ns=A offer\r\n".into(),
            send_streams: send_streams(false),
            receive_stream_ids: vec![video.stream_id],
        })
        .await
        .expect("A subscribed");
    assert_eq!(ack.tracks.len(), 1);
    assert_eq!(ack.tracks[0].stream_id, video.stream_id);
    let last = router.subscribes.lock().expect("lock").clone();
    assert_eq!(last[1].receive_stream_ids, [video.stream_id]);
}

#[tokio::test]
async fn a_router_refusal_is_a_typed_error() {
    let (service, _router, meeting) = service().await;
    let (_, info) = attendee(&service, &meeting, "customer-1");
    let (client, mut events) = join(info).await.expect("joins");
    let err = client
        .subscribe(Subscription {
            sdp_offer: String::new(),
            send_streams: send_streams(false),
            receive_stream_ids: vec![],
        })
        .await
        .expect_err("the router refuses an empty offer");
    assert!(
        matches!(err, SignalError::Ended(MeetingStatus::SignalingBadRequest)),
        "{err:?}"
    );
    until(&mut events, |e| match e {
        SignalingEvent::Ended { status } => Some(*status),
        _ => None,
    })
    .await;
}

#[tokio::test]
async fn content_share_attendee_is_a_source_and_present() {
    let (service, router, meeting) = service().await;
    let (a, a_info) = attendee(&service, &meeting, "agent-user");
    let (_, b_info) = attendee(&service, &meeting, "customer-1");
    let (_b_client, mut b_events) = join(b_info).await.expect("B joins");
    let (_a_client, _a_events) = join(a_info.clone()).await.expect("A joins");
    let content_id = format!("{}#content", a.attendee_id);
    let (content, _content_events) = join(a_info.content_share())
        .await
        .expect("the #content token joins");
    presence(&mut b_events, &content_id, true).await;
    content
        .subscribe(Subscription {
            sdp_offer: "v=0\r\ns=content\r\n".into(),
            send_streams: send_streams(true).split_off(1),
            receive_stream_ids: vec![],
        })
        .await
        .expect("content subscribed");
    let source = until(&mut b_events, |e| match e {
        SignalingEvent::Index(index) => index
            .sources
            .iter()
            .find(|s| s.attendee_id == content_id)
            .cloned(),
        _ => None,
    })
    .await;
    assert_eq!(source.media, Some(MediaType::Video));
    let recorded = router.subscribes.lock().expect("lock").clone();
    assert_eq!(recorded[0].attendee_id, content_id);
}

#[tokio::test]
async fn mute_data_messages_pause_and_leave() {
    let (service, router, meeting) = service().await;
    let (a, a_info) = attendee(&service, &meeting, "agent-user");
    let (b, b_info) = attendee(&service, &meeting, "customer-1");
    let (a_client, mut a_events) = join(a_info).await.expect("A joins");
    let (b_client, mut b_events) = join(b_info).await.expect("B joins");
    presence(&mut a_events, &b.attendee_id, true).await;
    presence(&mut b_events, &a.attendee_id, true).await;

    a_client.audio_control(true).await.expect("mute");
    muted(&mut b_events, &a.attendee_id).await;

    a_client.pause(vec![7, 8]).await.expect("pause");
    a_client.resume(vec![8]).await.expect("resume");
    let message = DataMessage::new(
        "AMAZON_CONNECT_SCREEN_SHARING",
        br#"{"message":"ScreenSharingStarted"}"#.to_vec(),
    );
    a_client.send_data_message(message).await.expect("send");
    let received = until(&mut b_events, |e| match e {
        SignalingEvent::DataMessage(m) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!(received.topic, "AMAZON_CONNECT_SCREEN_SHARING");
    assert_eq!(
        received.sender_attendee_id.as_deref(),
        Some(a.attendee_id.as_str())
    );
    assert_eq!(
        received.sender_external_user_id.as_deref(),
        Some("agent-user")
    );
    // The server handles A's frames in order: the pause came before the data message.
    assert_eq!(
        service.paused_streams(&meeting.meeting_id, &a.attendee_id),
        [7]
    );
    assert!(service
        .present(&meeting.meeting_id)
        .contains(&(a.attendee_id.clone(), true)));
    assert!(matches!(
        a_client
            .send_data_message(DataMessage::new("no spaces", vec![]))
            .await,
        Err(SignalError::InvalidDataMessage(_))
    ));

    assert_eq!(b_client.leave().await, Ok(MeetingStatus::Left));
    presence(&mut a_events, &b.attendee_id, false).await;
    assert!(router
        .leaves
        .lock()
        .expect("lock")
        .contains(&(meeting.meeting_id.clone(), b.attendee_id.clone())));
    assert!(matches!(
        b_client.audio_control(false).await,
        Err(SignalError::Ended(MeetingStatus::Left))
    ));
}
