//! [`RedirectedPeer`]: one call's media on the endpoint, driven over the protocol. Munging and
//! gathering deadlines stay on the desktop side, as for every platform.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::audio::AudioSource;
use connect_softphone::media::sdp::{munge_offer, negotiate, MungeOptions};
use connect_softphone::media::{
    AudioCodec, IceCandidate, IceServer, IceState, MediaError, MediaEvent, MediaEvents, MediaPeer,
    MediaStats, PeerConfig, SessionDescription, EVENT_QUEUE,
};
use tokio::sync::{broadcast, mpsc};
use tracing::warn;

use super::link::Link;
use super::redirected::Inner;
use super::stats::media_stats;
use crate::protocol::{
    AudioConstraints, CloseParams, CreateOfferParams, CreatePeerConnectionParams, Empty,
    GetUserMediaParams, GetUserMediaResult, MuteParams, Notification, PcRef, Request, SdpResult,
    SdpType, SetLocalDescriptionParams, SetRemoteDescriptionParams, StatsResult,
};
use crate::VdiError;

/// One redirected call's media.
pub(crate) struct RedirectedPeer {
    inner: Arc<Inner>,
    link: Arc<Link>,
    pc_id: String,
    stream_id: String,
    track_id: String,
    config: PeerConfig,
    events: broadcast::Sender<MediaEvent>,
    candidates: tokio::sync::Mutex<mpsc::UnboundedReceiver<Option<IceCandidate>>>,
    muted: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
    watcher: tokio::task::JoinHandle<()>,
}

fn codec_name(codec: AudioCodec) -> String {
    match codec {
        AudioCodec::Pcmu => "pcmu".into(),
        _ => "opus".into(),
    }
}

impl RedirectedPeer {
    /// `getUserMedia` → `createPeerConnection` → `addTrack`.
    pub(crate) async fn open(
        inner: Arc<Inner>,
        link: Arc<Link>,
        config: &PeerConfig,
    ) -> Result<(Arc<dyn MediaPeer>, MediaEvents), VdiError> {
        let timeouts = &inner.config;
        let device_id = inner
            .selected_input
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let gum = Request::GetUserMedia(GetUserMediaParams {
            audio: AudioConstraints {
                device_id,
                ..AudioConstraints::default()
            },
            video: None,
        });
        let stream: GetUserMediaResult = link.call(&gum, timeouts.get_user_media_timeout).await?;
        let track_id = stream
            .tracks
            .first()
            .map(|t| t.track_id.clone())
            .ok_or_else(|| VdiError::Protocol("getUserMedia returned no track".into()))?;
        let codecs = match config.force_audio_codec {
            Some(codec) => vec![codec],
            None => config.codecs.clone(),
        };
        let create = Request::CreatePeerConnection(CreatePeerConnectionParams {
            ice_servers: config.ice_servers.clone(),
            ice_transport_policy: match config.ice_policy {
                connect_softphone::media::IcePolicy::Relay => "relay".into(),
                connect_softphone::media::IcePolicy::All => "all".into(),
            },
            bundle_policy: "balanced".into(),
            rtcp_mux_policy: "require".into(),
            codecs: Some(codecs.into_iter().map(codec_name).collect()),
            opus_dtx: Some(config.enable_opus_dtx),
        });
        let pc: PcRef = link.call(&create, timeouts.request_timeout).await?;
        // Subscribe before anything can produce candidates or state changes.
        let notifications = link.notifications();
        let add = Request::AddTrack(crate::protocol::AddTrackParams {
            pc_id: pc.pc_id.clone(),
            track_id: track_id.clone(),
            stream_id: stream.stream_id.clone(),
        });
        link.call::<Empty>(&add, timeouts.request_timeout).await?;
        let events = broadcast::channel(EVENT_QUEUE).0;
        let (candidates_tx, candidates) = mpsc::unbounded_channel();
        let closed = Arc::new(AtomicBool::new(false));
        let watcher = tokio::spawn(watch(
            Arc::clone(&link),
            notifications,
            pc.pc_id.clone(),
            events.clone(),
            candidates_tx,
            Arc::clone(&closed),
        ));
        let subscription = MediaEvents::new(events.subscribe());
        let peer = Self {
            inner,
            link,
            pc_id: pc.pc_id,
            stream_id: stream.stream_id,
            track_id,
            config: config.clone(),
            events,
            candidates: tokio::sync::Mutex::new(candidates),
            muted: Arc::new(AtomicBool::new(false)),
            closed,
            watcher,
        };
        Ok((Arc::new(peer), subscription))
    }

