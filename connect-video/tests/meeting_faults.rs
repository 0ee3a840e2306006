//! Meeting signalling faults over loopback: dropped sockets, meeting end, deleted attendees and
//! malformed frames.
#![cfg(feature = "mock")]

mod meeting_sim;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use connect_video::meeting::signal::proto::{sdk_signal_frame::Type, SdkJoinFrame, SdkSignalFrame};
use connect_video::meeting::signal::{
    decode_frame, encode_frame, FrameError, MeetingStatus, SignalError, SignalingClient,
    SignalingEvent, SignalingRequest,
};
use meeting_sim::{
    assert_refused, attendee, join, manual_clock, muted, presence, service, until, OWNER,
};

fn ended(event: &SignalingEvent) -> Option<MeetingStatus> {
    match event {
        SignalingEvent::Ended { status } => Some(*status),
        _ => None,
    }
}

#[tokio::test]
async fn a_dropped_socket_reconnects_and_rejoins() {
    let (service, router, meeting) = service().await;
    let (a, a_info) = attendee(&service, &meeting, "agent-user");
    let (b, b_info) = attendee(&service, &meeting, "customer-1");
    let (a_client, mut a_events) = join(a_info).await.expect("A joins");
    let (_b_client, mut b_events) = join(b_info).await.expect("B joins");
    presence(&mut b_events, &a.attendee_id, true).await;

    assert!(service.drop_connection(&meeting.meeting_id, &a.attendee_id));
    let status = until(&mut a_events, |e| match e {
        SignalingEvent::Reconnecting { status } => Some(*status),
        _ => None,
    })
    .await;
    assert_eq!(status, MeetingStatus::SignalingConnectionLost);
    until(&mut a_events, |e| {
        matches!(e, SignalingEvent::JoinAck(_)).then_some(())
    })
    .await;
    until(&mut a_events, |e| {
        matches!(e, SignalingEvent::Reconnected).then_some(())
    })
    .await;

    // B saw A drop, then come back.
    presence(&mut b_events, &a.attendee_id, false).await;
    presence(&mut b_events, &a.attendee_id, true).await;
    assert!(router
        .leaves
        .lock()
        .expect("lock")
        .contains(&(meeting.meeting_id.clone(), a.attendee_id.clone())));
    // The re-joined session works.
    a_client.audio_control(true).await.expect("joined again");
    muted(&mut b_events, &a.attendee_id).await;
    let present: Vec<String> = service
        .present(&meeting.meeting_id)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(present.contains(&a.attendee_id) && present.contains(&b.attendee_id));
}

#[tokio::test]
async fn meeting_end_reaches_every_client_and_kills_tokens() {
    let (service, router, meeting) = service().await;
    let (_, a_info) = attendee(&service, &meeting, "agent-user");
    let (_, b_info) = attendee(&service, &meeting, "customer-1");
    let (_a, mut a_events) = join(a_info.clone()).await.expect("A joins");
    let (_b, mut b_events) = join(b_info).await.expect("B joins");

    service
        .delete_meeting(OWNER, &meeting.meeting_id)
        .await
        .expect("the owner ends the meeting");
    assert_eq!(
        until(&mut a_events, ended).await,
        MeetingStatus::MeetingEnded
    );
    assert_eq!(
        until(&mut b_events, ended).await,
        MeetingStatus::MeetingEnded
    );
    assert_eq!(
        router.ended.lock().expect("lock").as_slice(),
        std::slice::from_ref(&meeting.meeting_id)
    );
    assert_refused(a_info).await;
}

#[tokio::test]
async fn service_side_end_is_4410_too() {
    let (service, _router, meeting) = service().await;
    let (_, info) = attendee(&service, &meeting, "customer-1");
    let (client, mut events) = join(info).await.expect("joins");
    service
        .end_meeting(&meeting.meeting_id)
        .await
        .expect("fault");
    assert_eq!(until(&mut events, ended).await, MeetingStatus::MeetingEnded);
    assert_eq!(
        client.audio_control(true).await,
        Err(SignalError::Ended(MeetingStatus::MeetingEnded))
    );
}

