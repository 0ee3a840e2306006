//! The receive loop of one remote track: RFC 4733 events become events, audio is decoded in
//! order (concealing gaps) and pushed to the sink.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tracing::{debug, trace, warn};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::shared::{lock, Shared};
use crate::audio::{peak_level, AudioSink};
use crate::media::rtp::{DtmfReceiver, InOrderPlayout};
use crate::media::sdp::PayloadKind;
use crate::media::{AudioCodec, CodecFactory, MediaEvent};

/// Runs until the track ends.
pub(super) async fn run(
    shared: Arc<Shared>,
    track: Arc<dyn TrackRemote>,
    codecs: Arc<dyn CodecFactory>,
    sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
) {
    let mut playout: Option<(AudioCodec, InOrderPlayout)> = None;
    let mut dtmf = DtmfReceiver::default();
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else {
            continue;
        };
        lock(&shared.reception).on_packet(packet.header.sequence_number);
        if !shared.first_packet.swap(true, Ordering::AcqRel) {
            shared.emit(MediaEvent::FirstPacketReceived {
                after: super::shared::now().saturating_duration_since(shared.created),
            });
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
                let playout = match &mut playout {
                    Some((current, playout)) if *current == codec => playout,
                    slot => match codecs.decoder(codec) {
                        Ok(decoder) => &mut slot.insert((codec, InOrderPlayout::new(decoder))).1,
                        Err(error) => {
                            warn!(%error, ?codec, "no decoder; audio is dropped");
                            continue;
                        }
                    },
                };
                let before = playout.concealed();
                let frames = match playout.push(packet.header.sequence_number, &packet.payload) {
                    Ok(frames) => frames,
                    Err(error) => {
                        warn!(%error, "decoding failed; packet dropped");
                        continue;
                    }
                };
                shared
                    .concealed
                    .fetch_add(playout.concealed() - before, Ordering::Relaxed);
                let mut sink = sink.lock().await;
                for frame in frames {
                    shared.output_level.set(peak_level(&frame.samples));
                    if let Err(error) = sink.write_frame(&frame).await {
                        warn!(%error, "audio sink failed");
                    }
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
