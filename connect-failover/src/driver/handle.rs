//! [`FailoverCoordinator`]: the handle the app holds, its status, and the two event streams.

use std::collections::BTreeMap;
use std::sync::Arc;

use connect_core::log::{LogBuffer, LogExport};
use connect_core::session::AgentSession;
use tokio::sync::{mpsc, oneshot};

use super::builder::FailoverCoordinatorBuilder;
use super::engine::{Inbox, Shared};
use crate::coordinator::{DesiredState, FailoverState};
use crate::{FailoverError, FailoverEvent, FailoverMode, RegionEvent, RegionHealth, RegionInfo};
use connect_core::task::TaskGuard;

/// A picture of the coordinator.
#[derive(Clone, Debug, PartialEq)]
pub struct FailoverStatus {
    /// The machine's state.
    pub state: FailoverState,
    /// The region the agent works in.
    pub active_region: Option<String>,
    /// The region whose offers reach the app.
    pub surfaced_region: Option<String>,
    /// The health of every region.
    pub health: BTreeMap<String, RegionHealth>,
    /// The agent's desired state, by name and type.
    pub desired_state: Option<DesiredState>,
}

/// The merged agent and contact events of every region, each tagged with its region. Offers
/// of suppressed regions never appear. Unbounded: the coordinator never waits for the app.
#[derive(Debug)]
pub struct RegionEvents {
    pub(crate) receiver: mpsc::UnboundedReceiver<RegionEvent>,
}

impl RegionEvents {
    /// The next event, or `None` once the coordinator is gone.
    pub async fn recv(&mut self) -> Option<RegionEvent> {
        self.receiver.recv().await
    }

    /// The next event if one is queued.
    pub fn try_recv(&mut self) -> Option<RegionEvent> {
        self.receiver.try_recv().ok()
    }
}

/// The coordinator's [`FailoverEvent`]s, in order.
#[derive(Debug)]
pub struct FailoverEvents {
    pub(crate) receiver: mpsc::UnboundedReceiver<FailoverEvent>,
}

impl FailoverEvents {
    /// The next event, or `None` once the coordinator is gone.
    pub async fn recv(&mut self) -> Option<FailoverEvent> {
        self.receiver.recv().await
    }

    /// The next event if one is queued.
    pub fn try_recv(&mut self) -> Option<FailoverEvent> {
        self.receiver.try_recv().ok()
    }
}

/// Keeps an agent working across the regions of a traffic distribution group: one session per
/// region, kept alive for the whole shift; offers surfaced only from the active region; the
/// agent kept offline elsewhere; soft, hard and forced failover.
///
/// Cheap to clone; dropping the last clone stops every task and session.
///
/// ```no_run
/// use std::sync::Arc;
/// use connect_core::auth::StaticToken;
/// use connect_core::http::HttpCti;
/// use connect_failover::{FailoverCoordinator, FailoverEvent, RegionConfig};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let cti = |url: &str| HttpCti::builder(url).auth(Arc::new(StaticToken::new("token"))).build();
/// let (coordinator, mut events, mut failovers) = FailoverCoordinator::builder()
///     .region(RegionConfig::new("us-east-1", "arn:aws:connect:us-east-1:111122223333:instance/a", cti("https://east.my.connect.aws")?))
///     .region(RegionConfig::new("us-west-2", "arn:aws:connect:us-west-2:111122223333:instance/b", cti("https://west.my.connect.aws")?))
///     .connect()
///     .await?;
/// while let Some(event) = failovers.recv().await {
///     if let FailoverEvent::Completed { active_region, .. } = event {
///         println!("now working in {active_region}");
///     }
/// }
/// # drop((coordinator, events)); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct FailoverCoordinator {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) inbox: mpsc::UnboundedSender<Inbox>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) regions: Vec<RegionInfo>,
    pub(crate) logs: LogBuffer,
    pub(crate) region_logs: BTreeMap<String, LogBuffer>,
    pub(crate) tasks: TaskGuard,
}

impl FailoverCoordinator {
    /// Starts building a coordinator.
    pub fn builder() -> FailoverCoordinatorBuilder {
        FailoverCoordinatorBuilder::default()
    }

    /// The coordinator's state, regions' health and the desired state.
    pub fn status(&self) -> FailoverStatus {
        self.inner.shared.status().clone()
    }

