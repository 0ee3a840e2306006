//! [`DirectTransport`]: a WebSocket of its own to the `signalingEndpoint` (§3.2), bare JSON-RPC
//! text frames.

use std::sync::Arc;

use async_trait::async_trait;
use connect_core::ws::{SocketCommand, SocketEvent, WsConnector};
use futures::channel::mpsc as fmpsc;
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;

use super::events::{TransportEvent, TransportEvents};
use super::{malformed, message, SignalingTransport};
use crate::signaling::proto::{direct_url, DirectAuth, Envelope, ProtoError, Route};
use crate::signaling::SignalingError;
use crate::SoftphoneError;

/// One direct signaling socket. Opening it is one attempt; the signaling machine decides on
/// retries (3 attempts inside 10 s).
///
/// ```no_run
/// # async fn demo(connector: std::sync::Arc<dyn connect_core::ws::WsConnector>) -> Result<(), connect_softphone::SoftphoneError> {
/// use connect_softphone::signaling::proto::DirectAuth;
/// use connect_softphone::signaling::transport::{DirectTransport, SignalingTransport};
///
/// let (socket, mut events) = DirectTransport::connect(
///     connector, "wss://rtc.example/LilyRTC", "contact-1", &DirectAuth::ContactContext(None)).await?;
/// socket.send("ac-1", serde_json::json!({"jsonrpc":"2.0","method":"bye","params":{},"id":"1"})).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DirectTransport {
    commands: fmpsc::UnboundedSender<SocketCommand>,
    tx: mpsc::UnboundedSender<TransportEvent>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for DirectTransport {
    fn drop(&mut self) {
        self.reader.abort();
        let _ = self.commands.unbounded_send(SocketCommand::Close(1000));
    }
}

impl DirectTransport {
    /// Opens `<endpoint>?callId=…&contactCtx=…` (or `clientToken=…`); the first event is
    /// `Opened`.
    pub async fn connect(
        connector: Arc<dyn WsConnector>,
        endpoint: &str,
        contact_id: &str,
        auth: &DirectAuth,
    ) -> Result<(Self, TransportEvents), SoftphoneError> {
        let url = direct_url(endpoint, contact_id, auth);
        let socket = connector.connect(url.expose()).await.map_err(|error| {
            tracing::warn!(%error, "direct signaling socket did not open");
            SoftphoneError::Signaling(SignalingError::ChannelDown)
        })?;
        let (tx, events) = TransportEvents::channel();
        let _ = tx.send(TransportEvent::Opened);
        let forward = tx.clone();
        let mut inbound = socket.events;
        let reader = tokio::spawn(async move {
            while let Some(event) = inbound.next().await {
                let mapped = match event {
                    SocketEvent::Text(text) => parse_frame(&text),
                    SocketEvent::Closed { code, reason } => TransportEvent::Down {
                        reason: format!("closed ({code:?}): {reason}"),
                    },
                    _ => continue,
                };
                let down = matches!(mapped, TransportEvent::Down { .. });
                if forward.send(mapped).is_err() || down {
                    return;
                }
            }
            let _ = forward.send(TransportEvent::Down {
                reason: "socket ended".into(),
            });
        });
        Ok((
            Self {
                commands: socket.commands,
                tx,
                reader,
            },
            events,
        ))
    }
}

/// A bare JSON-RPC frame.
fn parse_frame(text: &str) -> TransportEvent {
    match serde_json::from_str::<Value>(text) {
        Ok(value @ Value::Object(_)) => message(Envelope {
            route: Route::Unaddressed,
            message: value,
        }),
        Ok(_) => malformed(ProtoError::new("direct frame is not a JSON object")),
        Err(e) => malformed(ProtoError::new(format!("direct frame is not JSON: {e}"))),
    }
}

#[async_trait]
impl SignalingTransport for DirectTransport {
    async fn send(&self, _connection_id: &str, message: Value) -> Result<(), SoftphoneError> {
        let sent = self
            .commands
            .unbounded_send(SocketCommand::Text(message.to_string()))
            .is_ok();
        if sent {
            return Ok(());
        }
        tracing::warn!("direct signaling send failed: socket gone");
        let _ = self.tx.send(TransportEvent::Down {
            reason: "send on a closed socket".into(),
        });
        Err(SignalingError::ChannelDown.into())
    }

    async fn close(&self) {
        let _ = self.commands.unbounded_send(SocketCommand::Close(1000));
    }
}
