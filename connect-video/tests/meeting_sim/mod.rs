//! Shared helpers of the meeting signalling tests: a recording media router, a meeting with
//! attendees on a `SimMeetingService`, and waiting on signalling events.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use connect_core::model::{Sensitive, Timestamp};
use connect_core::time::ManualClock;
use connect_testkit::first_event;
use connect_video::escalation::{Attendee, Meeting};
use connect_video::meeting::join::JoinInfo;
use connect_video::meeting::signal::{
    MediaType, MeetingStatus, SendStream, SignalError, SignalingClient, SignalingEvent,
    SignalingEvents,
};
use connect_video::mock::meeting::{
    MediaRouter, RouterError, SimMeetingService, SimTurnCredentials, SubscribeAnswer,
    SubscribeRequest,
};

pub const OWNER: &str = "agent-1";

/// A media router test double: records every call and answers with a canned SDP.
#[derive(Debug, Default)]
pub struct RecordingRouter {
    pub subscribes: Mutex<Vec<SubscribeRequest>>,
    pub leaves: Mutex<Vec<(String, String)>>,
    pub ended: Mutex<Vec<String>>,
}

pub fn canned_answer(attendee_id: &str) -> String {
    format!("v=0\r\ns=canned answer for {attendee_id}\r\n")
}

#[async_trait]
impl MediaRouter for RecordingRouter {
    async fn subscribe(&self, request: SubscribeRequest) -> Result<SubscribeAnswer, RouterError> {
        if request.offer_sdp.is_empty() {
            return Err(RouterError::BadOffer("empty offer".into()));
        }
        let answer = SubscribeAnswer {
            answer_sdp: canned_answer(&request.attendee_id),
            tracks: request
                .receive_stream_ids
                .iter()
                .enumerate()
                .map(|(i, id)| ((i + 2).to_string(), *id))
                .collect(),
        };
        self.subscribes.lock().expect("lock").push(request);
        Ok(answer)
    }

    async fn leave(&self, meeting_id: &str, attendee_id: &str) {
        self.leaves
            .lock()
            .expect("lock")
            .push((meeting_id.to_owned(), attendee_id.to_owned()));
    }

    async fn end_meeting(&self, meeting_id: &str) {
        self.ended.lock().expect("lock").push(meeting_id.to_owned());
    }
}

pub fn turn() -> SimTurnCredentials {
    SimTurnCredentials {
        uris: vec!["turn:127.0.0.1:3478?transport=udp".into()],
        username: "1740819600:sim".into(),
        password: Sensitive::new("turn-password"),
        ttl: Duration::from_secs(300),
    }
}

/// A service with a recording router and TURN credentials, and one meeting owned by `OWNER`.
pub async fn service() -> (SimMeetingService, Arc<RecordingRouter>, Meeting) {
    let router = Arc::new(RecordingRouter::default());
    let service = SimMeetingService::builder(router.clone())
        .turn_credentials(turn())
        .start()
        .await
        .expect("service on loopback");
    let meeting = service
        .create_meeting(OWNER, "escalation-1")
        .expect("owner creates the meeting");
    (service, router, meeting)
}

/// An attendee of `meeting` added by the owner, and its join data.
pub fn attendee(
    service: &SimMeetingService,
    meeting: &Meeting,
    user: &str,
) -> (Attendee, JoinInfo) {
    let attendee = service
        .create_attendee(OWNER, &meeting.meeting_id, user)
        .expect("owner adds the attendee");
    let info = JoinInfo::from_parts(meeting, &attendee).expect("join data");
    (attendee, info)
}

pub fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_millis(1_740_819_600_000)))
}

/// Joins on a manual clock (no timer fires unless the test advances it).
pub async fn join(info: JoinInfo) -> Result<(SignalingClient, SignalingEvents), SignalError> {
    SignalingClient::builder(info)
        .clock(manual_clock())
        .connect()
        .await
}

/// Joining with `info` is refused: the token is not (or no longer) valid.
pub async fn assert_refused(info: JoinInfo) {
    assert_eq!(
        join(info).await.map(|_| ()),
        Err(SignalError::Ended(
            MeetingStatus::AudioAuthenticationRejected
        ))
    );
}

/// The next event for which `want` gives a value, skipping others.
pub async fn until<T>(
    events: &mut SignalingEvents,
    want: impl FnMut(&SignalingEvent) -> Option<T>,
) -> T {
    first_event!(events, want, "a signalling event")
}

/// Waits until `attendee_id` is reported present (or absent).
pub async fn presence(events: &mut SignalingEvents, attendee_id: &str, present: bool) {
    until(events, |e| match e {
        SignalingEvent::Presence {
            attendee_id: a,
            present: p,
            ..
        } if a == attendee_id && *p == present => Some(()),
        _ => None,
    })
    .await
}

/// Waits until `attendee_id` is reported muted.
pub async fn muted(events: &mut SignalingEvents, attendee_id: &str) {
    until(events, |e| match e {
        SignalingEvent::MuteChanged {
            attendee_id: a,
            muted: true,
        } if a == attendee_id => Some(()),
        _ => None,
    })
    .await
}

/// Audio plus, optionally, camera video.
pub fn send_streams(video: bool) -> Vec<SendStream> {
    let mut streams = vec![SendStream {
        stream_id: 1,
        group_id: 1,
        media: MediaType::Audio,
        track_label: "0".into(),
        max_bitrate_kbps: None,
    }];
    if video {
        streams.push(SendStream {
            stream_id: 2,
            group_id: 1,
            media: MediaType::Video,
            track_label: "1".into(),
            max_bitrate_kbps: Some(1500),
        });
    }
    streams
}
