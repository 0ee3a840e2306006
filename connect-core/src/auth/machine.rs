//! [`AuthMachine`]: when to get, refresh or retry a token, and the [`AuthState`] that follows.
//! Sans-IO: it is told the time and the outcomes, and answers what to do next.

use std::time::Duration;

use super::AuthError;
use crate::events::AuthState;
use crate::model::Timestamp;
use crate::time::full_jitter;

/// Refresh timing (spec §4.3, R7).
///
/// ```
/// use connect_core::auth::AuthConfig;
///
/// let config = AuthConfig::default();
/// assert_eq!(config.refresh_before.as_secs(), 30 * 60);
/// assert_eq!((config.retry_base.as_secs(), config.max_retries), (10, 4));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthConfig {
    /// Refresh this long before the token expires (tokens living less than this are
    /// refreshed at half their remaining life).
    pub refresh_before: Duration,
    /// Base of the full-jitter backoff after a failed refresh (doubling).
    pub retry_base: Duration,
    /// Retries of a failed refresh before waiting for the next check.
    pub max_retries: u32,
    /// The longest the machine sleeps without looking again (catches clock jumps after a
    /// suspend) and the wait after a terminal failure before asking the provider again.
    pub recheck_interval: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            refresh_before: Duration::from_secs(30 * 60),
            retry_base: Duration::from_secs(10),
            max_retries: 4,
            recheck_interval: Duration::from_secs(5 * 60),
        }
    }
}

/// What the driver should do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthAction {
    /// Get the first token (`AuthProvider::token`).
    Fetch,
    /// Get a new token (`AuthProvider::refresh`).
    Refresh,
    /// Nothing until this time (or until told something).
    SleepUntil(Timestamp),
    /// Nothing until told something (a request is in flight, or the token never expires).
    Idle,
}

/// The token lifecycle as a state machine.
///
/// ```
/// use connect_core::auth::{AuthAction, AuthConfig, AuthMachine};
/// use connect_core::events::AuthState;
/// use connect_core::model::Timestamp;
///
/// let t = |min: i64| Timestamp::from_millis(min * 60_000);
/// let mut machine = AuthMachine::new(AuthConfig::default());
/// assert_eq!(machine.next_action(t(0)), AuthAction::Fetch);
/// machine.started(t(0));
/// assert_eq!(machine.on_token(Some(t(60)), t(0)), Some(AuthState::Valid { expires_at: Some(t(60)) }));
/// // Refresh 30 minutes before expiry.
/// assert_eq!(machine.next_action(t(29)), AuthAction::SleepUntil(t(30)));
/// assert_eq!(machine.next_action(t(30)), AuthAction::Refresh);
/// ```
#[derive(Clone, Debug)]
pub struct AuthMachine {
    config: AuthConfig,
    token: Option<TokenTimes>,
    state: AuthState,
    in_flight: bool,
    failures: u32,
    retry_at: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug)]
struct TokenTimes {
    expires_at: Option<Timestamp>,
    refresh_at: Option<Timestamp>,
    rejected: bool,
}

impl TokenTimes {
    fn usable(&self, now: Timestamp) -> bool {
        !self.rejected && self.expires_at.is_none_or(|at| now < at)
    }
}

impl AuthMachine {
    /// A machine without a token yet (state `Refreshing`).
    pub fn new(config: AuthConfig) -> Self {
        Self {
            config,
            token: None,
            state: AuthState::Refreshing,
            in_flight: false,
            failures: 0,
            retry_at: None,
        }
    }

    /// The current state.
    ///
    /// ```
    /// # use connect_core::{auth::*, events::AuthState};
    /// assert_eq!(AuthMachine::new(AuthConfig::default()).state(), &AuthState::Refreshing);
    /// ```
    pub fn state(&self) -> &AuthState {
        &self.state
    }

    /// Whether a fetch or refresh is in flight.
    pub fn is_in_flight(&self) -> bool {
        self.in_flight
    }

    /// When the current token is due for a proactive refresh.
    ///
    /// ```
    /// # use connect_core::{auth::*, model::Timestamp};
    /// let mut m = AuthMachine::new(AuthConfig::default());
    /// m.on_token(Some(Timestamp::from_millis(10 * 60_000)), Timestamp::from_millis(0));
    /// // Lives less than 30 minutes: refreshed at half its life.
    /// assert_eq!(m.refresh_at(), Some(Timestamp::from_millis(5 * 60_000)));
    /// ```
    pub fn refresh_at(&self) -> Option<Timestamp> {
        self.token.and_then(|t| t.refresh_at)
    }

    /// A fetch or refresh started: state `Refreshing`. Returns the new state if it changed.
    pub fn started(&mut self, _now: Timestamp) -> Option<AuthState> {
        self.in_flight = true;
        self.retry_at = None;
        self.set(AuthState::Refreshing)
    }

