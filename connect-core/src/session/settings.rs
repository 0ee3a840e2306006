//! Timing and budget settings of a session, with the spec's defaults.

use std::time::Duration;

use super::auth_budget::{DEFAULT_ACCESS_DENIED_BUDGET, DEFAULT_UNAUTHORIZED_BUDGET};
use crate::events::DEFAULT_SUBSCRIBER_QUEUE;

/// How a session times its loops and requests. Defaults follow the CCP (spec §4, R4, R9).
///
/// ```
/// use connect_core::session::SessionSettings;
/// let s = SessionSettings::default();
/// assert_eq!(s.poll_timeout.as_millis(), 30_000);
/// assert_eq!(s.request_deadline.as_secs(), 10);
/// ```
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// `timeout` sent with `getAgentSnapshot` (the long poll's hold time).
    pub poll_timeout: Duration,
    /// Wait before the next poll after a success.
    pub poll_delay_after_success: Duration,
    /// Wait before the next poll after a failure.
    pub poll_delay_after_failure: Duration,
    /// Interval of the configuration refresh.
    pub configuration_interval: Duration,
    /// Deadline of every request except the long poll (whose deadline is its timeout + 10 s).
    pub request_deadline: Duration,
    /// How long `create_outbound_call` waits for the new contact to show up.
    pub outbound_correlation_timeout: Duration,
    /// How long `connect()` keeps trying to get the first snapshot and configuration.
    pub connect_deadline: Duration,
    /// Consecutive 401s tolerated on retryable methods.
    pub unauthorized_budget: u32,
    /// Consecutive 403s tolerated on retryable methods.
    pub access_denied_budget: u32,
    /// Events buffered per subscriber before it lags.
    pub subscriber_queue: usize,
    /// Failing requests for this long, without one success, turn liveness `Disconnected`.
    pub disconnected_after: Duration,
    /// A 1 s tick that finds the wall clock this much further ahead means the host slept (or
    /// timers fire late): the session resumes its connections (R5).
    pub clock_jump_threshold: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            poll_timeout: Duration::from_millis(30_000),
            poll_delay_after_success: Duration::from_millis(100),
            poll_delay_after_failure: Duration::from_millis(5_000),
            configuration_interval: Duration::from_secs(30),
            request_deadline: Duration::from_secs(10),
            outbound_correlation_timeout: Duration::from_secs(15),
            connect_deadline: Duration::from_secs(60),
            unauthorized_budget: DEFAULT_UNAUTHORIZED_BUDGET,
            access_denied_budget: DEFAULT_ACCESS_DENIED_BUDGET,
            subscriber_queue: DEFAULT_SUBSCRIBER_QUEUE,
            disconnected_after: Duration::from_secs(30),
            clock_jump_threshold: Duration::from_secs(5),
        }
    }
}

impl SessionSettings {
    /// Deadline of one long poll: its hold time plus 10 s.
    pub fn poll_deadline(&self) -> Duration {
        self.poll_timeout + Duration::from_secs(10)
    }
}