    fn ensure_open(&self) -> Result<(), MediaError> {
        if self.closed.load(Ordering::Acquire) {
            Err(MediaError::Closed)
        } else {
            Ok(())
        }
    }

    /// `createOffer` → munge → `setLocalDescription` → candidates until `null` or the deadline.
    async fn offer(
        &self,
        ice_restart: bool,
        ice_servers: Option<Vec<IceServer>>,
    ) -> Result<SessionDescription, MediaError> {
        self.ensure_open()?;
        let urls: Vec<String> = ice_servers
            .as_ref()
            .unwrap_or(&self.config.ice_servers)
            .iter()
            .flat_map(|s| s.urls.clone())
            .collect();
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
        let mut candidates = self.candidates.lock().await;
        while candidates.try_recv().is_ok() {}
        let set = Request::SetLocalDescription(SetLocalDescriptionParams {
            pc_id: self.pc_id.clone(),
            kind: SdpType::Offer,
            sdp: sdp.clone(),
        });
        self.link
            .call::<Empty>(&set, timeouts.request_timeout)
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

    async fn request(&self, request: Request) -> Result<(), VdiError> {
        self.link
            .call::<Empty>(&request, self.inner.config.request_timeout)
            .await
            .map(|_| ())
    }
}

#[async_trait]
impl MediaPeer for RedirectedPeer {
    async fn create_offer(&self) -> Result<SessionDescription, MediaError> {
        self.offer(false, None).await
    }

    async fn apply_answer(&self, answer: SessionDescription) -> Result<(), MediaError> {
        self.ensure_open()?;
        if answer.sdp.trim().is_empty() {
            return Err(MediaError::InvalidRemoteSdp("empty answer".into()));
        }
        let negotiated = negotiate(&answer.sdp, &self.config.codecs)?;
        let set = Request::SetRemoteDescription(SetRemoteDescriptionParams {
            pc_id: self.pc_id.clone(),
            kind: SdpType::Answer,
            sdp: answer.sdp,
            candidates: answer.candidates,
        });
        self.request(set)
            .await
            .map_err(|e| MediaError::SetRemoteDescription(e.to_string()))?;
        let _ = self.events.send(MediaEvent::CodecsNegotiated(negotiated));
        Ok(())
    }

    async fn accept_offer(
        &self,
        _offer: SessionDescription,
    ) -> Result<SessionDescription, MediaError> {
        Err(MediaError::InvalidState(
            "a redirected peer makes offers; it does not answer them",
        ))
    }

    async fn restart_ice(
        &self,
        ice_servers: Vec<IceServer>,
    ) -> Result<SessionDescription, MediaError> {
        self.offer(true, Some(ice_servers)).await
    }

    fn set_muted(&self, muted: bool) {
        self.muted.store(muted, Ordering::Relaxed);
        let (link, timeout) = (Arc::clone(&self.link), self.inner.config.request_timeout);
        let request = Request::Mute(MuteParams {
            track_id: self.track_id.clone(),
            muted,
        });
        tokio::spawn(async move {
            if let Err(error) = link.call::<Empty>(&request, timeout).await {
                warn!(target: "connect_vdi", %error, muted, "mute on the endpoint failed");
            }
        });
    }

    fn is_muted(&self) -> bool {
        self.muted.load(Ordering::Relaxed)
    }

    async fn replace_source(&self, _source: Box<dyn AudioSource>) -> Result<(), MediaError> {
        Err(MediaError::InvalidState("redirected media captures on the endpoint; select the input device through the platform"))
    }

    async fn send_dtmf(&self, _digits: &str) -> Result<(), MediaError> {
        Err(MediaError::InvalidState(
            "RFC 4733 DTMF is not redirected; use CTI DTMF",
        ))
    }

