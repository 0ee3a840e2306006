//! The chat WebSocket's timing constants (§2), defaults as chatjs uses them.

use std::time::Duration;

/// Timing rules of the chat socket; the defaults are the spec's values.
///
/// ```
/// use connect_video::participant::SocketTimings;
///
/// let t = SocketTimings::default();
/// assert_eq!(t.heartbeat.as_secs(), 10);
/// assert_eq!(t.lifetime.as_secs(), 3540);
/// assert_eq!(t.url_validity.as_secs(), 85);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SocketTimings {
    /// Heartbeat and deep-heartbeat period; an answer missing at the next tick loses the
    /// connection (10 s).
    pub heartbeat: Duration,
    /// A fetched URL is used to open sockets for at most this long (85 s).
    pub url_validity: Duration,
    /// A socket is rolled over (make-before-break) this long after it opened (3540 s).
    pub lifetime: Duration,
    /// A socket not open after this long counts as a failed open (10 s).
    pub open_timeout: Duration,
    /// No subscribe answer within this → resend (1 s).
    pub subscribe_answer: Duration,
    /// More than this many unanswered subscribe requests in a row fail the socket (3).
    pub max_unanswered_subscribes: u32,
    /// Wait after a `failure` answer before subscribing again (500 ms).
    pub subscribe_retry: Duration,
    /// This many `failure` answers in a row fail the socket (5).
    pub max_subscribe_failures: u32,
    /// First re-open delay with the same URL, doubled per attempt (1 s).
    pub reopen_base: Duration,
    /// Relative jitter of the re-open delay (±0.3).
    pub reopen_jitter: f64,
    /// First delay after a failed `CreateParticipantConnection`, doubled per failure (2 s).
    pub fetch_base: Duration,
    /// Cap of that delay (30 s).
    pub fetch_cap: Duration,
    /// The connection token is renewed this long before it expires (60 s).
    pub token_renewal_lead: Duration,
    /// Retryable failures tolerated before the very first connection gives up (3).
    pub initial_fetch_attempts: u32,
}

impl Default for SocketTimings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(10),
            url_validity: Duration::from_secs(85),
            lifetime: Duration::from_secs(3540),
            open_timeout: Duration::from_secs(10),
            subscribe_answer: Duration::from_secs(1),
            max_unanswered_subscribes: 3,
            subscribe_retry: Duration::from_millis(500),
            max_subscribe_failures: 5,
            reopen_base: Duration::from_secs(1),
            reopen_jitter: 0.3,
            fetch_base: Duration::from_secs(2),
            fetch_cap: Duration::from_secs(30),
            token_renewal_lead: Duration::from_secs(60),
            initial_fetch_attempts: 3,
        }
    }
}

impl SocketTimings {
    /// The wait after `failures` failed fetches: `fetch_base · 2^(failures−1)`, capped, no jitter.
    ///
    /// ```
    /// # use connect_video::participant::SocketTimings;
    /// let t = SocketTimings::default();
    /// assert_eq!(t.fetch_delay(1).as_secs(), 2);
    /// assert_eq!(t.fetch_delay(3).as_secs(), 8);
    /// assert_eq!(t.fetch_delay(10).as_secs(), 30);
    /// ```
    pub fn fetch_delay(&self, failures: u32) -> Duration {
        let exponent = failures.saturating_sub(1).min(20);
        self.fetch_base
            .saturating_mul(1 << exponent)
            .min(self.fetch_cap)
    }

    /// The wait before re-open attempt `attempt` (1-based) with the same URL:
    /// `reopen_base · 2^(attempt−1)` scaled by `1 + jitter·(2·unit − 1)`.
    ///
    /// ```
    /// # use connect_video::participant::SocketTimings;
    /// let t = SocketTimings::default();
    /// assert_eq!(t.reopen_delay(1, 0.5).as_millis(), 1000);
    /// assert_eq!(t.reopen_delay(2, 0.0).as_millis(), 1400);
    /// assert_eq!(t.reopen_delay(3, 1.0).as_millis(), 5200);
    /// ```
    pub fn reopen_delay(&self, attempt: u32, unit: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let base = self.reopen_base.saturating_mul(1 << exponent);
        let factor = 1.0 + self.reopen_jitter * (2.0 * unit.clamp(0.0, 1.0) - 1.0);
        base.mul_f64(factor.max(0.0))
    }
}
