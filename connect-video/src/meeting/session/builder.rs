//! [`MeetingSessionBuilder`]: joining a meeting as an attendee, audio on and cameras off.

use std::sync::Arc;

use connect_core::time::{Clock, SystemClock};
use connect_softphone::audio::{AudioSink, AudioSource, NullSink, SilenceSource};
use tokio::sync::{broadcast, mpsc};

use super::content::ContentSlot;
use super::driver::Driver;
use super::error::MeetingError;
use super::event::{MeetingEvent, MeetingEvents};
use super::handle::MeetingSession;
use super::link::{Link, LinkOptions, PeerKind};
use super::plan::Plan;
use super::reuse::{Reusable, ReusableAudio};
use crate::meeting::join::JoinInfo;
use crate::meeting::media::{MeetingPeerConfig, MEDIA_EVENT_QUEUE};
use crate::meeting::signal::SignalingTimings;
use connect_core::task::{spawn_abortable, TaskGuard};

/// Builds and joins a [`MeetingSession`].
///
/// ```no_run
/// # async fn run(join: connect_video::meeting::join::JoinInfo) -> Result<(), connect_video::meeting::session::MeetingError> {
/// use connect_softphone::audio::{MemorySink, ToneSource};
/// use connect_video::meeting::media::MeetingPeerConfig;
/// use connect_video::meeting::session::MeetingSession;
///
/// let (session, mut events) = MeetingSession::builder(join)
///     .peer_config(MeetingPeerConfig::new(vec![]))
///     .audio(Box::new(ToneSource::new(440.0, -12.0)), Box::new(MemorySink::new()))
///     .connect()
///     .await?;
/// while let Some(event) = events.recv().await {
///     println!("{event:?}");
/// }
/// # Ok(()) }
/// ```
pub struct MeetingSessionBuilder {
    join: JoinInfo,
    peer_config: MeetingPeerConfig,
    audio: Option<(Box<dyn AudioSource>, Box<dyn AudioSink>)>,
    clock: Arc<dyn Clock>,
    timings: SignalingTimings,
}

impl std::fmt::Debug for MeetingSessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingSessionBuilder")
            .field("attendee_id", &self.join.attendee_id)
            .field("peer_config", &self.peer_config)
            .field("audio", &self.audio.is_some())
            .field("timings", &self.timings)
            .finish_non_exhaustive()
    }
}

impl MeetingSessionBuilder {
    pub(super) fn new(join: JoinInfo) -> Self {
        Self {
            join,
            peer_config: MeetingPeerConfig::new(Vec::new()),
            audio: None,
            clock: Arc::new(SystemClock::default()),
            timings: SignalingTimings::default(),
        }
    }

    /// The media configuration (default: no ICE server of its own, relay only, any local
    /// address). The TURN server of each `JOIN_ACK` is put first in its ICE servers, replacing
    /// a configured entry with the same URL; the other configured servers follow.
    pub fn peer_config(mut self, config: MeetingPeerConfig) -> Self {
        self.peer_config = config;
        self
    }

    /// The microphone and the speaker (default: silence in, nothing out). They outlive the
    /// media peers: after a re-join the fresh peer goes on with them.
    pub fn audio(mut self, source: Box<dyn AudioSource>, sink: Box<dyn AudioSink>) -> Self {
        self.audio = Some((source, sink));
        self
    }

    /// The clock of the signalling timers (default: the system clock, which follows tokio's
    /// paused time in tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The signalling timings (default: the Chime SDK client's).
    pub fn timings(mut self, timings: SignalingTimings) -> Self {
        self.timings = timings;
        self
    }

    /// Joins: `JOIN` → `JOIN_ACK` → a media peer with its TURN servers → `SUBSCRIBE` with its
    /// offer, sending audio only and asking for the remote videos on offer → the
    /// `SUBSCRIBE_ACK`'s answer and tracks applied. The first event is
    /// [`MeetingEvent::Joined`].
    pub async fn connect(self) -> Result<(MeetingSession, MeetingEvents), MeetingError> {
        let (source, sink) = self.audio.unwrap_or_else(|| {
            (
                Box::new(SilenceSource::new()) as Box<dyn AudioSource>,
                Box::new(NullSink::new()) as Box<dyn AudioSink>,
            )
        });
        let options = LinkOptions {
            peer_config: self.peer_config,
            clock: self.clock,
            timings: self.timings,
        };
        let kind = PeerKind::Attendee {
            source: ReusableAudio::new(source),
            sink: Reusable::new(sink),
        };
        let link = Link::open(self.join.clone(), &options, kind).await?;
        let attendee_id = self.join.attendee_id.clone();
        let plan = Plan::new(
            &attendee_id,
            link.client.join_ack().video_subscription_limit,
        );
        let (events, receiver) = mpsc::unbounded_channel();
        let _ = events.send(MeetingEvent::Joined {
            attendee_id: attendee_id.clone(),
        });
        let content = Arc::new(ContentSlot::new(events.clone()));
        let media = broadcast::channel(MEDIA_EVENT_QUEUE).0;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let mut driver = Driver::new(
            link,
            plan,
            events,
            command_rx,
            media.clone(),
            Arc::clone(&content),
        );
        driver.establish().await?;
        let task = TaskGuard::from(spawn_abortable(driver.run()));
        let session = MeetingSession::new(self.join, options, commands, media, content, task);
        Ok((session, MeetingEvents::new(receiver)))
    }
}
