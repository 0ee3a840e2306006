//! The coordinator's task: one loop that owns the machine and every region's runtime, fed by
//! one inbox (decisions, session events, job results, commands) and a tick.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use connect_core::events::{AgentEvent, Events};
use connect_core::log::{LogBuffer, LogEntry, LogLevel};
use connect_core::model::AgentSnapshot;
use connect_core::session::AgentSession;
use connect_core::time::{Clock, Jitter};
use futures::future::Either;
use tokio::sync::{mpsc, oneshot, watch};

use super::handle::FailoverStatus;
use super::jobs::{activate, Activated, JobContext};
use super::media::{MediaHandover, MediaHandoverHook};
use super::region::RegionRuntime;
use super::settings::WebSocketFactory;
use super::FailoverSettings;
use crate::coordinator::{Action, DesiredState, FailoverMachine, FailoverState, Input, RegionView};
use crate::source::{DecisionMerger, RegionBoard};
use crate::{Decision, FailoverError, FailoverEvent, FailoverMode, RegionEvent};
use connect_core::task::{spawn_abortable, TaskGuard};

/// A reply to a command.
pub(crate) type Reply = oneshot::Sender<Result<(), FailoverError>>;

/// Everything the engine is told.
pub(crate) enum Inbox {
    /// A source's decision.
    Decision(Decision),
    /// A region's session connected; `events` starts with its `Init`.
    SessionUp {
        region: String,
        session: AgentSession,
        events: Events,
    },
    /// An event of a region's session.
    Event { region: String, event: AgentEvent },
    /// Some region's health may have changed.
    HealthChanged,
    /// An activation finished.
    Activated { region: String, outcome: Activated },
    /// A background call finished.
    Done { region: String, job: Job, ok: bool },
    /// `force_failover()` / `force_failover_hang_up()`.
    Force { hang_up: bool, reply: Reply },
    /// `failover_to()`.
    FailoverTo {
        region: String,
        mode: FailoverMode,
        reply: Reply,
    },
    /// `set_desired_state()`.
    SetDesired { desired: DesiredState, reply: Reply },
}

/// Which background call finished.
#[derive(Debug)]
pub(crate) enum Job {
    Offline,
    Reject,
    Cleanup(String),
}

/// What the handles and the engine share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) status: Mutex<FailoverStatus>,
    pub(crate) sessions: Mutex<BTreeMap<String, AgentSession>>,
    pub(crate) sessions_up: watch::Sender<usize>,
}

impl Shared {
    pub(crate) fn status(&self) -> std::sync::MutexGuard<'_, FailoverStatus> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn sessions(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, AgentSession>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The coordinator's loop and everything it owns.
pub(crate) struct Engine {
    pub(crate) machine: FailoverMachine,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: FailoverSettings,
    pub(crate) regions: BTreeMap<String, RegionRuntime>,
    pub(crate) inbox: mpsc::UnboundedReceiver<Inbox>,
    pub(crate) inbox_tx: mpsc::UnboundedSender<Inbox>,
    pub(crate) app: mpsc::UnboundedSender<RegionEvent>,
    pub(crate) failover: mpsc::UnboundedSender<FailoverEvent>,
    pub(crate) merger: DecisionMerger,
    pub(crate) board: RegionBoard,
    pub(crate) desired: Option<DesiredState>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) logs: LogBuffer,
    pub(crate) hook: Option<Arc<dyn MediaHandoverHook>>,
    pub(crate) jobs: JobContext,
    pub(crate) tasks: TaskGuard,
}

impl Engine {
    /// Runs until every handle is gone.
    pub(crate) async fn run(mut self) {
        let start = self.machine.start(self.clock.now());
        self.apply(start);
        loop {
            let wait = self.next_wait();
            let message = {
                let sleep = std::pin::pin!(self.clock.sleep(wait));
                let recv = std::pin::pin!(self.inbox.recv());
                match futures::future::select(recv, sleep).await {
                    Either::Left((Some(message), _)) => Some(message),
                    Either::Left((None, _)) => return,
                    Either::Right(_) => None,
                }
            };
            match message {
                Some(message) => self.on_message(message),
                None => self.on_tick(),
            }
            self.check_health();
            self.publish_status();
        }
    }

