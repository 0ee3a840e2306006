//! [`FailoverCoordinatorBuilder`]: regions, sources, clock and settings, then `connect()`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use connect_core::api::CtiApi;
use connect_core::log::LogBuffer;
use connect_core::session::{AgentSession, SessionSettings};
use connect_core::time::{Clock, Jitter, SystemClock};
use tokio::sync::{mpsc, watch};

use super::engine::{connect_region, Engine, Inbox, Shared};
use super::handle::{FailoverCoordinator, FailoverEvents, FailoverStatus, Inner, RegionEvents};
use super::jobs::JobContext;
use super::media::MediaHandoverHook;
use super::observed::ObservedApi;
use super::region::RegionRuntime;
use super::{FailoverSettings, RegionConfig};
use crate::coordinator::{DesiredState, FailoverMachine};
use crate::source::{
    ActiveRegionSource, DecisionMerger, DecisionSink, HealthTracker, RegionBoard, SourceContext,
    SourceRegion,
};
use crate::timeout::with_timeout;
use crate::{FailoverError, PresignedUrlPoller, RegionHealth};
use connect_core::task::{spawn_abortable, TaskGuard};

/// Label of the coordinator's own log (`failover-<logName>.txt`).
const COORDINATOR_LOG_LABEL: &str = "failover";

/// Builds a [`FailoverCoordinator`]. Regions are required (two or more); everything else has a
/// default: the first region is the primary, the source is a [`PresignedUrlPoller`], the clock
/// is the system clock.
#[derive(Default)]
pub struct FailoverCoordinatorBuilder {
    regions: Vec<RegionConfig>,
    primary: Option<String>,
    sources: Vec<Box<dyn ActiveRegionSource>>,
    clock: Option<Arc<dyn Clock>>,
    settings: FailoverSettings,
    session_settings: SessionSettings,
    desired: Option<DesiredState>,
    hook: Option<Arc<dyn MediaHandoverHook>>,
}

