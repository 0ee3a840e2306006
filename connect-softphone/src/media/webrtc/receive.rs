//! The receive loop of one remote track: RFC 4733 events become events, audio goes into the
//! adaptive jitter buffer, which the playout clock (`playout`) drains into the sink.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;
use tracing::{debug, trace, warn};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::shared::{lock, now, Shared};
use crate::audio::{AudioSink, JitterPlayout};
use crate::media::rtp::DtmfReceiver;
use crate::media::sdp::PayloadKind;
use crate::media::{AudioCodec, CodecFactory, MediaEvent};

/// The jitter buffer of the codec in use, and its playout clock.
struct Playing {
    codec: AudioCodec,
    playout: Arc<Mutex<JitterPlayout>>,
    clock: JoinHandle<()>,
}

impl Drop for Playing {
    fn drop(&mut self) {
        self.clock.abort();
    }
}

/// Runs until the track ends.
pub(super) async fn run(
    shared: Arc<Shared>,
    track: Arc<dyn TrackRemote>,
    codecs: Arc<dyn CodecFactory>,
    sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
) {
    let mut playing: Option<Playing> = None;
    let mut dtmf = DtmfReceiver::default();
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else {
            continue;
        };
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
                if let Some(digit) = dtmf.on_packet(packet.header.timestamp, &packet.payload) {
                    debug!(%digit, "DTMF received");
                    shared.emit(MediaEvent::DtmfReceived { digit });
                }
            }
            Some(PayloadKind::Audio(codec)) => {
                if playing.as_ref().is_none_or(|p| p.codec != codec) {
                    let decoder = match codecs.decoder(codec) {
                        Ok(decoder) => decoder,
                        Err(error) => {
                            warn!(%error, ?codec, "no decoder; audio is dropped");
                            continue;
                        }
                    };
                    let playout = Arc::new(Mutex::new(JitterPlayout::new(decoder)));
                    let clock = tokio::spawn(super::playout::run(
                        Arc::clone(&shared),
                        Arc::clone(&playout),
                        Arc::clone(&sink),
                    ));
                    playing = Some(Playing {
                        codec,
                        playout,
                        clock,
                    });
                }
                if let Some(playing) = &playing {
                    lock(&playing.playout).push(
                        arrival,
                        packet.header.ssrc,
                        packet.header.sequence_number,
                        packet.header.timestamp,
                        packet.payload.to_vec(),
                    );
                }
            }
            None => trace!(
                pt = packet.header.payload_type,
                "unexpected payload type dropped"
            ),
        }
    }
    debug!("receive loop stopped");
}
