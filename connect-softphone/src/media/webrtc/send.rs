//! The send loop: from the moment the media transport is first up, every 20 ms of monotonic
//! time pull a frame from the source, encode it (digital silence while muted, with the loss
//! hint the far end last reported) or play a DTMF packet instead, and write one RTP packet;
//! after a stall the backlog is paced out (see `pacing`).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtc::rtp::{Header, Packet};
use tokio::time::MissedTickBehavior;
use tracing::{debug, trace, warn};
use webrtc::media_stream::track_local::TrackLocal;

use super::pacing::SendPacer;
use super::shared::{lock, Shared};
use crate::audio::{peak_level, AudioEncoder, AudioFrame, FRAME_DURATION_MS, FRAME_SAMPLES};
use crate::media::{AudioCodec, CodecFactory, MediaEvent};

/// RTP numbering of the outbound stream.
pub(super) struct Numbering {
    pub(super) ssrc: u32,
    pub(super) sequence: u16,
    pub(super) timestamp: u32,
}

impl Numbering {
    fn packet(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: Vec<u8>,
    ) -> Packet {
        let packet = Packet {
            header: Header {
                version: 2,
                marker,
                payload_type,
                sequence_number: self.sequence,
                timestamp,
                ssrc: self.ssrc,
                ..Default::default()
            },
            payload: Bytes::from(payload),
        };
        self.sequence = self.sequence.wrapping_add(1);
        packet
    }
}

/// The encoder in use and the loss hint it was last given.
struct Encoding {
    codec: AudioCodec,
    encoder: Box<dyn AudioEncoder>,
    loss_hint: Option<u8>,
}

impl Encoding {
    /// Passes the far end's latest loss report on to the encoder (spec §11.2: in-band FEC with
    /// the loss hint from RTCP receiver reports), when it changed.
    fn hint_loss(&mut self, percent: u8) {
        if self.loss_hint != Some(percent) {
            self.encoder.set_expected_loss(percent);
            self.loss_hint = Some(percent);
        }
    }
}

/// Runs until the peer closes.
pub(super) async fn run(
    shared: Arc<Shared>,
    track: Arc<dyn TrackLocal>,
    codecs: Arc<dyn CodecFactory>,
    numbering: Numbering,
) {
    // Nothing can be sent before DTLS-SRTP is up: start the 20 ms clock then, so the first
    // packet leaves the moment it can and the source is not drained into the void.
    if shared
        .transport_up
        .subscribe()
        .wait_for(|up| *up)
        .await
        .is_err()
    {
        return;
    }
    debug!("media transport up: sending");
    let frame = Duration::from_millis(u64::from(FRAME_DURATION_MS));
    let mut clock = tokio::time::interval(frame);
    clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut pacer = SendPacer::new(Instant::now(), frame);
    let mut stream = Stream {
        shared,
        track,
        codecs,
        numbering,
        encoding: None,
        source_ended: false,
        first: true,
        media_timestamp: 0,
    };
    while !stream.shared.is_closed() {
        clock.tick().await;
        let pace = pacer.tick(Instant::now());
        if pace.skip > 0 {
            debug!(frames = pace.skip, "send clock stalled: frames skipped");
            stream.skip(pace.skip).await;
        }
        for _ in 0..pace.send {
            stream.send_frame().await;
        }
    }
    debug!("send loop stopped");
}

/// The outbound stream's state between frames.
struct Stream {
    shared: Arc<Shared>,
    track: Arc<dyn TrackLocal>,
    codecs: Arc<dyn CodecFactory>,
    numbering: Numbering,
    encoding: Option<Encoding>,
    source_ended: bool,
    first: bool,
    media_timestamp: u64,
}

impl Stream {
    /// Lets `frames` frames of time pass without sending them: the source's frames of that time
    /// are read and dropped (as a live microphone overruns) and the RTP timestamps move on, so
    /// what the far end hears stays in step with real time.
    async fn skip(&mut self, frames: u64) {
        for _ in 0..frames {
            next_frame(&self.shared, &mut self.source_ended, self.media_timestamp).await;
            self.media_timestamp += FRAME_SAMPLES as u64;
        }
        if let Some(negotiated) = self.shared.negotiated() {
            let per_tick = negotiated.codecs.audio.clock_rate() / (1000 / FRAME_DURATION_MS);
            self.numbering.timestamp = self
                .numbering
                .timestamp
                .wrapping_add(per_tick.wrapping_mul(frames as u32));
        }
    }

    /// Pulls, encodes and writes one frame (or plays one DTMF packet instead).
    async fn send_frame(&mut self) {
        let shared = Arc::clone(&self.shared);
        let frame = next_frame(&shared, &mut self.source_ended, self.media_timestamp).await;
        self.media_timestamp += FRAME_SAMPLES as u64;
        let Some(negotiated) = shared.negotiated() else {
            return;
        };
        let codec = negotiated.codecs.audio;
        let per_tick = codec.clock_rate() / (1000 / FRAME_DURATION_MS);
        if let Some(pt) = negotiated.codecs.telephone_event {
            let event = lock(&shared.dtmf).tick(self.numbering.timestamp, per_tick);
            if let Some(event) = event {
                let packet = self.numbering.packet(
                    pt,
                    event.marker,
                    event.timestamp,
                    event.payload.to_vec(),
                );
                self.numbering.timestamp = self.numbering.timestamp.wrapping_add(per_tick);
                write(&self.track, packet).await;
                return;
            }
        }
        let encoding = match &mut self.encoding {
            Some(current) if current.codec == codec => current,
            slot => match self.codecs.encoder(codec) {
                Ok(encoder) => slot.insert(Encoding {
                    codec,
                    encoder,
                    loss_hint: None,
                }),
                Err(error) => {
                    warn!(%error, ?codec, "no encoder; audio is not sent");
                    return;
                }
            },
        };
        encoding.hint_loss(shared.far_end.loss_percent());
        let frame = if shared.muted.load(Ordering::Relaxed) {
            AudioFrame::silence(frame.timestamp)
        } else {
            frame
        };
        shared.input_level.set(peak_level(&frame.samples));
        match encoding.encoder.encode(&frame) {
            Ok(payload) => {
                let timestamp = self.numbering.timestamp;
                let packet = self.numbering.packet(
                    negotiated.codecs.payload_type,
                    self.first,
                    timestamp,
                    payload,
                );
                self.first = false;
                write(&self.track, packet).await;
            }
            Err(error) => warn!(%error, "encoding failed; frame skipped"),
        }
        self.numbering.timestamp = self.numbering.timestamp.wrapping_add(per_tick);
    }
}

/// The source's next frame; digital silence once it has ended or failed.
async fn next_frame(shared: &Shared, ended: &mut bool, timestamp: u64) -> AudioFrame {
    if shared.source_replaced.swap(false, Ordering::AcqRel) {
        *ended = false;
    }
    if !*ended {
        match shared.source.lock().await.next_frame().await {
            Ok(Some(frame)) => return AudioFrame::from_samples(timestamp, frame.samples),
            Ok(None) => {
                debug!("audio source ended");
                shared.emit(MediaEvent::SourceEnded);
            }
            Err(error) => {
                warn!(%error, "audio source failed; sending silence");
                shared.emit(MediaEvent::SourceEnded);
            }
        }
        *ended = true;
    }
    AudioFrame::silence(timestamp)
}

async fn write(track: &Arc<dyn TrackLocal>, packet: Packet) {
    if let Err(error) = track.write_rtp(packet).await {
        trace!(%error, "RTP packet not sent");
    }
}
