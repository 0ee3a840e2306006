//! State shared by a meeting peer's handle, its supervisor and its media loops, and the
//! statistics read from it.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::{broadcast, watch};

use super::tiles::TileMap;
use crate::meeting::media::video::AssemblerStats;
use crate::meeting::media::{MeetingMediaEvent, MEDIA_EVENT_QUEUE};

/// What a peer received of one remote video stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RemoteVideoStats {
    /// The meeting-wide stream id.
    pub stream_id: u32,
    /// Complete frames.
    pub frames: u64,
    /// Of which keyframes.
    pub keyframes: u64,
    /// Frames lost to missing packets or malformed data.
    pub dropped_frames: u64,
    /// Packets missing according to sequence numbers.
    pub lost_packets: u64,
    /// Picture size of the last keyframe.
    pub dimensions: Option<(u16, u16)>,
}

/// A snapshot of a peer's media counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeetingMediaStats {
    /// Audio packets sent.
    pub audio_packets_sent: u64,
    /// Audio packets received.
    pub audio_packets_received: u64,
    /// Local video frames sent.
    pub video_frames_sent: u64,
    /// Keyframe requests (PLI/FIR) received about the local video.
    pub keyframe_requests: u64,
    /// Per remote video stream, by stream id.
    pub remote_video: Vec<RemoteVideoStats>,
}

/// Locks a std mutex, recovering from a poisoned one (a panicked holder left plain data).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) struct Shared {
    pub(super) events: broadcast::Sender<MeetingMediaEvent>,
    pub(super) muted: AtomicBool,
    pub(super) closed: AtomicBool,
    /// Whether media can flow (the peer connection is connected).
    pub(super) transport_up: watch::Sender<bool>,
    pub(super) tiles: Mutex<TileMap>,
    pub(super) audio_sent: AtomicU64,
    pub(super) audio_received: AtomicU64,
    pub(super) video_frames_sent: AtomicU64,
    pub(super) keyframe_requests: AtomicU64,
    /// Set when a receiver asked for a keyframe; taken by the video send loop.
    pub(super) keyframe_wanted: AtomicBool,
    pub(super) remote: Mutex<BTreeMap<u32, RemoteVideoStats>>,
}

impl Shared {
    pub(super) fn new() -> Self {
        Self {
            events: broadcast::channel(MEDIA_EVENT_QUEUE).0,
            muted: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            transport_up: watch::Sender::new(false),
            tiles: Mutex::new(TileMap::default()),
            audio_sent: AtomicU64::new(0),
            audio_received: AtomicU64::new(0),
            video_frames_sent: AtomicU64::new(0),
            keyframe_requests: AtomicU64::new(0),
            keyframe_wanted: AtomicBool::new(false),
            remote: Mutex::new(BTreeMap::new()),
        }
    }

    /// Publishes an event; nobody listening is fine.
    pub(super) fn emit(&self, event: MeetingMediaEvent) {
        let _ = self.events.send(event);
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Waits until media can flow; `false` if the peer went away first.
    pub(super) async fn wait_transport(&self) -> bool {
        self.transport_up
            .subscribe()
            .wait_for(|up| *up)
            .await
            .is_ok()
    }

    /// Adds what an assembler counted since `before` to a stream's statistics.
    pub(super) fn record_video(
        &self,
        stream_id: u32,
        before: AssemblerStats,
        after: AssemblerStats,
        dimensions: Option<(u16, u16)>,
    ) -> RemoteVideoStats {
        let mut remote = lock(&self.remote);
        let stats = remote.entry(stream_id).or_insert(RemoteVideoStats {
            stream_id,
            ..RemoteVideoStats::default()
        });
        stats.frames += after.frames - before.frames;
        stats.keyframes += after.keyframes - before.keyframes;
        stats.dropped_frames += after.dropped_frames - before.dropped_frames;
        stats.lost_packets += after.lost_packets - before.lost_packets;
        if dimensions.is_some() {
            stats.dimensions = dimensions;
        }
        *stats
    }

    pub(super) fn stats(&self) -> MeetingMediaStats {
        MeetingMediaStats {
            audio_packets_sent: self.audio_sent.load(Ordering::Relaxed),
            audio_packets_received: self.audio_received.load(Ordering::Relaxed),
            video_frames_sent: self.video_frames_sent.load(Ordering::Relaxed),
            keyframe_requests: self.keyframe_requests.load(Ordering::Relaxed),
            remote_video: lock(&self.remote).values().copied().collect(),
        }
    }
}
