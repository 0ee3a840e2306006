//! [`TungsteniteConnector`]: native sockets over tokio-tungstenite with rustls.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::connector::{SocketCommand, SocketEvent, WsConnector, WsSocket};
use super::event::WsError;

/// A write that takes longer than this marks the socket dead (a frozen peer with full buffers).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

type Stream = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `ws://` and `wss://` sockets with tokio-tungstenite; TLS by rustls (ring) with the
/// public web PKI roots, or exactly the roots given to
/// [`with_root_certificate_pem`](Self::with_root_certificate_pem).
///
/// ```
/// use connect_core::ws::TungsteniteConnector;
///
/// let connector = TungsteniteConnector::default();
/// assert!(TungsteniteConnector::with_root_certificate_pem(b"not a certificate").is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct TungsteniteConnector {
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl TungsteniteConnector {
    /// A connector that trusts only the certificates in `pem` (e.g. the simulator's test CA).
    ///
    /// ```
    /// # use connect_core::ws::TungsteniteConnector;
    /// assert!(TungsteniteConnector::with_root_certificate_pem(b"").is_err());
    /// ```
    pub fn with_root_certificate_pem(pem: &[u8]) -> Result<Self, WsError> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| WsError::Tls(format!("bad PEM: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| WsError::Tls(format!("unusable root certificate: {e}")))?;
        }
        if roots.is_empty() {
            return Err(WsError::Tls("no certificate in the PEM".into()));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| WsError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            tls: Some(Arc::new(config)),
        })
    }
}

#[async_trait]
impl WsConnector for TungsteniteConnector {
    async fn connect(&self, url: &str) -> Result<WsSocket, WsError> {
        let connector = self.tls.clone().map(Connector::Rustls);
        let (stream, _response) =
            tokio_tungstenite::connect_async_tls_with_config(url, None, true, connector)
                .await
                .map_err(|e| WsError::Connect(e.to_string()))?;
        let (socket, commands, events) = WsSocket::pair();
        tokio::spawn(pump(stream, commands, events));
        Ok(socket)
    }
}

/// Moves frames between the socket and the channels until either side ends.
async fn pump(
    stream: Stream,
    mut commands: mpsc::UnboundedReceiver<SocketCommand>,
    events: mpsc::UnboundedSender<SocketEvent>,
) {
    let (mut sink, mut source) = stream.split();
    let closed = |code: Option<u16>, reason: String| SocketEvent::Closed { code, reason };
    loop {
        tokio::select! {
            command = commands.next() => match command {
                Some(SocketCommand::Text(text)) => {
                    let sent = tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::text(text))).await;
                    if !matches!(sent, Ok(Ok(()))) {
                        let _ = events.unbounded_send(closed(None, "write failed or timed out".into()));
                        return;
                    }
                }
                other => {
                    let code = match other {
                        Some(SocketCommand::Close(code)) => code,
                        _ => 1000,
                    };
                    let frame = CloseFrame { code: CloseCode::from(code), reason: "".into() };
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
                    return;
                }
            },
            message = source.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let _ = events.unbounded_send(SocketEvent::Text(text.as_str().to_owned()));
                }
                Some(Ok(Message::Binary(bytes))) => match String::from_utf8(bytes.to_vec()) {
                    Ok(text) => { let _ = events.unbounded_send(SocketEvent::Text(text)); }
                    Err(_) => tracing::warn!("non-UTF-8 binary WebSocket frame ignored"),
                },
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (Some(u16::from(f.code)), f.reason.as_str().to_owned()))
                        .unwrap_or((None, String::new()));
                    let _ = events.unbounded_send(closed(code, reason));
                    return;
                }
                Some(Ok(_)) => {} // ping, pong: handled by tungstenite
                Some(Err(err)) => {
                    let _ = events.unbounded_send(closed(None, err.to_string()));
                    return;
                }
                None => {
                    let _ = events.unbounded_send(closed(None, "connection ended".into()));
                    return;
                }
            },
        }
    }
}
