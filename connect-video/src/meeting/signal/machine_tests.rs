//! Every transition of the signalling machine, on a manual clock.

use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::{Clock, ManualClock};

use super::*;
use crate::meeting::signal::proto::{
    SdkAudioStatusFrame, SdkAudioStreamIdInfo, SdkAudioStreamIdInfoFrame, SdkDataMessagePayload,
    SdkErrorFrame, SdkIndexFrame, SdkJoinAckFrame, SdkStreamDescriptor, SdkSubscribeAckFrame,
    SdkTrackMapping, SdkTurnCredentials,
};
use crate::meeting::signal::types::SendStream;

struct Harness {
    machine: SignalingMachine,
    clock: ManualClock,
}

impl Harness {
    fn new() -> Self {
        Self {
            machine: SignalingMachine::new(MachineConfig::new(99)),
            clock: ManualClock::new(Timestamp::from_millis(1_000_000)),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn advance(&mut self, by: Duration) {
        self.clock.advance(by);
        let now = self.now();
        self.machine.handle_timeout(now);
    }

    fn drain(&mut self) -> Vec<SignalingOutput> {
        std::iter::from_fn(|| self.machine.poll_output()).collect()
    }

    fn events(&mut self) -> Vec<SignalingEvent> {
        self.drain()
            .into_iter()
            .filter_map(|o| match o {
                SignalingOutput::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    /// Starts, opens the socket and answers JOIN with JOIN_ACK.
    fn joined() -> (Self, SocketId) {
        let mut h = Self::new();
        let now = h.now();
        h.machine.start(now);
        let socket = connect_of(&h.drain());
        h.machine.on_open(socket, now);
        h.drain();
        h.machine.on_frame(socket, now, join_ack());
        h.drain();
        (h, socket)
    }

    fn frame(&mut self, socket: SocketId, frame: SdkSignalFrame) {
        let now = self.now();
        self.machine.on_frame(socket, now, frame);
    }
}

fn frame(kind: Type) -> SdkSignalFrame {
    SdkSignalFrame {
        timestamp_ms: 1,
        r#type: kind as i32,
        ..Default::default()
    }
}

fn join_ack() -> SdkSignalFrame {
    SdkSignalFrame {
        joinack: Some(SdkJoinAckFrame {
            turn_credentials: Some(SdkTurnCredentials {
                username: Some("user".into()),
                password: Some("turn-secret".into()),
                ttl: Some(300),
                uris: vec!["turn:127.0.0.1:3478?transport=udp".into()],
            }),
            video_subscription_limit: Some(16),
            wants_compressed_sdp: Some(false),
        }),
        ..frame(Type::JoinAck)
    }
}

fn connect_of(outputs: &[SignalingOutput]) -> SocketId {
    outputs
        .iter()
        .find_map(|o| match o {
            SignalingOutput::Connect(s) => Some(*s),
            _ => None,
        })
        .expect("a Connect output")
}

fn sent(outputs: &[SignalingOutput]) -> Vec<SdkSignalFrame> {
    outputs
        .iter()
        .filter_map(|o| match o {
            SignalingOutput::Send(_, f) => Some((**f).clone()),
            _ => None,
        })
        .collect()
}

fn subscription(video: bool) -> Subscription {
    let mut send_streams = vec![SendStream {
        stream_id: 1,
        group_id: 1,
        media: MediaType::Audio,
        track_label: "0".into(),
        max_bitrate_kbps: None,
    }];
    if video {
        send_streams.push(SendStream {
            stream_id: 2,
            group_id: 1,
            media: MediaType::Video,
            track_label: "1".into(),
            max_bitrate_kbps: Some(1400),
        });
    }
    Subscription {
        sdp_offer: "v=0 offer".into(),
        send_streams,
        receive_stream_ids: vec![7],
    }
}

#[test]
fn start_open_join_and_join_ack() {
    let mut h = Harness::new();
    assert_eq!(h.machine.state(), SignalingState::Idle);
    let now = h.now();
    h.machine.start(now);
    assert_eq!(h.machine.state(), SignalingState::Connecting);
    let socket = connect_of(&h.drain());
    h.machine.on_open(socket, now);
    assert_eq!(h.machine.state(), SignalingState::Joining);
    let join = sent(&h.drain()).remove(0);
    assert_eq!(join.r#type, Type::Join as i32);
    let body = join.join.expect("JOIN body");
    assert_eq!(body.wants_compressed_sdp, Some(false));
    assert_eq!(body.protocol_version, Some(2));
    assert_eq!(body.audio_session_id, Some(99));
    assert_eq!(body.max_num_of_videos, Some(25));
    h.frame(socket, join_ack());
    assert_eq!(h.machine.state(), SignalingState::Joined);
    let events = h.events();
    let [SignalingEvent::JoinAck(ack)] = events.as_slice() else {
        panic!("expected one JoinAck, got {events:?}")
    };
    assert_eq!(ack.video_subscription_limit, 16);
    let turn = ack.turn.as_ref().expect("TURN credentials");
    assert_eq!(turn.password.expose(), "turn-secret");
    assert_eq!(turn.ttl, Some(Duration::from_secs(300)));
    assert!(!format!("{ack:?}").contains("turn-secret"));
}

#[test]
fn subscribe_states_and_ack() {
    let mut h = Harness::new();
    let now = h.now();
    assert_eq!(
        h.machine.subscribe(now, &subscription(false)),
        Err(SignalError::NotJoined)
    );
    let (mut h, socket) = Harness::joined();
    let now = h.now();
    h.machine
        .subscribe(now, &subscription(true))
        .expect("joined");
    assert_eq!(h.machine.state(), SignalingState::Subscribing);
    let sub = sent(&h.drain()).remove(0).sub.expect("SUBSCRIBE body");
    assert_eq!(sub.duplex, Some(SdkStreamServiceType::Duplex as i32));
    assert_eq!(sub.sdp_offer.as_deref(), Some("v=0 offer"));
    assert_eq!(sub.receive_stream_ids, [7]);
    assert_eq!(sub.send_streams.len(), 2);
    assert_eq!(
        h.machine.subscribe(now, &subscription(false)),
        Err(SignalError::SubscribeInProgress)
    );
    let ack = SdkSignalFrame {
        suback: Some(SdkSubscribeAckFrame {
            sdp_answer: Some("v=0 answer".into()),
            tracks: vec![SdkTrackMapping {
                stream_id: Some(7),
                ssrc: Some(0),
                track_label: Some("2".into()),
            }],
            ..Default::default()
        }),
        ..frame(Type::SubscribeAck)
    };
    h.frame(socket, ack);
    assert_eq!(h.machine.state(), SignalingState::Subscribed);
    let events = h.events();
    let [SignalingEvent::SubscribeAck(ack)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(ack.sdp_answer, "v=0 answer");
    assert_eq!(ack.tracks[0].stream_id, 7);
    h.machine
        .subscribe(now, &subscription(false))
        .expect("re-subscribe");
    let sub = sent(&h.drain()).remove(0).sub.expect("SUBSCRIBE body");
    assert_eq!(sub.duplex, Some(SdkStreamServiceType::Rx as i32));
}

#[test]
fn error_answer_fails_the_subscription_but_not_the_session() {
    let (mut h, socket) = Harness::joined();
    let now = h.now();
    h.machine
        .subscribe(now, &subscription(false))
        .expect("joined");
    h.drain();
    let error = SdkSignalFrame {
        error: Some(SdkErrorFrame {
            status: Some(503),
            description: Some("busy".into()),
        }),
        ..frame(Type::SubscribeAck)
    };
    h.frame(socket, error);
    assert_eq!(h.machine.state(), SignalingState::Joined);
    assert_eq!(
        h.events(),
        [SignalingEvent::ServerError {
            status: 503,
            description: "busy".into()
        }]
    );
}

#[test]
fn index_only_once_joined() {
    let mut h = Harness::new();
    let now = h.now();
    h.machine.start(now);
    let socket = connect_of(&h.drain());
    h.machine.on_open(socket, now);
    h.drain();
    let index = SdkSignalFrame {
        index: Some(SdkIndexFrame {
            sources: vec![SdkStreamDescriptor {
                stream_id: Some(3),
                group_id: Some(2),
                attendee_id: Some("b".into()),
                media_type: Some(MediaType::Video.to_proto()),
                ..Default::default()
            }],
            num_participants: Some(2),
            ..Default::default()
        }),
        ..frame(Type::Index)
    };
    h.frame(socket, index.clone());
    assert!(h.events().is_empty(), "INDEX before JOIN_ACK is ignored");
    h.frame(socket, join_ack());
    h.drain();
    h.frame(socket, index);
    let events = h.events();
    let [SignalingEvent::Index(update)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(update.sources[0].attendee_id, "b");
    assert_eq!(update.sources[0].media, Some(MediaType::Video));
    assert_eq!(update.num_participants, Some(2));
}

#[test]
fn keep_alive_pings_and_missed_pongs_reconnect() {
    let (mut h, socket) = Harness::joined();
    h.advance(Duration::from_secs(10));
    let ping = sent(&h.drain()).remove(0).ping_pong.expect("PING");
    assert_eq!(
        (ping.r#type, ping.ping_id),
        (SdkPingPongType::Ping as i32, 1)
    );
    let pong = SdkSignalFrame {
        ping_pong: Some(SdkPingPongFrame {
            r#type: SdkPingPongType::Pong as i32,
            ping_id: 1,
        }),
        ..frame(Type::PingPong)
    };
    h.frame(socket, pong);
    for _ in 0..4 {
        h.advance(Duration::from_secs(10));
        assert_eq!(sent(&h.drain()).len(), 1, "one ping per interval");
    }
    h.advance(Duration::from_secs(10));
    let outputs = h.drain();
    assert_eq!(outputs[0], SignalingOutput::Close(socket, 1000));
    assert!(
        outputs.contains(&SignalingOutput::Event(SignalingEvent::Reconnecting {
            status: MeetingStatus::ConnectionHealthReconnect
        }))
    );
    assert_ne!(connect_of(&outputs), socket);
}

#[test]
fn server_ping_gets_a_pong() {
    let (mut h, socket) = Harness::joined();
    let ping = SdkSignalFrame {
        ping_pong: Some(SdkPingPongFrame {
            r#type: SdkPingPongType::Ping as i32,
            ping_id: 41,
        }),
        ..frame(Type::PingPong)
    };
    h.frame(socket, ping);
    let pong = sent(&h.drain()).remove(0).ping_pong.expect("PONG");
    assert_eq!(
        (pong.r#type, pong.ping_id),
        (SdkPingPongType::Pong as i32, 41)
    );
}

#[test]
fn connection_timeout_closes_then_reconnects() {
    let mut h = Harness::new();
    let now = h.now();
    h.machine.start(now);
    let first = connect_of(&h.drain());
    h.machine.on_open(first, now);
    h.drain();
    h.advance(Duration::from_millis(14_999));
    assert!(h.drain().is_empty());
    h.advance(Duration::from_millis(1));
    let outputs = h.drain();
    assert_eq!(
        outputs[0],
        SignalingOutput::Close(first, 1000),
        "old socket closed first"
    );
    assert_eq!(
        outputs[1],
        SignalingOutput::Event(SignalingEvent::Reconnecting {
            status: MeetingStatus::SignalingConnectionTimeout
        })
    );
    assert_ne!(connect_of(&outputs), first);
    assert_eq!(h.machine.state(), SignalingState::Connecting);
}

#[test]
fn close_mid_join_reconnects_at_once_then_backs_off_1s_then_5s() {
    let mut h = Harness::new();
    let now = h.now();
    h.machine.start(now);
    let s0 = connect_of(&h.drain());
    h.machine.on_open(s0, now);
    h.drain();
    h.machine.on_closed(s0, now, None);
    let s1 = connect_of(&h.drain());
    assert_ne!(s0, s1, "immediate reconnect, even mid-join");
    h.machine.on_connect_failed(s1, now, "refused");
    assert!(h
        .drain()
        .iter()
        .all(|o| !matches!(o, SignalingOutput::Connect(_))));
    assert_eq!(h.machine.state(), SignalingState::WaitingToReconnect);
    h.advance(Duration::from_millis(999));
    assert!(h.drain().is_empty());
    h.advance(Duration::from_millis(1));
    let s2 = connect_of(&h.drain());
    h.machine.on_connect_failed(s2, h.now(), "refused");
    h.drain();
    h.advance(Duration::from_millis(4_999));
    assert!(h.drain().is_empty());
    h.advance(Duration::from_millis(1));
    let s3 = connect_of(&h.drain());
    let now = h.now();
    h.machine.on_open(s3, now);
    h.drain();
    h.machine.on_closed(s2, now, Some(4410));
    assert_eq!(
        h.machine.state(),
        SignalingState::Joining,
        "stale socket ignored"
    );
    h.frame(s3, join_ack());
    let events = h.events();
    assert!(matches!(events[0], SignalingEvent::JoinAck(_)));
    assert_eq!(events.len(), 1, "first join is not a reconnection");
}

#[test]
fn reconnect_window_ends_the_session() {
    let (mut h, socket) = Harness::joined();
    let now = h.now();
    h.machine.on_closed(socket, now, Some(4503));
    let outputs = h.drain();
    assert!(
        outputs.contains(&SignalingOutput::Event(SignalingEvent::Reconnecting {
            status: MeetingStatus::SignalingInternalServerError
        }))
    );
    let mut socket = connect_of(&outputs);
    let mut ended = None;
    for _ in 0..40 {
        let now = h.now();
        h.machine.on_connect_failed(socket, now, "refused");
        let outputs = h.drain();
        if let Some(SignalingOutput::Event(SignalingEvent::Ended { status })) = outputs.last() {
            ended = Some(*status);
            break;
        }
        h.advance(Duration::from_secs(5));
        socket = connect_of(&h.drain());
    }
    assert_eq!(ended, Some(MeetingStatus::SignalingConnectionLost));
    assert!(h.now().millis_since(now) <= 120_000);
    assert!(h.now().millis_since(now) >= 115_000);
}

#[test]
fn rejoin_reports_reconnected_and_resends_mute() {
    let (mut h, socket) = Harness::joined();
    let now = h.now();
    h.machine.audio_control(now, true).expect("joined");
    assert_eq!(
        sent(&h.drain())[0]
            .audio_control
            .as_ref()
            .and_then(|a| a.muted),
        Some(true)
    );
    h.machine.on_closed(socket, now, None);
    let next = connect_of(&h.drain());
    assert_eq!(
        h.machine.audio_control(now, true),
        Ok(()),
        "remembered while away"
    );
    h.machine.on_open(next, now);
    h.drain();
    h.frame(next, join_ack());
    let outputs = h.drain();
    let events: Vec<_> = outputs
        .iter()
        .filter_map(|o| match o {
            SignalingOutput::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    assert!(matches!(events[0], SignalingEvent::JoinAck(_)));
    assert_eq!(events[1], SignalingEvent::Reconnected);
    assert_eq!(
        sent(&outputs)[0]
            .audio_control
            .as_ref()
            .and_then(|a| a.muted),
        Some(true)
    );
}

#[test]
fn close_codes_and_terminal_statuses_end_the_session() {
    let cases = [
        (Some(4410), MeetingStatus::MeetingEnded),
        (Some(4403), MeetingStatus::AudioAuthenticationRejected),
        (Some(4400), MeetingStatus::SignalingBadRequest),
    ];
    for (code, status) in cases {
        let (mut h, socket) = Harness::joined();
        let now = h.now();
        h.machine.on_closed(socket, now, code);
        assert_eq!(
            h.drain(),
            [SignalingOutput::Event(SignalingEvent::Ended { status })]
        );
        assert_eq!(h.machine.state(), SignalingState::Ended(status));
        assert_eq!(h.machine.poll_timeout(), None);
    }
    let (mut h, socket) = Harness::joined();
    let removed = SdkSignalFrame {
        audio_status: Some(SdkAudioStatusFrame {
            audio_status: Some(411),
        }),
        ..frame(Type::AudioStatus)
    };
    h.frame(socket, removed);
    assert_eq!(
        h.drain(),
        [
            SignalingOutput::Close(socket, 1000),
            SignalingOutput::Event(SignalingEvent::Ended {
                status: MeetingStatus::AudioAttendeeRemoved
            })
        ]
    );
    let now = h.now();
    assert_eq!(
        h.machine.subscribe(now, &subscription(false)),
        Err(SignalError::Ended(MeetingStatus::AudioAttendeeRemoved))
    );
}

#[test]
fn leave_with_ack_timeout_and_before_join() {
    let (mut h, socket) = Harness::joined();
    let now = h.now();
    h.machine.leave(now);
    assert_eq!(h.machine.state(), SignalingState::Leaving);
    assert_eq!(sent(&h.drain())[0].r#type, Type::Leave as i32);
    h.frame(socket, frame(Type::LeaveAck));
    assert_eq!(
        h.machine.state(),
        SignalingState::Ended(MeetingStatus::Left)
    );
    assert_eq!(h.drain()[0], SignalingOutput::Close(socket, 1000));

    let (mut h, _) = Harness::joined();
    let now = h.now();
    h.machine.leave(now);
    h.drain();
    h.advance(Duration::from_secs(15));
    assert_eq!(
        h.machine.state(),
        SignalingState::Ended(MeetingStatus::Left)
    );

    let mut h = Harness::new();
    let now = h.now();
    h.machine.start(now);
    h.drain();
    h.machine.leave(now);
    assert_eq!(
        h.machine.state(),
        SignalingState::Ended(MeetingStatus::Left)
    );
}

#[test]
fn pause_resume_data_messages_presence_and_malformed_frames() {
    let (mut h, socket) = Harness::joined();
    let now = h.now();
    h.machine.pause(now, &[3, 4]).expect("joined");
    h.machine.resume(now, &[3]).expect("joined");
    let frames = sent(&h.drain());
    assert_eq!(frames[0].r#type, Type::Pause as i32);
    assert_eq!(
        frames[0].pause.as_ref().map(|p| p.stream_ids.clone()),
        Some(vec![3, 4])
    );
    assert_eq!(frames[1].r#type, Type::Resume as i32);

    let bad = DataMessage::new("", vec![]);
    assert!(matches!(
        h.machine.send_data_message(now, &bad),
        Err(SignalError::InvalidDataMessage(_))
    ));
    let good = DataMessage::new("chat", b"hi".to_vec());
    h.machine.send_data_message(now, &good).expect("valid");
    assert_eq!(sent(&h.drain())[0].r#type, Type::DataMessage as i32);

    let incoming = SdkSignalFrame {
        data_message: Some(SdkDataMessageFrame {
            messages: vec![SdkDataMessagePayload {
                topic: Some("chat".into()),
                data: Some(b"yo".to_vec()),
                sender_attendee_id: Some("b".into()),
                ..Default::default()
            }],
        }),
        ..frame(Type::DataMessage)
    };
    h.frame(socket, incoming);
    let presence = SdkSignalFrame {
        audio_stream_id_info: Some(SdkAudioStreamIdInfoFrame {
            streams: vec![SdkAudioStreamIdInfo {
                audio_stream_id: Some(5),
                attendee_id: Some("b".into()),
                external_user_id: Some("user-b".into()),
                muted: Some(true),
                dropped: None,
            }],
        }),
        ..frame(Type::AudioStreamIdInfo)
    };
    h.frame(socket, presence);
    h.machine.on_malformed(socket, FrameError::BadTypeByte(9));
    let events = h.events();
    assert!(
        matches!(&events[0], SignalingEvent::DataMessage(m) if m.data == b"yo" && m.sender_attendee_id.as_deref() == Some("b"))
    );
    assert_eq!(
        events[1],
        SignalingEvent::Presence {
            attendee_id: "b".into(),
            external_user_id: Some("user-b".into()),
            present: true
        }
    );
    assert_eq!(
        events[2],
        SignalingEvent::MuteChanged {
            attendee_id: "b".into(),
            muted: true
        }
    );
    assert_eq!(
        events[3],
        SignalingEvent::MalformedFrame(FrameError::BadTypeByte(9))
    );
    assert_eq!(h.machine.present_attendees(), ["b"]);
    assert_eq!(h.machine.state(), SignalingState::Joined);
}
