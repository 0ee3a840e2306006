//! Follows the session's WebSocket: connection changes become transport health events, and a
//! stale socket the manager found (missed heartbeat, network change) resumes the whole session.

use std::sync::Arc;

use super::shared::{found_by_websocket, Shared};
use crate::events::{HealthEvent, TransportEvent};
use crate::ws::{WsEvent, WsEvents};

/// Reads the manager's events until it stops.
pub(crate) async fn run_websocket_watch(shared: Arc<Shared>, mut events: WsEvents) {
    while let Some(event) = events.recv().await {
        match event {
            WsEvent::ConnectionGained => {
                shared.health(HealthEvent::Transport(TransportEvent::WebSocketGained));
            }
            WsEvent::ConnectionLost { reason } => {
                shared.health(HealthEvent::Transport(TransportEvent::WebSocketLost {
                    reason,
                }));
            }
            WsEvent::SubscriptionUpdate { topics } => {
                shared.health(HealthEvent::Transport(TransportEvent::Subscribed {
                    topics,
                }));
            }
            WsEvent::Resumed { cause } if found_by_websocket(cause) => {
                shared.resumes.trigger(cause);
            }
            WsEvent::InitFailure { reason } => {
                shared.health(HealthEvent::LoopError {
                    task: "websocket",
                    message: reason,
                });
            }
            WsEvent::SubscriptionFailure { topics } => {
                shared.health(HealthEvent::LoopError {
                    task: "websocket",
                    message: format!("could not subscribe to {}", topics.join(", ")),
                });
            }
            _ => {}
        }
    }
}
