//! The description exchange of one peer: offer (munged, gathered), answer, ICE restart.
//! Serialised by one lock, so an automatic restart never interleaves with an answer.

use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::{PeerConnection, RTCIceCandidateInit, RTCSessionDescription};
use webrtc::rtp_transceiver::RtpSender;

use super::runtime::DriverRuntime;
use super::setup;
use super::shared::{lock, now, GatherInput, Negotiated, Shared};
use crate::media::sdp::{
    audio_mid, ice_ufrag, munge_offer, negotiate, payload_map, strip_candidates, MungeOptions,
};
use crate::media::{
    GatherStep, GatheringRule, IceCandidate, IcePolicy, IceServer, MediaError, MediaEvent,
    PeerConfig, SessionDescription,
};

/// The sender of the local audio track and the SSRC it sends on.
pub(super) struct SentAudio {
    pub(super) sender: Arc<dyn RtpSender>,
    pub(super) ssrc: u32,
}

pub(super) struct Core {
    pub(super) pc: Arc<dyn PeerConnection>,
    audio: SentAudio,
    driver: Arc<DriverRuntime>,
    pub(super) shared: Arc<Shared>,
    pub(super) config: PeerConfig,
    servers: std::sync::Mutex<Vec<IceServer>>,
    ops: tokio::sync::Mutex<()>,
}