    /// A token arrived: state `Valid`, next refresh scheduled.
    pub fn on_token(&mut self, expires_at: Option<Timestamp>, now: Timestamp) -> Option<AuthState> {
        let refresh_at = expires_at.map(|at| {
            let lifetime = at.millis_since(now);
            let early = i64::try_from(self.config.refresh_before.as_millis()).unwrap_or(i64::MAX);
            if lifetime > early {
                at.add_millis(-early)
            } else {
                // At least a second away: a token that arrives expired must not spin the loop.
                now.add_millis((lifetime / 2).max(1_000))
            }
        });
        self.token = Some(TokenTimes {
            expires_at,
            refresh_at,
            rejected: false,
        });
        self.in_flight = false;
        self.failures = 0;
        self.retry_at = None;
        self.set(AuthState::Valid { expires_at })
    }

    /// The service rejected the current token (401): until a new one arrives it no longer
    /// counts as valid.
    ///
    /// ```
    /// # use connect_core::{auth::*, events::AuthState, model::Timestamp};
    /// let mut m = AuthMachine::new(AuthConfig::default());
    /// m.on_token(None, Timestamp::from_millis(0));
    /// m.on_rejected();
    /// m.started(Timestamp::from_millis(0));
    /// let err = AuthError::RefreshUnsupported;
    /// assert_eq!(m.on_failure(&err, Timestamp::from_millis(0), 0.0), Some(AuthState::Expired));
    /// ```
    pub fn on_rejected(&mut self) {
        if let Some(token) = &mut self.token {
            token.rejected = true;
        }
    }

    /// A fetch or refresh failed. A 403 gives `Denied`; otherwise the state is `Valid` while
    /// the current token is neither expired nor rejected, else `Expired`. Terminal failures
    /// are tried again after `recheck_interval`; transient ones with full-jitter backoff
    /// (`unit` in `[0, 1)` is the random draw), then after `recheck_interval`.
    ///
    /// ```
    /// # use connect_core::{auth::*, events::AuthState, model::Timestamp};
    /// let mut m = AuthMachine::new(AuthConfig::default());
    /// m.started(Timestamp::from_millis(0));
    /// let ended = AuthError::SessionEnded { message: "401".into() };
    /// assert_eq!(m.on_failure(&ended, Timestamp::from_millis(0), 0.5), Some(AuthState::Expired));
    /// ```
    pub fn on_failure(
        &mut self,
        error: &AuthError,
        now: Timestamp,
        unit: f64,
    ) -> Option<AuthState> {
        self.in_flight = false;
        let recheck = now.add_millis(millis(self.config.recheck_interval));
        if error.is_terminal() {
            self.failures = 0;
            self.retry_at = Some(recheck);
        } else {
            self.failures += 1;
            self.retry_at = Some(self.backoff(now, recheck, unit));
        }
        let state = match self.token {
            _ if matches!(error, AuthError::Denied { .. }) => AuthState::Denied,
            Some(t) if t.usable(now) => AuthState::Valid {
                expires_at: t.expires_at,
            },
            _ => AuthState::Expired,
        };
        self.set(state)
    }

    fn backoff(&mut self, now: Timestamp, recheck: Timestamp, unit: f64) -> Timestamp {
        if self.failures <= self.config.max_retries {
            let delay = full_jitter(
                self.config.retry_base,
                self.failures,
                self.config.recheck_interval,
                unit,
            );
            now.add_millis(millis(delay))
        } else {
            self.failures = 0;
            recheck
        }
    }

    /// Moves a `Valid` state whose token has expired to `Expired` (call on every wake-up).
    ///
    /// ```
    /// # use connect_core::{auth::*, events::AuthState, model::Timestamp};
    /// let mut m = AuthMachine::new(AuthConfig::default());
    /// m.on_token(Some(Timestamp::from_millis(100)), Timestamp::from_millis(0));
    /// assert_eq!(m.tick(Timestamp::from_millis(100)), Some(AuthState::Expired));
    /// ```
    pub fn tick(&mut self, now: Timestamp) -> Option<AuthState> {
        let expired = self
            .token
            .and_then(|t| t.expires_at)
            .is_some_and(|at| now >= at);
        if expired && matches!(self.state, AuthState::Valid { .. }) {
            self.set(AuthState::Expired)
        } else {
            None
        }
    }

    /// What to do at `now`.
    pub fn next_action(&self, now: Timestamp) -> AuthAction {
        if self.in_flight {
            return AuthAction::Idle;
        }
        let recheck = now.add_millis(millis(self.config.recheck_interval));
        let due = |at: Timestamp, action| {
            if now >= at {
                action
            } else {
                AuthAction::SleepUntil(at.min(recheck))
            }
        };
        let Some(token) = self.token else {
            return due(self.retry_at.unwrap_or(now), AuthAction::Fetch);
        };
        let action = match (self.retry_at, token.refresh_at) {
            (Some(at), _) | (None, Some(at)) => due(at, AuthAction::Refresh),
            (None, None) => AuthAction::Idle,
        };
        // Wake at the expiry too, so that `tick` reports `Expired` on time.
        match (action, token.expires_at) {
            (AuthAction::SleepUntil(at), Some(expiry)) if expiry > now && expiry < at => {
                AuthAction::SleepUntil(expiry)
            }
            _ => action,
        }
    }

