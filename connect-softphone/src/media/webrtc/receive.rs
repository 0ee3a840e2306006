//! The receive loop of one remote track: RFC 4733 events become events, audio goes into the
//! adaptive jitter buffer, and every 20 ms the buffer gives one frame (decoded, rebuilt from
//! FEC, concealed, or silence while it fills) that the sink plays.
//!
//! Packets and the playout clock share one task, packets first: after a stall (a busy
//! machine) the packets that arrived meanwhile are in the buffer before the late ticks are
//! caught up, so a stall of the process is not mistaken for a late network.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rtc::rtp::Packet;
use tokio::time::{Interval, MissedTickBehavior};
use tracing::{debug, trace, warn};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::shared::{lock, now, Shared};
use crate::audio::{peak_level, AudioSink, JitterPlayout, FRAME_DURATION_MS, FRAME_SAMPLES};
use crate::media::rtp::DtmfReceiver;
use crate::media::sdp::PayloadKind;
use crate::media::{AudioCodec, CodecFactory, MediaEvent};

/// The jitter buffer of the codec in use.
struct Playing {
    codec: AudioCodec,
    playout: JitterPlayout,
}

/// One remote track's reception and playout.
struct Receiver {
    shared: Arc<Shared>,
    codecs: Arc<dyn CodecFactory>,
    sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
    playing: Option<Playing>,
    dtmf: DtmfReceiver,
}

/// Runs until the track ends.
pub(super) async fn run(
    shared: Arc<Shared>,
    track: Arc<dyn TrackRemote>,
    codecs: Arc<dyn CodecFactory>,
    sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
) {
    let mut receiver = Receiver {
        shared,
        codecs,
        sink,
        playing: None,
        dtmf: DtmfReceiver::default(),
    };
    let mut clock = playout_clock();
    loop {
        tokio::select! {
            biased;
            event = track.poll() => match event {
                Some(TrackRemoteEvent::OnRtpPacket(packet)) => {
                    if receiver.on_packet(packet) {
                        clock = playout_clock();
                    }
                }
                Some(_) => {}
                None => break,
            },
            _ = clock.tick(), if receiver.playing.is_some() => receiver.play().await,
        }
    }
    debug!("receive loop stopped");
}

/// A 20 ms clock whose first tick is one frame from now; late ticks are caught up at once, so
/// the sink gets 50 frames a second of real time however busy the machine is.
fn playout_clock() -> Interval {
    let frame = Duration::from_millis(u64::from(FRAME_DURATION_MS));
    let mut clock = tokio::time::interval_at(tokio::time::Instant::now() + frame, frame);
    clock.set_missed_tick_behavior(MissedTickBehavior::Burst);
    clock
}

impl Receiver {
    /// Takes one packet in; true when a new jitter buffer started (its clock starts too).
    fn on_packet(&mut self, packet: Packet) -> bool {
        let shared = &self.shared;
        let arrival = now().saturating_duration_since(shared.created);
        lock(&shared.reception).on_packet(packet.header.sequence_number);
        if !shared.first_packet.swap(true, Ordering::AcqRel) {
            shared.emit(MediaEvent::FirstPacketReceived { after: arrival });
        }
        let kind = shared
            .negotiated()
            .and_then(|n| n.payloads.get(&packet.header.payload_type).copied());
        match kind {
            Some(PayloadKind::TelephoneEvent(_)) => {
                if let Some(digit) = self
                    .dtmf
                    .on_packet(packet.header.timestamp, &packet.payload)
                {
                    debug!(%digit, "DTMF received");
                    shared.emit(MediaEvent::DtmfReceived { digit });
                }
                false
            }
            Some(PayloadKind::Audio(codec)) => {
                let started = self.playing.as_ref().is_none_or(|p| p.codec != codec);
                if started {
                    match self.codecs.decoder(codec) {
                        Ok(decoder) => {
                            self.playing = Some(Playing {
                                codec,
                                playout: JitterPlayout::new(decoder),
                            });
                        }
                        Err(error) => {
                            warn!(%error, ?codec, "no decoder; audio is dropped");
                            return false;
                        }
                    }
                }
                if let Some(playing) = &mut self.playing {
                    playing.playout.push(
                        arrival,
                        packet.header.ssrc,
                        packet.header.sequence_number,
                        packet.header.timestamp,
                        packet.payload.to_vec(),
                    );
                }
                started
            }
            None => {
                trace!(
                    pt = packet.header.payload_type,
                    "unexpected payload type dropped"
                );
                false
            }
        }
    }

    /// Plays the frame of this playout tick and publishes the buffer's counters.
    async fn play(&mut self) {
        let Some(playing) = &mut self.playing else {
            return;
        };
        let shared = &self.shared;
        let frame = playing
            .playout
            .tick(now().saturating_duration_since(shared.created));
        let stats = playing.playout.stats();
        shared.concealed.store(
            stats.concealed_samples / FRAME_SAMPLES as u64,
            Ordering::Relaxed,
        );
        *lock(&shared.jitter_buffer) = Some(stats);
        shared.output_level.set(peak_level(&frame.samples));
        if let Err(error) = self.sink.lock().await.write_frame(&frame).await {
            warn!(%error, "audio sink failed");
        }
    }
}
