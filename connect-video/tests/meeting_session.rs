//! The meeting client end to end on loopback: `MeetingSession`s of an agent and a customer in a
//! meeting of the simulated meeting service, media through its SFU, relayed by the simulated
//! TURN server whose credentials the service hands out in `JOIN_ACK`.
#![cfg(feature = "mock")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_softphone::audio::{detect_tone, MemorySink, ToneSource};
use connect_softphone::mock::turn::SimTurnServer;
use connect_testkit::{first_event, within};
use connect_video::escalation::Meeting;
use connect_video::meeting::join::JoinInfo;
use connect_video::meeting::media::video::TestPatternSource;
use connect_video::meeting::media::{MeetingMediaEvent, MeetingPeerConfig};
use connect_video::meeting::session::{MeetingEvent, MeetingEvents, MeetingSession, TileId};
use connect_video::meeting::signal::MeetingStatus;
use connect_video::mock::meeting::sfu::SfuRouter;
use connect_video::mock::meeting::{SimMeetingService, SimTurnCredentials};

const OWNER: &str = "agent-1";
const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;
const RATE: usize = 48_000;

struct World {
    turn: SimTurnServer,
    sfu: SfuRouter,
    service: SimMeetingService,
    meeting: Meeting,
}

/// The TURN server, the SFU, the meeting service handing out the TURN server's credentials,
/// and a meeting owned by the agent.
async fn world() -> World {
    let turn = SimTurnServer::start("sim-secret")
        .await
        .expect("TURN server");
    let relay = turn.issue_credentials("meeting", Duration::from_secs(3600));
    let sfu = SfuRouter::new();
    let service = SimMeetingService::builder(Arc::new(sfu.clone()))
        .turn_credentials(SimTurnCredentials {
            uris: relay.urls,
            username: relay.username,
            password: relay.credential,
            ttl: Duration::from_secs(3600),
        })
        .start()
        .await
        .expect("meeting service on loopback");
    let meeting = service
        .create_meeting(OWNER, "escalation-1")
        .expect("the agent creates the meeting");
    World {
        turn,
        sfu,
        service,
        meeting,
    }
}

/// One attendee's session under test.
struct Party {
    session: MeetingSession,
    events: MeetingEvents,
    heard: MemorySink,
    info: JoinInfo,
}

impl World {
    /// The owner adds `user`, who joins playing a tone of `freq` Hz.
    async fn join(&self, user: &str, freq: f64) -> Party {
        let attendee = self
            .service
            .create_attendee(OWNER, &self.meeting.meeting_id, user)
            .expect("the owner adds the attendee");
        let info = JoinInfo::from_parts(&self.meeting, &attendee).expect("join data");
        let heard = MemorySink::new();
        let started = Instant::now();
        let (session, mut events) = MeetingSession::builder(info.clone())
            // No ICE server of its own: the relay comes from JOIN_ACK.
            .peer_config(MeetingPeerConfig::new(Vec::new()).loopback())
            .audio(
                Box::new(ToneSource::new(freq, -12.0)),
                Box::new(heard.clone()),
            )
            .connect()
            .await
            .expect("joins");
        eprintln!(
            "{user}: connect() (JOIN → SUBSCRIBE_ACK applied) in {:?}",
            started.elapsed()
        );
        assert_eq!(
            next(&mut events).await,
            MeetingEvent::Joined {
                attendee_id: attendee.attendee_id.clone()
            }
        );
        Party {
            session,
            events,
            heard,
            info,
        }
    }
}

impl Party {
    fn id(&self) -> String {
        self.info.attendee_id.clone()
    }

    /// Waits for the first event for which `pick` gives a value, skipping others.
    async fn until<T>(&mut self, pick: impl FnMut(&MeetingEvent) -> Option<T>) -> T {
        first_event!(self.events, pick, "a meeting event")
    }

    async fn until_event(&mut self, wanted: MeetingEvent) {
        self.until(|e| (*e == wanted).then_some(())).await
    }

    /// Waits until `attendee_id` is reported present (or absent).
    async fn presence(&mut self, attendee_id: &str, present: bool) {
        self.until(|e| match e {
            MeetingEvent::AttendeePresence {
                attendee_id: a,
                present: p,
                ..
            } if a == attendee_id && *p == present => Some(()),
            _ => None,
        })
        .await
    }

    /// Waits for a video tile of `attendee_id`.
    async fn tile_of(&mut self, attendee_id: &str) -> (TileId, bool) {
        self.until(|e| match e {
            MeetingEvent::VideoTileAdded {
                tile,
                attendee_id: a,
                is_content,
            } if a == attendee_id => Some((*tile, *is_content)),
            _ => None,
        })
        .await
    }

    /// The stream a tile carries.
    async fn stream_of(&self, tile: TileId) -> u32 {
        let stats = self.session.stats().await.expect("session running");
        stats.tile(tile).expect("the tile is shown").stream_id
    }