    /// Whether a refresh asked for by a caller (not forced) may go ahead at `now`: not while
    /// a terminal failure or exhausted retries wait for their next check.
    ///
    /// ```
    /// # use connect_core::{auth::*, model::Timestamp};
    /// let mut m = AuthMachine::new(AuthConfig::default());
    /// assert!(m.may_refresh(Timestamp::from_millis(0)));
    /// m.on_failure(&AuthError::RefreshUnsupported, Timestamp::from_millis(0), 0.0);
    /// assert!(!m.may_refresh(Timestamp::from_millis(1)));
    /// ```
    pub fn may_refresh(&self, now: Timestamp) -> bool {
        let waiting = matches!(self.state, AuthState::Expired | AuthState::Denied)
            && self.retry_at.is_some_and(|at| now < at);
        !waiting
    }

    fn set(&mut self, state: AuthState) -> Option<AuthState> {
        (self.state != state).then(|| {
            self.state = state.clone();
            state
        })
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(m: i64) -> Timestamp {
        Timestamp::from_millis(m * 60_000)
    }

    fn transient() -> AuthError {
        AuthError::Service {
            status: 503,
            message: String::new(),
        }
    }

    #[test]
    fn proactive_refresh_then_new_schedule() {
        let mut m = AuthMachine::new(AuthConfig::default());
        m.started(min(0));
        m.on_token(Some(min(120)), min(0));
        assert_eq!(m.next_action(min(0)), AuthAction::SleepUntil(min(5)));
        assert_eq!(m.next_action(min(89)), AuthAction::SleepUntil(min(90)));
        assert_eq!(m.next_action(min(90)), AuthAction::Refresh);
        assert_eq!(m.started(min(90)), Some(AuthState::Refreshing));
        assert_eq!(m.next_action(min(90)), AuthAction::Idle);
        assert_eq!(
            m.on_token(Some(min(210)), min(90)),
            Some(AuthState::Valid {
                expires_at: Some(min(210))
            })
        );
        assert_eq!(m.refresh_at(), Some(min(180)));
    }

    #[test]
    fn token_without_expiry_is_never_refreshed() {
        let mut m = AuthMachine::new(AuthConfig::default());
        m.on_token(None, min(0));
        assert_eq!(m.next_action(min(10_000)), AuthAction::Idle);
        assert_eq!(m.tick(min(10_000)), None);
    }

    #[test]
    fn transient_failures_back_off_then_wait_for_the_next_check() {
        let config = AuthConfig::default();
        let mut m = AuthMachine::new(config.clone());
        m.on_token(Some(min(60)), min(0));
        let mut now = min(30);
        for retry in 1..=config.max_retries {
            m.started(now);
            let change = m.on_failure(&transient(), now, 1.0);
            // Back to Valid: the old token still works.
            assert_eq!(
                change,
                Some(AuthState::Valid {
                    expires_at: Some(min(60))
                })
            );
            let delay = config.retry_base.as_millis() as i64 * (1 << (retry - 1));
            assert_eq!(
                m.next_action(now),
                AuthAction::SleepUntil(now.add_millis(delay))
            );
            now = now.add_millis(delay);
            assert_eq!(m.next_action(now), AuthAction::Refresh);
        }
        m.started(now);
        m.on_failure(&transient(), now, 1.0);
        assert_eq!(
            m.next_action(now),
            AuthAction::SleepUntil(now.add_millis(5 * 60_000))
        );
    }

    #[test]
    fn expiry_and_terminal_failures() {
        let mut m = AuthMachine::new(AuthConfig::default());
        m.on_token(Some(min(60)), min(0));
        assert_eq!(m.tick(min(59)), None);
        assert_eq!(m.tick(min(60)), Some(AuthState::Expired));
        m.started(min(60));
        assert_eq!(
            m.on_failure(&transient(), min(60), 0.0),
            Some(AuthState::Expired)
        );
        m.started(min(61));
        let denied = AuthError::Denied {
            message: String::new(),
        };
        assert_eq!(m.on_failure(&denied, min(61), 0.0), Some(AuthState::Denied));
        assert_eq!(m.next_action(min(61)), AuthAction::SleepUntil(min(66)));
        assert_eq!(m.next_action(min(66)), AuthAction::Refresh);
        assert_eq!(
            m.on_token(Some(min(200)), min(66)),
            Some(AuthState::Valid {
                expires_at: Some(min(200))
            })
        );
    }

    #[test]
    fn failed_first_fetch_retries_fetch() {
        let mut m = AuthMachine::new(AuthConfig::default());
        m.started(min(0));
        assert_eq!(
            m.on_failure(&transient(), min(0), 1.0),
            Some(AuthState::Expired)
        );
        assert_eq!(
            m.next_action(min(0)),
            AuthAction::SleepUntil(Timestamp::from_millis(10_000))
        );
        assert_eq!(
            m.next_action(Timestamp::from_millis(10_000)),
            AuthAction::Fetch
        );
    }
}
