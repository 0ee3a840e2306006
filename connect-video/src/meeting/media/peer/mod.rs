//! [`MeetingPeer`]: one attendee's (or one content share's) WebRTC media in a meeting.

mod audio;
mod negotiate;
mod shared;
mod supervisor;
mod tiles;
mod video_receive;
mod video_send;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use connect_softphone::audio::{AudioSink, AudioSource};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::task::JoinHandle;
use tracing::debug;
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::PeerConnection;

use self::negotiate::Negotiation;
use self::shared::{lock, Shared};
use self::supervisor::Supervisor;
use super::engine::{build_peer, opus_track, random_ssrc, vp8_track};
use super::video::VideoSource;
use super::{
    MeetingMediaError, MeetingMediaEvent, MeetingMediaEvents, MeetingPeerConfig, PeerMode,
};
pub use shared::{MeetingMediaStats, RemoteVideoStats};

/// One attendee's meeting media over webrtc-rs: relay-capable ICE with the meeting's TURN
/// servers, Opus audio both ways, the local camera (off until
/// [`start_local_video`](Self::start_local_video)), and receive slots for remote video. A
/// content-share peer ([`MeetingPeer::content_share`]) sends one video stream and receives
/// nothing.
///
/// The signalling drives it: [`create_offer`](Self::create_offer) goes into `SUBSCRIBE`, and the
/// `SUBSCRIBE_ACK`'s answer and track mapping go to [`apply_answer`](Self::apply_answer); every
/// re-subscription (a new `INDEX`) repeats the pair. Clones share the peer; dropping the last
/// one closes it.
///
/// ```no_run
/// # async fn run(ice: Vec<connect_softphone::media::IceServer>) -> Result<(), Box<dyn std::error::Error>> {
/// use connect_softphone::audio::{NullSink, SilenceSource};
/// use connect_video::meeting::media::{MeetingPeer, MeetingPeerConfig};
/// use connect_video::meeting::media::video::TestPatternSource;
///
/// let (peer, mut events) = MeetingPeer::attendee(
///     MeetingPeerConfig::new(ice),
///     Box::new(SilenceSource::new()),
///     Box::new(NullSink::new()),
/// ).await?;
/// let offer = peer.create_offer(2).await?; // audio, the camera slot, two remote videos
/// // ... SUBSCRIBE with the offer, SUBSCRIBE_ACK gives `answer` and `tracks` ...
/// # let (answer, tracks): (String, Vec<(String, u32)>) = Default::default();
/// peer.apply_answer(&answer, &tracks).await?;
/// peer.start_local_video(Box::new(TestPatternSource::new())).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MeetingPeer {
    inner: Arc<Inner>,
}

struct Inner {
    pc: Arc<dyn PeerConnection>,
    runtime: Arc<connect_softphone::media::DriverRuntime>,
    shared: Arc<Shared>,
    mode: PeerMode,
    negotiation: tokio::sync::Mutex<Negotiation>,
    video_track: Arc<TrackLocalStaticSample>,
    video_ssrc: u32,
    camera: Mutex<Option<JoinHandle<()>>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for MeetingPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingPeer")
            .field("mode", &self.inner.mode)
            .field("closed", &self.inner.shared.is_closed())
            .finish_non_exhaustive()
    }
}

fn sample_track(
    track: rtc::media_stream::MediaStreamTrack,
) -> Result<Arc<TrackLocalStaticSample>, MeetingMediaError> {
    TrackLocalStaticSample::new(std::time::Instant::now(), track)
        .map(Arc::new)
        .map_err(|e| MeetingMediaError::Setup(format!("local track: {e}")))
}

fn send_init(direction: RTCRtpTransceiverDirection) -> Option<RTCRtpTransceiverInit> {
    Some(RTCRtpTransceiverInit {
        direction,
        streams: vec![],
        send_encodings: vec![],
    })
}

impl MeetingPeer {
    /// An attendee's peer: Opus from `source` and into `sink`, the camera off, no receive
    /// slot yet. Nothing flows before the first answer is applied.
    pub async fn attendee(
        config: MeetingPeerConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
    ) -> Result<(Self, MeetingMediaEvents), MeetingMediaError> {
        Self::build(config, PeerMode::Attendee, Some((source, sink))).await
    }

