//! Shared helpers of the meeting media tests: attendees on real webrtc-rs peers relaying
//! through the simulated TURN server, subscribed directly on the SFU, and waits for frames and
//! audio.

#![allow(dead_code)]

use std::time::Duration;

use connect_softphone::audio::{detect_tone, MemorySink, ToneSource};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::{first_event, within};
use connect_video::meeting::media::video::VideoSource;
use connect_video::meeting::media::{
    MeetingMediaEvent, MeetingMediaEvents, MeetingPeer, MeetingPeerConfig,
};
use connect_video::mock::meeting::sfu::SfuRouter;
use connect_video::mock::meeting::{MediaRouter, SentStream, StreamMedia, SubscribeRequest};

pub const MEETING: &str = "meeting-1";

/// One attendee under test.
pub struct Attendee {
    pub id: String,
    pub peer: MeetingPeer,
    pub events: MeetingMediaEvents,
    pub heard: MemorySink,
}

/// The TURN credentials an attendee gets in `JOIN_ACK`.
pub fn relay_config(turn: &SimTurnServer, name: &str) -> MeetingPeerConfig {
    MeetingPeerConfig::new(vec![turn.issue_credentials(name, Duration::from_secs(3600))]).loopback()
}

/// An attendee playing a tone of `freq` Hz.
pub async fn attendee(turn: &SimTurnServer, id: &str, freq: f64) -> Attendee {
    let heard = MemorySink::new();
    let (peer, events) = MeetingPeer::attendee(
        relay_config(turn, id),
        Box::new(ToneSource::new(freq, -12.0)),
        Box::new(heard.clone()),
    )
    .await
    .expect("attendee peer");
    Attendee {
        id: id.to_owned(),
        peer,
        events,
        heard,
    }
}

/// A content-share peer of `owner` sending `source`.
pub async fn content_share(
    turn: &SimTurnServer,
    owner: &str,
    source: Box<dyn VideoSource>,
) -> Attendee {
    let id = format!("{owner}#content");
    let (peer, events) = MeetingPeer::content_share(relay_config(turn, &id), source)
        .await
        .expect("content peer");
    Attendee {
        id,
        peer,
        events,
        heard: MemorySink::new(),
    }
}

pub fn audio(stream_id: u32) -> SentStream {
    SentStream {
        stream_id,
        group_id: stream_id,
        media: StreamMedia::Audio,
    }
}

pub fn video(stream_id: u32) -> SentStream {
    SentStream {
        stream_id,
        group_id: stream_id,
        media: StreamMedia::Video,
    }
}

/// One `SUBSCRIBE` / `SUBSCRIBE_ACK` round, straight on the SFU.
pub async fn subscribe(sfu: &SfuRouter, who: &Attendee, send: Vec<SentStream>, receive: Vec<u32>) {
    let offer = who
        .peer
        .create_offer(receive.len())
        .await
        .expect("offer gathered");
    let answer = sfu
        .subscribe(SubscribeRequest {
            meeting_id: MEETING.to_owned(),
            attendee_id: who.id.clone(),
            offer_sdp: offer,
            send_streams: send,
            receive_stream_ids: receive,
        })
        .await
        .expect("SFU answers");
    who.peer
        .apply_answer(&answer.answer_sdp, &answer.tracks)
        .await
        .expect("answer applied");
}

/// Waits until `count` frames of `stream_id` were received; returns how many were keyframes
/// among the ones seen while waiting.
pub async fn wait_frames(events: &mut MeetingMediaEvents, stream_id: u32, count: u64) -> u64 {
    let mut keyframes = 0;
    first_event!(events, |event| match event {
        MeetingMediaEvent::VideoFrameReceived {
            stream_id: id,
            keyframe,
            frames,
            ..
        } if *id == stream_id => {
            keyframes += u64::from(*keyframe);
            (*frames >= count).then_some(())
        }
        _ => None,
    });
    keyframes
}

/// Waits for `seconds` of received audio and tells whether `freq` dominates it.
pub async fn hears(who: &Attendee, freq: f64, seconds: usize) -> bool {
    let from = who.heard.len_samples();
    let want = from + seconds * 48_000;
    within("audio keeps arriving", who.heard.wait_for_samples(want)).await;
    let samples = who.heard.samples();
    detect_tone(&samples[from..want], 48_000, freq).is_present(-30.0)
}
