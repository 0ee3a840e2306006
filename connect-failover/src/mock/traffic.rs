//! [`SimTrafficDistribution`]: the simulated traffic distribution group — which instance is
//! active (served at the global discovery URL) — and per-region impairment.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use connect_core::mock::{Reachability, SimFaults, SimServer};

use super::SimRegion;
use crate::FailoverError;

/// How a region is impaired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Impairment {
    /// Everything answers normally again (the server serves, faults are cleared).
    Healthy,
    /// Every CTI call waits this long before it is handled.
    Latency(Duration),
    /// Every CTI call fails with this 5xx status.
    Errors(u16),
    /// WebSockets stay open but the server sends nothing (no heartbeat answers).
    FreezeWebSocket,
    /// The server stops: connections are refused.
    CutOffRefused,
    /// Connections are accepted but never answered.
    CutOffBlackHole,
}

/// The traffic distribution group of a [`SimTwoRegions`](super::SimTwoRegions) harness. Cheap to
/// clone.
#[derive(Clone, Debug)]
pub struct SimTrafficDistribution {
    discovery: SimServer,
    regions: Arc<Vec<SimRegion>>,
    active: Arc<Mutex<(String, bool)>>,
}

impl SimTrafficDistribution {
    pub(super) fn new(
        discovery: SimServer,
        regions: Arc<Vec<SimRegion>>,
        primary: &SimRegion,
    ) -> Self {
        discovery.set_active_region(&primary.instance_arn, false);
        Self {
            discovery,
            regions,
            active: Arc::new(Mutex::new((primary.name.clone(), false))),
        }
    }

    fn region(&self, name: &str) -> Result<&SimRegion, FailoverError> {
        self.regions
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| FailoverError::UnknownRegion(name.to_owned()))
    }

    /// The group now wants the agent in `region`; `terminate_active_contacts` asks for a hard
    /// failover.
    pub fn set_active(
        &self,
        region: &str,
        terminate_active_contacts: bool,
    ) -> Result<(), FailoverError> {
        let arn = self.region(region)?.instance_arn.clone();
        self.discovery
            .set_active_region(&arn, terminate_active_contacts);
        *self.active.lock().unwrap_or_else(PoisonError::into_inner) =
            (region.to_owned(), terminate_active_contacts);
        tracing::info!(
            region,
            terminate_active_contacts,
            "simulated TDG: active region set"
        );
        Ok(())
    }

    /// The active region and its terminate flag.
    pub fn active(&self) -> (String, bool) {
        self.active
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The global discovery URL (what `createTransport agent_discovery` hands out).
    pub fn discovery_url(&self) -> String {
        self.discovery.discovery_url()
    }

    /// Impairs `region` (or heals it with [`Impairment::Healthy`]).
    pub async fn impair(&self, region: &str, impairment: Impairment) -> Result<(), FailoverError> {
        let region = self.region(region)?;
        let faults = region.instance.faults();
        match impairment {
            Impairment::Healthy => {
                faults.clear();
                region.server.freeze_websockets(false);
                region.server.start().await.map_err(|e| {
                    FailoverError::Config(format!("restarting {}: {e}", region.name))
                })?;
            }
            Impairment::Latency(latency) => faults.set_latency(None, latency),
            Impairment::Errors(status) => {
                faults.fail_next(None, u32::MAX, SimFaults::server_error(status))
            }
            Impairment::FreezeWebSocket => region.server.freeze_websockets(true),
            Impairment::CutOffRefused => region.server.stop().await,
            Impairment::CutOffBlackHole => faults.set_reachability(Reachability::BlackHole),
        }
        tracing::info!(region = %region.name, ?impairment, "simulated region impairment");
        Ok(())
    }
}