    fn next_wait(&self) -> std::time::Duration {
        let tick = self.settings.tick;
        match self.machine.next_deadline() {
            Some(at) => {
                let ms = at.millis_since(self.clock.now()).max(0);
                tick.min(std::time::Duration::from_millis(ms as u64))
            }
            None => tick,
        }
    }

    fn on_message(&mut self, message: Inbox) {
        match message {
            Inbox::Decision(decision) => {
                if let Some(decision) = self.merger.offer(decision) {
                    self.feed(Input::Decision(decision));
                }
            }
            Inbox::SessionUp {
                region,
                session,
                events,
            } => self.on_session_up(region, session, events),
            Inbox::Event { region, event } => self.on_event(&region, event),
            Inbox::HealthChanged => {}
            Inbox::Activated { region, outcome } => self.on_activated(region, outcome),
            Inbox::Done { region, job, ok } => self.on_done(&region, job, ok),
            Inbox::Force { hang_up, reply } => {
                let result = self.command(Input::ForceFailover { hang_up });
                let _ = reply.send(result);
            }
            Inbox::FailoverTo {
                region,
                mode,
                reply,
            } => {
                let result = self.command(Input::FailoverTo { region, mode });
                let _ = reply.send(result);
            }
            Inbox::SetDesired { desired, reply } => {
                self.log(
                    LogLevel::Info,
                    format!("desired state set to {}", desired.name),
                );
                self.desired = Some(desired);
                if let Some(region) = self.machine.surfaced_region().map(str::to_owned) {
                    self.activate_region(&region);
                }
                let _ = reply.send(Ok(()));
            }
        }
    }

    fn on_tick(&mut self) {
        self.feed(Input::Tick);
        let names: Vec<String> = self.regions.keys().cloned().collect();
        for name in names {
            let snapshot = self.regions[&name]
                .session
                .as_ref()
                .and_then(AgentSession::snapshot);
            if let Some(snapshot) = snapshot {
                self.maintain(&name, &snapshot);
            }
        }
    }

    /// Feeds the machine and carries out its actions.
    pub(crate) fn feed(&mut self, input: Input) {
        match self.machine.handle(self.clock.now(), input) {
            Ok(actions) => self.apply(actions),
            Err(error) => self.log(LogLevel::Warn, format!("input refused: {error}")),
        }
    }

    fn command(&mut self, input: Input) -> Result<(), FailoverError> {
        let actions = self.machine.handle(self.clock.now(), input)?;
        self.apply(actions);
        Ok(())
    }

