//! [`RedirectedPeer`]: one call's media on the endpoint, driven over the protocol. Munging and
//! gathering deadlines stay on the desktop side, as for every platform.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::audio::AudioSource;
use connect_softphone::media::sdp::negotiate;
use connect_softphone::media::{
    AudioCodec, IceCandidate, IceServer, IceState, MediaError, MediaEvent, MediaEvents, MediaPeer,
    MediaStats, PeerConfig, SessionDescription, EVENT_QUEUE,
};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use tracing::warn;

use super::link::Link;
use super::peer_watch::watch;
use super::redirected::Inner;
use super::restart::supervise;
use super::stats::media_stats;
use crate::protocol::codes::{INVALID_PARAMS, UNSUPPORTED_FEATURE};
use crate::protocol::{
    Capabilities, CloseParams, CreatePeerConnectionParams, Empty, InsertDtmfParams, MuteParams,
    PcRef, Request, SdpType, SetRemoteDescriptionParams, StatsResult,
};
use crate::VdiError;

/// What the sender sends now: a `getUserMedia` stream's track, or silence (`None`).
#[derive(Clone, Debug)]
pub(super) struct Sending {
    pub(super) stream_id: String,
    pub(super) track_id: String,
}

/// One redirected call's media.
pub(crate) struct RedirectedPeer {
    pub(super) inner: Arc<Inner>,
    pub(super) link: Arc<Link>,
    pub(super) pc_id: String,
    pub(super) capabilities: Capabilities,
    pub(super) sending: Mutex<Option<Sending>>,
    pub(super) config: PeerConfig,
    events: broadcast::Sender<MediaEvent>,
    pub(super) candidates: tokio::sync::Mutex<mpsc::UnboundedReceiver<Option<IceCandidate>>>,
    pub(super) muted: AtomicBool,
    closed: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
}

fn codec_name(codec: AudioCodec) -> String {
    match codec {
        AudioCodec::Pcmu => "pcmu".into(),
        _ => "opus".into(),
    }
}

