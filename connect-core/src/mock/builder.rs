//! [`SimInstanceBuilder`]: a [`SimSpec`] plus the clock to run it against.

use std::sync::Arc;
use std::time::Duration;

use crate::time::{Clock, SystemClock};

use super::config::{AgentSpec, QueueSpec, RoutingProfileSpec, SimSettings, StateSpec};
use super::engine::{SimConfigError, SimEngine, SimSpec};
use super::instance::SimInstance;
use super::turn::TurnConfig;

/// Builds a [`SimInstance`]; every setting has a default.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use connect_core::mock::{AgentSpec, QueueSpec, RoutingProfileSpec, SimInstance};
/// use connect_core::model::{Channel, Timestamp};
/// use connect_core::time::ManualClock;
///
/// let sim = SimInstance::builder()
///     .seed(42)
///     .region("eu-west-2")
///     .queue(QueueSpec::new("Support"))
///     .routing_profile(RoutingProfileSpec::new("Support").queue("Support", Channel::Voice, 1))
///     .agent(AgentSpec::new("jdoe").routing_profile("Support").auto_accept(true))
///     .ring_timeout(Duration::from_secs(10))
///     .answer_delay(Duration::from_millis(100))
///     .clock(Arc::new(ManualClock::new(Timestamp::from_millis(0))))
///     .build()
///     .unwrap();
/// assert_eq!(sim.agent_ids().len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct SimInstanceBuilder {
    spec: SimSpec,
    clock: Option<Arc<dyn Clock>>,
}

impl SimInstanceBuilder {
    /// Starts from a full spec.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstanceBuilder, SimSpec};
    /// let sim = SimInstanceBuilder::from_spec(SimSpec::default().agents(1)).build().unwrap();
    /// assert_eq!(sim.agent_ids().len(), 1);
    /// ```
    pub fn from_spec(spec: SimSpec) -> Self {
        Self { spec, clock: None }
    }