    async fn stats(&self) -> Result<MediaStats, MediaError> {
        self.ensure_open()?;
        let request = Request::GetStats(PcRef {
            pc_id: self.pc_id.clone(),
        });
        let result: StatsResult = self
            .link
            .call(&request, self.inner.config.request_timeout)
            .await
            .map_err(|e| MediaError::Setup(format!("getStats: {e}")))?;
        Ok(media_stats(&result.reports))
    }

    fn subscribe(&self) -> MediaEvents {
        MediaEvents::new(self.events.subscribe())
    }

    async fn close(&self) -> Result<(), MediaError> {
        if self.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        self.watcher.abort();
        let _ = self
            .events
            .send(MediaEvent::IceStateChanged(IceState::Closed));
        for close in [
            CloseParams {
                pc_id: Some(self.pc_id.clone()),
                ..Default::default()
            },
            CloseParams {
                stream_id: Some(self.stream_id.clone()),
                ..Default::default()
            },
        ] {
            if let Err(error) = self.request(Request::Close(close)).await {
                warn!(target: "connect_vdi", %error, pc_id = %self.pc_id, "closing on the endpoint failed");
            }
        }
        Ok(())
    }
}

impl Drop for RedirectedPeer {
    fn drop(&mut self) {
        self.watcher.abort();
        if !self.closed.swap(true, Ordering::AcqRel) {
            let (link, timeout) = (Arc::clone(&self.link), Duration::from_secs(5));
            let close = Request::Close(CloseParams {
                pc_id: Some(self.pc_id.clone()),
                ..Default::default()
            });
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = link.call::<Empty>(&close, timeout).await;
                });
            }
        }
    }
}

fn ice_state(name: &str) -> Option<IceState> {
    Some(match name {
        "new" => IceState::New,
        "checking" => IceState::Checking,
        "connected" => IceState::Connected,
        "completed" => IceState::Completed,
        "disconnected" => IceState::Disconnected,
        "failed" => IceState::Failed,
        "closed" => IceState::Closed,
        _ => return None,
    })
}

/// Routes this peer's notifications into media events and candidates; a lost link fails it.
async fn watch(
    link: Arc<Link>,
    mut notifications: broadcast::Receiver<Notification>,
    pc_id: String,
    events: broadcast::Sender<MediaEvent>,
    candidates: mpsc::UnboundedSender<Option<IceCandidate>>,
    closed: Arc<AtomicBool>,
) {
    let mut last: (Option<IceState>, String) = (None, String::new());
    loop {
        let notification = tokio::select! {
            loss = link.lost() => {
                warn!(target: "connect_vdi", %pc_id, reason = %loss.reason, "endpoint lost mid-call: the call's media is torn down");
                closed.store(true, Ordering::Release);
                let _ = events.send(MediaEvent::IceStateChanged(IceState::Failed));
                let _ = events.send(MediaEvent::Failed);
                return;
            }
            n = notifications.recv() => n,
        };
        match notification {
            Ok(Notification::IceCandidate(c)) if c.pc_id == pc_id => {
                let _ = candidates.send(c.to_candidate());
            }
            Ok(Notification::IceStateChange(s)) if s.pc_id == pc_id => {
                let Some(state) = ice_state(&s.ice) else {
                    continue;
                };
                if last.0 != Some(state) {
                    let _ = events.send(MediaEvent::IceStateChanged(state));
                }
                let follow = match s.connection.as_str() {
                    _ if s.connection == last.1 => None,
                    "connected" => Some(MediaEvent::Connected),
                    "disconnected" => Some(MediaEvent::Disconnected),
                    "failed" => Some(MediaEvent::Failed),
                    _ => None,
                };
                if let Some(event) = follow {
                    let _ = events.send(event);
                }
                last = (Some(state), s.connection);
            }
            Ok(Notification::TrackStarted(t)) if t.pc_id == pc_id => {
                let _ = events.send(MediaEvent::FirstPacketReceived {
                    after: Duration::from_millis(t.first_packet_at),
                });
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(dropped)) => {
                let _ = events.send(MediaEvent::Lagged { dropped });
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
