//! State shared by a session's handles and loops.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use super::auth_budget::AuthBudget;
use super::deadline::with_deadline;
use super::liveness::LivenessTracker;
use super::resume::Resumes;
use super::SessionSettings;
use crate::api::{CtiApi, CtiError, CtiMethod};
use crate::events::{AgentEvent, AuthState, DiffState, EventBus, HealthEvent, TransportEvent};
use crate::log::LogBuffer;
use crate::model::{AgentConfiguration, AgentSnapshot};
use crate::time::Clock;
use crate::ws::ResumeCause;

/// What one session knows, behind one lock.
#[derive(Debug)]
pub(crate) struct SessionState {
    pub(crate) diff: DiffState,
    pub(crate) configuration: Option<Arc<AgentConfiguration>>,
    pub(crate) next_token: Option<String>,
    pub(crate) skew_millis: i64,
    pub(crate) auth: AuthBudget,
    pub(crate) liveness: LivenessTracker,
}

/// The session's shared core: API, clock, settings, state and the event bus.
pub(crate) struct Shared {
    pub(crate) api: Arc<dyn CtiApi>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: SessionSettings,
    pub(crate) bus: EventBus,
    pub(crate) region: Option<String>,
    pub(crate) session_id: String,
    pub(crate) logs: LogBuffer,
    /// Stale-connection resumes waiting for the poll loop.
    pub(crate) resumes: Resumes,
    /// The auth provider's states, when the app shared them: loops pause while unusable.
    pub(crate) auth_states: Option<watch::Receiver<AuthState>>,
    /// The session's CCP WebSocket, when it has one.
    #[cfg(feature = "ws")]
    pub(crate) websocket: Option<crate::ws::WsManager>,
    state: Mutex<SessionState>,
    snapshots: watch::Sender<Option<Arc<AgentSnapshot>>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("region", &self.region)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(
        api: Arc<dyn CtiApi>,
        clock: Arc<dyn Clock>,
        settings: SessionSettings,
        region: Option<String>,
        logs: Option<LogBuffer>,
        auth_states: Option<watch::Receiver<AuthState>>,
        #[cfg(feature = "ws")] websocket: Option<crate::ws::WsManager>,
    ) -> Self {
        let session_id = next_session_id(clock.now());
        let logs = logs.unwrap_or_else(|| {
            let builder = LogBuffer::builder().session_id(session_id.clone());
            match &region {
                Some(region) => builder.region(region.clone()),
                None => builder,
            }
            .build(clock.now())
        });
        let auth = AuthBudget::new(settings.unauthorized_budget, settings.access_denied_budget);
        let liveness = LivenessTracker::new(settings.disconnected_after);
        Self {
            api,
            clock,
            bus: EventBus::new(settings.subscriber_queue),
            settings,
            region,
            session_id,
            logs,
            resumes: Resumes::default(),
            auth_states,
            #[cfg(feature = "ws")]
            websocket,
            state: Mutex::new(SessionState {
                diff: DiffState::default(),
                configuration: None,
                next_token: None,
                skew_millis: 0,
                auth,
                liveness,
            }),
            snapshots: watch::channel(None).0,
        }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The latest snapshot.
    pub(crate) fn snapshot(&self) -> Option<Arc<AgentSnapshot>> {
        self.snapshots.borrow().clone()
    }

    /// A receiver that sees every new snapshot (for correlation and waits).
    pub(crate) fn watch_snapshots(&self) -> watch::Receiver<Option<Arc<AgentSnapshot>>> {
        self.snapshots.subscribe()
    }

    pub(crate) fn store_snapshot(&self, snapshot: Arc<AgentSnapshot>) {
        self.snapshots.send_replace(Some(snapshot));
    }

    /// Publishes a health event on its own.
    pub(crate) fn health(&self, event: HealthEvent) {
        self.bus.publish(vec![AgentEvent::Health(event)]);
    }

    /// Runs one CTI request under its deadline and the auth budget; logs failures.
    pub(crate) async fn call<T, F>(&self, method: CtiMethod, request: F) -> Result<T, CtiError>
    where
        F: Future<Output = Result<T, CtiError>>,
    {
        let deadline = if method == CtiMethod::GetAgentSnapshot {
            self.settings.poll_deadline()
        } else {
            self.settings.request_deadline
        };
        let result = with_deadline(&*self.clock, deadline, method.name(), request).await;
        let (auth, liveness) = match &result {
            Ok(_) => {
                let mut state = self.state();
                (state.auth.on_success(None), state.liveness.on_success())
            }
            Err(error) => {
                tracing::warn!(operation = method.name(), error = %error, "CTI request failed");
                let mut state = self.state();
                let (_, auth) = state.auth.on_error(error, method.retries_on_auth());
                let liveness = if error.is_auth() {
                    None
                } else {
                    state
                        .liveness
                        .on_failure(self.clock.now(), &error.to_string())
                };
                (auth, liveness)
            }
        };
        if let Some(state) = auth {
            self.report_auth(state);
        }
        if let Some(liveness) = liveness {
            tracing::info!(liveness = ?liveness, "CCP liveness changed");
            self.health(HealthEvent::Liveness(liveness));
        }
        result
    }

    /// Carries out a resume the poll loop took (R5): reports it and, when `cause` was found
    /// outside the WebSocket, rebuilds the WebSocket on a fresh URL too.
    pub(crate) fn resume(&self, cause: ResumeCause) {
        tracing::info!(cause = ?cause, "resuming stale connections");
        #[cfg(feature = "ws")]
        if let Some(websocket) = &self.websocket {
            if !found_by_websocket(cause) {
                websocket.resume(cause);
            }
        }
        self.health(HealthEvent::Transport(TransportEvent::Resumed { cause }));
    }

    fn report_auth(&self, state: AuthState) {
        match &state {
            AuthState::Expired | AuthState::Denied => {
                tracing::error!(state = ?state, "authentication budget exhausted");
            }
            _ => tracing::info!(state = ?state, "authentication state changed"),
        }
        self.health(HealthEvent::Auth(state));
    }
}

/// Whether the WebSocket manager found (and already rebuilt) the stale connection itself.
#[cfg(feature = "ws")]
pub(crate) fn found_by_websocket(cause: ResumeCause) -> bool {
    matches!(
        cause,
        ResumeCause::MissedHeartbeat | ResumeCause::NetworkChanged
    )
}

/// A process-unique session id: `<epoch ms>-<counter>`.
fn next_session_id(now: crate::model::Timestamp) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    format!(
        "{}-{}",
        now.as_millis(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
