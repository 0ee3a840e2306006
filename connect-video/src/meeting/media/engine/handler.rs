//! The webrtc-rs event handler: forwards what a peer's owner reacts to over a channel, so that
//! nothing runs inside the peer connection's driver.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    PeerConnectionEventHandler, RTCIceGatheringState, RTCPeerConnectionState,
};

/// What a peer's supervisor hears.
pub(crate) enum PeerSignal {
    /// The peer connection (ICE + DTLS) state changed.
    State(RTCPeerConnectionState),
    /// The first RTP packet of a remote track arrived.
    Track(Arc<dyn TrackRemote>),
}

/// Sends signals to the supervisor and publishes whether gathering is complete.
pub(crate) struct SignalHandler {
    pub(crate) signals: mpsc::UnboundedSender<PeerSignal>,
    pub(crate) gathered: watch::Sender<bool>,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for SignalHandler {
    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        self.gathered
            .send_replace(state == RTCIceGatheringState::Complete);
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self.signals.send(PeerSignal::State(state));
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let _ = self.signals.send(PeerSignal::Track(track));
    }
}
