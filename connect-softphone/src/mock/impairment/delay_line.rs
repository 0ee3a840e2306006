//! [`DelayLine`]: holds datagrams until their due time without holding up the others — one
//! task per direction with a heap keyed by due time (ties keep arrival order).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// A datagram waiting for its due time.
pub(super) struct Held {
    /// When to send it.
    pub(super) due: Instant,
    /// The socket to send it from.
    pub(super) socket: Arc<UdpSocket>,
    /// Where to.
    pub(super) to: SocketAddr,
    /// The datagram.
    pub(super) datagram: Vec<u8>,
}

/// A held datagram in the heap: earliest due first, then first in.
struct Queued {
    seq: u64,
    held: Held,
}

impl Queued {
    fn key(&self) -> (Instant, u64) {
        (self.held.due, self.seq)
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// The sending end of one direction's delay line. Cheap to clone.
#[derive(Clone)]
pub(super) struct DelayLine {
    queue: mpsc::UnboundedSender<Held>,
}

impl DelayLine {
    /// Starts the line's task in `tasks` (it ends with them).
    pub(super) fn spawn(tasks: &mut JoinSet<()>) -> Self {
        let (queue, incoming) = mpsc::unbounded_channel();
        tasks.spawn(run(incoming));
        Self { queue }
    }

    /// Sends `held` at its due time.
    pub(super) fn hold(&self, held: Held) {
        if self.queue.send(held).is_err() {
            tracing::debug!("impairment delay line stopped; datagram discarded");
        }
    }
}

async fn run(mut incoming: mpsc::UnboundedReceiver<Held>) {
    let mut heap = BinaryHeap::<Queued>::new();
    let mut seq = 0u64;
    loop {
        let next_due = heap.peek().map(|q| q.held.due);
        let due = async {
            match next_due {
                Some(due) => tokio::time::sleep_until(due).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            held = incoming.recv() => {
                let Some(held) = held else { return };
                seq += 1;
                heap.push(Queued { seq, held });
            }
            () = due => {
                let now = Instant::now();
                while heap.peek().is_some_and(|q| q.held.due <= now) {
                    let Some(Queued { held: Held { socket, to, datagram, .. }, .. }) = heap.pop() else {
                        break;
                    };
                    if let Err(error) = socket.send_to(&datagram, to).await {
                        tracing::debug!(%error, %to, "impairment relay send failed");
                    }
                }
            }
        }
    }
}
