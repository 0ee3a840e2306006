//! Opus audio: the send loop (one 20 ms frame per tick from the source, digital silence while
//! muted) and the receive loop (decoded in order with the softphone's playout, into the sink).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use connect_softphone::audio::{AudioFrame, AudioSink, AudioSource, FRAME_DURATION_MS};
use connect_softphone::media::rtp::InOrderPlayout;
use connect_softphone::media::{AudioCodec, CodecFactory, DefaultCodecs};
use rtc::media::Sample;
use tokio::time::MissedTickBehavior;
use tracing::{debug, trace, warn};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::shared::Shared;
use crate::meeting::media::engine::PT_OPUS;
use crate::meeting::media::MeetingMediaEvent;

/// Packets between two [`MeetingMediaEvent::AudioReceived`] events (one second of audio).
const AUDIO_EVENT_EVERY: u64 = 50;

/// Sends the source's audio from the moment media can flow until the peer closes.
pub(super) async fn send(
    shared: Arc<Shared>,
    track: Arc<TrackLocalStaticSample>,
    ssrc: u32,
    mut source: Box<dyn AudioSource>,
) {
    if !shared.wait_transport().await {
        return;
    }
    let mut encoder = match DefaultCodecs::default().encoder(AudioCodec::Opus) {
        Ok(encoder) => encoder,
        Err(error) => {
            warn!(%error, "no Opus encoder; audio is not sent");
            return;
        }
    };
    let frame_duration = Duration::from_millis(u64::from(FRAME_DURATION_MS));
    let mut clock = tokio::time::interval(frame_duration);
    clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut ended = false;
    let mut timestamp = 0u64;
    while !shared.is_closed() {
        clock.tick().await;
        let frame = if ended {
            None
        } else {
            match source.next_frame().await {
                Ok(Some(frame)) => Some(frame),
                Ok(None) => {
                    debug!("audio source ended; sending silence");
                    ended = true;
                    None
                }
                Err(error) => {
                    warn!(%error, "audio source failed; sending silence");
                    ended = true;
                    None
                }
            }
        };
        let frame = match frame {
            Some(frame) if !shared.muted.load(Ordering::Relaxed) => {
                AudioFrame::from_samples(timestamp, frame.samples)
            }
            _ => AudioFrame::silence(timestamp),
        };
        timestamp += frame.samples.len() as u64;
        let payload = match encoder.encode(&frame) {
            Ok(payload) => payload,
            Err(error) => {
                warn!(%error, "Opus encoding failed; frame skipped");
                continue;
            }
        };
        let sample = Sample {
            data: Bytes::from(payload),
            duration: frame_duration,
            ..Sample::new(Instant::now())
        };
        match track.write_sample(ssrc, PT_OPUS, &sample, &[]).await {
            Ok(()) => {
                shared.audio_sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => trace!(%error, "audio packet not sent"),
        }
    }
}

/// Decodes a remote audio track into `sink` (or only counts it, without a sink).
pub(super) async fn receive(
    shared: Arc<Shared>,
    track: Arc<dyn TrackRemote>,
    mut sink: Option<Box<dyn AudioSink>>,
) {
    let mut playout = match DefaultCodecs::default().decoder(AudioCodec::Opus) {
        Ok(decoder) => Some(InOrderPlayout::new(decoder)),
        Err(error) => {
            warn!(%error, "no Opus decoder; audio is only counted");
            None
        }
    };
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else {
            continue;
        };
        let packets = shared.audio_received.fetch_add(1, Ordering::Relaxed) + 1;
        if packets == 1 || packets % AUDIO_EVENT_EVERY == 0 {
            shared.emit(MeetingMediaEvent::AudioReceived { packets });
        }
        if packet.header.payload_type != PT_OPUS {
            trace!(
                pt = packet.header.payload_type,
                "unexpected audio payload type"
            );
            continue;
        }
        let (Some(playout), Some(sink)) = (playout.as_mut(), sink.as_mut()) else {
            continue;
        };
        match playout.push(packet.header.sequence_number, &packet.payload) {
            Ok(frames) => {
                for frame in frames {
                    if let Err(error) = sink.write_frame(&frame).await {
                        warn!(%error, "audio sink failed");
                    }
                }
            }
            Err(error) => debug!(%error, "audio packet not decodable"),
        }
    }
    if let Some(sink) = sink.as_mut() {
        if let Err(error) = sink.flush().await {
            warn!(%error, "audio sink flush failed");
        }
    }
}
