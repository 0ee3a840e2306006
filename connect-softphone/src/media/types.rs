//! The plain data a media peer is configured with and hands back: ICE servers, descriptions,
//! candidates and codecs.

use std::time::Duration;

use connect_core::model::Sensitive;
use serde::{Deserialize, Serialize};

use crate::audio::AudioCodec;

/// One ICE server entry (`callConfigJson.iceServers[]` or a `CreateTransport` softphone
/// connection): TURN URLs and their time-limited credentials.
///
/// ```
/// use connect_softphone::media::IceServer;
///
/// let server = IceServer::new(["turn:198.51.100.7:3478?transport=udp"], "1700000000:ab12", "c2VjcmV0");
/// assert!(!format!("{server:?}").contains("c2VjcmV0"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    /// `turn:` / `turns:` / `stun:` URLs, kept verbatim (a host name may end with a dot).
    pub urls: Vec<String>,
    /// TURN user name (`<expiry>:<name>` for time-limited credentials).
    #[serde(default)]
    pub username: String,
    /// TURN credential; never logged.
    #[serde(default)]
    pub credential: Sensitive,
}

impl IceServer {
    /// An ICE server from its URLs and credentials.
    pub fn new(
        urls: impl IntoIterator<Item = impl Into<String>>,
        username: impl Into<String>,
        credential: impl Into<Sensitive>,
    ) -> Self {
        Self {
            urls: urls.into_iter().map(Into::into).collect(),
            username: username.into(),
            credential: credential.into(),
        }
    }
}

/// Which local candidates ICE may use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IcePolicy {
    /// TURN relay candidates only (the softphone's policy, spec §8).
    #[default]
    Relay,
    /// Every candidate type (host, server-reflexive, relay); used by media servers.
    All,
}

/// One ICE candidate in its JSON form, as carried in `invite.candidates` and
/// `result.candidates`.
///
/// ```
/// use connect_softphone::media::IceCandidate;
///
/// let json = r#"{"candidate":"candidate:842163049 1 udp 41885439 198.51.100.7 52000 typ relay raddr 0.0.0.0 rport 0 generation 0","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Xy1z"}"#;
/// let candidate: IceCandidate = serde_json::from_str(json).unwrap();
/// assert!(candidate.is_relay());
/// assert_eq!(serde_json::to_string(&candidate).unwrap(), json);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IceCandidate {
    /// The `candidate:` attribute (RFC 8839 §5.1).
    pub candidate: String,
    /// The `a=mid` of the m-section it belongs to.
    #[serde(default)]
    pub sdp_mid: Option<String>,
    /// The index of the m-section it belongs to.
    #[serde(rename = "sdpMLineIndex", default)]
    pub sdp_mline_index: Option<u16>,
    /// The ICE user name fragment of the generation that gathered it.
    #[serde(default)]
    pub username_fragment: Option<String>,
}

impl IceCandidate {
    /// The candidate type (`host`, `srflx`, `prflx`, `relay`), if the attribute names one.
    pub fn kind(&self) -> Option<&str> {
        let mut fields = self.candidate.split_whitespace();
        fields.find(|field| *field == "typ")?;
        fields.next()
    }

    /// Whether this is a TURN relay candidate.
    pub fn is_relay(&self) -> bool {
        self.kind() == Some("relay")
    }

    /// The ICE component (1 = RTP).
    pub fn component(&self) -> Option<u16> {
        self.candidate.split_whitespace().nth(1)?.parse().ok()
    }
}

/// A session description with its candidates, as exchanged without trickle: the SDP carries no
/// `a=candidate` lines, the candidates travel beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// The SDP (an offer after munging, or an answer).
    pub sdp: String,
    /// Every candidate gathered for it.
    pub candidates: Vec<IceCandidate>,
}

/// The codecs negotiated for a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NegotiatedCodecs {
    /// The audio codec both directions use.
    pub audio: AudioCodec,
    /// Its payload type.
    pub payload_type: u8,
    /// The `telephone-event` payload type at the audio clock rate, if negotiated.
    pub telephone_event: Option<u8>,
}

/// Time limits of ICE gathering and recovery (spec §10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IceTimings {
    /// Gathering deadline (8 s).
    pub gathering_timeout: Duration,
    /// Extra gathering window after the completion rule fires (500 ms; 0 = upstream).
    pub extra_gathering_window: Duration,
    /// How long ICE may stay `disconnected` before an automatic restart (3 s).
    pub restart_grace: Duration,
    /// How long recovery may take before the engine gives up on restarting (30 s).
    pub recovery_window: Duration,
}

impl Default for IceTimings {
    fn default() -> Self {
        Self {
            gathering_timeout: Duration::from_secs(8),
            extra_gathering_window: Duration::from_millis(500),
            restart_grace: Duration::from_secs(3),
            recovery_window: Duration::from_secs(30),
        }
    }
}