impl RedirectedPeer {
    /// `getUserMedia` → `createPeerConnection` → `addTrack`; with a credential provider in
    /// `config`, also the automatic ICE restart supervisor.
    pub(crate) async fn open(
        inner: Arc<Inner>,
        link: Arc<Link>,
        config: &PeerConfig,
    ) -> Result<(Arc<dyn MediaPeer>, MediaEvents), VdiError> {
        let timeouts = &inner.config;
        let stream = Self::capture(&inner, &link).await?;
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
            track_id: stream.track_id.clone(),
            stream_id: stream.stream_id.clone(),
        });
        link.call::<Empty>(&add, timeouts.request_timeout).await?;
        let events = broadcast::channel(EVENT_QUEUE).0;
        let (candidates_tx, candidates) = mpsc::unbounded_channel();
        let closed = Arc::new(AtomicBool::new(false));
        let subscription = MediaEvents::new(events.subscribe());
        let supervised = config
            .credentials
            .clone()
            .map(|provider| (provider, MediaEvents::new(events.subscribe())));
        let mut tasks = vec![tokio::spawn(watch(
            Arc::clone(&link),
            notifications,
            pc.pc_id.clone(),
            events.clone(),
            candidates_tx,
            Arc::clone(&closed),
        ))];
        let capabilities = link.capabilities();
        let peer = Arc::new_cyclic(|me| {
            if let Some((provider, own_events)) = supervised {
                tasks.push(tokio::spawn(supervise(
                    me.clone(),
                    own_events,
                    provider,
                    config.timings,
                    events.clone(),
                )));
            }
            Self {
                inner,
                link,
                pc_id: pc.pc_id,
                capabilities,
                sending: Mutex::new(Some(stream)),
                config: config.clone(),
                events,
                candidates: tokio::sync::Mutex::new(candidates),
                muted: AtomicBool::new(false),
                closed,
                tasks,
            }
        });
        Ok((peer, subscription))
    }

    pub(super) fn ensure_open(&self) -> Result<(), MediaError> {
        if self.closed.load(Ordering::Acquire) {
            Err(MediaError::Closed)
        } else {
            Ok(())
        }
    }

    pub(super) fn emit(&self, event: MediaEvent) {
        let _ = self.events.send(event);
    }

    pub(super) fn sending(&self) -> Option<Sending> {
        self.sending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) async fn request(&self, request: Request) -> Result<(), VdiError> {
        self.link
            .call::<Empty>(&request, self.inner.config.request_timeout)
            .await
            .map(|_| ())
    }

    /// Tells the engine the mute state of the track it sends (fire and forget).
    pub(super) fn send_mute(&self, muted: bool) {
        let Some(sending) = self.sending() else {
            return;
        };
        let (link, timeout) = (Arc::clone(&self.link), self.inner.config.request_timeout);
        let request = Request::Mute(MuteParams {
            track_id: sending.track_id,
            muted,
        });
        tokio::spawn(async move {
            if let Err(error) = link.call::<Empty>(&request, timeout).await {
                warn!(target: "connect_vdi", %error, muted, "mute on the endpoint failed");
            }
        });
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
        // Before the remote description, which starts the connectivity checks on the
        // endpoint: `CodecsNegotiated` comes out before `Connected`.
        self.emit(MediaEvent::CodecsNegotiated(negotiated));
        self.request(set)
            .await
            .map_err(|e| MediaError::SetRemoteDescription(e.to_string()))?;
        Ok(())
    }

    async fn accept_offer(
        &self,
        offer: SessionDescription,
    ) -> Result<SessionDescription, MediaError> {
        self.answer(offer).await
    }

    async fn restart_ice(
        &self,
        ice_servers: Vec<IceServer>,
    ) -> Result<SessionDescription, MediaError> {
        self.offer(true, Some(ice_servers)).await
    }

    fn set_muted(&self, muted: bool) {
        self.muted.store(muted, Ordering::Relaxed);
        self.send_mute(muted);
    }

    fn is_muted(&self) -> bool {
        self.muted.load(Ordering::Relaxed)
    }

    async fn replace_source(&self, source: Box<dyn AudioSource>) -> Result<(), MediaError> {
        let silence = Self::is_silence(source.as_ref());
        drop(source);
        self.switch_source(silence).await
    }

    async fn send_dtmf(&self, digits: &str) -> Result<(), MediaError> {
        self.ensure_open()?;
        if let Some(bad) = digits
            .chars()
            .find(|c| !(c.is_ascii_digit() || "*#ABCDabcd,".contains(*c)))
        {
            return Err(MediaError::InvalidDtmf(bad));
        }
        if !self.capabilities.dtmf {
            return Err(MediaError::InvalidState(
                "the endpoint engine does not support insertDtmf",
            ));
        }
        let request = Request::InsertDtmf(InsertDtmfParams {
            pc_id: self.pc_id.clone(),
            tones: digits.to_owned(),
        });
        self.request(request).await.map_err(|e| match e {
            VdiError::Rpc {
                code: UNSUPPORTED_FEATURE,
                ..
            } => MediaError::DtmfNotNegotiated,
            VdiError::Rpc {
                code: INVALID_PARAMS,
                message,
                ..
            } => MediaError::Setup(format!("insertDtmf: {message}")),
            other => MediaError::Setup(format!("insertDtmf: {other}")),
        })
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
        for task in &self.tasks {
            task.abort();
        }
        self.emit(MediaEvent::IceStateChanged(IceState::Closed));
        let mut closes = vec![CloseParams {
            pc_id: Some(self.pc_id.clone()),
            ..Default::default()
        }];
        closes.extend(self.sending().map(|s| CloseParams {
            stream_id: Some(s.stream_id),
            ..Default::default()
        }));
        for close in closes {
            if let Err(error) = self.request(Request::Close(close)).await {
                warn!(target: "connect_vdi", %error, pc_id = %self.pc_id, "closing on the endpoint failed");
            }
        }
        Ok(())
    }
}

impl Drop for RedirectedPeer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
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
