//! The description exchange of a meeting peer: offers (with as many receive slots as the
//! subscription needs, gathered, candidates inline) and answers with their track mapping.

use std::time::Duration;

use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use rtc::rtp_transceiver::{RTCRtpTransceiverDirection, RTCRtpTransceiverInit};
use tokio::sync::watch;
use tracing::{debug, info};
use webrtc::peer_connection::{PeerConnection, RTCSessionDescription};

use super::shared::{lock, Shared};
use super::tiles::TileChange;
use crate::meeting::media::engine::wait_gathered;
use crate::meeting::media::{MeetingMediaError, MeetingMediaEvent};

/// The negotiation state, under the peer's operation lock.
pub(super) struct Negotiation {
    pub(super) gathered: watch::Receiver<bool>,
    pub(super) gather_timeout: Duration,
    /// Receive-only video transceivers created so far (they are never removed).
    pub(super) receive_slots: usize,
}

impl Negotiation {
    /// Grows the receive slots to `wanted`, then creates, sets and gathers an offer.
    pub(super) async fn offer(
        &mut self,
        pc: &dyn PeerConnection,
        wanted: usize,
    ) -> Result<String, MeetingMediaError> {
        let local = |e: webrtc::error::Error| MeetingMediaError::LocalDescription(e.to_string());
        while self.receive_slots < wanted {
            pc.add_transceiver_from_kind(
                RtpCodecKind::Video,
                Some(RTCRtpTransceiverInit {
                    direction: RTCRtpTransceiverDirection::Recvonly,
                    streams: vec![],
                    send_encodings: vec![],
                }),
            )
            .await
            .map_err(local)?;
            self.receive_slots += 1;
        }
        let offer = pc.create_offer(None).await.map_err(local)?;
        pc.set_local_description(offer).await.map_err(local)?;
        wait_gathered(&mut self.gathered, self.gather_timeout).await;
        let sdp =
            pc.local_description().await.map(|d| d.sdp).ok_or_else(|| {
                MeetingMediaError::LocalDescription("no local description".into())
            })?;
        if !sdp.contains("a=candidate:") {
            return Err(MeetingMediaError::NoCandidates);
        }
        debug!(slots = self.receive_slots, "offer ready");
        Ok(sdp)
    }
}

/// Applies an answer, then the track mapping: returns the tile changes it made.
pub(super) async fn apply_answer(
    pc: &dyn PeerConnection,
    shared: &Shared,
    sdp: &str,
    tracks: &[(String, u32)],
) -> Result<(), MeetingMediaError> {
    if sdp.trim().is_empty() {
        return Err(MeetingMediaError::InvalidRemoteSdp("empty SDP".into()));
    }
    let answer = RTCSessionDescription::answer(sdp.to_owned())
        .map_err(|e| MeetingMediaError::InvalidRemoteSdp(e.to_string()))?;
    pc.set_remote_description(answer)
        .await
        .map_err(|e| MeetingMediaError::InvalidRemoteSdp(e.to_string()))?;
    let changes = lock(&shared.tiles).apply(tracks);
    for change in changes {
        info!(?change, "remote video");
        shared.emit(match change {
            TileChange::Added { stream_id, mid } => {
                MeetingMediaEvent::RemoteVideoAdded { stream_id, mid }
            }
            TileChange::Removed { stream_id } => {
                MeetingMediaEvent::RemoteVideoRemoved { stream_id }
            }
        });
    }
    Ok(())
}
