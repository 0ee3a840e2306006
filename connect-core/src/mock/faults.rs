//! Fault injection (§9.4): injected errors per operation, latency, stalled long-polls,
//! server skew, revoked or expired tokens, an unreachable instance.

use std::time::Duration;

use crate::api::{AuthErrorKind, CtiError, CtiExceptionKind, CtiMethod};

use super::instance::SimInstance;

/// Whether clients reach the instance.
///
/// ```
/// use connect_core::mock::Reachability;
/// assert_eq!(Reachability::default(), Reachability::Reachable);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reachability {
    /// Calls are answered.
    #[default]
    Reachable,
    /// Calls fail at once with a connect error (the request was not sent).
    Refused,
    /// Calls never answer (until the caller's deadline drops them).
    BlackHole,
}

#[derive(Clone, Debug)]
struct Injection {
    method: Option<CtiMethod>,
    agent: Option<String>,
    remaining: u32,
    error: CtiError,
}

/// The fault settings of an instance.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultState {
    injections: Vec<Injection>,
    latency: Vec<(Option<CtiMethod>, Duration)>,
    pub stall_long_polls: bool,
    pub skew_ms: i64,
    pub reachability: Reachability,
}

impl FaultState {
    /// Takes the next injected error for a call of `method` by `agent_id`, if any.
    pub fn take_error(&mut self, method: CtiMethod, agent_id: &str) -> Option<CtiError> {
        let index = self.injections.iter().position(|i| {
            i.remaining > 0
                && i.method.is_none_or(|m| m == method)
                && i.agent.as_deref().is_none_or(|a| a == agent_id)
        })?;
        let injection = &mut self.injections[index];
        injection.remaining -= 1;
        let error = injection.error.clone();
        if injection.remaining == 0 {
            self.injections.remove(index);
        }
        Some(error)
    }

    /// The latency of `method` (its own setting, else the global one).
    pub fn latency(&self, method: CtiMethod) -> Option<Duration> {
        self.latency
            .iter()
            .find(|(m, _)| *m == Some(method))
            .or_else(|| self.latency.iter().find(|(m, _)| m.is_none()))
            .map(|(_, d)| *d)
            .filter(|d| !d.is_zero())
    }
}

/// The fault-injection handle of a [`SimInstance`].
///
/// ```
/// use std::sync::Arc;
/// use connect_core::api::{CtiApi, CtiMethod, GetAgentSnapshotRequest};
/// use connect_core::mock::{SimFaults, SimInstance};
/// use connect_core::model::Timestamp;
/// use connect_core::time::ManualClock;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
/// let sim = SimInstance::builder().agents(1).clock(clock).build().unwrap();
/// sim.faults().fail_next(Some(CtiMethod::GetAgentSnapshot), 2, SimFaults::server_error(500));
/// let agent = sim.client("agent1").unwrap();
/// for _ in 0..2 {
///     let err = agent.get_agent_snapshot(GetAgentSnapshotRequest::default()).await.unwrap_err();
///     assert_eq!(err.http_status(), Some(500));
/// }
/// assert!(agent.get_agent_snapshot(GetAgentSnapshotRequest::default()).await.is_ok());
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SimFaults {
    pub(crate) instance: SimInstance,
}

impl SimFaults {
    fn update(&self, f: impl FnOnce(&mut FaultState)) {
        self.instance.update_faults(f);
    }

    /// The next `times` calls of `method` (any method when `None`) fail with `error`.
    ///
    /// ```
    /// # use connect_core::mock::{SimFaults, SimInstance};
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().fail_next(None, 1, SimFaults::unauthorized());
    /// ```
    pub fn fail_next(&self, method: Option<CtiMethod>, times: u32, error: CtiError) {
        self.update(|f| {
            f.injections.push(Injection {
                method,
                agent: None,
                remaining: times,
                error,
            });
        });
    }

    /// Like [`SimFaults::fail_next`], for the calls of agent `login` only.
    ///
    /// ```
    /// # use connect_core::api::CtiMethod;
    /// # use connect_core::mock::{SimFaults, SimInstance};
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// sim.faults().fail_next_for("agent1", Some(CtiMethod::AcceptContact), 1, SimFaults::throttling()).unwrap();
    /// assert!(sim.faults().fail_next_for("nobody", None, 1, SimFaults::throttling()).is_err());
    /// ```
    pub fn fail_next_for(
        &self,
        login: &str,
        method: Option<CtiMethod>,
        times: u32,
        error: CtiError,
    ) -> Result<(), CtiError> {
        let agent = self.instance.resolve_agent(login)?;
        self.update(|f| {
            f.injections.push(Injection {
                method,
                agent: Some(agent),
                remaining: times,
                error,
            });
        });
        Ok(())
    }

