//! `AgentSession`: the handle a user holds, its builder and `connect()`.

use std::sync::Arc;

use super::configuration::{refresh_configuration, run_configuration_loop};
use super::poll::{poll_batch, run_poll_loop};
use super::runtime::{spawn_abortable, TaskGuard};
use super::shared::Shared;
use super::subscribers::spawn_callback_subscriber;
use super::{Agent, ContactHandle, SessionSettings};
use crate::api::{CtiApi, CtiError};
use tracing::Instrument;

use crate::events::{AgentEvent, Events};
use crate::log::{LogBuffer, LogExport, LogLayer};
use crate::model::{AgentConfiguration, AgentSnapshot};
use crate::time::{Clock, SystemClock};

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

    /// Stops every task of the session; events stop after the batch in flight.
    pub async fn shutdown(&self) {
        self.guard.abort_all();
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

    /// Fetches the configuration and the first snapshot (retrying until the connect deadline),
    /// starts the loops and returns the session with a subscriber that begins with
    /// [`AgentEvent::Init`].
    pub async fn connect(self) -> Result<(AgentSession, Events), CtiError> {
        let shared = Arc::new(Shared::new(
            self.api,
            self.clock,
            self.settings,
            self.region,
            self.logs,
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
        let configuration = run_configuration_loop(Arc::clone(&shared)).instrument(span);
        guard.push(spawn_abortable(configuration));
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
