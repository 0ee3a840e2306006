//! Two attendees' meeting media through the simulated SFU, on real webrtc-rs peers relaying
//! through the simulated TURN server: Opus both ways, no video before a camera starts, VP8
//! frames once it does, and a keyframe for a subscriber that joins late.
#![cfg(feature = "mock")]

mod meeting_support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::first_event;
use connect_video::meeting::media::video::{
    EncodedFrame, IvfReader, TestPatternSource, VideoError, VideoSource, VideoSourceInfo,
};
use connect_video::meeting::media::{MediaConnectionState, MeetingMediaEvent};
use connect_video::mock::meeting::sfu::SfuRouter;
use connect_video::mock::meeting::MediaRouter;
use meeting_support::{attendee, audio, hears, subscribe, video, wait_frames, MEETING};

const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;
const AGENT_AUDIO: u32 = 1;
const AGENT_VIDEO: u32 = 2;
const CUSTOMER_AUDIO: u32 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_both_ways_no_video_before_the_camera_then_vp8_frames() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let sfu = SfuRouter::new();
    let mut agent = attendee(&turn, "agent", AGENT_TONE).await;
    let mut customer = attendee(&turn, "customer", CUSTOMER_TONE).await;

    let started = Instant::now();
    subscribe(&sfu, &agent, vec![audio(AGENT_AUDIO)], vec![]).await;
    subscribe(&sfu, &customer, vec![audio(CUSTOMER_AUDIO)], vec![]).await;
    for who in [&mut agent, &mut customer] {
        first_event!(who.events, |e| {
            (*e == MeetingMediaEvent::ConnectionState(MediaConnectionState::Connected))
                .then_some(())
        });
    }
    eprintln!("subscribe → both peers connected: {:?}", started.elapsed());
    assert!(
        hears(&customer, AGENT_TONE, 1).await,
        "the customer hears the agent"
    );
    assert!(
        hears(&agent, CUSTOMER_TONE, 1).await,
        "the agent hears the customer"
    );
    assert!(!hears(&agent, AGENT_TONE, 1).await, "no echo of oneself");

    // Cameras are off by default: audio flowed for seconds, no video RTP at all.
    for id in ["agent", "customer"] {
        let stats = sfu.stats(MEETING, id).expect("in the meeting");
        assert!(stats.audio_packets_in > 50, "{id}: {stats:?}");
        assert_eq!(stats.video_packets_in, 0, "{id} sent no video");
        assert_eq!(stats.video_packets_out, 0, "{id} got no video");
    }
    assert_eq!(agent.peer.stats().video_frames_sent, 0);
    assert!(customer.peer.stats().remote_video.is_empty());
    assert!(!agent.peer.is_local_video_on());

    // The agent turns the camera on; the new INDEX makes both re-subscribe.
    agent
        .peer
        .start_local_video(Box::new(TestPatternSource::new()))
        .await
        .expect("camera on");
    subscribe(
        &sfu,
        &agent,
        vec![audio(AGENT_AUDIO), video(AGENT_VIDEO)],
        vec![],
    )
    .await;
    subscribe(
        &sfu,
        &customer,
        vec![audio(CUSTOMER_AUDIO)],
        vec![AGENT_VIDEO],
    )
    .await;
    let mid = first_event!(customer.events, |e| match e {
        MeetingMediaEvent::RemoteVideoAdded { stream_id, mid } if *stream_id == AGENT_VIDEO => {
            Some(mid.clone())
        }
        _ => None,
    });
    assert_eq!(customer.peer.remote_streams(), vec![(mid, AGENT_VIDEO)]);
    let video_started = Instant::now();
    let keyframes = wait_frames(&mut customer.events, AGENT_VIDEO, 60).await;
    let elapsed = video_started.elapsed();
    assert!(keyframes >= 1, "decodable from the first frame on");
    let received = customer
        .peer
        .stats()
        .remote_video
        .into_iter()
        .find(|s| s.stream_id == AGENT_VIDEO)
        .expect("stream counted");
    assert_eq!(received.dimensions, Some((160, 120)));
    eprintln!(
        "60 VP8 frames in {elapsed:?} ({:.1} frames/s), {received:?}",
        60.0 / elapsed.as_secs_f64()
    );
    // The agent hears no video of its own, and audio still flows.
    assert!(agent.peer.stats().remote_video.is_empty());
    assert!(hears(&agent, CUSTOMER_TONE, 1).await);

    agent.peer.stop_local_video();
    assert!(!agent.peer.is_local_video_on());
    first_event!(agent.events, |e| {
        (*e == MeetingMediaEvent::LocalVideoStopped).then_some(())
    });
    sfu.end_meeting(MEETING).await;
    assert!(sfu.attendees(MEETING).is_empty());
    turn.stop().await;
}

