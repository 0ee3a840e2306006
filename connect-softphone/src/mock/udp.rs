//! Loopback UDP sockets for the simulated servers, with a receive buffer deep enough for every
//! call of a busy run: one TURN socket carries all the calls' media, and a process whose CPU is
//! saturated may not read it for a few hundred milliseconds. The kernel's default buffer
//! (about 200 KB) holds ~250 datagrams, a tenth of a second of 50 calls; a production TURN
//! server is tuned the same way.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tracing::debug;

/// The receive buffer asked for. Linux grants up to `net.core.rmem_max` (and doubles it for
/// bookkeeping); a smaller grant is not an error.
const RECEIVE_BUFFER_BYTES: usize = 4 << 20;

/// Binds a UDP socket on `127.0.0.1:0` with a deep receive buffer.
pub(crate) fn bind_loopback() -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    if let Err(error) = socket.set_recv_buffer_size(RECEIVE_BUFFER_BYTES) {
        debug!(%error, "UDP receive buffer left at the system default");
    }
    socket.bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())?;
    socket.set_nonblocking(true)?;
    UdpSocket::from_std(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_socket_is_on_loopback_with_a_deeper_buffer_than_the_default() {
        let socket = bind_loopback().expect("bound");
        let addr = socket.local_addr().expect("address");
        assert!(addr.ip().is_loopback() && addr.port() != 0, "{addr}");
        let default = std::net::UdpSocket::bind("127.0.0.1:0").expect("bound");
        let size = |s: &std::net::UdpSocket| {
            socket2::SockRef::from(s)
                .recv_buffer_size()
                .expect("readable")
        };
        let granted = socket2::SockRef::from(&socket)
            .recv_buffer_size()
            .expect("readable");
        // Linux doubles the request (capped at `net.core.rmem_max`): always above the default.
        assert!(
            granted > size(&default),
            "{granted} is not above the default"
        );
    }
}
