//! `AgentSession`: the handle a user holds, its builder and `connect()`.

use std::sync::Arc;

use super::auth_watch::run_auth_watch;
use super::clock_watch::run_clock_watch;
use super::configuration::{refresh_configuration, run_configuration_loop};
use super::poll::{poll_batch, run_poll_loop};
use super::shared::Shared;
use super::subscribers::spawn_callback_subscriber;
#[cfg(feature = "ws")]
use super::websocket_watch::run_websocket_watch;
use super::{Agent, ContactHandle, SessionSettings};
use crate::api::{CtiApi, CtiError};
use crate::task::{spawn_abortable, TaskGuard};
use tracing::Instrument;

use crate::events::{AgentEvent, AuthState, Events};
use crate::log::{LogBuffer, LogExport, LogLayer};
use crate::model::{AgentConfiguration, AgentSnapshot};
use crate::time::{Clock, SystemClock};
use crate::ws::ResumeCause;
#[cfg(feature = "ws")]
use crate::ws::{WsEvents, WsManager};
use tokio::sync::watch;

/// An agent's session with a CCP: it long-polls the agent snapshot, refreshes the
/// configuration, and turns every change into ordered [`AgentEvent`]s.
///
/// Cheap to clone; dropping the last clone stops its tasks. Several sessions live side by side.
///
/// ```
/// # #[cfg(feature = "mock")]
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), connect_core::api::CtiError> {
/// use connect_core::mock::SimInstance;
/// use connect_core::session::AgentSession;
///
/// let sim = SimInstance::builder().agents(1).build().expect("valid simulator");
/// let api = sim.client("agent1")?;
/// let (session, mut events) = AgentSession::builder(api).connect().await?;
/// assert!(matches!(events.recv().await, Some(connect_core::events::AgentEvent::Init { .. })));
/// session.shutdown().await;
/// # Ok(()) }
/// # #[cfg(not(feature = "mock"))] fn main() {}
/// ```
#[derive(Clone, Debug)]
pub struct AgentSession {
    pub(crate) shared: Arc<Shared>,
    guard: Arc<TaskGuard>,
}

/// Builds an [`AgentSession`]; every setting has the CCP's default.
pub struct AgentSessionBuilder {
    api: Arc<dyn CtiApi>,
    clock: Arc<dyn Clock>,
    settings: SessionSettings,
    region: Option<String>,
    logs: Option<LogBuffer>,
    auth_states: Option<watch::Receiver<AuthState>>,
    #[cfg(feature = "ws")]
    websocket: Option<(WsManager, WsEvents)>,
}

impl AgentSession {
    /// Starts building a session over `api` (an HTTP CTI client, or a simulated instance).
    pub fn builder(api: impl CtiApi + 'static) -> AgentSessionBuilder {
        AgentSessionBuilder {
            api: Arc::new(api),
            clock: Arc::new(SystemClock::default()),
            settings: SessionSettings::default(),
            region: None,
            logs: None,
            auth_states: None,
            #[cfg(feature = "ws")]
            websocket: None,
        }
    }

    /// A new subscriber; it sees events from now on.
    pub fn subscribe(&self) -> Events {
        self.shared.bus.subscribe()
    }

    /// Calls `callback` for every event on its own task. A panic in the callback is caught,
    /// logged and reported as [`HealthEvent::SubscriberPanicked`](crate::events::HealthEvent);
    /// only that subscriber is removed.
    pub fn on_event<F>(&self, callback: F)
    where
        F: Fn(&AgentEvent) + Send + Sync + 'static,
    {
        let handle = spawn_callback_subscriber(Arc::clone(&self.shared), callback);
        self.guard.push(handle);
    }

    /// The agent: state, configuration and agent-level actions.
    pub fn agent(&self) -> Agent {
        Agent::new(Arc::clone(&self.shared))
    }

    /// A handle on a contact currently in the snapshot.
    pub fn contact(&self, contact_id: &str) -> Option<ContactHandle> {
        let snapshot = self.shared.snapshot()?;
        snapshot.contact(contact_id)?;
        Some(ContactHandle::new(
            Arc::clone(&self.shared),
            contact_id.to_owned(),
        ))
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Option<Arc<AgentSnapshot>> {
        self.shared.snapshot()
    }

    /// The latest complete configuration.
    pub fn configuration(&self) -> Option<Arc<AgentConfiguration>> {
        self.shared.state().configuration.clone()
    }

    /// `snapshotTimestamp − local receive time` of the last poll, in ms.
    pub fn skew_millis(&self) -> i64 {
        self.shared.state().skew_millis
    }

    /// The region label given to the builder.
    pub fn region(&self) -> Option<&str> {
        self.shared.region.as_deref()
    }

    /// The CTI backend the session talks to, for requests it does not make itself (such as
    /// `CreateTransport` softphone credentials).
    pub fn api(&self) -> Arc<dyn CtiApi> {
        Arc::clone(&self.shared.api)
    }

    /// This session's id, the `session_id` field of the span its tasks log in.
    pub fn session_id(&self) -> &str {
        &self.shared.session_id
    }

    /// This session's log buffer (redacted entries, rolling, export).
    pub fn logs(&self) -> LogBuffer {
        self.shared.logs.clone()
    }

    /// A `tracing` layer that stores this session's log events (and only those) in
    /// [`AgentSession::logs`]; install it in the app's subscriber.
    pub fn log_layer(&self) -> LogLayer {
        LogLayer::new(self.shared.logs.clone(), Arc::clone(&self.shared.clock))
            .only_session(self.shared.session_id.clone())
    }

    /// The download file of this session's logs: `<region>-<logName>.txt` (or `<logName>.txt`)
    /// with the JSON array of entries.
    pub fn export_logs(&self, log_name: Option<&str>, filter_by_level: bool) -> LogExport {
        self.shared.logs.export(log_name, filter_by_level)
    }

    /// The session's CCP WebSocket, when it was given one: topics such as `aws/softphone` are
    /// subscribed and sent on it.
    #[cfg(feature = "ws")]
    pub fn websocket(&self) -> Option<&WsManager> {
        self.shared.websocket.as_ref()
    }

    /// The network changed or the host woke up (R5): the long poll is re-issued at once, the
    /// WebSocket rebuilt on a fresh URL, and a
    /// [`TransportEvent::Resumed`](crate::events::TransportEvent) reported.
    pub fn notify_network_changed(&self) {
        #[cfg(feature = "ws")]
        if let Some(websocket) = &self.shared.websocket {
            websocket.notify_network_changed();
            return;
        }
        self.shared.resumes.trigger(ResumeCause::NetworkChanged);
    }

    /// Stops every task of the session and closes its CCP WebSocket; events stop after the
    /// batch in flight.
    pub async fn shutdown(&self) {
        self.guard.abort_all();
        #[cfg(feature = "ws")]
        if let Some(websocket) = &self.shared.websocket {
            websocket.shutdown().await;
        }
        tracing::info!("agent session shut down");
    }
}

impl std::fmt::Debug for AgentSessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentSessionBuilder")
            .field("region", &self.region)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AgentSessionBuilder {
    /// The clock for every timer (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Timing and budget settings.
    pub fn settings(mut self, settings: SessionSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The log buffer to write to (default: a new one labelled with the region).
    pub fn logs(mut self, logs: LogBuffer) -> Self {
        self.logs = Some(logs);
        self
    }

    /// A region label, used in log file names and events.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Follows the auth provider's states (for example [`AuthManager::subscribe`]): each change
    /// is reported as [`HealthEvent::Auth`](crate::events::HealthEvent), and the loops pause
    /// while the token is expired or denied, resuming when a usable token comes back.
    ///
    /// [`AuthManager::subscribe`]: crate::auth::AuthManager::subscribe
    pub fn auth_states(mut self, states: watch::Receiver<AuthState>) -> Self {
        self.auth_states = Some(states);
        self
    }

    /// Gives the session its CCP WebSocket: its connection changes are reported as
    /// [`TransportEvent`](crate::events::TransportEvent)s, a stale socket resumes the whole
    /// session, and a stale long poll or clock jump rebuilds the socket (R5).
    #[cfg(feature = "ws")]
    pub fn websocket(mut self, manager: WsManager, events: WsEvents) -> Self {
        self.websocket = Some((manager, events));
        self
    }

    /// Fetches the configuration and the first snapshot (retrying until the connect deadline),
    /// starts the loops and returns the session with a subscriber that begins with
    /// [`AgentEvent::Init`].
    pub async fn connect(self) -> Result<(AgentSession, Events), CtiError> {
        #[cfg(feature = "ws")]
        let (websocket, websocket_events) = match self.websocket {
            Some((manager, events)) => (Some(manager), Some(events)),
            None => (None, None),
        };
        let shared = Arc::new(Shared::new(
            self.api,
            self.clock,
            self.settings,
            self.region,
            self.logs,
            self.auth_states.clone(),
            #[cfg(feature = "ws")]
            websocket,
        ));
        let span = tracing::info_span!(
            "agent_session",
            session_id = %shared.session_id,
            region = shared.region.as_deref().unwrap_or("")
        );
        let events = shared.bus.subscribe();
        initialize(&shared).instrument(span.clone()).await?;
        let guard = Arc::new(TaskGuard::default());
        let poll = run_poll_loop(Arc::clone(&shared)).instrument(span.clone());
        guard.push(spawn_abortable(poll));
        let configuration = run_configuration_loop(Arc::clone(&shared)).instrument(span.clone());
        guard.push(spawn_abortable(configuration));
        let clock_watch = run_clock_watch(Arc::clone(&shared)).instrument(span.clone());
        guard.push(spawn_abortable(clock_watch));
        if let Some(states) = self.auth_states {
            let auth_watch = run_auth_watch(Arc::clone(&shared), states).instrument(span.clone());
            guard.push(spawn_abortable(auth_watch));
        }
        #[cfg(feature = "ws")]
        if let Some(events) = websocket_events {
            let websocket_watch = run_websocket_watch(Arc::clone(&shared), events).instrument(span);
            guard.push(spawn_abortable(websocket_watch));
        }
        tracing::info!(session_id = %shared.session_id, "agent session connected");
        Ok((AgentSession { shared, guard }, events))
    }
}

/// Configuration first, then the first snapshot, then `Init` followed by the first batch.
async fn initialize(shared: &Shared) -> Result<(), CtiError> {
    let started = shared.clock.now();
    retry_until_connect_deadline(shared, started, || refresh_configuration(shared)).await?;
    retry_until_connect_deadline(shared, started, || poll_once_announcing_init(shared)).await
}

/// Retries `step` every failure delay until it succeeds, fails on auth, or the connect
/// deadline (counted from `started`) passes.
async fn retry_until_connect_deadline<F, Fut>(
    shared: &Shared,
    started: crate::model::Timestamp,
    mut step: F,
) -> Result<(), CtiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), CtiError>>,
{
    let deadline = shared.settings.connect_deadline.as_millis() as i64;
    loop {
        let error = match step().await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        if shared.clock.now().millis_since(started) >= deadline || error.is_auth() {
            return Err(error);
        }
        shared
            .clock
            .sleep(shared.settings.poll_delay_after_failure)
            .await;
    }
}

async fn poll_once_announcing_init(shared: &Shared) -> Result<(), CtiError> {
    let batch = poll_batch(shared).await?;
    let snapshot = shared
        .snapshot()
        .ok_or_else(|| CtiError::InvalidRequest("no snapshot after the first poll".into()))?;
    let configuration = shared
        .state()
        .configuration
        .clone()
        .ok_or_else(|| CtiError::InvalidRequest("no configuration at init".into()))?;
    let mut events = Vec::with_capacity(batch.len() + 1);
    events.push(AgentEvent::Init {
        snapshot,
        configuration,
    });
    events.extend(batch);
    shared.bus.publish(events);
    Ok(())
}
