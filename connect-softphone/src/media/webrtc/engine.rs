//! [`MediaEngine`] on webrtc-rs.

use std::sync::Arc;

use async_trait::async_trait;
use connect_core::time::Jitter;
use tokio::sync::mpsc;
use webrtc::media_stream::track_local::static_rtp::TrackLocalStaticRTP;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::{PeerConnection, PeerConnectionBuilder};

use super::core::{Core, SentAudio};
use super::handler::Handler;
use super::peer::WebRtcPeer;
use super::runtime::DriverRuntime;
use super::send::{self, Numbering};
use super::setup;
use super::shared::Shared;
use super::supervisor::Supervisor;
use crate::audio::{AudioSink, AudioSource};
use crate::media::{
    CodecFactory, DefaultCodecs, MediaEngine, MediaError, MediaEvents, MediaPeer, PeerConfig,
};

/// The WebRTC media engine (webrtc-rs): relay-only ICE without trickle, DTLS-SRTP, Opus with a
/// PCMU fallback, RTCP reports, RFC 4733 DTMF, automatic ICE restart with fresh credentials.
///
/// ```no_run
/// # use connect_softphone::media::{MediaEngine, PeerConfig, WebRtcEngine};
/// # async fn run(
/// #   source: Box<dyn connect_softphone::audio::AudioSource>,
/// #   sink: Box<dyn connect_softphone::audio::AudioSink>) -> Result<(), Box<dyn std::error::Error>> {
/// let engine = WebRtcEngine::new();
/// let (peer, mut events) = engine.create_peer(PeerConfig::default(), source, sink).await?;
/// let offer = peer.create_offer().await?; // munged SDP + relay candidates, for `invite`
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WebRtcEngine {
    codecs: Arc<dyn CodecFactory>,
}

impl std::fmt::Debug for WebRtcEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebRtcEngine").finish_non_exhaustive()
    }
}

impl WebRtcEngine {
    /// An engine with the codecs of [`crate::audio`] (libopus, G.711).
    pub fn new() -> Self {
        Self::with_codecs(Arc::new(DefaultCodecs::default()))
    }

    /// An engine making encoders and decoders with `codecs`.
    pub fn with_codecs(codecs: Arc<dyn CodecFactory>) -> Self {
        Self { codecs }
    }
}

impl Default for WebRtcEngine {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl MediaEngine for WebRtcEngine {
    async fn create_peer(
        &self,
        config: PeerConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
    ) -> Result<(Arc<dyn MediaPeer>, MediaEvents), MediaError> {
        if setup::offered_codecs(&config).is_empty() {
            return Err(MediaError::Setup("no codec configured".into()));
        }
        let shared = Arc::new(Shared::new(source));
        let events = MediaEvents::new(shared.events.subscribe());
        let (signals_tx, signals_rx) = mpsc::unbounded_channel();
        let random = Jitter::seeded(seed());
        let numbering = Numbering {
            ssrc: random.next_u64() as u32,
            sequence: random.next_u64() as u16,
            timestamp: random.next_u64() as u32,
        };
        let (media, registry) = setup::media(&config, numbering.ssrc, Arc::clone(&shared.far_end))?;
        let runtime = Arc::new(DriverRuntime::new()?);
        let pc = PeerConnectionBuilder::new()
            .with_configuration(setup::configuration(&config.ice_servers, config.ice_policy))
            .with_media_engine(media)
            .with_interceptor_registry(registry)
            .with_setting_engine(setup::settings(config.ice_policy))
            .with_handler(Arc::new(Handler {
                shared: Arc::clone(&shared),
                signals: signals_tx.clone(),
            }))
            .with_udp_addrs(config.bind_addrs.clone())
            .with_runtime(Arc::clone(&runtime) as Arc<dyn webrtc::runtime::Runtime>)
            .build()
            .await
            .map_err(|e| MediaError::Setup(e.to_string()))?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);
        let track: Arc<dyn TrackLocal> = Arc::new(TrackLocalStaticRTP::new(setup::audio_track(
            numbering.ssrc,
            None,
        )));
        let sender = pc
            .add_track(Arc::clone(&track))
            .await
            .map_err(|e| MediaError::Setup(format!("audio track: {e}")))?;
        let core = Arc::new(Core::new(
            pc,
            runtime,
            Arc::clone(&shared),
            config,
            SentAudio {
                sender,
                ssrc: numbering.ssrc,
            },
        ));
        let sink = Arc::new(tokio::sync::Mutex::new(sink));
        let supervisor = Supervisor {
            core: Arc::clone(&core),
            codecs: Arc::clone(&self.codecs),
            sink: Arc::clone(&sink),
            signals_tx,
        };
        let tasks = vec![
            tokio::spawn(supervisor.run(signals_rx)),
            tokio::spawn(send::run(
                shared,
                track,
                Arc::clone(&self.codecs),
                numbering,
            )),
        ];
        let peer = WebRtcPeer {
            core,
            sink,
            tasks: std::sync::Mutex::new(tasks),
        };
        Ok((Arc::new(peer), events))
    }
}

/// A seed for the stream's SSRC and initial numbers (RFC 3550 §5.1: random, not secret).
fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    nanos ^ (u64::from(std::process::id()) << 32)
}
