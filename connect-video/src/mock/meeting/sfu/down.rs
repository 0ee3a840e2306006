//! One outbound track of a subscriber: what the SFU forwards to it leaves on the subscriber's
//! own SSRC, rewritten, without transcoding.

use std::sync::{Arc, Mutex, PoisonError};

use rtc::rtp::Packet;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::TrackLocal;

use super::rewrite::RtpRewriter;
use crate::meeting::media::engine::{opus_track, random_ssrc, vp8_track, PT_OPUS, PT_VP8};
use crate::mock::meeting::RouterError;

/// Timestamp step at a source change: one 20 ms Opus packet, or one 30 frames/s video frame.
const AUDIO_STEP: u32 = 960;
const VIDEO_STEP: u32 = 3000;

pub(super) struct DownTrack {
    pub(super) track: Arc<TrackLocalStaticRTP>,
    pub(super) track_id: String,
    payload_type: u8,
    rewriter: Mutex<RtpRewriter>,
}

impl DownTrack {
    fn new(
        track: rtc::media_stream::MediaStreamTrack,
        payload_type: u8,
        ssrc: u32,
        step: u32,
    ) -> Self {
        Self {
            track_id: track.track_id().to_string(),
            track: Arc::new(TrackLocalStaticRTP::new(track)),
            payload_type,
            rewriter: Mutex::new(RtpRewriter::new(ssrc, step)),
        }
    }

    /// The audio a subscriber hears from the other attendees.
    pub(super) fn audio() -> Result<Self, RouterError> {
        let ssrc = random_ssrc().map_err(|e| RouterError::Failed(e.to_string()))?;
        Ok(Self::new(
            opus_track("sfu-audio", ssrc),
            PT_OPUS,
            ssrc,
            AUDIO_STEP,
        ))
    }

    /// One receive slot of a subscriber.
    pub(super) fn video() -> Result<Self, RouterError> {
        let ssrc = random_ssrc().map_err(|e| RouterError::Failed(e.to_string()))?;
        Ok(Self::new(
            vp8_track("sfu-video", ssrc),
            PT_VP8,
            ssrc,
            VIDEO_STEP,
        ))
    }

    /// The track, as the peer connection takes it.
    pub(super) fn local(&self) -> Arc<dyn TrackLocal> {
        Arc::clone(&self.track) as Arc<dyn TrackLocal>
    }

    /// Forwards one packet; whether it went out.
    pub(super) async fn forward(&self, mut packet: Packet) -> bool {
        self.rewriter
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .rewrite(&mut packet.header);
        packet.header.payload_type = self.payload_type;
        self.track.write_rtp(packet).await.is_ok()
    }
}