    /// Waits until `count` VP8 frames of `stream_id` were received in all; returns the frame
    /// rate seen while waiting (from the media events after the call).
    async fn frames(&self, stream_id: u32, count: u64) -> f64 {
        let mut media = self.session.media_events();
        let started = Instant::now();
        let mut first = None;
        let rate = first_event!(
            media,
            |event| match *event {
                MeetingMediaEvent::VideoFrameReceived {
                    stream_id: id,
                    frames,
                    ..
                } if id == stream_id => {
                    let (at, from) = *first.get_or_insert((Instant::now(), frames));
                    (frames >= count).then(|| {
                        let span = at.elapsed().as_secs_f64().max(1e-3);
                        (frames - from) as f64 / span
                    })
                }
                _ => None,
            },
            "the frames arrive"
        );
        eprintln!(
            "stream {stream_id}: {count} frames after {:?} ({rate:.1} frames/s)",
            started.elapsed()
        );
        rate
    }

    /// Whether `freq` dominates the `seconds` of audio received after skipping `skip_ms`.
    async fn hears(&self, freq: f64, skip_ms: usize, seconds: usize) -> bool {
        let from = self.heard.len_samples() + skip_ms * RATE / 1000;
        let to = from + seconds * RATE;
        within("audio keeps arriving", self.heard.wait_for_samples(to)).await;
        let samples = self.heard.samples();
        detect_tone(&samples[from..to], RATE as u32, freq).is_present(-30.0)
    }
}

async fn next(events: &mut MeetingEvents) -> MeetingEvent {
    within("an event", events.recv())
        .await
        .expect("the session is running")
}

