//! [`MultiplexedTransport`]: softphone signaling on the CCP WebSocket topic `aws/softphone`
//! through connect-core's [`WsManager`] (§3.1).

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use connect_core::ws::{WsEvent, WsEvents, WsManager};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;

use super::events::{TransportEvent, TransportEvents};
use super::{malformed, message, SignalingTransport};
use crate::signaling::proto::{client_fields, decode_server_content, SOFTPHONE_TOPIC};
use crate::SoftphoneError;

/// The multiplexed channel. Cheap to clone. Subscribes `aws/softphone` when created; the CCP
/// socket's own news must be fed in with [`handle_ws_event`](Self::handle_ws_event) (or
/// [`follow`](Self::follow) when this transport owns the manager's events), so that the
/// channel counts as open only once `aws/softphone` is (re)subscribed (R5).
///
/// ```no_run
/// # async fn demo(manager: connect_core::ws::WsManager, events: connect_core::ws::WsEvents) {
/// use connect_softphone::signaling::transport::{MultiplexedTransport, SignalingTransport};
///
/// let (transport, mut inbound) = MultiplexedTransport::new(manager);
/// transport.follow(events);
/// transport.send("ac-1", serde_json::json!({"jsonrpc":"2.0","method":"accept","params":{},"id":"1"})).await.ok();
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct MultiplexedTransport {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    manager: WsManager,
    tx: mpsc::UnboundedSender<TransportEvent>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for task in self
            .tasks
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }
}

impl MultiplexedTransport {
    /// Subscribes `aws/softphone` on `manager` and starts delivering its messages.
    pub fn new(manager: WsManager) -> (Self, TransportEvents) {
        let (tx, events) = TransportEvents::channel();
        let mut messages = manager.subscribe(SOFTPHONE_TOPIC);
        let forward = tx.clone();
        let reader = tokio::spawn(async move {
            while let Some(content) = messages.next().await {
                let event = match decode_server_content(&content) {
                    Ok(envelope) => message(envelope),
                    Err(error) => malformed(error),
                };
                if forward.send(event).is_err() {
                    break;
                }
            }
        });
        let inner = Inner {
            manager,
            tx,
            tasks: Mutex::new(vec![reader]),
        };
        (
            Self {
                inner: Arc::new(inner),
            },
            events,
        )
    }

    /// Maps the CCP socket's news: `aws/softphone` subscribed → `Opened`; connection lost or
    /// subscription failed → `Down`; `Resumed` → `Resumed`.
    pub fn handle_ws_event(&self, event: &WsEvent) {
        let ours = |topics: &[String]| topics.iter().any(|t| t == SOFTPHONE_TOPIC);
        let mapped = match event {
            WsEvent::SubscriptionUpdate { topics } if ours(topics) => TransportEvent::Opened,
            WsEvent::SubscriptionFailure { topics } if ours(topics) => TransportEvent::Down {
                reason: "aws/softphone could not be subscribed".into(),
            },
            WsEvent::ConnectionLost { reason } => TransportEvent::Down {
                reason: reason.clone(),
            },
            WsEvent::InitFailure { reason } => TransportEvent::Down {
                reason: reason.clone(),
            },
            WsEvent::Resumed { .. } => TransportEvent::Resumed,
            _ => return,
        };
        let _ = self.inner.tx.send(mapped);
    }

    /// Follows the manager's own event stream (when nothing else consumes it).
    pub fn follow(&self, mut events: WsEvents) {
        let this = Arc::downgrade(&self.inner);
        let task = tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let Some(inner) = this.upgrade() else {
                    break;
                };
                MultiplexedTransport { inner }.handle_ws_event(&event);
            }
        });
        self.inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(task);
    }

    /// The manager it sends on.
    pub fn manager(&self) -> &WsManager {
        &self.inner.manager
    }
}

#[async_trait]
impl SignalingTransport for MultiplexedTransport {
    async fn send(&self, connection_id: &str, message: Value) -> Result<(), SoftphoneError> {
        let fields = client_fields(connection_id, message);
        match self
            .inner
            .manager
            .send_fields(SOFTPHONE_TOPIC, fields)
            .await
        {
            Ok(()) => Ok(()),
            Err(error) => {
                tracing::warn!(%error, "softphone signaling send failed: channel down");
                let _ = self.inner.tx.send(TransportEvent::Down {
                    reason: format!("send failed: {error}"),
                });
                Err(error.into())
            }
        }
    }

    async fn close(&self) {
        for task in self
            .inner
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }
}
