//! [`AuthManager`]: drives an [`AuthMachine`] over an [`AuthProvider`]: caches the token,
//! refreshes proactively before expiry and reactively on demand (single-flight), and reports
//! [`AuthState`] changes on a watch channel.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use futures::future::select;
use tokio::sync::{watch, Notify};

use super::{AccessToken, AuthAction, AuthConfig, AuthError, AuthMachine, AuthProvider};
use crate::events::AuthState;
use crate::time::{Clock, Jitter};

/// Token lifecycle around any [`AuthProvider`], itself an `AuthProvider` (give it to
/// `HttpCti`). Cheap to clone; clones share the token and state.
///
/// - `token()` answers from the cache; a missing or expired token is fetched first.
/// - `refresh()` (the current token was rejected) runs at most one provider refresh at a
///   time: concurrent callers share its outcome.
/// - [`AuthManager::run`] refreshes proactively at expiry − 30 min (configurable) and retries
///   failures with full-jitter backoff; spawn it. It ends when the last handle is dropped.
/// - [`AuthManager::subscribe`] reports `Valid{expires_at}` / `Refreshing` / `Expired` /
///   `Denied`, separate from transport liveness.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::auth::{AuthManager, AuthProvider, StaticToken};
/// use connect_core::events::AuthState;
/// use connect_core::time::SystemClock;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let manager = AuthManager::new(Arc::new(StaticToken::new("t")), Arc::new(SystemClock::default()));
/// let states = manager.subscribe();
/// tokio::spawn(manager.run());
/// assert_eq!(manager.token().await.unwrap().value.expose(), "t");
/// assert_eq!(*states.borrow(), AuthState::Valid { expires_at: None });
/// # }
/// ```
#[derive(Clone)]
pub struct AuthManager {
    inner: Arc<Inner>,
}

struct Inner {
    provider: Arc<dyn AuthProvider>,
    clock: Arc<dyn Clock>,
    machine: Mutex<AuthMachine>,
    token: Mutex<Option<AccessToken>>,
    last_error: Mutex<Option<AuthError>>,
    states: watch::Sender<AuthState>,
    flight: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    wake: Arc<Notify>,
    jitter: Jitter,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Lets `run` see that the last handle is gone.
        self.wake.notify_one();
    }
}