fn left(event: &MeetingEvent) -> Option<MeetingStatus> {
    match event {
        MeetingEvent::Left { status } => Some(*status),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_and_customer_meet_with_audio_video_content_share_mute_and_end() {
    let world = world().await;
    let mut agent = world.join("agent-user", AGENT_TONE).await;
    let mut customer = world.join("customer-1", CUSTOMER_TONE).await;
    let (agent_id, customer_id) = (agent.id(), customer.id());
    agent.presence(&customer_id, true).await;
    customer.presence(&agent_id, true).await;

    // Audio both ways through the SFU and the TURN relay.
    assert!(
        customer.hears(AGENT_TONE, 0, 1).await,
        "the customer hears the agent"
    );
    assert!(
        agent.hears(CUSTOMER_TONE, 0, 1).await,
        "the agent hears the customer"
    );
    assert!(world.turn.stats().packets_from_clients > 0, "relayed");

    // Cameras are off by default: seconds of audio, no video RTP at all.
    let meeting_id = world.meeting.meeting_id.clone();
    for id in [&agent_id, &customer_id] {
        let sfu = world.sfu.stats(&meeting_id, id).expect("in the SFU");
        assert!(sfu.audio_packets_in > 50, "{id}: {sfu:?}");
        assert_eq!(sfu.video_packets_in, 0, "{id} sent no video");
        assert_eq!(sfu.video_packets_out, 0, "{id} received no video");
    }
    for party in [&agent, &customer] {
        let stats = party.session.stats().await.expect("stats");
        assert!(stats.audio_packets_received > 50, "{stats:?}");
        assert_eq!(stats.local_video_frames_sent, 0);
        assert!(stats.tiles.is_empty());
    }

    // The agent turns the camera on: the customer gets a tile and VP8 frames.
    agent
        .session
        .start_local_video(Box::new(TestPatternSource::new()))
        .await
        .expect("camera on");
    agent.until_event(MeetingEvent::LocalVideoStarted).await;
    let (camera_tile, is_content) = customer.tile_of(&agent_id).await;
    assert!(!is_content);
    let camera_stream = customer.stream_of(camera_tile).await;
    let rate = customer.frames(camera_stream, 60).await;
    assert!(rate > 0.0);
    let seen = customer.session.stats().await.expect("stats");
    let tile = seen.tile(camera_tile).expect("camera tile");
    assert!(tile.frames >= 60 && tile.keyframes >= 1, "{tile:?}");
    assert_eq!(tile.dimensions, Some((160, 120)));
    assert!(
        agent
            .session
            .stats()
            .await
            .expect("stats")
            .local_video_frames_sent
            >= 60
    );

    // The customer shares content: the agent sees `<id>#content` and receives its video.
    let content_id = format!("{customer_id}#content");
    customer
        .session
        .start_content_share(Box::new(TestPatternSource::new()))
        .await
        .expect("content share on");
    customer
        .until_event(MeetingEvent::ContentShareStarted)
        .await;
    assert!(customer
        .session
        .start_content_share(Box::new(TestPatternSource::new()))
        .await
        .expect_err("one share at a time")
        .is_state());
    agent.presence(&content_id, true).await;
    let (content_tile, is_content) = agent.tile_of(&content_id).await;
    assert!(is_content);
    let content_stream = agent.stream_of(content_tile).await;
    agent.frames(content_stream, 45).await;
    let content_in_sfu = world.sfu.stats(&meeting_id, &content_id).expect("content");
    assert_eq!(
        content_in_sfu.audio_packets_out + content_in_sfu.video_packets_out,
        0
    );
    let own = customer.session.stats().await.expect("stats");
    assert_eq!(
        own.tiles.len(),
        1,
        "the customer does not receive its own content"
    );

    // The customer stops sharing: the agent's content tile goes.
    customer.session.stop_content_share().await;
    customer
        .until_event(MeetingEvent::ContentShareStopped)
        .await;
    // The content attendee leaves at once; its tile goes with the next subscription.
    agent.presence(&content_id, false).await;
    agent
        .until_event(MeetingEvent::VideoTileRemoved {
            tile: content_tile,
            attendee_id: content_id.clone(),
        })
        .await;
    assert!(agent.session.stats().await.expect("stats").tiles.is_empty());

    // Mute: the agent sees it, and hears silence.
    customer.session.set_muted(true).await.expect("muted");
    let muted = MeetingEvent::MuteChanged {
        attendee_id: customer_id.clone(),
        muted: true,
    };
    agent.until_event(muted.clone()).await;
    customer.until_event(muted).await;
    assert!(
        !agent.hears(CUSTOMER_TONE, 500, 1).await,
        "a muted microphone sends silence"
    );
    customer.session.set_muted(false).await.expect("unmuted");
    agent
        .until_event(MeetingEvent::MuteChanged {
            attendee_id: customer_id.clone(),
            muted: false,
        })
        .await;
    assert!(agent.hears(CUSTOMER_TONE, 500, 1).await);

    // The owner ends the meeting: both sessions end, and the join tokens are dead.
    world
        .service
        .delete_meeting(OWNER, &meeting_id)
        .await
        .expect("the owner deletes the meeting");
    for party in [&mut agent, &mut customer] {
        assert_eq!(party.until(left).await, MeetingStatus::MeetingEnded);
        assert!(
            party.events.recv().await.is_none(),
            "Left is the last event"
        );
        assert!(party.session.stats().await.expect_err("over").is_ended());
    }
    for info in [
        agent.info.clone(),
        customer.info.clone(),
        customer.info.content_share(),
    ] {
        let refused = MeetingSession::builder(info)
            .peer_config(MeetingPeerConfig::new(Vec::new()).loopback())
            .connect()
            .await
            .expect_err("a dead join token is refused");
        assert_eq!(
            refused.status(),
            Some(MeetingStatus::AudioAuthenticationRejected),
            "{refused}"
        );
    }
    world.turn.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_signalling_socket_reconnects_and_the_media_resumes() {
    let world = world().await;
    let mut agent = world.join("agent-user", AGENT_TONE).await;
    let mut customer = world.join("customer-1", CUSTOMER_TONE).await;
    let agent_id = agent.id();
    agent
        .session
        .start_local_video(Box::new(TestPatternSource::new()))
        .await
        .expect("camera on");
    let (tile, _) = customer.tile_of(&agent_id).await;
    let stream = customer.stream_of(tile).await;
    customer.frames(stream, 30).await;
    assert!(agent.hears(CUSTOMER_TONE, 0, 1).await);
    let before = agent.session.stats().await.expect("stats");
    let received = customer.session.stats().await.expect("stats");
    let frames_before = received.tile(tile).expect("camera tile").frames;

    let dropped = Instant::now();
    assert!(world
        .service
        .drop_connection(&world.meeting.meeting_id, &agent_id));
    let status = agent
        .until(|e| match e {
            MeetingEvent::Reconnecting { status } => Some(*status),
            _ => None,
        })
        .await;
    assert_eq!(status, MeetingStatus::SignalingConnectionLost);
    agent.until_event(MeetingEvent::Reconnected).await;
    eprintln!("re-joined {:?} after the drop", dropped.elapsed());

    // The agent's camera and audio go on through a fresh peer.
    let resumed = customer.frames(stream, frames_before + 30).await;
    eprintln!(
        "30 more frames {:?} after the drop ({resumed:.1} frames/s)",
        dropped.elapsed()
    );
    assert!(
        agent.hears(CUSTOMER_TONE, 0, 1).await,
        "the agent hears again"
    );
    assert!(
        customer.hears(AGENT_TONE, 0, 1).await,
        "the customer hears again"
    );
    let after = agent.session.stats().await.expect("stats");
    assert!(after.audio_packets_received > before.audio_packets_received);
    assert!(after.local_video_frames_sent > before.local_video_frames_sent);

    assert_eq!(
        agent.session.leave().await.expect("leaves"),
        MeetingStatus::Left
    );
    assert_eq!(agent.until(left).await, MeetingStatus::Left);
    customer.presence(&agent_id, false).await;
    world.turn.stop().await;
}
