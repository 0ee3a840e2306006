//! The single reconnect policy of the WebSocket (§5 SDK rules).

use std::time::Duration;

use crate::time::SplitMix64;

/// Exponential backoff: `base × factorⁿ`, capped, with ± `jitter` (a fraction), reset on success.
///
/// Defaults are the SDK's one WebSocket policy: 2 s, ×2, cap 30 s, ±0.3; it paces URL fetches
/// and socket opens alike.
///
/// ```
/// use std::time::Duration;
/// use connect_core::ws::ReconnectPolicy;
///
/// let mut policy = ReconnectPolicy::default().with_jitter(0.0);
/// assert_eq!(policy.next_delay(), Duration::from_secs(2));
/// assert_eq!(policy.next_delay(), Duration::from_secs(4));
/// for _ in 0..10 { policy.next_delay(); }
/// assert_eq!(policy.next_delay(), Duration::from_secs(30));
/// policy.reset();
/// assert_eq!(policy.next_delay(), Duration::from_secs(2));
/// ```
#[derive(Clone, Debug)]
pub struct ReconnectPolicy {
    base: Duration,
    factor: u32,
    cap: Duration,
    jitter: f64,
    attempt: u32,
    rng: SplitMix64,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            factor: 2,
            cap: Duration::from_secs(30),
            jitter: 0.3,
            attempt: 0,
            rng: SplitMix64::new(0x5EED),
        }
    }
}

impl ReconnectPolicy {
    /// The same policy with jitter drawn from `seed`.
    ///
    /// ```
    /// # use connect_core::ws::ReconnectPolicy;
    /// let a = ReconnectPolicy::default().with_seed(9).next_delay();
    /// let b = ReconnectPolicy::default().with_seed(9).next_delay();
    /// assert_eq!(a, b);
    /// ```
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.rng = SplitMix64::new(seed);
        self
    }

    /// The same policy with a jitter fraction (clamped to `0..=1`).
    ///
    /// ```
    /// # use connect_core::ws::ReconnectPolicy;
    /// let d = ReconnectPolicy::default().with_jitter(0.0).next_delay();
    /// assert_eq!(d.as_millis(), 2000);
    /// ```
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter.clamp(0.0, 1.0);
        self
    }

    /// Failed attempts since the last reset.
    ///
    /// ```
    /// # use connect_core::ws::ReconnectPolicy;
    /// let mut p = ReconnectPolicy::default();
    /// p.next_delay();
    /// assert_eq!(p.attempts(), 1);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The wait before the next attempt; counts one failed attempt.
    ///
    /// ```
    /// # use connect_core::ws::ReconnectPolicy;
    /// let d = ReconnectPolicy::default().next_delay();
    /// assert!((1400..=2600).contains(&d.as_millis()));
    /// ```
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.factor.saturating_pow(self.attempt.min(31));
        let nominal = self.base.saturating_mul(exp).min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        let spread = (self.rng.next_f64() * 2.0 - 1.0) * self.jitter;
        nominal.mul_f64((1.0 + spread).max(0.0))
    }

    /// Back to the first delay (after a successful open).
    ///
    /// ```
    /// # use connect_core::ws::ReconnectPolicy;
    /// let mut p = ReconnectPolicy::default();
    /// p.next_delay();
    /// p.reset();
    /// assert_eq!(p.attempts(), 0);
    /// ```
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_thirty_percent_of_the_nominal_delay() {
        let mut policy = ReconnectPolicy::default().with_seed(42);
        let nominal = [2_000u128, 4_000, 8_000, 16_000, 30_000, 30_000];
        for n in nominal {
            let d = policy.next_delay().as_millis();
            assert!(d * 10 >= n * 7 && d * 10 <= n * 13, "{d} vs {n}");
        }
    }
}
