//! The direct `/LilyRTC` endpoint: `ws://127.0.0.1:<port>/LilyRTC?callId=…&contactCtx=…`
//! (or `clientToken=…`), bare JSON-RPC frames. Each accepted socket is journaled as method
//! `connect` with `params.auth` = `contactCtx` or `clientToken`.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response,
};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::Message;

use super::types::{Peer, SeenRequest};
use super::SimSignaling;

/// A running direct endpoint; stops when dropped.
#[derive(Debug)]
pub struct DirectEndpoint {
    addr: SocketAddr,
    accept: tokio::task::JoinHandle<()>,
    kills: Arc<Mutex<Vec<tokio::sync::oneshot::Sender<()>>>>,
}

impl Drop for DirectEndpoint {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl DirectEndpoint {
    pub(super) async fn start(signaling: SimSignaling) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let kills: Arc<Mutex<Vec<tokio::sync::oneshot::Sender<()>>>> = Arc::default();
        let registry = Arc::clone(&kills);
        let accept = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (kill, killed) = tokio::sync::oneshot::channel();
                registry
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(kill);
                tokio::spawn(serve(signaling.clone(), tcp, killed));
            }
        });
        Ok(Self {
            addr,
            accept,
            kills,
        })
    }

    /// `ws://127.0.0.1:<port>/LilyRTC` (the `signalingEndpoint`).
    pub fn url(&self) -> String {
        format!("ws://{}/LilyRTC", self.addr)
    }

    /// Drops every open direct socket (no close frame); returns how many.
    pub fn kill_sockets(&self) -> usize {
        let kills: Vec<_> = self
            .kills
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect();
        kills.into_iter().filter_map(|k| k.send(()).ok()).count()
    }
}

/// The query parameters of the upgrade request.
#[derive(Default)]
struct Query {
    call_id: Option<String>,
    /// `contactCtx` or `clientToken`, when present and non-empty.
    auth: Option<&'static str>,
}

async fn serve(
    signaling: SimSignaling,
    tcp: TcpStream,
    mut killed: tokio::sync::oneshot::Receiver<()>,
) {
    let _ = tcp.set_nodelay(true);
    let query = Arc::new(Mutex::new(Query::default()));
    let seen = Arc::clone(&query);
    let check = UpgradeCheck(seen);
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, check).await else {
        return;
    };
    let (call_id, auth) = {
        let q = query.lock().unwrap_or_else(PoisonError::into_inner);
        (
            q.call_id.clone().unwrap_or_default(),
            q.auth.unwrap_or_default(),
        )
    };
    signaling.record(SeenRequest {
        connection_id: call_id.clone(),
        method: "connect".to_owned(),
        params: serde_json::json!({ "auth": auth }),
    });
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let peer = Peer::Direct(tx);
    signaling.attach(&call_id, peer.clone());
    loop {
        tokio::select! {
            _ = &mut killed => return,
            out = rx.recv() => match out {
                Some(text) => if sink.send(Message::Text(text.into())).await.is_err() { return },
                None => return,
            },
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => match serde_json::from_str(text.as_str()) {
                    Ok(message) => signaling.handle(peer.clone(), call_id.clone(), message),
                    Err(error) => tracing::warn!(%error, "sim signaling: malformed direct frame"),
                },
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Checks the upgrade request: path `/LilyRTC`, a `callId`, and `contactCtx` or `clientToken`;
/// records what it found.
struct UpgradeCheck(Arc<Mutex<Query>>);

impl Callback for UpgradeCheck {
    #[allow(clippy::result_large_err)] // the signature tungstenite's handshake callback requires
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        check_upgrade(&self.0, request, response)
    }
}

#[allow(clippy::result_large_err)] // the signature tungstenite's handshake callback requires
fn check_upgrade(
    seen: &Mutex<Query>,
    request: &Request,
    response: Response,
) -> Result<Response, ErrorResponse> {
    if request.uri().path() != "/LilyRTC" {
        return Err(reject(StatusCode::NOT_FOUND));
    }
    let mut q = Query::default();
    for (name, value) in request
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
    {
        match name {
            "callId" => q.call_id = Some(percent_decode(value)),
            "contactCtx" if !value.is_empty() => q.auth = Some("contactCtx"),
            "clientToken" if !value.is_empty() => q.auth = Some("clientToken"),
            _ => {}
        }
    }
    if q.call_id.is_none() || q.auth.is_none() {
        return Err(reject(StatusCode::FORBIDDEN));
    }
    *seen.lock().unwrap_or_else(PoisonError::into_inner) = q;
    Ok(response)
}

fn reject(status: StatusCode) -> ErrorResponse {
    let mut response = ErrorResponse::new(None);
    *response.status_mut() = status;
    response
}

/// Undoes `encodeURIComponent` (`%XX` escapes).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_decoding_undoes_encode_uri_component() {
        let text = "c 1/é&x";
        let encoded = crate::signaling::proto::encode_uri_component(text);
        assert_eq!(super::percent_decode(&encoded), text);
        assert_eq!(super::percent_decode("%zz%4"), "%zz%4");
    }
}
