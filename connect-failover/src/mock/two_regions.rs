//! [`SimTwoRegions`]: two simulated regions with the same agent login, each behind its own
//! loopback server, and the traffic distribution group serving the global discovery URL.

use std::sync::Arc;

use connect_core::auth::StaticToken;
use connect_core::http::HttpCti;
use connect_core::mock::{AgentSpec, SimInstance, SimInstanceBuilder, SimServer};
use connect_core::time::{Clock, SystemClock};
use connect_core::ws::{WsManager, WsUrlSource};

use super::SimTrafficDistribution;
use crate::{FailoverError, RegionConfig};

/// One simulated region.
#[derive(Clone, Debug)]
pub struct SimRegion {
    /// The region label (`us-east-1`).
    pub name: String,
    /// Its instance's ARN.
    pub instance_arn: String,
    /// The simulated instance (customer controls, faults, journal).
    pub instance: SimInstance,
    /// Its loopback server.
    pub server: SimServer,
}

type Configure = Box<dyn Fn(SimInstanceBuilder) -> SimInstanceBuilder + Send + Sync>;

/// Options of a [`SimTwoRegions`] harness.
pub struct SimTwoRegionsBuilder {
    names: [String; 2],
    agent: AgentSpec,
    seed: u64,
    clock: Option<Arc<dyn Clock>>,
    configure: Option<Configure>,
}

impl std::fmt::Debug for SimTwoRegionsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimTwoRegionsBuilder")
            .field("names", &self.names)
            .field("agent", &self.agent.username)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl SimTwoRegionsBuilder {
    /// The two region labels (default `us-east-1`, the primary, and `us-west-2`).
    pub fn regions(mut self, primary: impl Into<String>, secondary: impl Into<String>) -> Self {
        self.names = [primary.into(), secondary.into()];
        self
    }

    /// The agent, created with the same login in both regions (default `agent1`).
    pub fn agent(mut self, agent: AgentSpec) -> Self {
        self.agent = agent;
        self
    }

    /// Seed of the first instance (the second uses `seed + 1`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The clock of both instances (default: the system clock, virtual under tokio's paused
    /// time).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Applied to both instances' builders (ring timeout, answer delay, queues, …).
    pub fn configure(
        mut self,
        configure: impl Fn(SimInstanceBuilder) -> SimInstanceBuilder + Send + Sync + 'static,
    ) -> Self {
        self.configure = Some(Box::new(configure));
        self
    }

    /// Builds both instances, starts the three servers on loopback and points both regions'
    /// `createTransport agent_discovery` at the global discovery URL (active: the primary).
    pub async fn start(self) -> Result<SimTwoRegions, FailoverError> {
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(SystemClock::default()));
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            FailoverError::Config(format!("simulated regions: {what}: {e}"))
        };
        let discovery_instance = SimInstance::builder()
            .clock(Arc::clone(&clock))
            .build()
            .map_err(|e| failed("discovery instance", &e))?;
        let discovery = SimServer::builder(discovery_instance)
            .insecure_ws(true)
            .start()
            .await
            .map_err(|e| failed("discovery server", &e))?;
        let url = discovery.discovery_url();
        let mut regions = Vec::new();
        for (offset, name) in (0u64..).zip(&self.names) {
            let mut builder = SimInstance::builder()
                .seed(self.seed.wrapping_add(offset))
                .region(name.clone())
                .agent(self.agent.clone())
                .clock(Arc::clone(&clock));
            if let Some(configure) = &self.configure {
                builder = configure(builder);
            }
            let instance = builder.build().map_err(|e| failed(name, &e))?;
            let server = SimServer::builder(instance.clone())
                .insecure_ws(true)
                .start()
                .await
                .map_err(|e| failed(name, &e))?;
            let discovery_url = url.clone();
            instance.with_engine(|engine| {
                engine.settings_mut().agent_discovery_url = Some(discovery_url)
            });
            regions.push(SimRegion {
                name: name.clone(),
                instance_arn: instance.with_engine(|engine| engine.instance_arn()),
                instance,
                server,
            });
        }
        let regions = Arc::new(regions);
        let traffic = SimTrafficDistribution::new(discovery, Arc::clone(&regions), &regions[0]);
        Ok(SimTwoRegions {
            regions,
            traffic,
            clock,
        })
    }
}

