//! Chat → video: the escalation backend creates the agent's meeting and invites the customer
//! on the chat; the customer trades its join ticket for its join data; both join with
//! `MeetingSession` (audio through the simulated SFU and TURN relay, cameras off), turn their
//! cameras on, the agent shares the screen, and both hang up (meeting deleted, agent ready).

use std::sync::Arc;
use std::time::Duration;

use connect_softphone::audio::{detect_tone, MemorySink, ToneSource};
use connect_softphone::mock::turn::SimTurnServer;
use connect_video::escalation::{
    EndedBy, EscalationEvent, EscalationEvents, Invitation, MeetingBackend, VideoEscalation,
};
use connect_video::meeting::join::JoinInfo;
use connect_video::meeting::media::video::TestPatternSource;
use connect_video::meeting::media::MeetingPeerConfig;
use connect_video::meeting::session::{MeetingEvent, MeetingEvents, MeetingSession, MeetingStats};
use connect_video::mock::meeting::sfu::SfuRouter;
use connect_video::mock::meeting::{SimMeetingService, SimTurnCredentials};

use super::chat_leg::ChatLeg;
use super::{failed, DemoError};

const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;
const RATE: usize = 48_000;
/// A guard against a stuck step, not a performance limit.
const STEP_GUARD: Duration = Duration::from_secs(60);

/// What the video part measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoFigures {
    /// Attendees (not content shares) connected to the meeting while both cameras were on.
    pub meeting_attendees: usize,
    /// VP8 frames of the customer's camera the agent received.
    pub agent_video_frames_rx: u64,
    /// VP8 frames of the agent's camera the customer received.
    pub customer_video_frames_rx: u64,
    /// VP8 frames of the agent's screen share the customer received.
    pub content_frames_rx: u64,
    /// Whether each side heard the other's voice (tones through the SFU and the relay).
    pub audio_both_ways: bool,
    /// The escalation backend's events, in order.
    pub escalation_steps: Vec<String>,
}

/// The simulated meeting side: TURN relay, SFU, meeting service and escalation backend.
pub struct VideoBackend {
    _turn: SimTurnServer,
    meetings: Arc<SimMeetingService>,
    backend: VideoEscalation,
    events: EscalationEvents,
}

impl VideoBackend {
    /// Starts the relay, the SFU and the meeting service on loopback.
    pub async fn start() -> Result<Self, DemoError> {
        let turn = SimTurnServer::start("escalation-secret")
            .await
            .map_err(|e| failed("TURN server")(e.to_string()))?;
        let relay = turn.issue_credentials("meeting", Duration::from_secs(3600));
        let meetings = SimMeetingService::builder(Arc::new(SfuRouter::new()))
            .turn_credentials(SimTurnCredentials {
                uris: relay.urls,
                username: relay.username,
                password: relay.credential,
                ttl: Duration::from_secs(3600),
            })
            .start()
            .await
            .map_err(|e| failed("meeting service")(e.to_string()))?;
        let meetings = Arc::new(meetings);
        let (backend, events) =
            VideoEscalation::builder(Arc::clone(&meetings) as Arc<dyn MeetingBackend>).build();
        Ok(Self {
            _turn: turn,
            meetings,
            backend,
            events,
        })
    }

    /// At the chat's start: the customer's join ticket.
    pub fn register_chat(&self, contact_id: &str) -> Result<String, DemoError> {
        self.backend
            .register_chat(contact_id)
            .map_err(|e| failed("join ticket")(e.to_string()))
    }