    /// The region the agent works in.
    pub fn active_region(&self) -> Option<String> {
        self.status().active_region
    }

    /// The regions, primary first.
    pub fn regions(&self) -> &[RegionInfo] {
        &self.inner.regions
    }

    /// The session of `region`, once connected (for contact actions: accept, hang up, clear).
    pub fn session(&self, region: &str) -> Option<AgentSession> {
        self.inner.shared.sessions().get(region).cloned()
    }

    /// The session of `region`, waiting for it to connect: [`connect`](FailoverCoordinatorBuilder::connect)
    /// returns once one region's session is up, the others follow. `None` for a region the
    /// coordinator does not have, or once it stops.
    pub async fn connected_session(&self, region: &str) -> Option<AgentSession> {
        if !self.inner.regions.iter().any(|r| r.name == region) {
            return None;
        }
        let mut sessions_up = self.inner.shared.sessions_up.subscribe();
        sessions_up
            .wait_for(|_| self.session(region).is_some())
            .await
            .ok()?;
        self.session(region)
    }

    /// The session of the active region.
    pub fn active_session(&self) -> Option<AgentSession> {
        self.session(&self.active_region()?)
    }

    async fn ask(
        &self,
        message: impl FnOnce(oneshot::Sender<Result<(), FailoverError>>) -> Inbox,
    ) -> Result<(), FailoverError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .inbox
            .send(message(reply))
            .map_err(|_| FailoverError::Stopped)?;
        answer.await.map_err(|_| FailoverError::Stopped)?
    }

    /// During pending: switch now; the old region's contacts stay visible and operable until
    /// they end. Does not change the traffic distribution group.
    pub async fn force_failover(&self) -> Result<(), FailoverError> {
        self.ask(|reply| Inbox::Force {
            hang_up: false,
            reply,
        })
        .await
    }

    /// During pending: switch now and end the old region's contacts (hard cleanup).
    pub async fn force_failover_hang_up(&self) -> Result<(), FailoverError> {
        self.ask(|reply| Inbox::Force {
            hang_up: true,
            reply,
        })
        .await
    }

    /// Fails over to `region` as if the traffic distribution group said so (operators, tests).
    /// Does not change the group: the next change of the group's decision wins.
    pub async fn failover_to(&self, region: &str, mode: FailoverMode) -> Result<(), FailoverError> {
        let region = region.to_owned();
        self.ask(|reply| Inbox::FailoverTo {
            region,
            mode,
            reply,
        })
        .await
    }

    /// Sets the agent's desired state (applied in the working region now, and in the new
    /// region after a failover, mapped by name and type).
    pub async fn set_desired_state(&self, desired: DesiredState) -> Result<(), FailoverError> {
        self.ask(|reply| Inbox::SetDesired { desired, reply }).await
    }

    /// The coordinator's own log (decisions, transitions, timers, cleanup attempts).
    pub fn logs(&self) -> LogBuffer {
        self.inner.logs.clone()
    }

    /// The download files: `<region>-<logName>.txt` per region (its session's entries and the
    /// coordinator's actions there) and `failover-<logName>.txt` for the coordinator.
    pub fn export_logs(&self, log_name: Option<&str>, filter_by_level: bool) -> Vec<LogExport> {
        let mut files: Vec<LogExport> = self
            .inner
            .region_logs
            .values()
            .map(|logs| logs.export(log_name, filter_by_level))
            .collect();
        files.push(self.inner.logs.export(log_name, filter_by_level));
        files
    }

    /// Writes [`export_logs`](Self::export_logs) into `dir`; returns the paths written.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn write_logs(
        &self,
        dir: &std::path::Path,
        log_name: Option<&str>,
    ) -> std::io::Result<Vec<std::path::PathBuf>> {
        self.export_logs(log_name, false)
            .into_iter()
            .map(|export| {
                let path = dir.join(&export.file_name);
                std::fs::write(&path, export.json)?;
                Ok(path)
            })
            .collect()
    }

    /// Stops the coordinator, its sources and every region's session.
    pub async fn shutdown(&self) {
        self.inner.tasks.abort_all();
        let sessions: Vec<AgentSession> = self.inner.shared.sessions().values().cloned().collect();
        for session in sessions {
            session.shutdown().await;
        }
        tracing::info!("failover coordinator shut down");
    }
}
