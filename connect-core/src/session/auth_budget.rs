//! The reactive auth budgets (spec §4.3, R7) as a small sans-IO machine.

use crate::api::{AuthErrorKind, CtiError, RetryStatus};
use crate::events::AuthState;
use crate::model::Timestamp;

/// Default number of consecutive 401s a retryable method may see before the session is
/// `Expired`.
pub const DEFAULT_UNAUTHORIZED_BUDGET: u32 = 20;
/// Default number of consecutive 403s before `Denied`.
pub const DEFAULT_ACCESS_DENIED_BUDGET: u32 = 10;

/// Counts consecutive auth failures (one counter per kind, shared by all methods, reset by any
/// success or non-auth error) and derives the [`AuthState`].
///
/// ```
/// use connect_core::session::AuthBudget;
/// use connect_core::events::AuthState;
///
/// let mut budget = AuthBudget::new(2, 1);
/// assert_eq!(budget.state(), &AuthState::Valid { expires_at: None });
/// ```
#[derive(Clone, Debug)]
pub struct AuthBudget {
    unauthorized_limit: u32,
    denied_limit: u32,
    unauthorized: u32,
    denied: u32,
    state: AuthState,
}

impl AuthBudget {
    /// A budget with these limits.
    pub fn new(unauthorized_limit: u32, denied_limit: u32) -> Self {
        Self {
            unauthorized_limit,
            denied_limit,
            unauthorized: 0,
            denied: 0,
            state: AuthState::Valid { expires_at: None },
        }
    }

    /// The current state.
    pub fn state(&self) -> &AuthState {
        &self.state
    }

    /// A request succeeded: counters reset; returns the new state if it changed.
    pub fn on_success(&mut self, expires_at: Option<Timestamp>) -> Option<AuthState> {
        self.unauthorized = 0;
        self.denied = 0;
        self.set(AuthState::Valid { expires_at })
    }

    /// A request failed. Returns the upstream retry status of this failure and the new auth
    /// state if it changed. `retries_on_auth` is the method's R flag.
    pub fn on_error(
        &mut self,
        error: &CtiError,
        retries_on_auth: bool,
    ) -> (RetryStatus, Option<AuthState>) {
        let kind = match error {
            CtiError::Auth { kind, .. } => kind,
            _ => {
                self.unauthorized = 0;
                self.denied = 0;
                return (RetryStatus::None, None);
            }
        };
        if !retries_on_auth {
            return (RetryStatus::None, None);
        }
        let (count, limit, exhausted_state) = match kind {
            AuthErrorKind::AccessDenied => {
                self.unauthorized = 0;
                self.denied += 1;
                (self.denied, self.denied_limit, AuthState::Denied)
            }
            _ => {
                self.denied = 0;
                self.unauthorized += 1;
                (
                    self.unauthorized,
                    self.unauthorized_limit,
                    AuthState::Expired,
                )
            }
        };
        if count > limit {
            (RetryStatus::Exhausted, self.set(exhausted_state))
        } else {
            (RetryStatus::Retrying, None)
        }
    }

    fn set(&mut self, state: AuthState) -> Option<AuthState> {
        if self.state == state {
            None
        } else {
            self.state = state.clone();
            Some(state)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CtiExceptionKind, TransportErrorKind};

    fn unauthorized() -> CtiError {
        CtiError::Auth {
            kind: AuthErrorKind::Unauthorized,
            message: "no".into(),
        }
    }

    fn denied() -> CtiError {
        CtiError::Auth {
            kind: AuthErrorKind::AccessDenied,
            message: "no".into(),
        }
    }

    #[test]
    fn twenty_401s_retry_then_the_21st_expires() {
        let mut budget = AuthBudget::new(DEFAULT_UNAUTHORIZED_BUDGET, DEFAULT_ACCESS_DENIED_BUDGET);
        for _ in 0..20 {
            assert_eq!(
                budget.on_error(&unauthorized(), true),
                (RetryStatus::Retrying, None)
            );
        }
        assert_eq!(
            budget.on_error(&unauthorized(), true),
            (RetryStatus::Exhausted, Some(AuthState::Expired))
        );
        assert_eq!(
            budget.on_error(&unauthorized(), true),
            (RetryStatus::Exhausted, None)
        );
        assert!(budget.on_success(None).is_some());
        assert!(budget.state().is_usable());
    }

    #[test]
    fn ten_403s_then_denied() {
        let mut budget = AuthBudget::new(20, 10);
        for _ in 0..10 {
            budget.on_error(&denied(), true);
        }
        assert_eq!(
            budget.on_error(&denied(), true),
            (RetryStatus::Exhausted, Some(AuthState::Denied))
        );
    }

    #[test]
    fn non_auth_errors_and_success_reset_the_counters() {
        let mut budget = AuthBudget::new(2, 2);
        budget.on_error(&unauthorized(), true);
        budget.on_error(&unauthorized(), true);
        let transport = CtiError::Transport {
            kind: TransportErrorKind::Timeout,
            message: "slow".into(),
        };
        assert_eq!(budget.on_error(&transport, true), (RetryStatus::None, None));
        assert_eq!(
            budget.on_error(&unauthorized(), true),
            (RetryStatus::Retrying, None)
        );
        let service = CtiError::Service {
            code: CtiExceptionKind::InvalidStateException,
            message: "bad".into(),
            status: 400,
        };
        budget.on_error(&service, true);
        budget.on_error(&unauthorized(), true);
        assert_eq!(
            budget.on_error(&unauthorized(), true),
            (RetryStatus::Retrying, None)
        );
    }

    #[test]
    fn non_retryable_methods_fail_at_once_without_counting() {
        let mut budget = AuthBudget::new(1, 1);
        for _ in 0..5 {
            assert_eq!(
                budget.on_error(&unauthorized(), false),
                (RetryStatus::None, None)
            );
        }
        assert!(budget.state().is_usable());
    }
}