    /// The escalation of `chat` by `agent_id`, with both cameras on and the agent's screen
    /// shared for `show` before both hang up.
    pub async fn escalate(
        &mut self,
        chat: &mut ChatLeg,
        agent_id: &str,
        ticket: &str,
        show: Duration,
    ) -> Result<VideoFigures, DemoError> {
        let contact = chat.contact_id.clone();
        let agent_join = self
            .backend
            .start(agent_id, &contact, &chat.agent)
            .await
            .map_err(|e| failed("start the video call")(e.to_string()))?;
        let meeting_id = agent_join.meeting_id.clone();
        // The customer's client reacts to the structured invitation only.
        wait_for_invitation(chat).await?;
        let customer_join = self
            .backend
            .customer_join_info(&contact, ticket)
            .map_err(|e| failed("customer join data")(e.to_string()))?;

        let (agent, mut agent_events, agent_heard) = join(agent_join, AGENT_TONE).await?;
        let (customer, _customer_events, customer_heard) =
            join(customer_join.clone(), CUSTOMER_TONE).await?;
        watch_until(&mut agent_events, |event| match event {
            MeetingEvent::AttendeePresence {
                attendee_id,
                present: true,
                ..
            } => {
                self.backend.attendee_present(&contact, attendee_id);
                *attendee_id == customer_join.attendee_id
            }
            _ => false,
        })
        .await?;

        // Cameras are off until each side turns its own on; then the agent shares the screen.
        for session in [&agent, &customer] {
            session
                .start_local_video(Box::new(TestPatternSource::new()))
                .await
                .map_err(|e| failed("camera on")(e.to_string()))?;
        }
        agent
            .start_content_share(Box::new(TestPatternSource::new()))
            .await
            .map_err(|e| failed("screen share")(e.to_string()))?;
        let heard_from = (agent_heard.len_samples(), customer_heard.len_samples());
        tokio::time::sleep(show).await;
        let meeting_attendees = self
            .meetings
            .present(&meeting_id)
            .iter()
            .filter(|(attendee, _)| !attendee.ends_with("#content"))
            .count();

        let agent_stats = stats(&agent).await?;
        let customer_stats = stats(&customer).await?;
        let audio_both_ways = hears(&agent_heard, heard_from.0, CUSTOMER_TONE)
            && hears(&customer_heard, heard_from.1, AGENT_TONE);
        agent.stop_content_share().await;
        for session in [&customer, &agent] {
            session
                .leave()
                .await
                .map_err(|e| failed("hang up")(e.to_string()))?;
        }
        self.backend
            .end(&contact, EndedBy::Customer)
            .await
            .map_err(|e| failed("end the escalation")(e.to_string()))?;
        let mut steps = Vec::new();
        while let Some(event) = self.events.try_recv() {
            steps.push(step_name(&event));
        }
        Ok(VideoFigures {
            meeting_attendees,
            agent_video_frames_rx: frames(&agent_stats, false),
            customer_video_frames_rx: frames(&customer_stats, false),
            content_frames_rx: frames(&customer_stats, true),
            audio_both_ways,
            escalation_steps: steps,
        })
    }

    /// Whether the meeting service still knows `meeting_id`.
    pub fn meeting_exists(&self, meeting_id: &str) -> bool {
        self.meetings.meeting(meeting_id).is_some()
    }
}

async fn wait_for_invitation(chat: &mut ChatLeg) -> Result<(), DemoError> {
    let found = tokio::time::timeout(STEP_GUARD, async {
        while let Some(event) = chat.customer_events.recv().await {
            if let connect_video::chat::ChatEvent::Message(message) = event {
                if message
                    .item
                    .content
                    .as_deref()
                    .and_then(Invitation::parse)
                    .is_some()
                {
                    return true;
                }
            }
        }
        false
    })
    .await;
    match found {
        Ok(true) => Ok(()),
        _ => Err(failed("the invitation")(
            "never reached the customer".into(),
        )),
    }
}

/// Joins `info` with a microphone playing `tone`; returns the session, its events and what it
/// hears.
async fn join(
    info: JoinInfo,
    tone: f64,
) -> Result<(MeetingSession, MeetingEvents, MemorySink), DemoError> {
    let heard = MemorySink::new();
    let (session, events) = MeetingSession::builder(info)
        .peer_config(MeetingPeerConfig::new(Vec::new()).loopback())
        .audio(
            Box::new(ToneSource::new(tone, -12.0)),
            Box::new(heard.clone()),
        )
        .connect()
        .await
        .map_err(|e| failed("join the meeting")(e.to_string()))?;
    Ok((session, events, heard))
}

/// Feeds events to `seen` until it returns true.
async fn watch_until(
    events: &mut MeetingEvents,
    mut seen: impl FnMut(&MeetingEvent) -> bool,
) -> Result<(), DemoError> {
    let done = tokio::time::timeout(STEP_GUARD, async {
        while let Some(event) = events.recv().await {
            if seen(&event) {
                return true;
            }
        }
        false
    })
    .await;
    match done {
        Ok(true) => Ok(()),
        _ => Err(failed("meeting events")("the customer never joined".into())),
    }
}

async fn stats(session: &MeetingSession) -> Result<MeetingStats, DemoError> {
    session
        .stats()
        .await
        .map_err(|e| failed("meeting stats")(e.to_string()))
}

/// Frames received on camera tiles (or on content tiles).
fn frames(stats: &MeetingStats, content: bool) -> u64 {
    stats
        .tiles
        .iter()
        .filter(|tile| tile.is_content == content)
        .map(|tile| tile.frames)
        .sum()
}

/// Whether `freq` dominates the last second heard after `from`.
fn hears(heard: &MemorySink, from: usize, freq: f64) -> bool {
    let samples = heard.samples();
    let end = samples.len();
    end >= from + RATE
        && detect_tone(&samples[end - RATE..end], RATE as u32, freq).is_present(-30.0)
}

fn step_name(event: &EscalationEvent) -> String {
    let debug = format!("{event:?}");
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}