#[tokio::test]
async fn a_deleted_attendee_is_removed_and_its_token_rejected() {
    let (service, router, meeting) = service().await;
    let (a, a_info) = attendee(&service, &meeting, "agent-user");
    let (b, b_info) = attendee(&service, &meeting, "customer-1");
    let (_a, mut a_events) = join(a_info).await.expect("A joins");
    let (_b, mut b_events) = join(b_info.clone()).await.expect("B joins");
    presence(&mut a_events, &b.attendee_id, true).await;

    let err = service
        .delete_attendee("agent-2", &meeting.meeting_id, &b.attendee_id)
        .await
        .expect_err("a non-owner may not remove attendees");
    assert!(err.is_not_owner());
    service
        .delete_attendee(OWNER, &meeting.meeting_id, &b.attendee_id)
        .await
        .expect("the owner removes B");
    assert_eq!(
        until(&mut b_events, ended).await,
        MeetingStatus::AudioAttendeeRemoved
    );
    presence(&mut a_events, &b.attendee_id, false).await;
    assert!(router
        .leaves
        .lock()
        .expect("lock")
        .contains(&(meeting.meeting_id.clone(), b.attendee_id.clone())));
    for info in [b_info.clone(), b_info.content_share()] {
        assert_refused(info).await;
    }
    assert!(service
        .present(&meeting.meeting_id)
        .iter()
        .all(|(id, _)| *id != b.attendee_id && *id == a.attendee_id));
}

#[tokio::test]
async fn malformed_frames_get_typed_errors_and_the_socket_goes_on() {
    let (service, _router, meeting) = service().await;
    let (_, info) = attendee(&service, &meeting, "customer-1");
    let request = SignalingRequest::new(&info).expect("ws URL");
    let mut http = request.url().into_client_request().expect("request");
    http.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(&request.subprotocols().join(", ")).expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(http)
        .await
        .expect("handshake");
    ws.send(Message::binary(vec![0x07, 1, 2]))
        .await
        .expect("send");
    ws.send(Message::binary(vec![0x05, 0xff, 0xff, 0xff]))
        .await
        .expect("send");
    ws.send(Message::binary(Vec::new())).await.expect("send");
    ws.send(Message::text("hello")).await.expect("send");
    let join = SdkSignalFrame {
        timestamp_ms: 1,
        r#type: Type::Join as i32,
        join: Some(SdkJoinFrame {
            audio_session_id: Some(1),
            wants_compressed_sdp: Some(false),
            ..Default::default()
        }),
        ..Default::default()
    };
    ws.send(Message::binary(encode_frame(&join)))
        .await
        .expect("send");
    let reply = loop {
        match ws
            .next()
            .await
            .expect("a message")
            .expect("no socket error")
        {
            Message::Binary(bytes) => break decode_frame(&bytes).expect("a valid frame"),
            _ => continue,
        }
    };
    assert_eq!(reply.r#type, Type::JoinAck as i32, "the socket still works");
    let rejected = service.rejected_frames();
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    assert_eq!(rejected[0], FrameError::BadTypeByte(0x07));
    assert!(matches!(rejected[1], FrameError::BadProtobuf(_)));
    assert_eq!(rejected[2], FrameError::Empty);
    assert_eq!(rejected[3], FrameError::Text(5));
}

#[tokio::test]
async fn a_request_without_the_session_subprotocol_is_refused() {
    let (service, _router, meeting) = service().await;
    let (_, info) = attendee(&service, &meeting, "customer-1");
    let request = SignalingRequest::new(&info).expect("ws URL");
    assert!(tokio_tungstenite::connect_async(request.url())
        .await
        .is_err());
}

#[tokio::test]
async fn no_join_ack_within_15_s_closes_the_socket_and_joins_again() {
    let (service, _router, meeting) = service().await;
    let (a, info) = attendee(&service, &meeting, "customer-1");
    service.set_delay(Duration::from_secs(3600));
    let clock = manual_clock();
    let connecting = tokio::spawn(
        SignalingClient::builder(info)
            .clock(clock.clone())
            .connect(),
    );
    service
        .wait_until_present(&meeting.meeting_id, &a.attendee_id, true)
        .await;
    service.set_delay(Duration::ZERO);
    clock.advance(Duration::from_millis(14_999));
    tokio::task::yield_now().await;
    assert!(!connecting.is_finished(), "still waiting for JOIN_ACK");
    clock.advance(Duration::from_millis(1));
    let (_client, mut events) = connecting
        .await
        .expect("task")
        .expect("joined on a new socket");
    assert_eq!(
        events.recv().await,
        Some(SignalingEvent::Reconnecting {
            status: MeetingStatus::SignalingConnectionTimeout
        })
    );
    assert!(matches!(
        events.recv().await,
        Some(SignalingEvent::JoinAck(_))
    ));
}