    pub(crate) fn apply(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Emit(event) => self.emit(event),
                Action::ActivateRegion { region, .. } => self.activate_region(&region),
                Action::HardCleanup { region } => self.start_cleanup(&region),
                Action::Log { level, message } => self.log(level, message),
            }
        }
        let surfaced = self.machine.surfaced_region().map(str::to_owned);
        for runtime in self.regions.values_mut() {
            if Some(runtime.name()) != surfaced.as_deref() {
                runtime.abort_activation();
                runtime.awaiting = None;
            }
        }
        self.board.set_active(self.machine.active_region());
    }

    pub(crate) fn emit(&mut self, event: FailoverEvent) {
        if let FailoverEvent::MediaHandover { from, to, hard } = &event {
            self.hand_over_media(from, to, *hard);
        }
        self.log(LogLevel::Info, format!("event: {event:?}"));
        let _ = self.failover.send(event);
    }

    fn hand_over_media(&mut self, from: &str, to: &str, hard: bool) {
        let Some(hook) = self.hook.clone() else {
            return;
        };
        let session = |name: &str| self.regions.get(name).and_then(|r| r.session.clone());
        let handover = MediaHandover {
            from: from.to_owned(),
            to: to.to_owned(),
            hard,
            from_session: session(from),
            to_session: session(to),
        };
        self.tasks.push(spawn_abortable(
            async move { hook.on_handover(handover).await },
        ));
    }

    /// An entry in the coordinator's log (`failover-<logName>.txt`).
    pub(crate) fn log(&self, level: LogLevel, text: String) {
        match level {
            LogLevel::Warn | LogLevel::Error | LogLevel::Critical => {
                tracing::warn!(target: "connect_failover", "{text}")
            }
            _ => tracing::info!(target: "connect_failover", "{text}"),
        }
        self.logs.push(LogEntry::new(level, text, self.clock.now()));
    }

    fn on_session_up(&mut self, region: String, session: AgentSession, mut events: Events) {
        let Some(runtime) = self.regions.get_mut(&region) else {
            return;
        };
        runtime.session = Some(session.clone());
        let pending = runtime.activation_pending;
        self.shared.sessions().insert(region.clone(), session);
        let count = self.shared.sessions().len();
        self.shared.sessions_up.send_replace(count);
        self.log(LogLevel::Info, format!("{region}: session connected"));
        let inbox = self.inbox_tx.clone();
        let name = region.clone();
        self.tasks.push(spawn_abortable(async move {
            while let Some(event) = events.recv().await {
                let message = Inbox::Event {
                    region: name.clone(),
                    event,
                };
                if inbox.send(message).is_err() {
                    return;
                }
            }
        }));
        if pending {
            self.activate_region(&region);
        }
    }

    fn on_event(&mut self, region: &str, event: AgentEvent) {
        let surfaced = self.machine.surfaced_region() == Some(region);
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        let snapshot = match &event {
            AgentEvent::Refresh { snapshot, .. } => Some(Arc::clone(snapshot)),
            _ => None,
        };
        for event in runtime.suppress.filter(surfaced, event) {
            let _ = self.app.send(RegionEvent {
                region: region.to_owned(),
                event,
            });
        }
        if let Some(snapshot) = snapshot {
            self.on_snapshot(region, &snapshot);
        }
    }

    fn on_snapshot(&mut self, region: &str, snapshot: &Arc<AgentSnapshot>) {
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        let view = RegionView::from_snapshot(snapshot, &self.settings.blocking_channels, |id| {
            runtime.suppress.is_surfaced(id)
        });
        if runtime.awaiting.is_some() && runtime.awaiting == view.selected_state {
            runtime.awaiting = None;
        }
        self.learn_desired(region, snapshot);
        self.feed(Input::Snapshot {
            region: region.to_owned(),
            view,
        });
        self.maintain(region, snapshot);
    }

    /// Tracks the agent's desired state from the region it works in, once no activation of
    /// ours is under way there.
    fn learn_desired(&mut self, region: &str, snapshot: &AgentSnapshot) {
        let settled = matches!(
            self.machine.state(),
            FailoverState::Active { region: r } | FailoverState::Bootstrapping { provisional: r }
                if r == region
        );
        let Some(runtime) = self.regions.get(region) else {
            return;
        };
        // Until a desired state is known, the working region's selection is it; afterwards,
        // changes count only once no activation of ours is under way there.
        let busy = runtime.awaiting.is_some() || runtime.activation.is_some();
        if !settled || (busy && self.desired.is_some()) {
            return;
        }
        let Some(session) = &runtime.session else {
            return;
        };
        let Some(selected) = snapshot.agent_availability_state.as_ref() else {
            return;
        };
        let Some(state) = session
            .agent()
            .states()
            .into_iter()
            .find(|s| s.name == selected.state)
        else {
            return;
        };
        let desired = DesiredState::of(&state);
        if self.desired.as_ref() != Some(&desired) {
            self.log(
                LogLevel::Info,
                format!("desired state is now {} (from {region})", desired.name),
            );
            self.desired = Some(desired);
        }
    }

    /// Starts (or queues, until the session connects) making `region` the working region.
    fn activate_region(&mut self, region: &str) {
        let desired = self.desired.clone();
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        runtime.abort_activation();
        let Some(session) = runtime.session.clone() else {
            runtime.activation_pending = true;
            runtime.log(
                self.clock.now(),
                LogLevel::Info,
                "activation waits for the session",
            );
            return;
        };
        runtime.log(
            self.clock.now(),
            LogLevel::Info,
            format!(
                "activating (desired state {:?})",
                desired.as_ref().map(|d| &d.name)
            ),
        );
        let jobs = self.jobs.clone();
        let inbox = self.inbox_tx.clone();
        let name = region.to_owned();
        let task = spawn_abortable(async move {
            let outcome = activate(&jobs, &session, desired).await;
            let _ = inbox.send(Inbox::Activated {
                region: name,
                outcome,
            });
        });
        runtime.activation = Some(task);
    }

    fn on_activated(&mut self, region: String, outcome: Activated) {
        let Some(runtime) = self.regions.get_mut(&region) else {
            return;
        };
        runtime.activation = None;
        let state = match outcome {
            Activated::Requested(state) => state,
            Activated::MappingFailed(state) => {
                if let Some(desired) = self.desired.clone() {
                    self.emit(FailoverEvent::StateMappingFailed {
                        region: region.clone(),
                        desired,
                    });
                }
                state
            }
        };
        let Some(runtime) = self.regions.get_mut(&region) else {
            return;
        };
        let shown = runtime
            .session
            .as_ref()
            .and_then(AgentSession::snapshot)
            .and_then(|s| s.agent_availability_state.as_ref().map(|a| a.state.clone()));
        if shown.as_deref() != Some(state.as_str()) {
            runtime.awaiting = Some(state.clone());
        }
        self.feed(Input::StateRequested { region, state });
    }

    /// Reports health changes to the machine, the board and the app.
    fn check_health(&mut self) {
        let now = self.clock.now();
        let mut changes = Vec::new();
        for runtime in self.regions.values_mut() {
            let health = runtime.evaluate_health(now);
            if health != runtime.reported {
                runtime.reported = health;
                changes.push((runtime.name().to_owned(), health));
            }
        }
        for (region, health) in changes {
            self.board.set_health(&region, health);
            self.emit(FailoverEvent::RegionHealth {
                region: region.clone(),
                health,
            });
            self.feed(Input::Health { region, health });
        }
    }

    fn publish_status(&self) {
        let mut status = self.shared.status();
        status.state = self.machine.state().clone();
        status.active_region = self.machine.active_region().map(str::to_owned);
        status.surfaced_region = self.machine.surfaced_region().map(str::to_owned);
        status.desired_state = self.desired.clone();
        status.health = self
            .regions
            .values()
            .map(|r| (r.name().to_owned(), r.reported))
            .collect();
    }
}