    /// Every call of `method` (every call when `None`) waits `latency` on the instance's clock
    /// before it is handled; `Duration::ZERO` removes the setting.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().set_latency(None, Duration::from_millis(50));
    /// ```
    pub fn set_latency(&self, method: Option<CtiMethod>, latency: Duration) {
        self.update(|f| {
            f.latency.retain(|(m, _)| *m != method);
            f.latency.push((method, latency));
        });
    }

    /// While set, `getAgentSnapshot` calls never answer (even past their `timeout`).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().stall_long_polls(true);
    /// ```
    pub fn stall_long_polls(&self, stalled: bool) {
        self.update(|f| f.stall_long_polls = stalled);
    }

    /// Server clock skew: `snapshotTimestamp` = clock + `skew_ms`.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().set_skew_millis(-1500);
    /// ```
    pub fn set_skew_millis(&self, skew_ms: i64) {
        self.update(|f| f.skew_ms = skew_ms);
    }

    /// Refuses or black-holes every call, or lets them through again.
    ///
    /// ```
    /// # use connect_core::mock::{Reachability, SimInstance};
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().set_reachability(Reachability::Refused);
    /// ```
    pub fn set_reachability(&self, reachability: Reachability) {
        self.update(|f| f.reachability = reachability);
    }

    /// Revokes agent `login`'s tokens: its calls fail with 401 until
    /// [`SimFaults::restore_token`].
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// sim.faults().revoke_token("agent1").unwrap();
    /// sim.faults().restore_token("agent1").unwrap();
    /// ```
    pub fn revoke_token(&self, login: &str) -> Result<(), CtiError> {
        let agent = self.instance.resolve_agent(login)?;
        self.instance.update_auth(|auth| auth.revoke(&agent));
        Ok(())
    }

    /// Expires agent `login`'s tokens: its calls fail with 401 (`token expired`) until
    /// [`SimFaults::restore_token`].
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// sim.faults().expire_token("agent1").unwrap();
    /// ```
    pub fn expire_token(&self, login: &str) -> Result<(), CtiError> {
        let agent = self.instance.resolve_agent(login)?;
        self.instance.update_auth(|auth| auth.expire(&agent));
        Ok(())
    }

    /// Lets agent `login`'s calls through again after a revocation or expiry.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert!(sim.faults().restore_token("agent1").is_ok());
    /// ```
    pub fn restore_token(&self, login: &str) -> Result<(), CtiError> {
        let agent = self.instance.resolve_agent(login)?;
        self.instance.update_auth(|auth| auth.restore(&agent));
        Ok(())
    }

    /// Removes every injected error, latency, stall, skew and unreachability (tokens stay as
    /// they are).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().stall_long_polls(true);
    /// sim.faults().clear();
    /// ```
    pub fn clear(&self) {
        self.update(|f| *f = FaultState::default());
    }

    /// 401 `UnauthorizedException`.
    ///
    /// ```
    /// # use connect_core::mock::SimFaults;
    /// assert_eq!(SimFaults::unauthorized().http_status(), Some(401));
    /// ```
    pub fn unauthorized() -> CtiError {
        CtiError::Auth {
            kind: AuthErrorKind::Unauthorized,
            message: "injected: unauthorized".to_owned(),
        }
    }

    /// 403 `AccessDeniedException`.
    ///
    /// ```
    /// # use connect_core::mock::SimFaults;
    /// assert_eq!(SimFaults::access_denied().http_status(), Some(403));
    /// ```
    pub fn access_denied() -> CtiError {
        CtiError::Auth {
            kind: AuthErrorKind::AccessDenied,
            message: "injected: access denied".to_owned(),
        }
    }

    /// A 5xx `InternalServiceException` with HTTP `status`.
    ///
    /// ```
    /// # use connect_core::mock::SimFaults;
    /// assert!(SimFaults::server_error(503).is_retryable());
    /// ```
    pub fn server_error(status: u16) -> CtiError {
        CtiError::Service {
            code: CtiExceptionKind::InternalServiceException,
            message: "injected: internal error".to_owned(),
            status,
        }
    }

    /// 429 `ThrottlingException`.
    ///
    /// ```
    /// # use connect_core::mock::SimFaults;
    /// assert_eq!(SimFaults::throttling().http_status(), Some(429));
    /// ```
    pub fn throttling() -> CtiError {
        CtiError::Service {
            code: CtiExceptionKind::ThrottlingException,
            message: "injected: rate exceeded".to_owned(),
            status: 429,
        }
    }
}
