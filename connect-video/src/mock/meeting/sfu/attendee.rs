//! One attendee's peer in the SFU: answering its (re-)subscriptions, its downstream tracks
//! (audio, and one per receive slot) and what it sends.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use connect_softphone::media::{DriverRuntime, IcePolicy};
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{debug, warn};
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{PeerConnection, RTCSessionDescription};

use super::down::DownTrack;
use super::offer::{media_sections, Direction};
use super::registry::Registry;
use super::router::AttendeeStats;
use super::{slots, uplink};
use crate::meeting::media::engine::{build_peer, picture_loss, wait_gathered};
use crate::mock::meeting::{
    RouterError, SentStream, StreamMedia, SubscribeAnswer, SubscribeRequest,
};

/// How long an answer waits for the SFU's (host, loopback) candidates.
const GATHER_LIMIT: Duration = Duration::from_secs(5);

/// The suffix of a content-share attendee id.
const CONTENT_SUFFIX: &str = "#content";

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One receive slot of a subscriber.
pub(super) struct Slot {
    mid: Option<String>,
    pub(super) down: Arc<DownTrack>,
    pub(super) stream: Option<u32>,
}

#[derive(Default)]
pub(super) struct Counters {
    pub(super) audio_in: AtomicU64,
    pub(super) video_in: AtomicU64,
    pub(super) forwarded: AtomicU64,
    pub(super) audio_out: AtomicU64,
    pub(super) video_out: AtomicU64,
    pub(super) keyframe_requests: AtomicU64,
}

/// The attendee's video as received, and its SSRC once the first packet told it.
pub(super) type VideoIn = (Arc<dyn TrackRemote>, Option<u32>);

struct Negotiation {
    gathered: watch::Receiver<bool>,
    known_mids: HashSet<String>,
}

pub(super) struct Attendee {
    pub(super) id: String,
    pub(super) meeting_id: String,
    pub(super) content: bool,
    pc: Arc<dyn PeerConnection>,
    runtime: Arc<DriverRuntime>,
    pub(super) registry: Weak<Registry>,
    negotiation: tokio::sync::Mutex<Negotiation>,
    send_streams: Mutex<Vec<SentStream>>,
    pub(super) audio_out: Mutex<Option<Arc<DownTrack>>>,
    pub(super) slots: Mutex<Vec<Slot>>,
    pub(super) video_in: Mutex<Option<VideoIn>>,
    pub(super) connected: AtomicBool,
    pub(super) counters: Counters,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

fn failed(what: &'static str) -> impl Fn(webrtc::error::Error) -> RouterError {
    move |e| RouterError::Failed(format!("{what}: {e}"))
}

fn init(direction: RTCRtpTransceiverDirection) -> Option<RTCRtpTransceiverInit> {
    Some(RTCRtpTransceiverInit {
        direction,
        streams: vec![],
        send_encodings: vec![],
    })
}

impl Attendee {
    pub(super) async fn create(
        meeting_id: &str,
        attendee_id: &str,
        registry: Weak<Registry>,
    ) -> Result<Arc<Self>, RouterError> {
        let rtc = build_peer(&[], IcePolicy::All, vec!["127.0.0.1:0".to_owned()])
            .await
            .map_err(|e| RouterError::Failed(e.to_string()))?;
        let attendee = Arc::new(Self {
            id: attendee_id.to_owned(),
            meeting_id: meeting_id.to_owned(),
            content: attendee_id.ends_with(CONTENT_SUFFIX),
            pc: rtc.pc,
            runtime: rtc.runtime,
            registry,
            negotiation: tokio::sync::Mutex::new(Negotiation {
                gathered: rtc.gathered,
                known_mids: HashSet::new(),
            }),
            send_streams: Mutex::new(Vec::new()),
            audio_out: Mutex::new(None),
            slots: Mutex::new(Vec::new()),
            video_in: Mutex::new(None),
            connected: AtomicBool::new(false),
            counters: Counters::default(),
            tasks: Mutex::new(Vec::new()),
        });
        let task = tokio::spawn(uplink::supervise(Arc::downgrade(&attendee), rtc.signals));
        lock(&attendee.tasks).push(task);
        Ok(attendee)
    }

