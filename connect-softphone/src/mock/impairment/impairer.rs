//! [`Impairer`]: the sans-IO, seeded decision of what happens to each media datagram.

use std::time::Duration;

use connect_core::time::SplitMix64;

use super::Impairment;

/// What happens to one media datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Lost.
    Drop,
    /// Passed on after this delay (zero: at once).
    Deliver(Duration),
}

/// Draws each media datagram's [`Fate`] from a seeded generator: the same seed and the same
/// sequence of calls give the same fates.
///
/// Every call draws twice (loss, then jitter), whatever the settings, so changing the loss
/// rate does not shift the jitter sequence.
///
/// ```
/// use connect_softphone::mock::impairment::{Fate, Impairer, Impairment};
///
/// let mut all_lost = Impairer::new(Impairment { loss_pct: 100.0, ..Impairment::default() }, 7);
/// assert_eq!(all_lost.fate(), Fate::Drop);
/// let mut clean = Impairer::new(Impairment::default(), 7);
/// assert_eq!(clean.fate(), Fate::Deliver(std::time::Duration::ZERO));
/// ```
#[derive(Clone, Debug)]
pub struct Impairer {
    impairment: Impairment,
    rng: SplitMix64,
}

impl Impairer {
    /// An impairer with these settings and seed (settings are assumed validated).
    pub fn new(impairment: Impairment, seed: u64) -> Self {
        Self {
            impairment,
            rng: SplitMix64::new(seed),
        }
    }

    /// The current settings.
    pub fn impairment(&self) -> Impairment {
        self.impairment
    }

    /// Changes the settings; the random sequence goes on.
    pub fn set(&mut self, impairment: Impairment) {
        self.impairment = impairment;
    }

    /// The fate of the next media datagram.
    pub fn fate(&mut self) -> Fate {
        let lost = self.rng.next_f64() * 100.0 < self.impairment.loss_pct;
        let offset = (2.0 * self.rng.next_f64() - 1.0) * f64::from(self.impairment.jitter_ms);
        if lost {
            return Fate::Drop;
        }
        let millis = (f64::from(self.impairment.delay_ms) + offset).max(0.0);
        Fate::Deliver(Duration::from_secs_f64(millis / 1000.0))
    }
}
