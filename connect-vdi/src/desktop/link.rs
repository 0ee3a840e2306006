//! One WebSocket connection to the engine: request/response correlation with deadlines,
//! notifications fanned out in order, pings, and the liveness rule.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, warn};

use super::EngineClientConfig;
use crate::protocol::codes::SUBPROTOCOL;
use crate::protocol::{Capabilities, Frame, Notification, Request, RequestId, RpcError};
use crate::{FailureKind, VdiDisconnectReason, VdiError};

type Pending = Mutex<HashMap<i64, oneshot::Sender<Result<Value, RpcError>>>>;

/// Why a link ended.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LinkLoss {
    pub reason: VdiDisconnectReason,
    pub message: Option<String>,
}

/// An open connection to the engine. Dropping it closes the socket.
pub(crate) struct Link {
    out: mpsc::UnboundedSender<Message>,
    pending: Arc<Pending>,
    next_id: AtomicI64,
    notifications: broadcast::Sender<Notification>,
    lost: watch::Receiver<Option<LinkLoss>>,
    driver: tokio::task::JoinHandle<()>,
    capabilities: OnceLock<Capabilities>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Link {
    /// Opens the WebSocket (bounded by the `hello` deadline) and starts its driver.
    pub(crate) async fn open(config: &EngineClientConfig) -> Result<Arc<Self>, LinkLoss> {
        let transport = |message: String| LinkLoss {
            reason: VdiDisconnectReason::Failure(FailureKind::Transport),
            message: Some(format!("Websocket Connection Failure: {message}")),
        };
        let mut request = config
            .endpoint
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| transport(e.to_string()))?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
        let (socket, response) = tokio::time::timeout(
            config.hello_timeout,
            tokio_tungstenite::connect_async(request),
        )
        .await
        .map_err(|_| transport(format!("no handshake within {:?}", config.hello_timeout)))?
        .map_err(|e| transport(e.to_string()))?;
        let agreed = response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok());
        if agreed != Some(SUBPROTOCOL) {
            return Err(LinkLoss {
                reason: VdiDisconnectReason::Failure(FailureKind::ProtocolMismatch),
                message: Some(format!(
                    "the engine did not agree to subprotocol {SUBPROTOCOL} ({agreed:?})"
                )),
            });
        }
        let (out, out_rx) = mpsc::unbounded_channel();
        let pending = Arc::new(Pending::default());
        let notifications = broadcast::channel(1024).0;
        let (lost_tx, lost) = watch::channel(None);
        let driver = tokio::spawn(drive(
            socket,
            out_rx,
            Arc::clone(&pending),
            notifications.clone(),
            lost_tx,
            (config.ping_interval, config.liveness_timeout),
        ));
        Ok(Arc::new(Self {
            out,
            pending,
            next_id: AtomicI64::new(1),
            notifications,
            lost,
            driver,
            capabilities: OnceLock::new(),
        }))
    }

    /// Records what the engine said it can do (`hello`).
    pub(crate) fn set_capabilities(&self, capabilities: Capabilities) {
        let _ = self.capabilities.set(capabilities);
    }

    /// What the engine can do (all off before `hello`).
    pub(crate) fn capabilities(&self) -> Capabilities {
        self.capabilities.get().cloned().unwrap_or_default()
    }

    /// A subscription to the engine's notifications, in order.
    pub(crate) fn notifications(&self) -> broadcast::Receiver<Notification> {
        self.notifications.subscribe()
    }

    /// Resolves once the link is lost, with why.
    pub(crate) async fn lost(&self) -> LinkLoss {
        let mut lost = self.lost.clone();
        let loss = lost
            .wait_for(Option::is_some)
            .await
            .map(|loss| loss.clone());
        loss.ok().flatten().unwrap_or_else(unreachable_loss)
    }

    /// The loss, if the link is already gone.
    pub(crate) fn loss(&self) -> Option<LinkLoss> {
        self.lost.borrow().clone()
    }

    /// Sends a request and waits for its typed result.
    pub(crate) async fn call<R: DeserializeOwned>(
        &self,
        request: &Request,
        timeout: Duration,
    ) -> Result<R, VdiError> {
        if let Some(loss) = self.loss() {
            return Err(VdiError::Disconnected {
                reason: loss.reason,
            });
        }
        let method = request.method();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        let frame = Frame::Request {
            id: RequestId::Number(id),
            method: method.to_owned(),
            params: request.params(),
        };
        if self.out.send(Message::text(frame.to_text())).is_err() {
            lock(&self.pending).remove(&id);
            return Err(self.disconnected());
        }
        let outcome = match tokio::time::timeout(timeout, rx).await {
            Err(_) => {
                lock(&self.pending).remove(&id);
                return Err(VdiError::RequestTimeout {
                    method,
                    after: timeout,
                });
            }
            Ok(Err(_)) => return Err(self.disconnected()),
            Ok(Ok(outcome)) => outcome,
        };
        let value = outcome.map_err(|e| VdiError::Rpc {
            method,
            code: e.code,
            message: e.message,
        })?;
        serde_json::from_value(value).map_err(|e| {
            warn!(target: "connect_vdi::protocol", method, error = %e, "malformed result from the engine");
            VdiError::Protocol(format!("{method} result: {e}"))
        })
    }

    fn disconnected(&self) -> VdiError {
        VdiError::Disconnected {
            reason: self
                .loss()
                .map_or(VdiDisconnectReason::EndpointDisconnected, |l| l.reason),
        }
    }

    /// Sends a close frame (after `close{all}`).
    pub(crate) fn close(&self) {
        let _ = self.out.send(Message::Close(None));
    }
}

