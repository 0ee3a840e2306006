//! The engine's media controls beyond the offerer's call sequence: what a sender sends
//! (`addTrack`, `replaceTrack`), answering an offer (`setRemoteDescription{type:"offer"}`,
//! `createAnswer`) and RFC 4733 digits (`insertDtmf`).

use connect_softphone::audio::{AudioError, SilenceSource};
use connect_softphone::media::{MediaError, SessionDescription};

use super::session::{err, media, ok, remote_description, Reply, Session};
use crate::protocol::codes::{
    DEVICE_BUSY, DEVICE_NOT_FOUND, INVALID_PARAMS, INVALID_STATE, UNKNOWN_HANDLE,
    UNSUPPORTED_FEATURE,
};
use crate::protocol::{
    AddTrackParams, Empty, InsertDtmfParams, PcRef, ReplaceTrackParams, RpcError, SdpResult,
    SdpType, SetRemoteDescriptionParams,
};

/// A capture device that cannot be opened: gone (`-32010`) or busy (`-32011`).
pub(super) fn device_error(error: AudioError) -> RpcError {
    let code = match error {
        AudioError::NoSuchDevice(_) => DEVICE_NOT_FOUND,
        _ => DEVICE_BUSY,
    };
    RpcError::new(code, error.to_string())
}

impl Session {
    /// `addTrack`: the peer sends this stream's track (captured from its device).
    pub(super) async fn add_track(&mut self, p: AddTrackParams) -> Reply {
        let Some(muted) = self
            .streams
            .get(&p.stream_id)
            .filter(|s| s.track_id == p.track_id)
            .map(|s| s.muted)
        else {
            return err(
                UNKNOWN_HANDLE,
                format!("unknown track {:?} of stream {:?}", p.track_id, p.stream_id),
            );
        };
        self.send_track(&p.pc_id, Some(&p.track_id)).await?;
        self.peer(&p.pc_id)?.peer.set_muted(muted);
        ok(Empty {})
    }

    /// `replaceTrack`: another track, or silence (`null`), without renegotiation; the peer's
    /// mute state is kept.
    pub(super) async fn replace_track(&mut self, p: ReplaceTrackParams) -> Reply {
        self.send_track(&p.pc_id, p.track_id.as_deref()).await?;
        ok(Empty {})
    }

    /// Makes `pc_id`'s sender capture from `track_id`'s device, or send silence.
    async fn send_track(&mut self, pc_id: &str, track_id: Option<&str>) -> Result<(), RpcError> {
        let source: Box<dyn connect_softphone::audio::AudioSource> = match track_id {
            None => Box::new(SilenceSource::new()),
            Some(track_id) => {
                let device_id = self
                    .streams
                    .values()
                    .find(|s| s.track_id == track_id)
                    .map(|s| s.device_id.clone())
                    .ok_or_else(|| {
                        RpcError::new(UNKNOWN_HANDLE, format!("unknown trackId {track_id:?}"))
                    })?;
                self.server
                    .config
                    .devices
                    .open_input(&device_id)
                    .map_err(device_error)?
            }
        };
        let peer = self.peer(pc_id)?;
        peer.peer.replace_source(source).await.map_err(media)?;
        peer.track = track_id.map(str::to_owned);
        Ok(())
    }

    /// `setRemoteDescription{type:"offer"}`: the engine answers, gathering as it does for its
    /// own offers; `createAnswer` then returns the answer.
    pub(super) async fn accept_remote_offer(&mut self, p: SetRemoteDescriptionParams) -> Reply {
        let peer = self.peer(&p.pc_id)?;
        let mut candidates = std::mem::take(&mut peer.early_candidates);
        candidates.extend(p.candidates);
        let answer = peer
            .peer
            .accept_offer(SessionDescription {
                sdp: p.sdp,
                candidates,
            })
            .await
            .map_err(remote_description)?;
        peer.gathered();
        peer.local = Some((SdpType::Answer, answer));
        peer.answered = true;
        ok(Empty {})
    }

    /// `createAnswer`: the answer to the offer set last.
    pub(super) fn create_answer(&mut self, p: PcRef) -> Reply {
        match &self.peer(&p.pc_id)?.local {
            Some((SdpType::Answer, answer)) => ok(SdpResult {
                sdp: answer.sdp.clone(),
            }),
            _ => err(INVALID_STATE, "setRemoteDescription with an offer first"),
        }
    }

    /// `insertDtmf`: queues RFC 4733 digits on the peer's sender.
    pub(super) async fn insert_dtmf(&mut self, p: InsertDtmfParams) -> Reply {
        let peer = self.peer(&p.pc_id)?;
        peer.peer.send_dtmf(&p.tones).await.map_err(|e| match e {
            MediaError::InvalidDtmf(_) => RpcError::new(INVALID_PARAMS, e.to_string()),
            MediaError::DtmfNotNegotiated => RpcError::new(UNSUPPORTED_FEATURE, e.to_string()),
            other => media(other),
        })?;
        ok(Empty {})
    }
}
