//! One remote video track: its packets are assembled into frames for the stream its slot
//! currently carries and counted, and a keyframe is asked for (PLI) whenever the assembler
//! needs one.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::debug;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::shared::{lock, Shared};
use crate::meeting::media::engine::picture_loss;
use crate::meeting::media::video::{RtpMeta, Vp8FrameAssembler};
use crate::meeting::media::MeetingMediaEvent;

/// The shortest interval between two keyframe requests about one track.
const PLI_INTERVAL: Duration = Duration::from_millis(300);

/// Runs until the track ends.
pub(super) async fn receive(shared: Arc<Shared>, track: Arc<dyn TrackRemote>, mid: String) {
    let mut assembler = Vp8FrameAssembler::new();
    let mut current: Option<u32> = None;
    let mut last_pli: Option<Instant> = None;
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else {
            continue;
        };
        let Some(stream_id) = lock(&shared.tiles).stream_for(&mid) else {
            continue;
        };
        if current != Some(stream_id) {
            assembler.reset();
            current = Some(stream_id);
        }
        let meta = RtpMeta {
            sequence: packet.header.sequence_number,
            timestamp: packet.header.timestamp,
            marker: packet.header.marker,
        };
        let before = assembler.stats();
        let pushed = assembler.push(meta, &packet.payload);
        let stats =
            shared.record_video(stream_id, before, assembler.stats(), assembler.dimensions());
        match pushed {
            Ok(Some(frame)) => {
                shared.emit(MeetingMediaEvent::VideoFrameReceived {
                    stream_id,
                    keyframe: frame.info.keyframe,
                    dimensions: stats.dimensions,
                    frames: stats.frames,
                });
            }
            Ok(None) => {}
            Err(error) => debug!(%error, stream_id, "video packet refused"),
        }
        if assembler.needs_keyframe() && last_pli.is_none_or(|at| at.elapsed() >= PLI_INTERVAL) {
            last_pli = Some(Instant::now());
            if let Err(error) = track.write_rtcp(picture_loss(packet.header.ssrc)).await {
                debug!(%error, "keyframe request not sent");
            }
        }
    }
}
