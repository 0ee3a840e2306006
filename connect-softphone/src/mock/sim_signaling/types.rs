//! The simulated signaling service's vocabulary.

use std::time::Duration;

use async_trait::async_trait;
use connect_core::mock::WsPeer;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::signaling::proto::{server_content, IceCandidate, Route, SOFTPHONE_TOPIC};

/// An offer as the service received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The agent connection id of the envelope (direct: the `callId`).
    pub connection_id: String,
    /// `contactId` (`None` on ICE restart).
    pub contact_id: Option<String>,
    /// The offer SDP.
    pub sdp: String,
    /// The client's candidates.
    pub candidates: Vec<IceCandidate>,
    /// `iceRestart`.
    pub ice_restart: bool,
    /// The PC the service assigned.
    pub peer_connection_id: String,
}

/// The customer leg's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// The answer SDP.
    pub sdp: String,
    /// Its relay candidates.
    pub candidates: Vec<IceCandidate>,
}

/// Produces the answer to an offer (the simulator plugs its customer media leg in here).
///
/// ```
/// use connect_softphone::mock::sim_signaling::{Answer, AnswerProvider, Offer};
///
/// struct Echo;
/// #[async_trait::async_trait]
/// impl AnswerProvider for Echo {
///     async fn answer(&self, offer: Offer) -> Result<Answer, String> {
///         Ok(Answer { sdp: offer.sdp, candidates: offer.candidates })
///     }
/// }
/// ```
#[async_trait]
pub trait AnswerProvider: Send + Sync + 'static {
    /// The answer to `offer`; an error is answered with JSON-RPC error 500.
    async fn answer(&self, offer: Offer) -> Result<Answer, String>;
}

/// A fault for the next request of a method.
///
/// ```
/// use connect_softphone::mock::sim_signaling::Fault;
///
/// let stale = Fault::stale_peer_connection();
/// assert!(matches!(stale, Fault::Error { code: 400, .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with a JSON-RPC error.
    Error {
        /// The code (400, 403, 404, 408, 409, 486, 500, …).
        code: i64,
        /// The message.
        message: String,
    },
    /// Never answer.
    NoReply,
    /// Answer normally, this much later.
    Delay(Duration),
}

impl Fault {
    /// An error fault.
    pub fn error(code: i64, message: &str) -> Self {
        Self::Error {
            code,
            message: message.to_owned(),
        }
    }

    /// 400 `Stale Peer Connection`.
    pub fn stale_peer_connection() -> Self {
        Self::error(400, crate::signaling::STALE_PEER_CONNECTION)
    }
}

/// How the service answers.
///
/// ```
/// use connect_softphone::mock::sim_signaling::SimSignalingSettings;
///
/// let s = SimSignalingSettings::default();
/// assert!(s.allowlisted);
/// assert_eq!(s.inactivity_duration_ms, 600_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimSignalingSettings {
    /// `inactivityDuration` of invite results (ms).
    pub inactivity_duration_ms: u64,
    /// Give PCs a `peerConnectionId` (allowlisted: PPC and ICE restart possible).
    pub allowlisted: bool,
    /// Answer like the upstream mock: `method` on responses, no `jsonrpc`.
    pub mock_style: bool,
    /// Put the `AmazonConnect` / `silenceSupp` markers in answers (`isMediaClusterPath` false).
    pub media_cluster_markers: bool,
    /// Acknowledge `accept`, `connectContact` and `disconnectContact` (false: never answer).
    pub acknowledge: bool,
}

impl Default for SimSignalingSettings {
    fn default() -> Self {
        Self {
            inactivity_duration_ms: 600_000,
            allowlisted: true,
            mock_style: false,
            media_cluster_markers: false,
            acknowledge: true,
        }
    }
}

/// One message the service received.
#[derive(Clone, Debug, PartialEq)]
pub struct SeenRequest {
    /// The envelope's `connectionId` (direct: the `callId`).
    pub connection_id: String,
    /// The method (`response` for answers to server requests).
    pub method: String,
    /// The params (for responses: the whole message).
    pub params: Value,
}

/// Where answers go: a CCP socket, or a direct socket.
#[derive(Clone, Debug)]
pub(super) enum Peer {
    Ws(WsPeer),
    Direct(mpsc::UnboundedSender<String>),
}

impl Peer {
    /// Sends a JSON-RPC message for `route`.
    pub(super) fn send(&self, route: &Route, message: Value) -> bool {
        match self {
            Self::Ws(peer) => peer.send(SOFTPHONE_TOPIC, server_content(route, message)),
            Self::Direct(tx) => tx.send(message.to_string()).is_ok(),
        }
    }

    /// Sends `content` unwrapped (malformed-message tests).
    pub(super) fn send_raw(&self, content: Value) -> bool {
        match self {
            Self::Ws(peer) => peer.send(SOFTPHONE_TOPIC, content),
            Self::Direct(tx) => {
                let text = match content {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                tx.send(text).is_ok()
            }
        }
    }
}