impl std::fmt::Debug for AuthManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthManager")
            .field("provider", &self.inner.provider)
            .field("state", &*self.inner.states.borrow())
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flight {
    /// The first token.
    Fetch,
    /// A scheduled or forced refresh: the current token still counts until it expires.
    Refresh,
    /// A refresh because the service rejected the current token.
    Reactive,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AuthManager {
    /// A manager with the default timing ([`AuthConfig::default`]).
    pub fn new(provider: Arc<dyn AuthProvider>, clock: Arc<dyn Clock>) -> Self {
        Self::with_config(provider, clock, AuthConfig::default())
    }

    /// A manager with explicit timing.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Duration};
    /// # use connect_core::{auth::*, time::SystemClock};
    /// let config = AuthConfig { refresh_before: Duration::from_secs(600), ..AuthConfig::default() };
    /// let manager = AuthManager::with_config(Arc::new(StaticToken::new("t")), Arc::new(SystemClock::default()), config);
    /// # let _ = manager;
    /// ```
    pub fn with_config(
        provider: Arc<dyn AuthProvider>,
        clock: Arc<dyn Clock>,
        config: AuthConfig,
    ) -> Self {
        let machine = AuthMachine::new(config);
        let states = watch::channel(machine.state().clone()).0;
        let jitter = Jitter::from_time(clock.now());
        Self {
            inner: Arc::new(Inner {
                provider,
                clock,
                machine: Mutex::new(machine),
                token: Mutex::new(None),
                last_error: Mutex::new(None),
                states,
                flight: tokio::sync::Mutex::new(()),
                generation: AtomicU64::new(0),
                wake: Arc::new(Notify::new()),
                jitter,
            }),
        }
    }

    /// Every state change, starting with the current state.
    pub fn subscribe(&self) -> watch::Receiver<AuthState> {
        self.inner.states.subscribe()
    }

    /// The current state.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{auth::*, events::AuthState, time::SystemClock};
    /// let manager = AuthManager::new(Arc::new(StaticToken::new("t")), Arc::new(SystemClock::default()));
    /// assert_eq!(manager.state(), AuthState::Refreshing);
    /// ```
    pub fn state(&self) -> AuthState {
        self.inner.states.borrow().clone()
    }

    /// Refreshes now, even while failures wait for their next check (e.g. after the user
    /// logged in again). Single-flight like `refresh()`.
    pub async fn refresh_now(&self) -> Result<AccessToken, AuthError> {
        self.flight(Flight::Refresh).await
    }

    fn emit(&self, change: Option<AuthState>) {
        if let Some(state) = change {
            match &state {
                AuthState::Expired | AuthState::Denied => {
                    tracing::warn!(state = ?state, "auth state changed");
                }
                _ => tracing::info!(state = ?state, "auth state changed"),
            }
            self.inner.states.send_replace(state);
        }
    }

    fn tick(&self) -> AuthAction {
        let now = self.inner.clock.now();
        let (change, action) = {
            let mut machine = lock(&self.inner.machine);
            (machine.tick(now), machine.next_action(now))
        };
        self.emit(change);
        action
    }

    /// One provider call at a time; callers that queued behind a finished call share its
    /// outcome instead of calling again.
    async fn flight(&self, kind: Flight) -> Result<AccessToken, AuthError> {
        let seen = self.inner.generation.load(Ordering::Acquire);
        let _guard = self.inner.flight.lock().await;
        if self.inner.generation.load(Ordering::Acquire) != seen {
            if let Some(error) = lock(&self.inner.last_error).clone() {
                return Err(error);
            }
            if let Some(token) = lock(&self.inner.token).clone() {
                return Ok(token);
            }
        }
        let change = {
            let mut machine = lock(&self.inner.machine);
            if kind == Flight::Reactive {
                machine.on_rejected();
            }
            machine.started(self.inner.clock.now())
        };
        self.emit(change);
        let result = match kind {
            Flight::Fetch => self.inner.provider.token().await,
            Flight::Refresh | Flight::Reactive => self.inner.provider.refresh().await,
        };
        let now = self.inner.clock.now();
        let change = match &result {
            Ok(token) => {
                *lock(&self.inner.token) = Some(token.clone());
                *lock(&self.inner.last_error) = None;
                lock(&self.inner.machine).on_token(token.expires_at, now)
            }
            Err(error) => {
                tracing::warn!(error = %error, "getting an auth token failed");
                *lock(&self.inner.last_error) = Some(error.clone());
                let unit = self.inner.jitter.next_unit();
                lock(&self.inner.machine).on_failure(error, now, unit)
            }
        };
        self.emit(change);
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        self.inner.wake.notify_one();
        result
    }

    /// The proactive loop: fetches the first token, refreshes at expiry − `refresh_before`,
    /// retries failures, and reports `Expired` when a token runs out. Spawn it
    /// (`tokio::spawn` natively, `wasm_bindgen_futures::spawn_local` in a browser); it
    /// returns once every handle of this manager is dropped.
    pub fn run(&self) -> impl Future<Output = ()> + 'static {
        let weak = Arc::downgrade(&self.inner);
        let wake = self.inner.wake.clone();
        let clock = self.inner.clock.clone();
        async move {
            loop {
                let action = match weak.upgrade() {
                    Some(inner) => {
                        let manager = AuthManager { inner };
                        let action = manager.tick();
                        match action {
                            AuthAction::Fetch => {
                                let _ = manager.flight(Flight::Fetch).await;
                            }
                            AuthAction::Refresh => {
                                let _ = manager.flight(Flight::Refresh).await;
                            }
                            _ => {}
                        }
                        action
                    }
                    None => return,
                };
                let limit = match action {
                    AuthAction::SleepUntil(at) => {
                        let millis = at.millis_since(clock.now()).max(0);
                        std::time::Duration::from_millis(millis as u64)
                    }
                    AuthAction::Idle => std::time::Duration::from_secs(300),
                    AuthAction::Fetch | AuthAction::Refresh => continue,
                };
                let notified = std::pin::pin!(wake.notified());
                let sleep = std::pin::pin!(clock.sleep(limit));
                let _ = select(notified, sleep).await;
            }
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl AuthProvider for AuthManager {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        let now = self.inner.clock.now();
        let cached = lock(&self.inner.token).clone();
        let (busy, may_refresh) = {
            let machine = lock(&self.inner.machine);
            (machine.is_in_flight(), machine.may_refresh(now))
        };
        match cached {
            Some(token) if !token.is_expired(now) => Ok(token),
            // Never wait on a refresh that may need this very token (getNewAuthToken), and
            // do not hammer a provider that failed for good: the service decides.
            Some(token) if busy || !may_refresh => Ok(token),
            Some(_) => self.flight(Flight::Refresh).await,
            None => self.flight(Flight::Fetch).await,
        }
    }

    async fn refresh(&self) -> Result<AccessToken, AuthError> {
        let now = self.inner.clock.now();
        let may_refresh = lock(&self.inner.machine).may_refresh(now);
        if !may_refresh {
            if let Some(error) = lock(&self.inner.last_error).clone() {
                return Err(error);
            }
        }
        self.flight(Flight::Reactive).await
    }
}
