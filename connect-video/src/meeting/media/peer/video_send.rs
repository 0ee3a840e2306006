//! Local video: the send loop (one encoded frame per frame interval, a keyframe when a receiver
//! asks) and the loop that hears keyframe requests about the local track.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use rtc::media::Sample;
use tokio::time::MissedTickBehavior;
use tracing::{debug, trace, warn};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};

use super::shared::Shared;
use crate::meeting::media::engine::{is_keyframe_request, PT_VP8};
use crate::meeting::media::video::VideoSource;
use crate::meeting::media::MeetingMediaEvent;

/// Sends the source's frames from the moment media can flow until it ends or is stopped.
pub(super) async fn send(
    shared: Arc<Shared>,
    track: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    mut source: Box<dyn VideoSource>,
) {
    if !shared.wait_transport().await {
        return;
    }
    debug!(source = ?source.info(), "local video sending");
    let mut clock = tokio::time::interval(source.frame_duration());
    clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while !shared.is_closed() {
        clock.tick().await;
        if shared.keyframe_wanted.swap(false, Ordering::AcqRel) {
            source.request_keyframe();
        }
        let frame = match source.next_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                debug!("video source ended");
                break;
            }
            Err(error) => {
                warn!(%error, "video source failed; local video stops");
                break;
            }
        };
        let sample = Sample {
            data: frame.data,
            duration: frame.duration,
            ..Sample::new(Instant::now())
        };
        match track.write_sample(ssrc, PT_VP8, &sample, &[]).await {
            Ok(()) => {
                shared.video_frames_sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => trace!(%error, "video frame not sent"),
        }
    }
    shared.emit(MeetingMediaEvent::LocalVideoStopped);
}

/// Hears PLI/FIR about the local video track until the peer closes; the send loop answers
/// with a keyframe. Runs once the track is bound (media can flow).
pub(super) async fn keyframe_requests(shared: Arc<Shared>, track: Arc<TrackLocalStaticSample>) {
    while let Some(event) = track.poll().await {
        let TrackLocalEvent::OnRtcpPacket(packets) = event else {
            continue;
        };
        if packets.iter().any(|p| is_keyframe_request(p.as_ref())) {
            shared.keyframe_requests.fetch_add(1, Ordering::Relaxed);
            shared.keyframe_wanted.store(true, Ordering::Release);
            shared.emit(MeetingMediaEvent::KeyframeRequested);
        }
    }
}
