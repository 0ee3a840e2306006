//! Counters the agent bots share, read by the progress line and the final report.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// What the bots saw, across all agents. Each offer (a contact appearing in an agent's
/// snapshot) ends either handled (it reached `Connected`) or missed.
///
/// ```
/// use connect_examples::tally::Tally;
/// let tally = Tally::default();
/// tally.offered();
/// tally.handled();
/// assert_eq!(tally.snapshot().offered, 1);
/// ```
#[derive(Debug, Default)]
pub struct Tally {
    offered: AtomicU64,
    handled: AtomicU64,
    missed: AtomicU64,
    out_of_order: AtomicU64,
    events: AtomicU64,
    open: AtomicI64,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TallySnapshot {
    /// Offers seen (contact `Init` in an agent session).
    pub offered: u64,
    /// Offers that reached `Connected`.
    pub handled: u64,
    /// Offers that ended `Missed`.
    pub missed: u64,
    /// Events that broke the lifecycle order.
    pub out_of_order: u64,
    /// Events received in total.
    pub events: u64,
    /// Contacts seen and not yet destroyed.
    pub open: i64,
}

impl Tally {
    /// One more offer (and one more open contact); returns how many offers there were so far.
    pub fn offered(&self) -> u64 {
        self.open.fetch_add(1, Ordering::Relaxed);
        self.offered.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// An offer reached `Connected`.
    pub fn handled(&self) {
        self.handled.fetch_add(1, Ordering::Relaxed);
    }

    /// An offer was missed.
    pub fn missed(&self) {
        self.missed.fetch_add(1, Ordering::Relaxed);
    }

    /// A contact was destroyed.
    pub fn closed(&self) {
        self.open.fetch_sub(1, Ordering::Relaxed);
    }

    /// `count` events broke the lifecycle order.
    pub fn out_of_order(&self, count: u64) {
        self.out_of_order.fetch_add(count, Ordering::Relaxed);
    }

    /// One more event received.
    pub fn event(&self) {
        self.events.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> TallySnapshot {
        TallySnapshot {
            offered: self.offered.load(Ordering::Relaxed),
            handled: self.handled.load(Ordering::Relaxed),
            missed: self.missed.load(Ordering::Relaxed),
            out_of_order: self.out_of_order.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
            open: self.open.load(Ordering::Relaxed),
        }
    }
}
