//! [`SimInstance`]: the engine behind a mutex, run against a clock, shared by clients,
//! controls and (later) the loopback server.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use crate::api::{CtiError, CtiExceptionKind, CtiMethod, TransportErrorKind};
use crate::model::Timestamp;
use crate::time::Clock;

use super::auth::{AuthRegistry, SimToken};
use super::builder::SimInstanceBuilder;
use super::client::SimClient;
use super::control::SimControl;
use super::engine::{service_error, SimEngine};
use super::faults::{FaultState, Reachability, SimFaults};
use super::journal::Journal;
use super::script::Counters;

pub(crate) struct Inner {
    engine: Mutex<SimEngine>,
    clock: Arc<dyn Clock>,
    /// Bumped whenever the engine journals something or a fault setting changes.
    changed: watch::Sender<u64>,
    faults: Mutex<FaultState>,
    auth: Mutex<AuthRegistry>,
    shutdown: AtomicBool,
}

/// A simulated Amazon Connect instance: a cheap-to-clone handle on a [`SimEngine`] that runs
/// against a [`Clock`]. Every operation first advances the engine to the clock's time;
/// [`SimInstance::run_timers`] advances it when timers fall due between operations.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use connect_core::mock::{ContactSpec, SimInstance};
/// use connect_core::model::{ContactStateType, Timestamp};
/// use connect_core::time::ManualClock;
///
/// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
/// let sim = SimInstance::builder().agents(1).clock(clock.clone()).build().unwrap();
/// let contact = sim.control().enqueue(ContactSpec::voice("+15555550123")).unwrap();
/// clock.advance(Duration::from_secs(20)); // nobody answers
/// sim.control().settle();
/// assert_eq!(sim.journal().contact_states(&contact).last(), Some(&ContactStateType::Missed));
/// ```
#[derive(Clone)]
pub struct SimInstance {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for SimInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimInstance")
            .field("clock", &self.inner.clock)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimInstance {
    /// A builder with the defaults: seed 1, `us-east-1`, one `BasicQueue`, the `Basic`
    /// profile, no agents, the system clock.
    ///
    /// ```
    /// use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().seed(3).agents(2).build().unwrap();
    /// assert_eq!(sim.agent_ids().len(), 2);
    /// ```
    pub fn builder() -> SimInstanceBuilder {
        SimInstanceBuilder::default()
    }

    pub(crate) fn from_parts(engine: SimEngine, clock: Arc<dyn Clock>, seed: u64) -> Self {
        Self {
            inner: Arc::new(Inner {
                engine: Mutex::new(engine),
                clock,
                changed: watch::channel(0).0,
                faults: Mutex::new(FaultState::default()),
                auth: Mutex::new(AuthRegistry::new(seed)),
                shutdown: AtomicBool::new(false),
            }),
        }
    }

    /// The instance's clock.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.clock().now().as_millis() > 0);
    /// ```
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// Runs `f` on the engine, advanced to the clock's time first; waiting long-polls are
    /// woken when `f` changed anything.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// let arn = sim.with_engine(|engine| engine.instance_arn());
    /// assert!(arn.contains(":instance/"));
    /// ```
    pub fn with_engine<R>(&self, f: impl FnOnce(&mut SimEngine) -> R) -> R {
        self.op(|engine, _| f(engine))
    }

    /// Runs `f` with the engine and the current time.
    pub(crate) fn op<R>(&self, f: impl FnOnce(&mut SimEngine, Timestamp) -> R) -> R {
        let now = self.inner.clock.now();
        let (result, changed) = {
            let mut engine = lock(&self.inner.engine);
            let (seq, due) = (engine.journal().next_seq(), engine.next_due());
            engine.advance_to(now);
            let result = f(&mut engine, now);
            // A change is a journal entry, or a timer due earlier than any before: a long poll
            // or the timer task sleeping until the old due time must wake for it (accepting a
            // voice contact only schedules the agent's leg coming up).
            let earlier = match (engine.next_due(), due) {
                (Some(after), Some(before)) => after < before,
                (after, before) => after.is_some() && before.is_none(),
            };
            (result, engine.journal().next_seq() != seq || earlier)
        };
        if changed {
            self.notify();
        }
        result
    }

    fn notify(&self) {
        self.inner.changed.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// A receiver that changes whenever the instance changes (for servers and long-polls).
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// The [`CtiApi`](crate::api::CtiApi) of agent `login` (username or agent id).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert!(sim.client("agent1").is_ok());
    /// assert!(sim.client("nobody").is_err());
    /// ```
    pub fn client(&self, login: &str) -> Result<SimClient, CtiError> {
        let agent_id = self.resolve_agent(login)?;
        Ok(SimClient::new(self.clone(), agent_id))
    }

    /// The test and customer controls.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimInstance};
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.control().enqueue(ContactSpec::chat("Ann")).unwrap();
    /// assert_eq!(sim.counters().enqueued, 1);
    /// ```
    pub fn control(&self) -> SimControl {
        SimControl {
            instance: self.clone(),
        }
    }

    /// The fault-injection controls.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.faults().set_skew_millis(250);
    /// ```
    pub fn faults(&self) -> SimFaults {
        SimFaults {
            instance: self.clone(),
        }
    }

    /// A copy of the journal.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert!(!sim.journal().is_empty());
    /// ```
    pub fn journal(&self) -> Journal {
        self.with_engine(|engine| engine.journal().clone())
    }

    /// The counters.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert_eq!(sim.counters().handled, 0);
    /// ```
    pub fn counters(&self) -> Counters {
        self.with_engine(|engine| engine.counters())
    }

    /// The agents' ids.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(3).build().unwrap();
    /// assert_eq!(sim.agent_ids().len(), 3);
    /// ```
    pub fn agent_ids(&self) -> Vec<String> {
        self.with_engine(|engine| engine.agent_ids())
    }

    /// The id of agent `login` (username or id).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert_eq!(sim.agent_id("agent1"), Some(sim.agent_ids()[0].clone()));
    /// ```
    pub fn agent_id(&self, login: &str) -> Option<String> {
        self.with_engine(|engine| engine.agent_id(login))
    }

    pub(crate) fn resolve_agent(&self, login: &str) -> Result<String, CtiError> {
        self.agent_id(login).ok_or_else(|| {
            service_error(
                CtiExceptionKind::InvalidAgentArnException,
                format!("no agent {login}"),
            )
        })
    }

    /// Issues auth credentials for agent `login` (valid `token_ttl_secs`).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// let token = sim.issue_token("agent1").unwrap();
    /// assert!(token.expires_at > sim.clock().now());
    /// ```
    pub fn issue_token(&self, login: &str) -> Result<SimToken, CtiError> {
        let agent = self.resolve_agent(login)?;
        let ttl = self.with_engine(|engine| engine.settings().token_ttl_secs);
        let now = self.inner.clock.now();
        Ok(lock(&self.inner.auth).issue(&agent, now, ttl))
    }

    /// The agent id a bearer token belongs to, or 401.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert_eq!(sim.authenticate("bogus").unwrap_err().http_status(), Some(401));
    /// ```
    pub fn authenticate(&self, token: &str) -> Result<String, CtiError> {
        lock(&self.inner.auth).authenticate(token, self.inner.clock.now())
    }

    /// `getNewAuthToken`: new credentials for a refresh token.
    pub(crate) fn refresh_token(&self, refresh_token: &str) -> Result<SimToken, CtiError> {
        let ttl = self.with_engine(|engine| engine.settings().token_ttl_secs);
        let now = self.inner.clock.now();
        lock(&self.inner.auth).refresh(refresh_token, now, ttl)
    }

    /// The agent of a WebSocket ticket from `createTransport web_socket`, while it is valid
    /// (85 s), or 401.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert!(sim.redeem_ws_ticket("nope").is_err());
    /// ```
    pub fn redeem_ws_ticket(&self, ticket: &str) -> Result<String, CtiError> {
        lock(&self.inner.auth).redeem_ticket(ticket, self.inner.clock.now())
    }

    /// Sets the base of `web_socket` transport URLs (the server's `ws://` or `wss://` origin).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.set_ws_base_url("wss://127.0.0.1:8443");
    /// assert_eq!(sim.with_engine(|e| e.settings().ws_base_url.clone()), "wss://127.0.0.1:8443");
    /// ```
    pub fn set_ws_base_url(&self, url: &str) {
        let url = url.trim_end_matches('/').to_owned();
        self.with_engine(|engine| engine.settings_mut().ws_base_url = url);
    }

    pub(crate) fn with_auth<R>(&self, f: impl FnOnce(&mut AuthRegistry) -> R) -> R {
        f(&mut lock(&self.inner.auth))
    }

    pub(crate) fn update_auth(&self, f: impl FnOnce(&mut AuthRegistry)) {
        f(&mut lock(&self.inner.auth));
        self.notify();
    }

    pub(crate) fn update_faults(&self, f: impl FnOnce(&mut FaultState)) {
        f(&mut lock(&self.inner.faults));
        self.notify();
    }

    pub(crate) fn with_faults<R>(&self, f: impl FnOnce(&mut FaultState) -> R) -> R {
        f(&mut lock(&self.inner.faults))
    }

    /// Sleeps `duration` on the instance's clock.
    pub(crate) async fn sleep(&self, duration: Duration) {
        self.inner.clock.sleep(duration).await;
    }

    /// What every client call goes through first: reachability, latency, the agent's token,
    /// injected errors.
    pub(crate) async fn guard(&self, agent_id: &str, method: CtiMethod) -> Result<(), CtiError> {
        let (reachability, latency) = self.with_faults(|f| (f.reachability, f.latency(method)));
        match reachability {
            Reachability::Reachable => {}
            Reachability::Refused => {
                return Err(CtiError::transport(
                    TransportErrorKind::Connect,
                    "connection refused (simulated)",
                ))
            }
            Reachability::BlackHole => std::future::pending::<()>().await,
        }
        if let Some(latency) = latency {
            self.sleep(latency).await;
        }
        lock(&self.inner.auth).check_agent(agent_id)?;
        if let Some(error) = self.with_faults(|f| f.take_error(method, agent_id)) {
            let what = error.code().to_owned();
            self.op(|engine, _| engine.record_fault(agent_id, method.name(), what));
            return Err(error);
        }
        Ok(())
    }

    /// The timer loop: sleeps on the clock until the engine's next timer falls due, advances
    /// the engine, and repeats. Spawn it (`tokio::spawn(sim.run_timers())`) so that ring
    /// timeouts, answer delays and scripted arrivals happen between calls; it ends when the
    /// last handle is dropped or on [`SimInstance::shutdown`]. Without it, the engine still
    /// advances on every call and while long-polls wait.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use connect_core::mock::{ContactSpec, SimInstance};
    /// use connect_core::model::Timestamp;
    /// use connect_core::time::ManualClock;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
    /// let sim = SimInstance::builder().agents(1).clock(clock.clone()).build().unwrap();
    /// let timers = tokio::spawn(sim.run_timers());
    /// sim.control().enqueue(ContactSpec::voice("+15555550100")).unwrap();
    /// clock.advance(Duration::from_secs(20));
    /// tokio::task::yield_now().await;
    /// sim.shutdown();
    /// timers.await.unwrap();
    /// # }
    /// ```
    pub fn run_timers(&self) -> impl Future<Output = ()> + 'static {
        let weak = Arc::downgrade(&self.inner);
        let clock = self.inner.clock.clone();
        let mut changes = self.inner.changed.subscribe();
        async move {
            loop {
                let next = {
                    let Some(inner) = weak.upgrade() else {
                        return;
                    };
                    if inner.shutdown.load(Ordering::SeqCst) {
                        return;
                    }
                    let instance = SimInstance { inner };
                    changes.borrow_and_update();
                    instance.op(|engine, now| engine.next_due().map(|due| due.millis_since(now)))
                };
                match next {
                    Some(wait) => {
                        let wait = Duration::from_millis(u64::try_from(wait).unwrap_or(0));
                        tokio::select! {
                            _ = clock.sleep(wait) => {}
                            changed = changes.changed() => if changed.is_err() { return },
                        }
                    }
                    None => {
                        if changes.changed().await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Stops [`SimInstance::run_timers`].
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.shutdown();
    /// ```
    pub fn shutdown(&self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        self.notify();
    }
}
