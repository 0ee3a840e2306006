//! One peer connection on the engine: the media peer, what was negotiated so far, and the task
//! turning its media events into `iceStateChange` and `trackStarted` notifications.

use std::sync::{Arc, Mutex, PoisonError};

use connect_softphone::media::{
    IceCandidate, IceState, MediaEvent, MediaEvents, MediaPeer, PeerConfig, SessionDescription,
};
use tokio::task::JoinHandle;

use super::connection::Outbox;
use crate::protocol::{IceStateParams, Notification, SdpType, TrackStartedParams};

/// The three W3C states, as last reported.
#[derive(Clone, Debug)]
struct States {
    ice: &'static str,
    connection: &'static str,
    gathering: &'static str,
}

/// A peer connection of one desktop connection.
pub(super) struct EnginePeer {
    pub(super) peer: Arc<dyn MediaPeer>,
    pub(super) config: PeerConfig,
    /// The track it sends, once `addTrack` ran.
    pub(super) track: Option<String>,
    /// The local description made last: the offer of `createOffer`, or the answer made by
    /// `setRemoteDescription{type:"offer"}`; `setLocalDescription` must repeat it.
    pub(super) local: Option<(SdpType, SessionDescription)>,
    /// Whether the answer was applied.
    pub(super) answered: bool,
    /// Candidates added before the answer (merged into it).
    pub(super) early_candidates: Vec<IceCandidate>,
    states: Arc<Mutex<States>>,
    forwarder: JoinHandle<()>,
}

impl EnginePeer {
    /// Wraps a new media peer and starts forwarding its events.
    pub(super) fn new(
        pc_id: String,
        peer: Arc<dyn MediaPeer>,
        events: MediaEvents,
        config: PeerConfig,
        out: Outbox,
    ) -> Self {
        let states = Arc::new(Mutex::new(States {
            ice: "new",
            connection: "new",
            gathering: "new",
        }));
        let forwarder = tokio::spawn(forward(pc_id, events, Arc::clone(&states), out));
        Self {
            peer,
            config,
            track: None,
            local: None,
            answered: false,
            early_candidates: Vec::new(),
            states,
            forwarder,
        }
    }

    /// Records that gathering for the current offer finished.
    pub(super) fn gathered(&self) {
        self.states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .gathering = "complete";
    }

    /// Closes the media peer.
    pub(super) async fn close(&self) {
        self.forwarder.abort();
        if let Err(error) = self.peer.close().await {
            tracing::warn!(target: "connect_vdi::engine", %error, "closing a peer failed");
        }
    }
}

impl Drop for EnginePeer {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

fn ice_name(state: IceState) -> &'static str {
    match state {
        IceState::New => "new",
        IceState::Checking => "checking",
        IceState::Connected => "connected",
        IceState::Completed => "completed",
        IceState::Disconnected => "disconnected",
        IceState::Failed => "failed",
        IceState::Closed => "closed",
    }
}

async fn forward(pc_id: String, mut events: MediaEvents, states: Arc<Mutex<States>>, out: Outbox) {
    while let Some(event) = events.recv().await {
        let changed = {
            let mut s = states.lock().unwrap_or_else(PoisonError::into_inner);
            match &event {
                MediaEvent::IceStateChanged(state) => {
                    s.ice = ice_name(*state);
                    if matches!(state, IceState::Checking) && s.connection == "new" {
                        s.connection = "connecting";
                    }
                    if matches!(state, IceState::Closed) {
                        s.connection = "closed";
                    }
                    true
                }
                MediaEvent::Connected => {
                    s.connection = "connected";
                    true
                }
                MediaEvent::Disconnected => {
                    s.connection = "disconnected";
                    true
                }
                MediaEvent::Failed => {
                    s.connection = "failed";
                    true
                }
                _ => false,
            }
            .then(|| IceStateParams {
                pc_id: pc_id.clone(),
                ice: s.ice.to_owned(),
                connection: s.connection.to_owned(),
                gathering: s.gathering.to_owned(),
            })
        };
        if let Some(params) = changed {
            out.notify(&Notification::IceStateChange(params));
        }
        if let MediaEvent::FirstPacketReceived { after } = event {
            out.notify(&Notification::TrackStarted(TrackStartedParams {
                pc_id: pc_id.clone(),
                track_id: format!("{pc_id}-remote-audio"),
                kind: "audio".into(),
                first_packet_at: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            }));
        }
    }
}
