//! What the impairment relay did, per direction.

use std::sync::atomic::{AtomicU64, Ordering};

/// The counters of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectionStats {
    /// Datagrams passed on, at once or after a delay (media and control).
    pub forwarded: u64,
    /// Media datagrams dropped.
    pub dropped: u64,
    /// Media datagrams held for a non-zero delay (counted in `forwarded` too).
    pub delayed: u64,
    /// Media datagrams seen (forwarded or dropped).
    pub media: u64,
}

impl DirectionStats {
    /// Media datagrams dropped, in percent of those seen (0 when none were seen).
    pub fn loss_pct(&self) -> f64 {
        if self.media == 0 {
            0.0
        } else {
            100.0 * self.dropped as f64 / self.media as f64
        }
    }
}

/// What the relay did so far.
///
/// ```
/// use connect_softphone::mock::impairment::{DirectionStats, ImpairmentStats};
///
/// let stats = ImpairmentStats {
///     client_to_server: DirectionStats { forwarded: 95, dropped: 5, delayed: 95, media: 100 },
///     ..ImpairmentStats::default()
/// };
/// assert_eq!(stats.client_to_server.loss_pct(), 5.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImpairmentStats {
    /// From the TURN clients (the agent) to the TURN server: what the agent sends.
    pub client_to_server: DirectionStats,
    /// From the TURN server to its clients: what the agent receives.
    pub server_to_client: DirectionStats,
}

/// The live counters of one direction.
#[derive(Debug, Default)]
pub(super) struct Counters {
    forwarded: AtomicU64,
    dropped: AtomicU64,
    delayed: AtomicU64,
    media: AtomicU64,
}

impl Counters {
    pub(super) fn forwarded(&self, media: bool, delayed: bool) {
        self.forwarded.fetch_add(1, Ordering::Relaxed);
        if media {
            self.media.fetch_add(1, Ordering::Relaxed);
        }
        if delayed {
            self.delayed.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(super) fn dropped(&self) {
        self.media.fetch_add(1, Ordering::Relaxed);
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn snapshot(&self) -> DirectionStats {
        DirectionStats {
            forwarded: self.forwarded.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            delayed: self.delayed.load(Ordering::Relaxed),
            media: self.media.load(Ordering::Relaxed),
        }
    }
}
