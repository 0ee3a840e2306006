//! The SFU's loops for one attendee: its connection state and remote tracks, the forwarding of
//! what it sends to the other attendees, and the relay of its keyframe requests upstream.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use rtc::rtp::Packet;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::{debug, trace};
use webrtc::media_stream::track_local::{TrackLocal, TrackLocalEvent};
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};
use webrtc::peer_connection::RTCPeerConnectionState;

use super::attendee::{lock, Attendee};
use super::down::DownTrack;
use crate::meeting::media::engine::{is_keyframe_request, PeerSignal};

/// Runs until the attendee's peer goes away.
pub(super) async fn supervise(
    attendee: Weak<Attendee>,
    mut signals: mpsc::UnboundedReceiver<PeerSignal>,
) {
    let mut uplinks = JoinSet::new();
    while let Some(signal) = signals.recv().await {
        let Some(me) = attendee.upgrade() else {
            break;
        };
        match signal {
            PeerSignal::State(state) => {
                debug!(attendee = %me.id, ?state, "SFU peer state");
                let up = state == RTCPeerConnectionState::Connected;
                let was = me.connected.swap(up, Ordering::AcqRel);
                if up && !was {
                    // A subscriber that just connected needs a keyframe of each stream it gets.
                    let bound: Vec<u32> = lock(&me.slots).iter().filter_map(|s| s.stream).collect();
                    if let Some(registry) = me.registry.upgrade() {
                        for stream_id in bound {
                            registry.request_keyframe(&me.meeting_id, stream_id).await;
                        }
                    }
                }
            }
            PeerSignal::Track(track) => {
                let kind = track.kind().await;
                if kind == RtpCodecKind::Video {
                    *lock(&me.video_in) = Some((Arc::clone(&track), None));
                }
                uplinks.spawn(forward(Weak::clone(&attendee), track, kind));
            }
        }
    }
    uplinks.shutdown().await;
}

/// Forwards what the attendee sends on `track` until the track ends.
async fn forward(attendee: Weak<Attendee>, track: Arc<dyn TrackRemote>, kind: RtpCodecKind) {
    while let Some(event) = track.poll().await {
        let TrackRemoteEvent::OnRtpPacket(packet) = event else {
            continue;
        };
        let Some(me) = attendee.upgrade() else {
            break;
        };
        match kind {
            RtpCodecKind::Audio => {
                me.counters.audio_in.fetch_add(1, Ordering::Relaxed);
                forward_audio(&me, packet).await;
            }
            RtpCodecKind::Video => {
                me.counters.video_in.fetch_add(1, Ordering::Relaxed);
                if let Some((_, ssrc @ None)) = lock(&me.video_in).as_mut() {
                    *ssrc = Some(packet.header.ssrc);
                }
                forward_video(&me, packet).await;
            }
            _ => trace!("packet of unknown kind dropped"),
        }
    }
}

async fn forward_audio(me: &Attendee, packet: Packet) {
    let Some(registry) = me.registry.upgrade() else {
        return;
    };
    for peer in registry.peers(&me.meeting_id) {
        if peer.id == me.id || peer.content {
            continue;
        }
        let down = lock(&peer.audio_out).clone();
        if let Some(down) = down {
            if down.forward(packet.clone()).await {
                me.counters.forwarded.fetch_add(1, Ordering::Relaxed);
                peer.counters.audio_out.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn forward_video(me: &Attendee, packet: Packet) {
    let (Some(registry), Some(stream_id)) = (me.registry.upgrade(), me.video_stream_id()) else {
        return;
    };
    for peer in registry.peers(&me.meeting_id) {
        if peer.id == me.id {
            continue;
        }
        for down in peer.slots_for(stream_id) {
            if down.forward(packet.clone()).await {
                me.counters.forwarded.fetch_add(1, Ordering::Relaxed);
                peer.counters.video_out.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Relays the keyframe requests a subscriber sends about one of its slots to the sender of the
/// stream the slot carries.
pub(super) async fn relay_keyframe_requests(attendee: Weak<Attendee>, down: Arc<DownTrack>) {
    while let Some(event) = down.track.poll().await {
        let TrackLocalEvent::OnRtcpPacket(packets) = event else {
            continue;
        };
        if !packets.iter().any(|p| is_keyframe_request(p.as_ref())) {
            continue;
        }
        let Some(me) = attendee.upgrade() else {
            break;
        };
        let stream = lock(&me.slots)
            .iter()
            .find(|slot| Arc::ptr_eq(&slot.down, &down))
            .and_then(|slot| slot.stream);
        if let (Some(stream_id), Some(registry)) = (stream, me.registry.upgrade()) {
            debug!(subscriber = %me.id, stream_id, "keyframe request relayed");
            registry.request_keyframe(&me.meeting_id, stream_id).await;
        }
    }
}
