//! The accept loop: plain TCP or TLS, one HTTP/1.1 connection task per client (with upgrades
//! for WebSockets), a header read timeout against slow clients. The loop owns its connection
//! tasks, so aborting it drops every connection at once (what `stop` and `restart` rely on).

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// Binds `addr` with `SO_REUSEADDR`, so a restarted server gets its port back at once.
pub(super) fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Serves `router` on `listener` until the future is dropped.
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    read_timeout: Duration,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, router.clone(), tls.clone(), read_timeout));
                }
                Err(err) => {
                    // Out of descriptors and the like: back off instead of spinning.
                    tracing::warn!(%err, "sim server: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn connection(
    stream: TcpStream,
    router: Router,
    tls: Option<TlsAcceptor>,
    read_timeout: Duration,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => http1(stream, router, read_timeout).await,
        Some(acceptor) => match tokio::time::timeout(read_timeout, acceptor.accept(stream)).await {
            Ok(Ok(stream)) => http1(stream, router, read_timeout).await,
            Ok(Err(err)) => tracing::debug!(%err, "sim server: TLS handshake failed"),
            Err(_) => tracing::debug!("sim server: TLS handshake timed out"),
        },
    }
}

async fn http1<S>(stream: S, router: Router, read_timeout: Duration)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = TowerToHyperService::new(router);
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades()
        .await;
    if let Err(err) = served {
        tracing::debug!(%err, "sim server: connection ended with an error");
    }
}