/// Keyframes only at the start and on request: frame 0 of the test pattern, then its inter
/// frames round and round. A subscriber joining later can only decode after a keyframe
/// request reached this source.
struct KeyframeOnRequest {
    frames: Vec<Bytes>,
    next: usize,
    keyframe_due: bool,
    requests: Arc<AtomicU64>,
    duration: Duration,
    emitted: u32,
}

impl KeyframeOnRequest {
    fn new(requests: Arc<AtomicU64>) -> Self {
        let mut reader = IvfReader::new(TestPatternSource::ASSET).expect("valid asset");
        let duration = reader.header().frame_duration();
        let mut frames = Vec::new();
        while let Some(frame) = reader.next_frame().expect("valid") {
            frames.push(frame.data);
        }
        Self {
            frames,
            next: 1,
            keyframe_due: true,
            requests,
            duration,
            emitted: 0,
        }
    }
}

#[async_trait]
impl VideoSource for KeyframeOnRequest {
    async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError> {
        let keyframe = std::mem::take(&mut self.keyframe_due);
        let data = if keyframe {
            self.next = 1;
            self.frames[0].clone()
        } else {
            let data = self.frames[self.next].clone();
            self.next = if self.next + 1 == self.frames.len() {
                1
            } else {
                self.next + 1
            };
            data
        };
        self.emitted += 1;
        Ok(Some(EncodedFrame {
            data,
            pts: self.duration * self.emitted,
            duration: self.duration,
            keyframe,
        }))
    }

    fn frame_duration(&self) -> Duration {
        self.duration
    }

    fn request_keyframe(&mut self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.keyframe_due = true;
    }

    fn info(&self) -> VideoSourceInfo {
        VideoSourceInfo {
            name: "keyframe on request".into(),
            width: 160,
            height: 120,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_subscriber_gets_a_keyframe_through_the_sfu() {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let sfu = SfuRouter::new();
    let agent = attendee(&turn, "agent", AGENT_TONE).await;
    let mut early = attendee(&turn, "early", CUSTOMER_TONE).await;
    let requests = Arc::new(AtomicU64::new(0));
    agent
        .peer
        .start_local_video(Box::new(KeyframeOnRequest::new(Arc::clone(&requests))))
        .await
        .expect("camera on");
    subscribe(
        &sfu,
        &agent,
        vec![audio(AGENT_AUDIO), video(AGENT_VIDEO)],
        vec![],
    )
    .await;
    subscribe(&sfu, &early, vec![audio(CUSTOMER_AUDIO)], vec![AGENT_VIDEO]).await;
    wait_frames(&mut early.events, AGENT_VIDEO, 30).await;
    let requests_before = requests.load(Ordering::Relaxed);

    // Long after the last keyframe, a third attendee subscribes to the agent's video.
    let mut late = attendee(&turn, "late", 700.0).await;
    subscribe(&sfu, &late, vec![audio(5)], vec![AGENT_VIDEO]).await;
    let keyframes = wait_frames(&mut late.events, AGENT_VIDEO, 10).await;
    assert!(keyframes >= 1, "the late subscriber got a keyframe");
    assert!(
        requests.load(Ordering::Relaxed) > requests_before,
        "the keyframe answered a request relayed by the SFU"
    );
    assert!(
        sfu.stats(MEETING, "agent")
            .expect("agent")
            .keyframe_requests
            >= 1
    );
    assert!(agent.peer.stats().keyframe_requests >= 1);
    let late_stats = late.peer.stats();
    let late_video = late_stats
        .remote_video
        .iter()
        .find(|s| s.stream_id == AGENT_VIDEO)
        .expect("counted");
    assert_eq!(late_video.dimensions, Some((160, 120)));
    // The early subscriber keeps receiving meanwhile.
    wait_frames(&mut early.events, AGENT_VIDEO, 60).await;
    sfu.end_meeting(MEETING).await;
    turn.stop().await;
}
