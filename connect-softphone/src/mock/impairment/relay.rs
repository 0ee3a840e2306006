//! [`ImpairmentRelay`]: the loopback UDP relay in front of a TURN server. Each client source
//! address gets its own upstream socket (so the server sees one 5-tuple per client, as without
//! the relay); media datagrams both ways go through the [`Impairer`] of their direction and,
//! when delayed, through that direction's [`DelayLine`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use super::delay_line::{DelayLine, Held};
use super::stats::Counters;
use super::{classify, relays_dtls, Fate, Impairer, Impairment, ImpairmentError, ImpairmentStats};

/// Largest datagram relayed (the UDP maximum).
const MAX_DATAGRAM: usize = 65_535;

/// Seed offset of the server → client direction, so both directions draw different sequences.
const SERVER_TO_CLIENT_STREAM: u64 = 0x5EED_D0E5_0000_0001;

/// A loopback UDP relay in front of a TURN server that drops and delays media datagrams
/// (see [`Impairment`]); TURN control transactions pass untouched and at once.
///
/// Stops when [`ImpairmentRelay::stop`] is called or the relay is dropped.
///
/// ```no_run
/// # async fn demo(turn: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
/// use connect_softphone::mock::impairment::{Impairment, ImpairmentRelay};
///
/// let impairment = Impairment { loss_pct: 5.0, jitter_ms: 40, delay_ms: 50 };
/// let relay = ImpairmentRelay::start(turn, impairment, 42).await?;
/// let url = format!("turn:{}?transport=udp", relay.local_addr());
/// // ... hand `url` to the TURN clients to impair ...
/// relay.set_impairment(Impairment::default())?;
/// println!("{:?}", relay.stats());
/// relay.stop();
/// # Ok(()) }
/// ```
pub struct ImpairmentRelay {
    local: SocketAddr,
    upstream: SocketAddr,
    shared: Arc<Shared>,
    task: AbortHandle,
}

impl std::fmt::Debug for ImpairmentRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImpairmentRelay")
            .field("local", &self.local)
            .field("upstream", &self.upstream)
            .field("impairment", &self.impairment())
            .field("stats", &self.stats())
            .finish()
    }
}

/// The state the relay's tasks share with its handle.
struct Shared {
    client_to_server: Direction,
    server_to_client: Direction,
}

/// One direction: its random sequence and its counters.
struct Direction {
    impairer: Mutex<Impairer>,
    counters: Counters,
}

impl Direction {
    fn new(impairment: Impairment, seed: u64) -> Self {
        Self {
            impairer: Mutex::new(Impairer::new(impairment, seed)),
            counters: Counters::default(),
        }
    }

    fn impairer(&self) -> MutexGuard<'_, Impairer> {
        self.impairer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Passes `datagram` on from `socket` to `to`: control and DTLS at once; media dropped,
    /// sent at once or held on `line`, as the impairer decides.
    ///
    /// DTLS records pass untouched: webrtc-rs 0.21's DTLS handshake can stall for good when a
    /// flight is lost (ICE connected, no media ever), and the impairment is meant for the
    /// audio, not for a handshake the calls would not survive.
    async fn pass(
        &self,
        datagram: &[u8],
        socket: &Arc<UdpSocket>,
        to: SocketAddr,
        line: &DelayLine,
    ) {
        let media = classify(datagram).carries_media() && !relays_dtls(datagram);
        let delay = if media {
            match self.impairer().fate() {
                Fate::Drop => {
                    self.counters.dropped();
                    return;
                }
                Fate::Deliver(delay) => delay,
            }
        } else {
            Duration::ZERO
        };
        let delayed = !delay.is_zero();
        self.counters.forwarded(media, delayed);
        if delayed {
            line.hold(Held {
                due: Instant::now() + delay,
                socket: Arc::clone(socket),
                to,
                datagram: datagram.to_vec(),
            });
        } else if let Err(error) = socket.send_to(datagram, to).await {
            tracing::debug!(%error, %to, "impairment relay send failed");
        }
    }
}