/// Two simulated regions and their traffic distribution group.
///
/// ```
/// use connect_failover::mock::SimTwoRegions;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sim = SimTwoRegions::builder().start().await.unwrap();
/// assert_eq!(sim.regions().len(), 2);
/// sim.traffic().set_active("us-west-2", false).unwrap();
/// let configs = sim.region_configs("agent1").unwrap();
/// assert_eq!(configs[1].info.name, "us-west-2");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SimTwoRegions {
    regions: Arc<Vec<SimRegion>>,
    traffic: SimTrafficDistribution,
    clock: Arc<dyn Clock>,
}

impl SimTwoRegions {
    /// The options: `us-east-1` (primary) and `us-west-2`, agent `agent1`.
    pub fn builder() -> SimTwoRegionsBuilder {
        SimTwoRegionsBuilder {
            names: ["us-east-1".into(), "us-west-2".into()],
            agent: AgentSpec::new("agent1"),
            seed: 1,
            clock: None,
            configure: None,
        }
    }

    /// Both regions, primary first.
    pub fn regions(&self) -> &[SimRegion] {
        &self.regions
    }

    /// The region called `name`.
    pub fn region(&self, name: &str) -> Option<&SimRegion> {
        self.regions.iter().find(|r| r.name == name)
    }

    /// The traffic distribution group.
    pub fn traffic(&self) -> &SimTrafficDistribution {
        &self.traffic
    }

    /// The clock of both instances.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// A coordinator region for agent `login` in `region`: an `HttpCti` to that region's server
    /// with a token it issued.
    pub fn region_config(&self, region: &str, login: &str) -> Result<RegionConfig, FailoverError> {
        let (sim, api) = self.region_api(region, login)?;
        Ok(RegionConfig::new(&sim.name, &sim.instance_arn, api).ccp_url(sim.server.url()))
    }

    /// [`region_config`](Self::region_config) whose session also connects the region's CCP
    /// WebSocket ([`RegionConfig::websocket`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sim = connect_failover::mock::SimTwoRegions::builder().start().await.unwrap();
    /// let east = sim.region_config_with_websocket("us-east-1", "agent1").unwrap();
    /// assert!(east.websocket.is_some());
    /// # }
    /// ```
    pub fn region_config_with_websocket(
        &self,
        region: &str,
        login: &str,
    ) -> Result<RegionConfig, FailoverError> {
        let (sim, api) = self.region_api(region, login)?;
        let urls: Arc<dyn WsUrlSource> = Arc::new(api.clone());
        let clock = Arc::clone(&self.clock);
        Ok(RegionConfig::new(&sim.name, &sim.instance_arn, api)
            .ccp_url(sim.server.url())
            .websocket(move || {
                WsManager::builder(Arc::clone(&urls))
                    .clock(Arc::clone(&clock))
                    .allow_insecure_loopback(true)
            }))
    }

    /// The region called `region` and an `HttpCti` to its server for agent `login`.
    fn region_api(
        &self,
        region: &str,
        login: &str,
    ) -> Result<(&SimRegion, HttpCti), FailoverError> {
        let sim = self
            .region(region)
            .ok_or_else(|| FailoverError::UnknownRegion(region.to_owned()))?;
        let token = sim
            .instance
            .issue_token(login)
            .map_err(|e| FailoverError::cti(region, e))?;
        let api = HttpCti::builder(sim.server.url())
            .auth(Arc::new(StaticToken::new(token.auth_token)))
            .clock(Arc::clone(&self.clock))
            .build()
            .map_err(|e| FailoverError::Config(format!("{region}: {e}")))?;
        Ok((sim, api))
    }

    /// [`region_config`](Self::region_config) of both regions, primary first.
    pub fn region_configs(&self, login: &str) -> Result<Vec<RegionConfig>, FailoverError> {
        self.regions
            .iter()
            .map(|r| self.region_config(&r.name, login))
            .collect()
    }

    /// Stops the servers.
    pub async fn shutdown(&self) {
        for region in self.regions.iter() {
            region.server.shutdown().await;
        }
    }
}