    pub(super) fn stats(&self) -> AttendeeStats {
        let c = &self.counters;
        AttendeeStats {
            audio_packets_in: c.audio_in.load(Ordering::Relaxed),
            video_packets_in: c.video_in.load(Ordering::Relaxed),
            packets_forwarded: c.forwarded.load(Ordering::Relaxed),
            audio_packets_out: c.audio_out.load(Ordering::Relaxed),
            video_packets_out: c.video_out.load(Ordering::Relaxed),
            keyframe_requests: c.keyframe_requests.load(Ordering::Relaxed),
        }
    }

    /// The meeting-wide id of the attendee's video stream, if it declared one.
    pub(super) fn video_stream_id(&self) -> Option<u32> {
        lock(&self.send_streams)
            .iter()
            .find(|s| s.media == StreamMedia::Video)
            .map(|s| s.stream_id)
    }

    /// The downstream tracks currently bound to `stream_id`.
    pub(super) fn slots_for(&self, stream_id: u32) -> Vec<Arc<DownTrack>> {
        lock(&self.slots)
            .iter()
            .filter(|slot| slot.stream == Some(stream_id))
            .map(|slot| Arc::clone(&slot.down))
            .collect()
    }

    /// Asks this attendee's video sender for a keyframe (PLI), when it sends video.
    pub(super) async fn request_keyframe(&self) {
        let video = lock(&self.video_in).clone();
        if let Some((track, Some(ssrc))) = video {
            self.counters
                .keyframe_requests
                .fetch_add(1, Ordering::Relaxed);
            if let Err(error) = track.write_rtcp(picture_loss(ssrc)).await {
                debug!(%error, attendee = %self.id, "keyframe request not sent");
            }
        }
    }

    pub(super) fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        lock(&self.tasks).push(tokio::spawn(task));
    }

    /// Answers a (re-)subscription.
    pub(super) async fn subscribe(
        self: &Arc<Self>,
        request: SubscribeRequest,
    ) -> Result<SubscribeAnswer, RouterError> {
        let sections = media_sections(&request.offer_sdp);
        if sections.is_empty() {
            return Err(RouterError::BadOffer("no media section".into()));
        }
        let mut negotiation = self.negotiation.lock().await;
        let mut new_slots = Vec::new();
        if !self.content {
            let wants_audio = sections.iter().any(|s| {
                s.kind == "audio"
                    && matches!(s.direction, Direction::SendRecv | Direction::RecvOnly)
            });
            if wants_audio && lock(&self.audio_out).is_none() {
                let down = Arc::new(DownTrack::audio()?);
                self.pc
                    .add_transceiver_from_track(
                        down.local(),
                        init(RTCRtpTransceiverDirection::Sendrecv),
                    )
                    .await
                    .map_err(failed("audio transceiver"))?;
                *lock(&self.audio_out) = Some(down);
            }
            let wanted = sections
                .iter()
                .filter(|s| s.kind == "video" && s.direction == Direction::RecvOnly)
                .filter(|s| {
                    s.mid
                        .as_ref()
                        .is_none_or(|mid| !negotiation.known_mids.contains(mid))
                })
                .count();
            for _ in 0..wanted {
                let down = Arc::new(DownTrack::video()?);
                self.pc
                    .add_transceiver_from_track(
                        down.local(),
                        init(RTCRtpTransceiverDirection::Sendonly),
                    )
                    .await
                    .map_err(failed("video transceiver"))?;
                new_slots.push(Arc::clone(&down));
                let weak = Arc::downgrade(self);
                self.spawn(uplink::relay_keyframe_requests(weak, down));
            }
        }
        let offer = RTCSessionDescription::offer(request.offer_sdp.clone())
            .map_err(|e| RouterError::BadOffer(e.to_string()))?;
        self.pc
            .set_remote_description(offer)
            .await
            .map_err(|e| RouterError::BadOffer(e.to_string()))?;
        self.runtime.nudge();
        let answer = self
            .pc
            .create_answer(None)
            .await
            .map_err(failed("answer"))?;
        self.pc
            .set_local_description(answer)
            .await
            .map_err(failed("local description"))?;
        wait_gathered(&mut negotiation.gathered, GATHER_LIMIT).await;
        let answer_sdp = self
            .pc
            .local_description()
            .await
            .map(|d| d.sdp)
            .ok_or_else(|| RouterError::Failed("no local description".into()))?;
        negotiation
            .known_mids
            .extend(sections.iter().filter_map(|s| s.mid.clone()));
        drop(negotiation);
        let slot_mids = self.slot_mids(&new_slots).await;
        *lock(&self.send_streams) = request.send_streams.clone();
        let (tracks, newly_bound) = self.bind(new_slots, slot_mids, &request);
        if let Some(registry) = self.registry.upgrade() {
            for stream_id in newly_bound {
                registry.request_keyframe(&self.meeting_id, stream_id).await;
            }
        }
        Ok(SubscribeAnswer { answer_sdp, tracks })
    }