impl fmt::Debug for FailoverCoordinatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FailoverCoordinatorBuilder")
            .field("regions", &self.regions)
            .field("primary", &self.primary)
            .field("sources", &self.sources.len())
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl FailoverCoordinatorBuilder {
    /// Adds a region (its own endpoint and tokens).
    pub fn region(mut self, region: RegionConfig) -> Self {
        self.regions.push(region);
        self
    }

    /// The region to surface while the first decision is awaited (default: the first one).
    pub fn primary(mut self, region: impl Into<String>) -> Self {
        self.primary = Some(region.into());
        self
    }

    /// Adds a decision source (default, when none is added: a [`PresignedUrlPoller`]).
    pub fn source(mut self, source: impl ActiveRegionSource) -> Self {
        self.sources.push(Box::new(source));
        self
    }

    /// The clock of every timer, the sessions' included (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Timers and policies.
    pub fn settings(mut self, settings: FailoverSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Settings of every region's session.
    pub fn session_settings(mut self, settings: SessionSettings) -> Self {
        self.session_settings = settings;
        self
    }

    /// The agent's desired state (default: learnt from the first region it works in).
    pub fn desired_state(mut self, desired: DesiredState) -> Self {
        self.desired = Some(desired);
        self
    }

    /// The media layer's hand-over hook.
    pub fn media_hook(mut self, hook: Arc<dyn MediaHandoverHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Starts every region's session (in the background, retrying with reconnect backoff),
    /// the sources and the coordinator; returns once one region's session is up (within the
    /// sessions' `connect_deadline`), with the merged region events and the failover events.
    pub async fn connect(
        self,
    ) -> Result<(FailoverCoordinator, RegionEvents, FailoverEvents), FailoverError> {
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(SystemClock::default()));
        let now = clock.now();
        let infos = self.regions.iter().map(|r| r.info.clone()).collect();
        let primary = self
            .primary
            .or_else(|| self.regions.first().map(|r| r.info.name.clone()))
            .ok_or_else(|| FailoverError::Config("no region configured".into()))?;
        let machine = FailoverMachine::new(infos, &primary, self.settings.machine.clone())?;
        let (inbox_tx, inbox) = mpsc::unbounded_channel();
        let (app_tx, app_rx) = mpsc::unbounded_channel();
        let (failover_tx, failover_rx) = mpsc::unbounded_channel();
        let jitter = Arc::new(Jitter::from_time(now));
        let logs = LogBuffer::builder()
            .region(COORDINATOR_LOG_LABEL)
            .build(now);

        let mut runtimes = BTreeMap::new();
        let mut source_regions = Vec::new();
        let mut connectors = Vec::new();
        for region in &self.regions {
            let name = region.info.name.clone();
            let health = Arc::new(Mutex::new(HealthTracker::new(
                self.settings.region_dead_after,
            )));
            let notify = inbox_tx.clone();
            let api: Arc<dyn CtiApi> = Arc::new(ObservedApi::new(
                Arc::clone(&region.api),
                Arc::clone(&clock),
                Arc::clone(&health),
                move || {
                    let _ = notify.send(Inbox::HealthChanged);
                },
            ));
            let region_logs = LogBuffer::builder().region(name.clone()).build(now);
            let session_builder = {
                let (api, clock) = (Arc::clone(&api), Arc::clone(&clock));
                let (settings, name, logs) = (
                    self.session_settings.clone(),
                    name.clone(),
                    region_logs.clone(),
                );
                move || {
                    AgentSession::builder(Arc::clone(&api))
                        .clock(Arc::clone(&clock))
                        .settings(settings.clone())
                        .region(name.clone())
                        .logs(logs.clone())
                }
            };
            connectors.push(connect_region(
                name.clone(),
                session_builder,
                region.websocket.clone(),
                Arc::clone(&clock),
                Arc::clone(&jitter),
                inbox_tx.clone(),
            ));
            source_regions.push(SourceRegion {
                info: region.info.clone(),
                api: Arc::clone(&api),
            });
            let runtime = RegionRuntime::new(region.info.clone(), health, region_logs, now);
            runtimes.insert(name, runtime);
        }
        let region_logs = runtimes
            .iter()
            .map(|(name, r)| (name.clone(), r.logs.clone()))
            .collect();

        let status = FailoverStatus {
            state: machine.state().clone(),
            active_region: machine.active_region().map(str::to_owned),
            surfaced_region: machine.surfaced_region().map(str::to_owned),
            health: runtimes
                .keys()
                .map(|name| (name.clone(), RegionHealth::Healthy))
                .collect(),
            desired_state: self.desired.clone(),
        };
        let shared = Arc::new(Shared {
            status: Mutex::new(status),
            sessions: Mutex::new(BTreeMap::new()),
            sessions_up: watch::channel(0).0,
        });
        let mut sessions_up = shared.sessions_up.subscribe();
        let board = RegionBoard::default();
        board.set_active(machine.active_region());
        let engine = Engine {
            machine,
            clock: Arc::clone(&clock),
            settings: self.settings.clone(),
            regions: runtimes,
            inbox,
            inbox_tx: inbox_tx.clone(),
            app: app_tx,
            failover: failover_tx,
            merger: DecisionMerger::default(),
            board: board.clone(),
            desired: self.desired,
            shared: Arc::clone(&shared),
            logs: logs.clone(),
            hook: self.hook,
            jobs: JobContext {
                clock: Arc::clone(&clock),
                jitter: Arc::clone(&jitter),
                timeout: self.settings.request_timeout,
            },
            tasks: TaskGuard::default(),
        };
        let tasks = TaskGuard::default();
        tasks.push(spawn_abortable(engine.run()));
        for connector in connectors {
            tasks.push(spawn_abortable(connector));
        }
        let sink_tx = inbox_tx.clone();
        let context = SourceContext {
            regions: source_regions,
            clock: Arc::clone(&clock),
            board,
            sink: DecisionSink::new(move |d| sink_tx.send(Inbox::Decision(d)).is_ok()),
        };
        let mut sources = self.sources;
        if sources.is_empty() {
            sources.push(Box::new(PresignedUrlPoller::default()));
        }
        for source in sources {
            tasks.push(spawn_abortable(source.run(context.clone())));
        }

        let deadline = self.session_settings.connect_deadline;
        let up = with_timeout(&*clock, deadline, sessions_up.wait_for(|n| *n > 0)).await;
        if !matches!(up, Some(Ok(_))) {
            return Err(FailoverError::Timeout("connecting a region session"));
        }
        let coordinator = FailoverCoordinator {
            inner: Arc::new(Inner {
                inbox: inbox_tx,
                shared,
                regions: self.regions.iter().map(|r| r.info.clone()).collect(),
                logs,
                region_logs,
                tasks,
            }),
        };
        Ok((
            coordinator,
            RegionEvents { receiver: app_rx },
            FailoverEvents {
                receiver: failover_rx,
            },
        ))
    }
}