impl ImpairmentRelay {
    /// Binds `127.0.0.1:0` and relays to the TURN server at `upstream`, impairing media as
    /// `impairment` says, with random sequences drawn from `seed`.
    pub async fn start(
        upstream: SocketAddr,
        impairment: Impairment,
        seed: u64,
    ) -> Result<Self, ImpairmentError> {
        impairment.validate()?;
        let socket = Arc::new(crate::mock::udp::bind_loopback()?);
        let local = socket.local_addr()?;
        let shared = Arc::new(Shared {
            client_to_server: Direction::new(impairment, seed),
            server_to_client: Direction::new(impairment, seed ^ SERVER_TO_CLIENT_STREAM),
        });
        let task = tokio::spawn(listen(socket, upstream, Arc::clone(&shared))).abort_handle();
        tracing::info!(%local, %upstream, ?impairment, "impairment relay listening");
        Ok(Self {
            local,
            upstream,
            shared,
            task,
        })
    }

    /// The address clients send to (`127.0.0.1:<port>`).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The TURN server relayed to.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    /// The current settings.
    pub fn impairment(&self) -> Impairment {
        self.shared.client_to_server.impairer().impairment()
    }

    /// Changes the settings from the next datagram on, both directions. Datagrams already
    /// held keep their due time.
    pub fn set_impairment(&self, impairment: Impairment) -> Result<(), ImpairmentError> {
        impairment.validate()?;
        self.shared.client_to_server.impairer().set(impairment);
        self.shared.server_to_client.impairer().set(impairment);
        tracing::info!(local = %self.local, ?impairment, "impairment changed");
        Ok(())
    }

    /// What the relay did so far.
    pub fn stats(&self) -> ImpairmentStats {
        ImpairmentStats {
            client_to_server: self.shared.client_to_server.counters.snapshot(),
            server_to_client: self.shared.server_to_client.counters.snapshot(),
        }
    }

    /// Stops relaying and closes the sockets (datagrams still held are discarded). Idempotent.
    pub fn stop(&self) {
        if !self.task.is_finished() {
            self.task.abort();
            tracing::info!(local = %self.local, "impairment relay stopped");
        }
    }
}

impl Drop for ImpairmentRelay {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The relay's main task: reads clients' datagrams and opens an upstream socket per client.
/// Every other task of the relay lives in its `JoinSet`, so aborting this one stops them all.
async fn listen(socket: Arc<UdpSocket>, upstream: SocketAddr, shared: Arc<Shared>) {
    let mut tasks = JoinSet::new();
    let to_server = DelayLine::spawn(&mut tasks);
    let to_client = DelayLine::spawn(&mut tasks);
    let mut clients: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let (n, client) = match socket.recv_from(&mut buf).await {
            Ok(received) => received,
            Err(error) => {
                tracing::debug!(%error, "impairment relay receive failed");
                continue;
            }
        };
        let outbound = match clients.get(&client) {
            Some(outbound) => Arc::clone(outbound),
            None => match crate::mock::udp::bind_loopback() {
                Ok(outbound) => {
                    let outbound = Arc::new(outbound);
                    tracing::debug!(%client, via = ?outbound.local_addr().ok(), "impairment relay: new client");
                    clients.insert(client, Arc::clone(&outbound));
                    tasks.spawn(answer(
                        Arc::clone(&outbound),
                        Arc::clone(&socket),
                        client,
                        upstream,
                        Arc::clone(&shared),
                        to_client.clone(),
                    ));
                    outbound
                }
                Err(error) => {
                    tracing::warn!(%error, %client, "impairment relay: no upstream socket");
                    continue;
                }
            },
        };
        shared
            .client_to_server
            .pass(&buf[..n], &outbound, upstream, &to_server)
            .await;
    }
}

/// Relays what the server sends to `client`'s upstream socket back to `client`.
async fn answer(
    outbound: Arc<UdpSocket>,
    listener: Arc<UdpSocket>,
    client: SocketAddr,
    upstream: SocketAddr,
    shared: Arc<Shared>,
    line: DelayLine,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        match outbound.recv_from(&mut buf).await {
            Ok((n, from)) if from == upstream => {
                shared
                    .server_to_client
                    .pass(&buf[..n], &listener, client, &line)
                    .await;
            }
            Ok((_, from)) => {
                tracing::debug!(%from, "impairment relay: datagram from a stranger ignored");
            }
            Err(error) => tracing::debug!(%error, %client, "impairment relay receive failed"),
        }
    }
}