    /// A content-share peer (the `<attendee>#content` connection): one send-only video
    /// stream from `source`, which starts as soon as media can flow; it receives nothing.
    pub async fn content_share(
        config: MeetingPeerConfig,
        source: Box<dyn VideoSource>,
    ) -> Result<(Self, MeetingMediaEvents), MeetingMediaError> {
        let (peer, events) = Self::build(config, PeerMode::ContentShare, None).await?;
        peer.start_local_video(source).await?;
        Ok((peer, events))
    }

    async fn build(
        config: MeetingPeerConfig,
        mode: PeerMode,
        audio: Option<(Box<dyn AudioSource>, Box<dyn AudioSink>)>,
    ) -> Result<(Self, MeetingMediaEvents), MeetingMediaError> {
        let rtc = build_peer(
            &config.ice_servers,
            config.ice_policy,
            config.bind_addrs.clone(),
        )
        .await?;
        let shared = Arc::new(Shared::new());
        let events = MeetingMediaEvents::new(shared.events.subscribe());
        let setup = |what: &'static str| {
            move |e: webrtc::error::Error| MeetingMediaError::Setup(format!("{what}: {e}"))
        };
        let mut tasks = Vec::new();
        let mut sink = None;
        if let Some((source, audio_sink)) = audio {
            let ssrc = random_ssrc()?;
            let track = sample_track(opus_track("audio", ssrc))?;
            rtc.pc
                .add_transceiver_from_track(
                    Arc::clone(&track) as Arc<dyn TrackLocal>,
                    send_init(RTCRtpTransceiverDirection::Sendrecv),
                )
                .await
                .map_err(setup("audio transceiver"))?;
            tasks.push(tokio::spawn(audio::send(
                Arc::clone(&shared),
                track,
                ssrc,
                source,
            )));
            sink = Some(audio_sink);
        }
        let video_ssrc = random_ssrc()?;
        let label = match mode {
            PeerMode::Attendee => "camera",
            PeerMode::ContentShare => "content",
        };
        let video_track = sample_track(vp8_track(label, video_ssrc))?;
        rtc.pc
            .add_transceiver_from_track(
                Arc::clone(&video_track) as Arc<dyn TrackLocal>,
                send_init(RTCRtpTransceiverDirection::Sendonly),
            )
            .await
            .map_err(setup("video transceiver"))?;
        let supervisor = Supervisor {
            shared: Arc::clone(&shared),
            pc: Arc::clone(&rtc.pc),
            sink,
            video_track: Arc::clone(&video_track),
        };
        tasks.push(tokio::spawn(supervisor.run(rtc.signals)));
        let inner = Inner {
            pc: rtc.pc,
            runtime: rtc.runtime,
            shared,
            mode,
            negotiation: tokio::sync::Mutex::new(Negotiation {
                gathered: rtc.gathered,
                gather_timeout: config.gather_timeout,
                receive_slots: 0,
            }),
            video_track,
            video_ssrc,
            camera: Mutex::new(None),
            tasks: Mutex::new(tasks),
        };
        Ok((
            Self {
                inner: Arc::new(inner),
            },
            events,
        ))
    }

    fn ensure_open(&self) -> Result<(), MeetingMediaError> {
        if self.inner.shared.is_closed() {
            Err(MeetingMediaError::Closed)
        } else {
            Ok(())
        }
    }

    /// Attendee or content share.
    pub fn mode(&self) -> PeerMode {
        self.inner.mode
    }

    /// An offer with audio (attendees), the local video's send-only section and at least
    /// `receive_video_slots` receive-only video sections (slots are added, never removed),
    /// gathered, with its candidates inline. A content-share peer takes no slot.
    pub async fn create_offer(
        &self,
        receive_video_slots: usize,
    ) -> Result<String, MeetingMediaError> {
        self.ensure_open()?;
        if self.inner.mode == PeerMode::ContentShare && receive_video_slots > 0 {
            return Err(MeetingMediaError::Unsupported(
                "a content share receives no video",
            ));
        }
        let mut negotiation = self.inner.negotiation.lock().await;
        negotiation
            .offer(self.inner.pc.as_ref(), receive_video_slots)
            .await
    }

    /// Applies the answer to the last offer and the mapping of receive slots to stream ids
    /// (`(mid, stream_id)`, from `SUBSCRIBE_ACK`); emits the remote video tiles added and
    /// removed.
    pub async fn apply_answer(
        &self,
        answer_sdp: &str,
        tracks: &[(String, u32)],
    ) -> Result<(), MeetingMediaError> {
        self.ensure_open()?;
        let _negotiation = self.inner.negotiation.lock().await;
        negotiate::apply_answer(
            self.inner.pc.as_ref(),
            &self.inner.shared,
            answer_sdp,
            tracks,
        )
        .await?;
        // The ICE agent checks the answer's candidates at once, but the driver is not woken
        // for them.
        self.inner.runtime.nudge();
        Ok(())
    }

    /// Starts sending local video from `source` (replacing a running one). Nothing is sent
    /// before this: joining sends audio only and opens no camera.
    pub async fn start_local_video(
        &self,
        source: Box<dyn VideoSource>,
    ) -> Result<(), MeetingMediaError> {
        self.ensure_open()?;
        let task = tokio::spawn(video_send::send(
            Arc::clone(&self.inner.shared),
            Arc::clone(&self.inner.video_track),
            self.inner.video_ssrc,
            source,
        ));
        if let Some(previous) = lock(&self.inner.camera).replace(task) {
            previous.abort();
        }
        self.inner.shared.emit(MeetingMediaEvent::LocalVideoStarted);
        Ok(())
    }

    /// Stops sending local video and drops its source. Does nothing when it is off.
    pub fn stop_local_video(&self) {
        if let Some(task) = lock(&self.inner.camera).take() {
            let was_running = !task.is_finished();
            task.abort();
            if was_running {
                self.inner.shared.emit(MeetingMediaEvent::LocalVideoStopped);
            }
        }
    }

    /// Whether local video is being sent.
    pub fn is_local_video_on(&self) -> bool {
        lock(&self.inner.camera)
            .as_ref()
            .is_some_and(|task| !task.is_finished())
    }

    /// Mutes or unmutes the microphone: muted, digital silence is sent.
    pub fn set_muted(&self, muted: bool) {
        self.inner.shared.muted.store(muted, Ordering::Relaxed);
    }

    /// Whether the microphone is muted.
    pub fn is_muted(&self) -> bool {
        self.inner.shared.muted.load(Ordering::Relaxed)
    }

    /// The remote streams received now, as `(mid, stream_id)`.
    pub fn remote_streams(&self) -> Vec<(String, u32)> {
        lock(&self.inner.shared.tiles).streams()
    }

    /// A snapshot of the media counters.
    pub fn stats(&self) -> MeetingMediaStats {
        self.inner.shared.stats()
    }

    /// A new subscription to the peer's events.
    pub fn subscribe(&self) -> MeetingMediaEvents {
        MeetingMediaEvents::new(self.inner.shared.events.subscribe())
    }

    /// Stops the media loops and closes the peer connection. Idempotent.
    pub async fn close(&self) -> Result<(), MeetingMediaError> {
        if self.inner.stop() {
            self.inner
                .pc
                .close()
                .await
                .map_err(|e| MeetingMediaError::Setup(format!("close: {e}")))?;
        }
        Ok(())
    }
}

impl Inner {
    /// Marks the peer closed and aborts its tasks; `false` if it already was.
    fn stop(&self) -> bool {
        if self.shared.closed.swap(true, Ordering::AcqRel) {
            return false;
        }
        for task in lock(&self.tasks).drain(..).chain(lock(&self.camera).take()) {
            task.abort();
        }
        self.shared.transport_up.send_replace(false);
        true
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.stop() {
            debug!("meeting peer dropped; closing");
            let pc = Arc::clone(&self.pc);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = pc.close().await;
                });
            }
        }
    }
}