/// Connects `region`'s session (with its CCP WebSocket first, when it has one), retrying with
/// reconnect backoff, and reports it.
pub(crate) async fn connect_region(
    region: String,
    builder: impl Fn() -> connect_core::session::AgentSessionBuilder,
    websocket: Option<WebSocketFactory>,
    clock: Arc<dyn Clock>,
    jitter: Arc<Jitter>,
    inbox: mpsc::UnboundedSender<Inbox>,
) {
    let mut attempt = 0;
    loop {
        match connect_session(builder(), websocket.as_ref()).await {
            Ok((session, events)) => {
                let _ = inbox.send(Inbox::SessionUp {
                    region,
                    session,
                    events,
                });
                return;
            }
            Err(error) => {
                attempt += 1;
                let delay = crate::coordinator::reconnect_delay(attempt, jitter.next_unit());
                tracing::warn!(region = %region, attempt, error = %error, "region session did not connect; retrying");
                clock.sleep(delay).await;
            }
        }
    }
}

/// One attempt: the WebSocket (if any), then the session over it.
async fn connect_session(
    session: connect_core::session::AgentSessionBuilder,
    websocket: Option<&WebSocketFactory>,
) -> Result<(AgentSession, Events), String> {
    let session = match websocket {
        Some(websocket) => {
            let (manager, events) = websocket()
                .connect()
                .await
                .map_err(|e| format!("CCP WebSocket: {e}"))?;
            session.websocket(manager, events)
        }
        None => session,
    };
    session.connect().await.map_err(|e| e.to_string())
}
