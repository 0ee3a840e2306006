//! Routes one redirected peer's notifications (`iceCandidate`, `iceStateChange`,
//! `trackStarted`) into its media events and candidates; a lost link fails the peer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use connect_softphone::media::{IceCandidate, IceState, MediaEvent};
use tokio::sync::{broadcast, mpsc};
use tracing::warn;

use super::link::Link;
use crate::protocol::Notification;

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
pub(super) async fn watch(
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
