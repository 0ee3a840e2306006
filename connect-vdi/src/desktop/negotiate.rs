//! A redirected peer's local descriptions: the offer (`createOffer` → munge →
//! `setLocalDescription`) and the answer (`setRemoteDescription{offer}` → `createAnswer` →
//! `setLocalDescription`), each followed by the engine's candidates until `null` or the
//! desktop-side gathering deadline.

use connect_softphone::media::sdp::{munge_offer, negotiate, MungeOptions};
use connect_softphone::media::{IceServer, MediaError, MediaEvent, SessionDescription};

use super::peer::RedirectedPeer;
use crate::protocol::{
    CreateOfferParams, PcRef, Request, SdpResult, SdpType, SetLocalDescriptionParams,
    SetRemoteDescriptionParams,
};

impl RedirectedPeer {
    /// An offer (an ICE-restart offer with fresh servers when `ice_restart`).
    pub(super) async fn offer(
        &self,
        ice_restart: bool,
        ice_servers: Option<Vec<IceServer>>,
    ) -> Result<SessionDescription, MediaError> {
        self.ensure_open()?;
        let urls = server_urls(ice_servers.as_ref().unwrap_or(&self.config.ice_servers));
        let timeouts = &self.inner.config;
        let create = Request::CreateOffer(CreateOfferParams {
            pc_id: self.pc_id.clone(),
            ice_restart,
            ice_servers,
        });
        let offer: SdpResult = self
            .link
            .call(
                &create,
                timeouts.request_timeout + timeouts.gathering_timeout,
            )
            .await
            .map_err(|e| MediaError::CreateDescription(e.to_string()))?;
        let sdp = munge_offer(
            &offer.sdp,
            MungeOptions {
                enable_opus_dtx: self.config.enable_opus_dtx,
                force_audio_codec: self.config.force_audio_codec,
            },
        );
        self.set_local(SdpType::Offer, sdp, urls).await
    }

    /// The answer to a remote offer (first or ICE restart); the engine gathers while it
    /// applies the offer.
    pub(super) async fn answer(
        &self,
        offer: SessionDescription,
    ) -> Result<SessionDescription, MediaError> {
        self.ensure_open()?;
        if !self.capabilities.answer {
            return Err(MediaError::InvalidState(
                "the endpoint engine does not answer offers",
            ));
        }
        if offer.sdp.trim().is_empty() {
            return Err(MediaError::InvalidRemoteSdp("empty offer".into()));
        }
        let timeouts = &self.inner.config;
        let set = Request::SetRemoteDescription(SetRemoteDescriptionParams {
            pc_id: self.pc_id.clone(),
            kind: SdpType::Offer,
            sdp: offer.sdp,
            candidates: offer.candidates,
        });
        self.link
            .call::<crate::protocol::Empty>(
                &set,
                timeouts.request_timeout + timeouts.gathering_timeout,
            )
            .await
            .map_err(|e| MediaError::SetRemoteDescription(e.to_string()))?;
        let create = Request::CreateAnswer(PcRef {
            pc_id: self.pc_id.clone(),
        });
        let answer: SdpResult = self
            .link
            .call(&create, timeouts.request_timeout)
            .await
            .map_err(|e| MediaError::CreateDescription(e.to_string()))?;
        let negotiated = negotiate(&answer.sdp, &self.config.codecs)?;
        // Before the local description, which lets the connectivity checks start:
        // `CodecsNegotiated` comes out before `Connected`.
        self.emit(MediaEvent::CodecsNegotiated(negotiated));
        self.set_local(
            SdpType::Answer,
            answer.sdp,
            server_urls(&self.config.ice_servers),
        )
        .await
    }

    /// `setLocalDescription`, then the candidates until `null` or the gathering deadline.
    async fn set_local(
        &self,
        kind: SdpType,
        sdp: String,
        urls: Vec<String>,
    ) -> Result<SessionDescription, MediaError> {
        let timeouts = &self.inner.config;
        let mut candidates = self.candidates.lock().await;
        while candidates.try_recv().is_ok() {}
        let set = Request::SetLocalDescription(SetLocalDescriptionParams {
            pc_id: self.pc_id.clone(),
            kind,
            sdp: sdp.clone(),
        });
        self.link
            .call::<crate::protocol::Empty>(&set, timeouts.request_timeout)
            .await
            .map_err(|e| MediaError::SetLocalDescription(e.to_string()))?;
        let mut gathered = Vec::new();
        let deadline = tokio::time::Instant::now() + timeouts.gathering_timeout;
        loop {
            match tokio::time::timeout_at(deadline, candidates.recv()).await {
                Ok(Some(Some(candidate))) => gathered.push(candidate),
                Ok(Some(None)) | Err(_) => break,
                Ok(None) => return Err(MediaError::Closed),
            }
        }
        if gathered.is_empty() {
            return Err(MediaError::NoCandidates { urls });
        }
        Ok(SessionDescription {
            sdp,
            candidates: gathered,
        })
    }
}

fn server_urls(servers: &[IceServer]) -> Vec<String> {
    servers.iter().flat_map(|s| s.urls.clone()).collect()
}