impl Core {
    pub(super) fn new(
        pc: Arc<dyn PeerConnection>,
        driver: Arc<DriverRuntime>,
        shared: Arc<Shared>,
        config: PeerConfig,
        audio: SentAudio,
    ) -> Self {
        let servers = config.ice_servers.clone();
        Self {
            pc,
            audio,
            driver,
            shared,
            config,
            servers: std::sync::Mutex::new(servers),
            ops: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) async fn create_offer(&self) -> Result<SessionDescription, MediaError> {
        let _op = self.ops.lock().await;
        self.offer().await
    }

    pub(super) async fn restart(
        &self,
        servers: Vec<IceServer>,
    ) -> Result<SessionDescription, MediaError> {
        let _op = self.ops.lock().await;
        self.pc
            .set_configuration(setup::configuration(&servers, self.config.ice_policy))
            .await
            .map_err(|e| MediaError::Setup(format!("ICE servers: {e}")))?;
        *lock(&self.servers) = servers;
        self.pc
            .restart_ice()
            .await
            .map_err(|e| MediaError::CreateDescription(format!("ICE restart: {e}")))?;
        self.offer().await
    }

    /// webrtc-rs only accepts the offer text it created (JSEP), so the offer is set as
    /// created and the munged text (spec §9) is what goes to the far end. The codecs are
    /// registered with the munged Opus parameters (but `minptime`) and the forced codec, so the
    /// two differ only in `minptime`, `a=ptime` and `a=maxptime`, which govern what the far end
    /// sends.
    async fn offer(&self) -> Result<SessionDescription, MediaError> {
        let offer = self
            .pc
            .create_offer(None)
            .await
            .map_err(|e| MediaError::CreateDescription(e.to_string()))?;
        let munged = munge_offer(
            &strip_candidates(&offer.sdp),
            MungeOptions {
                enable_opus_dtx: self.config.enable_opus_dtx,
                force_audio_codec: self.config.force_audio_codec,
            },
        );
        self.set_local_and_gather(offer, munged).await
    }

    pub(super) async fn apply_answer(&self, answer: SessionDescription) -> Result<(), MediaError> {
        let _op = self.ops.lock().await;
        check_remote(&answer)?;
        let negotiated = negotiate(&answer.sdp, &self.config.codecs)?;
        let description = RTCSessionDescription::answer(answer.sdp.clone())
            .map_err(|e| MediaError::InvalidRemoteSdp(e.to_string()))?;
        self.name_sent_codec(negotiated).await;
        // Before the remote description: it starts the connectivity checks, and the payload
        // map must be in place for the first packet and `CodecsNegotiated` out before
        // `Connected`.
        self.set_negotiated(&answer.sdp, negotiated);
        self.set_remote(description, &answer.candidates).await
    }

    pub(super) async fn accept_offer(
        &self,
        offer: SessionDescription,
    ) -> Result<SessionDescription, MediaError> {
        let _op = self.ops.lock().await;
        check_remote(&offer)?;
        let description = RTCSessionDescription::offer(offer.sdp.clone())
            .map_err(|e| MediaError::InvalidRemoteSdp(e.to_string()))?;
        self.set_remote(description, &offer.candidates).await?;
        let answer = self
            .pc
            .create_answer(None)
            .await
            .map_err(|e| MediaError::CreateDescription(e.to_string()))?;
        let sdp = strip_candidates(&answer.sdp);
        let negotiated = negotiate(&sdp, &self.config.codecs)?;
        self.name_sent_codec(negotiated).await;
        // Before the local description, which lets the connectivity checks start (see
        // `apply_answer`).
        self.set_negotiated(&sdp, negotiated);
        self.set_local_and_gather(answer, sdp).await
    }

    async fn set_remote(
        &self,
        description: RTCSessionDescription,
        candidates: &[IceCandidate],
    ) -> Result<(), MediaError> {
        self.pc
            .set_remote_description(description)
            .await
            .map_err(|e| MediaError::SetRemoteDescription(e.to_string()))?;
        for candidate in candidates {
            self.pc
                .add_ice_candidate(RTCIceCandidateInit {
                    candidate: candidate.candidate.clone(),
                    sdp_mid: candidate.sdp_mid.clone(),
                    sdp_mline_index: candidate.sdp_mline_index,
                    username_fragment: candidate.username_fragment.clone(),
                    url: None,
                })
                .await
                .map_err(|e| MediaError::SetRemoteDescription(format!("candidate: {e}")))?;
        }
        // The ICE agent checks new candidates at once, but webrtc-rs does not wake its driver
        // for them: without this the first check waits for the next unrelated wake-up.
        self.driver.nudge();
        Ok(())
    }

    /// Names the negotiated codec on the sent track before the answer is applied, so that
    /// webrtc-rs binds the stream to its RTCP interceptors and sends sender reports (see
    /// [`setup::audio_track`]). A failure costs only the reports, so it is logged, not raised.
    async fn name_sent_codec(&self, codecs: crate::media::NegotiatedCodecs) {
        let named = setup::audio_track(
            self.audio.ssrc,
            Some((codecs.audio, self.config.enable_opus_dtx)),
        );
        let track: Arc<dyn TrackLocal> = Arc::new(TrackLocalStaticRTP::new(named));
        if let Err(e) = self.audio.sender.replace_track(track).await {
            warn!(error = %e, "sent codec not named: no RTCP sender reports on this call");
        }
    }

    fn set_negotiated(&self, sdp: &str, codecs: crate::media::NegotiatedCodecs) {
        info!(?codecs, "codecs negotiated");
        *lock(&self.shared.negotiated) = Some(Negotiated {
            codecs,
            payloads: payload_map(sdp),
        });
        self.shared.emit(MediaEvent::CodecsNegotiated(codecs));
    }

    /// Sets the local description and gathers per spec §8 / R6.
    async fn set_local_and_gather(
        &self,
        description: RTCSessionDescription,
        sdp: String,
    ) -> Result<SessionDescription, MediaError> {
        let (tx, rx) = mpsc::unbounded_channel();
        *lock(&self.shared.gather) = Some(tx);
        let set = self.pc.set_local_description(description).await;
        if let Err(e) = set {
            *lock(&self.shared.gather) = None;
            return Err(MediaError::SetLocalDescription(e.to_string()));
        }
        let mut candidates = self.gather(rx).await;
        *lock(&self.shared.gather) = None;
        if candidates.is_empty() {
            let urls = lock(&self.servers)
                .iter()
                .flat_map(|s| s.urls.clone())
                .collect();
            let error = MediaError::NoCandidates { urls };
            warn!(%error, "ICE gathering failed");
            return Err(error);
        }
        let mid = audio_mid(&sdp);
        let ufrag = ice_ufrag(&sdp);
        for candidate in &mut candidates {
            candidate.sdp_mid.clone_from(&mid);
            candidate.sdp_mline_index = Some(0);
            candidate.username_fragment.clone_from(&ufrag);
        }
        debug!(count = candidates.len(), "gathering complete");
        Ok(SessionDescription { sdp, candidates })
    }

    async fn gather(&self, mut inputs: mpsc::UnboundedReceiver<GatherInput>) -> Vec<IceCandidate> {
        let mut rule = GatheringRule::new(now(), &self.config.timings);
        let mut candidates: Vec<IceCandidate> = Vec::new();
        while let GatherStep::WaitUntil(until) = rule.poll(now()) {
            tokio::select! {
                input = inputs.recv() => match input {
                    Some(GatherInput::Candidate(candidate)) => {
                        let usable = self.config.ice_policy == IcePolicy::All || candidate.is_relay();
                        if usable && !candidates.iter().any(|c| c.candidate == candidate.candidate) {
                            rule.on_candidate(candidate.component(), now());
                            candidates.push(candidate);
                        }
                    }
                    Some(GatherInput::Complete) => rule.on_end_of_candidates(),
                    None => break,
                },
                () = tokio::time::sleep_until(tokio::time::Instant::from_std(until)) => {}
            }
        }
        candidates
    }
}

/// Spec §7 Accept: an empty SDP or no candidate at all is refused before anything is set.
fn check_remote(remote: &SessionDescription) -> Result<(), MediaError> {
    if remote.sdp.trim().is_empty() {
        return Err(MediaError::InvalidRemoteSdp("empty sdp".into()));
    }
    if remote.candidates.is_empty() && !remote.sdp.contains("a=candidate:") {
        return Err(MediaError::NoRemoteCandidate);
    }
    Ok(())
}