    /// Seed of every id and token.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let a = SimInstance::builder().seed(5).agents(1).build().unwrap();
    /// let b = SimInstance::builder().seed(5).agents(1).build().unwrap();
    /// assert_eq!(a.agent_ids(), b.agent_ids());
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.spec.seed = seed;
        self
    }

    /// AWS region of the ARNs.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().region("ap-southeast-2").build().unwrap();
    /// assert!(sim.with_engine(|e| e.instance_arn()).contains(":ap-southeast-2:"));
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.spec.region = region.into();
        self
    }

    /// Adds `n` default agents (`agent1`, `agent2`, ...).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// assert!(SimInstance::builder().agents(2).build().unwrap().agent_id("agent2").is_some());
    /// ```
    pub fn agents(mut self, n: usize) -> Self {
        self.spec = self.spec.agents(n);
        self
    }

    /// Adds an agent.
    ///
    /// ```
    /// # use connect_core::mock::{AgentSpec, SimInstance};
    /// let sim = SimInstance::builder().agent(AgentSpec::new("jdoe")).build().unwrap();
    /// assert!(sim.agent_id("jdoe").is_some());
    /// ```
    pub fn agent(mut self, agent: AgentSpec) -> Self {
        self.spec.agents.push(agent);
        self
    }

    /// Adds a queue (the default `BasicQueue` exists only when no queue is added).
    ///
    /// ```
    /// # use connect_core::mock::{QueueSpec, RoutingProfileSpec, SimInstance};
    /// # use connect_core::model::Channel;
    /// let sim = SimInstance::builder()
    ///     .queue(QueueSpec::new("Sales"))
    ///     .routing_profile(RoutingProfileSpec::new("Sales").queue("Sales", Channel::Chat, 1))
    ///     .build().unwrap();
    /// assert!(sim.with_engine(|e| e.queue_arn("Sales")).is_some());
    /// ```
    pub fn queue(mut self, queue: QueueSpec) -> Self {
        self.spec.queues.push(queue);
        self
    }

    /// Adds a routing profile (the default `Basic` exists only when none is added).
    ///
    /// ```
    /// # use connect_core::mock::{RoutingProfileSpec, SimInstance};
    /// assert!(SimInstance::builder().routing_profile(RoutingProfileSpec::basic()).build().is_ok());
    /// ```
    pub fn routing_profile(mut self, profile: RoutingProfileSpec) -> Self {
        self.spec.profiles.push(profile);
        self
    }

    /// Replaces the selectable agent states.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, StateSpec};
    /// # use connect_core::model::AgentStateType;
    /// let mut states = StateSpec::defaults();
    /// states.push(StateSpec::new("Lunch", AgentStateType::NotRoutable));
    /// assert!(SimInstance::builder().states(states).build().is_ok());
    /// ```
    pub fn states(mut self, states: Vec<StateSpec>) -> Self {
        self.spec.states = states;
        self
    }

    /// Adds a phone-number quick connect.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// assert!(SimInstance::builder().phone_quick_connect("Desk", "+15555550199").build().is_ok());
    /// ```
    pub fn phone_quick_connect(
        mut self,
        name: impl Into<String>,
        number: impl Into<String>,
    ) -> Self {
        self.spec = self.spec.phone_quick_connect(name, number);
        self
    }

    /// Replaces all timing and behaviour settings.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, SimSettings};
    /// assert!(SimInstance::builder().settings(SimSettings::default()).build().is_ok());
    /// ```
    pub fn settings(mut self, settings: SimSettings) -> Self {
        self.spec.settings = settings;
        self
    }

    /// How long offers ring before they are missed (default 20 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().ring_timeout(Duration::from_secs(5)).build().unwrap();
    /// assert_eq!(sim.with_engine(|e| e.settings().ring_timeout), Duration::from_secs(5));
    /// ```
    pub fn ring_timeout(mut self, timeout: Duration) -> Self {
        self.spec.settings.ring_timeout = timeout;
        self.spec.settings.chat_task_ring_timeout = timeout;
        self
    }

    /// Delay from accept (or dialling) to `connected` (default 200 ms).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().answer_delay(Duration::from_millis(50)).build().unwrap();
    /// assert_eq!(sim.with_engine(|e| e.settings().answer_delay), Duration::from_millis(50));
    /// ```
    pub fn answer_delay(mut self, delay: Duration) -> Self {
        self.spec.settings.answer_delay = delay;
        self
    }

    /// How long missed, rejected and failed offers stay in the snapshot (default 2 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::SimInstance;
    /// assert!(SimInstance::builder().missed_linger(Duration::from_secs(1)).build().is_ok());
    /// ```
    pub fn missed_linger(mut self, linger: Duration) -> Self {
        self.spec.settings.missed_linger = linger;
        self
    }

    /// TURN servers, secret and signaling endpoint of softphone legs.
    ///
    /// ```
    /// # use connect_core::mock::{SimInstance, TurnConfig};
    /// let turn = TurnConfig { urls: vec!["turn:10.0.0.1:3478".into()], ..TurnConfig::default() };
    /// assert!(SimInstance::builder().turn(turn).build().is_ok());
    /// ```
    pub fn turn(mut self, turn: TurnConfig) -> Self {
        self.spec.settings.turn = turn;
        self
    }

    /// Caps every list page (forces clients to paginate).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// assert!(SimInstance::builder().max_page_size(1).build().is_ok());
    /// ```
    pub fn max_page_size(mut self, size: usize) -> Self {
        self.spec = self.spec.max_page_size(size);
        self
    }

    /// The clock to run against (default: [`SystemClock`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_core::{mock::SimInstance, model::Timestamp, time::{Clock, ManualClock}};
    /// let sim = SimInstance::builder().clock(Arc::new(ManualClock::new(Timestamp::from_millis(9)))).build().unwrap();
    /// assert_eq!(sim.clock().now().as_millis(), 9);
    /// ```
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the instance, starting at the clock's current time.
    ///
    /// ```
    /// # use connect_core::mock::{AgentSpec, SimInstance};
    /// assert!(SimInstance::builder().agent(AgentSpec::new("a").initial_state("Nope")).build().is_err());
    /// ```
    pub fn build(self) -> Result<SimInstance, SimConfigError> {
        let clock = self
            .clock
            .unwrap_or_else(|| Arc::new(SystemClock::default()));
        let engine = SimEngine::new(&self.spec, clock.now())?;
        Ok(SimInstance::from_parts(engine, clock, self.spec.seed))
    }
}