    /// The mids the new slot tracks were given.
    async fn slot_mids(&self, new_slots: &[Arc<DownTrack>]) -> Vec<(String, String)> {
        if new_slots.is_empty() {
            return Vec::new();
        }
        let mut mids = Vec::new();
        for transceiver in self.pc.get_transceivers().await {
            let (Ok(Some(sender)), Ok(Some(mid))) =
                (transceiver.sender().await, transceiver.mid().await)
            else {
                continue;
            };
            mids.push((sender.track().track_id().await.to_string(), mid));
        }
        mids
    }

    /// Adds the new slots and binds the requested streams; returns the track mapping and the
    /// streams that were just bound to a slot.
    fn bind(
        &self,
        new_slots: Vec<Arc<DownTrack>>,
        mids: Vec<(String, String)>,
        request: &SubscribeRequest,
    ) -> (Vec<(String, u32)>, Vec<u32>) {
        let mut slots = lock(&self.slots);
        for down in new_slots {
            let mid = mids
                .iter()
                .find(|(track_id, _)| *track_id == down.track_id)
                .map(|(_, mid)| mid.clone());
            if mid.is_none() {
                warn!(attendee = %self.id, "a receive slot got no mid");
            }
            slots.push(Slot {
                mid,
                down,
                stream: None,
            });
        }
        let own: Vec<u32> = request.send_streams.iter().map(|s| s.stream_id).collect();
        let requested: Vec<u32> = request
            .receive_stream_ids
            .iter()
            .copied()
            .filter(|id| !own.contains(id))
            .collect();
        // Only slots the subscriber can see (with a mid) carry streams.
        let visible: Vec<usize> = (0..slots.len())
            .filter(|&i| slots[i].mid.is_some())
            .collect();
        let current: Vec<Option<u32>> = visible.iter().map(|&i| slots[i].stream).collect();
        let assigned = slots::assign(&current, &requested);
        let mut newly_bound = Vec::new();
        let mut tracks = Vec::new();
        for (&i, stream) in visible.iter().zip(assigned) {
            let slot = &mut slots[i];
            if stream.is_some() && stream != slot.stream {
                newly_bound.extend(stream);
            }
            slot.stream = stream;
            if let (Some(mid), Some(stream)) = (&slot.mid, stream) {
                tracks.push((mid.clone(), stream));
            }
        }
        (tracks, newly_bound)
    }

    /// Stops forwarding and closes the peer.
    pub(super) async fn close(&self) {
        self.stop();
        if let Err(error) = self.pc.close().await {
            debug!(%error, attendee = %self.id, "SFU peer close");
        }
    }

    fn stop(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
    }
}

impl Drop for Attendee {
    fn drop(&mut self) {
        self.stop();
        let pc = Arc::clone(&self.pc);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = pc.close().await;
            });
        }
    }
}