fn unreachable_loss() -> LinkLoss {
    LinkLoss {
        reason: VdiDisconnectReason::EndpointDisconnected,
        message: Some("link driver ended".into()),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn drive(
    socket: Socket,
    mut out: mpsc::UnboundedReceiver<Message>,
    pending: Arc<Pending>,
    notifications: broadcast::Sender<Notification>,
    lost: watch::Sender<Option<LinkLoss>>,
    (ping_interval, liveness): (Duration, Duration),
) {
    let (mut sink, mut stream) = socket.split();
    let mut ticker = tokio::time::interval(ping_interval);
    let mut last_frame = Instant::now();
    // A `disconnected` notification names the reason of the close that follows it.
    let mut announced: Option<LinkLoss> = None;
    let loss = loop {
        tokio::select! {
            incoming = stream.next() => {
                last_frame = Instant::now();
                match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(loss) = on_text(&text, &pending, &notifications) {
                            announced = Some(loss);
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        break announced.take().unwrap_or(LinkLoss {
                            reason: VdiDisconnectReason::EndpointDisconnected,
                            message: Some(format!("engine closed the connection ({})", frame.map_or_else(|| "no close frame".into(), |f| format!("{} {}", f.code, f.reason)))),
                        });
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => break announced.take().unwrap_or(LinkLoss {
                        reason: VdiDisconnectReason::EndpointDisconnected,
                        message: Some(format!("engine connection failed: {e}")),
                    }),
                    None => break announced.take().unwrap_or(LinkLoss {
                        reason: VdiDisconnectReason::EndpointDisconnected,
                        message: Some("engine connection ended".into()),
                    }),
                }
            }
            message = out.recv() => {
                let Some(message) = message else { break LinkLoss { reason: VdiDisconnectReason::EndpointDisconnected, message: Some("closed by the desktop".into()) } };
                let closing = matches!(message, Message::Close(_));
                if let Err(e) = sink.send(message).await {
                    break LinkLoss { reason: VdiDisconnectReason::EndpointDisconnected, message: Some(format!("send failed: {e}")) };
                }
                if closing {
                    break LinkLoss { reason: VdiDisconnectReason::EndpointDisconnected, message: Some("closed by the desktop".into()) };
                }
            }
            _ = ticker.tick() => {
                if last_frame.elapsed() >= liveness {
                    break LinkLoss {
                        reason: VdiDisconnectReason::EndpointDisconnected,
                        message: Some(format!("no frame from the engine for {liveness:?}")),
                    };
                }
                if let Err(e) = sink.send(Message::Ping(Default::default())).await {
                    break LinkLoss { reason: VdiDisconnectReason::EndpointDisconnected, message: Some(format!("ping failed: {e}")) };
                }
            }
        }
    };
    debug!(target: "connect_vdi::protocol", reason = %loss.reason, message = ?loss.message, "engine link ended");
    lost.send_replace(Some(loss));
    lock(&pending).clear();
}

/// Handles one text frame; returns the loss a `disconnected` notification announces.
fn on_text(
    text: &str,
    pending: &Pending,
    notifications: &broadcast::Sender<Notification>,
) -> Option<LinkLoss> {
    match Frame::parse(text) {
        Ok(Frame::Response {
            id: RequestId::Number(id),
            outcome,
        }) => match lock(pending).remove(&id) {
            Some(waiter) => {
                let _ = waiter.send(outcome);
            }
            None => {
                warn!(target: "connect_vdi::protocol", id, "response to no pending request ignored")
            }
        },
        Ok(Frame::Response { id, .. }) => {
            warn!(target: "connect_vdi::protocol", ?id, "response with a foreign id ignored");
        }
        Ok(Frame::Notification { method, params }) => match Notification::parse(&method, params) {
            Ok(Notification::Unknown(name)) => {
                debug!(target: "connect_vdi::protocol", %name, "unknown notification ignored")
            }
            Ok(notification) => {
                let loss = match &notification {
                    Notification::Disconnected(p) => Some(LinkLoss {
                        reason: VdiDisconnectReason::from_wire(&p.reason, p.message.as_deref()),
                        message: p.message.clone(),
                    }),
                    _ => None,
                };
                let _ = notifications.send(notification);
                return loss;
            }
            Err(e) => {
                warn!(target: "connect_vdi::protocol", error = %e, "malformed notification ignored")
            }
        },
        Ok(Frame::Request { method, .. }) => {
            warn!(target: "connect_vdi::protocol", %method, "the engine sent a request; ignored");
        }
        Err(e) => {
            warn!(target: "connect_vdi::protocol", error = %e, "malformed frame from the engine ignored")
        }
    }
    None
}
