//! The seam between call control and media: a [`MediaEngine`] builds one [`MediaPeer`] per
//! call. The WebRTC engine, the VDI redirection engine and the browser engine implement it, so
//! a session driver never sees which one it talks to.

use std::sync::Arc;

use async_trait::async_trait;

use super::{
    AudioCodec, CredentialProvider, IcePolicy, IceServer, IceTimings, MediaError, MediaEvents,
    MediaStats, SessionDescription,
};
use crate::audio::{AudioSink, AudioSource};

/// How one call's peer is set up. Owned per call (spec R1): nothing is shared between peers.
#[derive(Clone)]
pub struct PeerConfig {
    /// ICE servers for the first offer (contact-provided or API-fetched, spec §2.3).
    pub ice_servers: Vec<IceServer>,
    /// Candidate policy; the softphone is relay-only.
    pub ice_policy: IcePolicy,
    /// Codecs offered or accepted, in order of preference (default Opus, then PCMU).
    pub codecs: Vec<AudioCodec>,
    /// Offer only this codec (plus `telephone-event`), spec §9 rule 3.
    pub force_audio_codec: Option<AudioCodec>,
    /// Opus DTX (`usedtx=1`), off by default.
    pub enable_opus_dtx: bool,
    /// Gathering, restart grace and recovery limits.
    pub timings: IceTimings,
    /// Where fresh TURN credentials come from for automatic ICE restarts; `None` when the peer
    /// cannot be restarted (not allowlisted).
    pub credentials: Option<Arc<dyn CredentialProvider>>,
    /// Local UDP addresses to bind (default `0.0.0.0:0`).
    pub bind_addrs: Vec<String>,
}

impl Default for PeerConfig {
    fn default() -> Self {
        Self {
            ice_servers: Vec::new(),
            ice_policy: IcePolicy::Relay,
            codecs: vec![AudioCodec::Opus, AudioCodec::Pcmu],
            force_audio_codec: None,
            enable_opus_dtx: false,
            timings: IceTimings::default(),
            credentials: None,
            bind_addrs: vec!["0.0.0.0:0".to_owned()],
        }
    }
}

impl PeerConfig {
    /// The defaults (relay-only), bound to `127.0.0.1`: for peers talking to a simulator
    /// through its TURN relay on loopback.
    ///
    /// ```
    /// use connect_softphone::media::{IcePolicy, PeerConfig};
    /// let config = PeerConfig::loopback();
    /// assert_eq!(config.bind_addrs, ["127.0.0.1:0"]);
    /// assert_eq!(config.ice_policy, IcePolicy::Relay);
    /// ```
    pub fn loopback() -> Self {
        Self {
            bind_addrs: vec!["127.0.0.1:0".to_owned()],
            ..Self::default()
        }
    }
}

impl std::fmt::Debug for PeerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerConfig")
            .field("ice_servers", &self.ice_servers)
            .field("ice_policy", &self.ice_policy)
            .field("codecs", &self.codecs)
            .field("force_audio_codec", &self.force_audio_codec)
            .field("enable_opus_dtx", &self.enable_opus_dtx)
            .field("timings", &self.timings)
            .field("credentials", &self.credentials.is_some())
            .field("bind_addrs", &self.bind_addrs)
            .finish()
    }
}

/// Builds call peers. Object-safe: store it as `Arc<dyn MediaEngine>`.
#[async_trait]
pub trait MediaEngine: Send + Sync {
    /// Creates a call's peer with one sendrecv audio transceiver fed by `source` and playing
    /// into `sink`. Nothing is sent until a description exchange completes.
    async fn create_peer(
        &self,
        config: PeerConfig,
        source: Box<dyn AudioSource>,
        sink: Box<dyn AudioSink>,
    ) -> Result<(Arc<dyn MediaPeer>, MediaEvents), MediaError>;
}

/// One call's media. Every method may be called from any task.
#[async_trait]
pub trait MediaPeer: Send + Sync {
    /// Offerer: creates the offer, munges it (spec §9), sets it, gathers (spec §8, R6) and
    /// returns it with its candidates. Zero candidates → [`MediaError::NoCandidates`].
    async fn create_offer(&self) -> Result<SessionDescription, MediaError>;

    /// Offerer: applies the answer and adds its candidates.
    async fn apply_answer(&self, answer: SessionDescription) -> Result<(), MediaError>;

    /// Answerer: applies a remote offer (first or ICE restart), gathers and returns the answer
    /// with its candidates.
    async fn accept_offer(
        &self,
        offer: SessionDescription,
    ) -> Result<SessionDescription, MediaError>;

    /// Offerer: restarts ICE with these (fresh) servers and returns the restart offer.
    async fn restart_ice(
        &self,
        ice_servers: Vec<IceServer>,
    ) -> Result<SessionDescription, MediaError>;

    /// Mutes or unmutes: muted, digital silence is encoded and RTP keeps flowing.
    fn set_muted(&self, muted: bool);

    /// Whether the peer is muted.
    fn is_muted(&self) -> bool;

    /// Swaps the audio source without renegotiation (mute state is kept).
    async fn replace_source(&self, source: Box<dyn AudioSource>) -> Result<(), MediaError>;

    /// Sends digits as RFC 4733 `telephone-event` packets (`0-9 * # A-D`, `,` = 500 ms pause).
    /// Returns once the digits are queued.
    async fn send_dtmf(&self, digits: &str) -> Result<(), MediaError>;

    /// A snapshot of the call's media statistics.
    async fn stats(&self) -> Result<MediaStats, MediaError>;

    /// A new subscription to the peer's events.
    fn subscribe(&self) -> MediaEvents;

    /// Stops the media loops and closes the peer connection. Idempotent.
    async fn close(&self) -> Result<(), MediaError>;
}
