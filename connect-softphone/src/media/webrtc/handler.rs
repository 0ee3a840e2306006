//! The webrtc-rs event handler: routes candidates to the current gatherer and everything
//! else to the peer's supervisor.

use std::sync::Arc;

use tokio::sync::mpsc;
use tracing::{debug, warn};
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    PeerConnectionEventHandler, RTCIceConnectionState, RTCIceGatheringState,
    RTCPeerConnectionIceEvent, RTCPeerConnectionState,
};

use super::shared::{lock, GatherInput, Shared};
use crate::media::{IceCandidate, IceState, SessionDescription};

/// What the supervisor reacts to.
pub(super) enum Signal {
    /// ICE connection state changed.
    Ice(IceState),
    /// Peer connection (ICE + DTLS) state: `true` when connected.
    Transport { connected: bool, failed: bool },
    /// A remote track arrived.
    Track(Arc<dyn TrackRemote>),
    /// An automatic restart attempt finished.
    RestartDone(u32, Result<SessionDescription, String>),
}

pub(super) struct Handler {
    pub(super) shared: Arc<Shared>,
    pub(super) signals: mpsc::UnboundedSender<Signal>,
}

impl Handler {
    fn to_gatherer(&self, input: GatherInput) {
        if let Some(gatherer) = lock(&self.shared.gather).as_ref() {
            let _ = gatherer.send(input);
        }
    }
}

fn ice_state(state: RTCIceConnectionState) -> Option<IceState> {
    Some(match state {
        RTCIceConnectionState::New => IceState::New,
        RTCIceConnectionState::Checking => IceState::Checking,
        RTCIceConnectionState::Connected => IceState::Connected,
        RTCIceConnectionState::Completed => IceState::Completed,
        RTCIceConnectionState::Disconnected => IceState::Disconnected,
        RTCIceConnectionState::Failed => IceState::Failed,
        RTCIceConnectionState::Closed => IceState::Closed,
        _ => return None,
    })
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        match event.candidate.to_json() {
            Ok(init) => self.to_gatherer(GatherInput::Candidate(IceCandidate {
                candidate: init.candidate,
                sdp_mid: None,
                sdp_mline_index: None,
                username_fragment: None,
            })),
            Err(error) => warn!(%error, "local candidate could not be serialised"),
        }
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        debug!(?state, "ICE gathering state");
        if state == RTCIceGatheringState::Complete {
            self.to_gatherer(GatherInput::Complete);
        }
    }

    async fn on_ice_connection_state_change(&self, state: RTCIceConnectionState) {
        if let Some(state) = ice_state(state) {
            let _ = self.signals.send(Signal::Ice(state));
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        debug!(?state, "peer connection state");
        let _ = self.signals.send(Signal::Transport {
            connected: state == RTCPeerConnectionState::Connected,
            failed: state == RTCPeerConnectionState::Failed,
        });
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.signals.send(Signal::Track(track));
    }
}
