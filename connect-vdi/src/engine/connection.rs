//! One desktop connection: the WebSocket handshake (subprotocol `connect-vdi.v1`), a reader
//! that answers malformed frames and enforces liveness, a sequential request dispatcher, and a
//! writer. When the connection ends, for whatever reason, its peer connections are torn down.

use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::handshake::server::{
    ErrorResponse, Request as HttpRequest, Response,
};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, info, warn};

use super::server::ServerInner;
use super::session::Session;
use crate::protocol::codes::{INVALID_REQUEST, MAX_FRAME_BYTES, SUBPROTOCOL};
use crate::protocol::{DisconnectedParams, Frame, FrameError, Notification, RequestId, RpcError};

/// What the writer sends.
#[derive(Debug)]
pub(super) enum Outgoing {
    Text(String),
    Close(u16, String),
}

/// The sending side of a connection, shared by the dispatcher and the peers' event tasks.
#[derive(Clone, Debug)]
pub(super) struct Outbox(mpsc::UnboundedSender<Outgoing>);

impl Outbox {
    pub(super) fn notify(&self, notification: &Notification) {
        let _ = self
            .0
            .send(Outgoing::Text(notification.to_frame().to_text()));
    }

    pub(super) fn reply<T: Serialize>(&self, id: RequestId, outcome: Result<T, RpcError>) {
        let outcome = outcome.map(|value| serde_json::to_value(value).unwrap_or_default());
        let _ = self
            .0
            .send(Outgoing::Text(Frame::Response { id, outcome }.to_text()));
    }

    pub(super) fn raw(&self, text: String) {
        let _ = self.0.send(Outgoing::Text(text));
    }

    pub(super) fn close(&self, code: u16, reason: &str) {
        let _ = self.0.send(Outgoing::Close(code, reason.to_owned()));
    }
}

/// The handshake callback's signature is tungstenite's (its error type is an HTTP response).
#[allow(clippy::result_large_err)]
fn negotiate_subprotocol(
    request: &HttpRequest,
    mut response: Response,
) -> Result<Response, ErrorResponse> {
    let offered = request
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == SUBPROTOCOL);
    if !offered {
        let mut refusal = ErrorResponse::new(Some(format!("subprotocol {SUBPROTOCOL} required")));
        *refusal.status_mut() = StatusCode::BAD_REQUEST;
        return Err(refusal);
    }
    response.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    Ok(response)
}

/// Serves one desktop connection until it ends.
pub(super) async fn serve(stream: TcpStream, server: Arc<ServerInner>, conn: u64) {
    let mut ws_config = WebSocketConfig::default();
    ws_config.max_message_size = Some(MAX_FRAME_BYTES);
    ws_config.max_frame_size = Some(MAX_FRAME_BYTES);
    let socket = match tokio_tungstenite::accept_hdr_async_with_config(
        stream,
        negotiate_subprotocol,
        Some(ws_config),
    )
    .await
    {
        Ok(socket) => socket,
        Err(error) => {
            warn!(target: "connect_vdi::engine", conn, %error, "WebSocket handshake refused");
            return;
        }
    };
    info!(target: "connect_vdi::engine", conn, "desktop connected");
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel();
    let out = Outbox(out_tx);
    let writer = tokio::spawn(async move {
        while let Some(outgoing) = out_rx.recv().await {
            let (message, last) = match outgoing {
                Outgoing::Text(text) => (Message::text(text), false),
                Outgoing::Close(code, reason) => (
                    Message::Close(Some(CloseFrame {
                        code: CloseCode::from(code),
                        reason: reason.into(),
                    })),
                    true,
                ),
            };
            if sink.send(message).await.is_err() || last {
                break;
            }
        }
        let _ = sink.close().await;
    });
    server.helper(writer.abort_handle());
    let (requests_tx, mut requests_rx) =
        mpsc::unbounded_channel::<(RequestId, String, serde_json::Value)>();
    let dispatcher = tokio::spawn({
        let (server, out) = (Arc::clone(&server), out.clone());
        async move {
            let mut session = Session::new(conn, server, out);
            while let Some((id, method, params)) = requests_rx.recv().await {
                session.handle(id, &method, params).await;
            }
            session.teardown().await;
        }
    });
    server.helper(dispatcher.abort_handle());
    let liveness = server.config.liveness_timeout;
    let mut shutdown = server.shutdown.subscribe();
    let mut deadline = Instant::now() + liveness;
    loop {
        tokio::select! {
            frame = stream.next() => {
                deadline = Instant::now() + liveness;
                match frame {
                    Some(Ok(Message::Text(text))) => match Frame::parse(&text) {
                        Ok(Frame::Request { id, method, params }) => {
                            if requests_tx.send((id, method, params)).is_err() {
                                break;
                            }
                        }
                        Ok(other) => debug!(target: "connect_vdi::engine", conn, ?other, "non-request frame from the desktop ignored"),
                        Err(error) => {
                            warn!(target: "connect_vdi::engine", conn, code = error.code, %error, "malformed frame rejected");
                            out.raw(error.reply());
                        }
                    },
                    Some(Ok(Message::Binary(_))) => {
                        warn!(target: "connect_vdi::engine", conn, "binary frame rejected");
                        out.raw(FrameError { code: INVALID_REQUEST, id: None, detail: "binary frames are not supported".into() }.reply());
                    }
                    Some(Ok(Message::Close(_))) | None => break,
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        warn!(target: "connect_vdi::engine", conn, %error, "desktop connection failed");
                        break;
                    }
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                warn!(target: "connect_vdi::engine", conn, ?liveness, "desktop silent: tearing down its peer connections");
                break;
            }
            _ = shutdown.wait_for(|stop| *stop) => {
                out.notify(&Notification::Disconnected(DisconnectedParams {
                    reason: "endpointDisconnected".into(),
                    message: Some("engine shutting down".into()),
                }));
                out.close(1001, "engine shutting down");
                break;
            }
        }
    }
    drop(requests_tx);
    let _ = dispatcher.await;
    drop(out);
    let _ = writer.await;
    server.release(conn);
    info!(target: "connect_vdi::engine", conn, "desktop connection ended");
}
