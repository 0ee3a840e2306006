//! Full-jitter exponential backoff and the small random source it draws from.

use super::SplitMix64;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::model::Timestamp;

/// The full-jitter backoff delay before retry number `retry` (1-based): a uniform draw
/// (`unit` in `[0, 1)`) from `[0, min(cap, base · 2^(retry−1))]`.
///
/// ```
/// use std::time::Duration;
/// use connect_core::time::full_jitter;
///
/// let base = Duration::from_millis(200);
/// let cap = Duration::from_secs(30);
/// assert_eq!(full_jitter(base, 1, cap, 0.5), Duration::from_millis(100));
/// assert_eq!(full_jitter(base, 3, cap, 0.5), Duration::from_millis(400));
/// assert_eq!(full_jitter(base, 40, cap, 0.5), Duration::from_secs(15));
/// assert_eq!(full_jitter(base, 2, cap, 0.0), Duration::ZERO);
/// ```
pub fn full_jitter(base: Duration, retry: u32, cap: Duration, unit: f64) -> Duration {
    let exponent = retry.saturating_sub(1).min(30);
    let ceiling = base.saturating_mul(1 << exponent).min(cap);
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

/// A small, lock-free pseudo-random source (xorshift64*) for backoff jitter and request
/// idempotency tokens. Not for secrets.
///
/// ```
/// use connect_core::time::Jitter;
///
/// let jitter = Jitter::seeded(7);
/// let u = jitter.next_unit();
/// assert!((0.0..1.0).contains(&u));
/// assert_ne!(jitter.next_u64(), jitter.next_u64());
/// ```
#[derive(Debug)]
pub struct Jitter {
    state: AtomicU64,
}

impl Jitter {
    /// A source with a fixed seed (reproducible tests).
    pub fn seeded(seed: u64) -> Self {
        Self {
            state: AtomicU64::new(SplitMix64::new(seed).next_u64() | 1),
        }
    }

    /// A source seeded from the time and a process-wide counter, so that two sources made at
    /// the same instant still differ.
    ///
    /// ```
    /// # use connect_core::{model::Timestamp, time::Jitter};
    /// let (a, b) = (Jitter::from_time(Timestamp::from_millis(1)), Jitter::from_time(Timestamp::from_millis(1)));
    /// assert_ne!(a.next_u64(), b.next_u64());
    /// ```
    pub fn from_time(now: Timestamp) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        Self::seeded((now.as_millis() as u64) ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next 64 random bits.
    pub fn next_u64(&self) -> u64 {
        let step = |mut x: u64| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x
        };
        let previous = self
            .state
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |x| Some(step(x)))
            .unwrap_or_else(|x| x);
        step(previous).wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A uniform draw from `[0, 1)`.
    pub fn next_unit(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_spread() {
        let jitter = Jitter::seeded(0);
        let draws: Vec<f64> = (0..1000).map(|_| jitter.next_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        let low = draws.iter().filter(|u| **u < 0.5).count();
        assert!((400..600).contains(&low), "{low}");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::from_secs(10);
        let cap = Duration::from_secs(60);
        let top = |retry| full_jitter(base, retry, cap, 1.0);
        assert_eq!(top(1), Duration::from_secs(10));
        assert_eq!(top(2), Duration::from_secs(20));
        assert_eq!(top(4), Duration::from_secs(60));
        assert_eq!(top(u32::MAX), Duration::from_secs(60));
    }
}
