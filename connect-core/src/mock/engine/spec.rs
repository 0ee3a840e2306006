//! [`SimSpec`]: everything an engine is built from, and building it.

use std::collections::BTreeMap;

use crate::model::{AgentStateType, Timestamp};

use super::super::config::{
    AgentSpec, QueueSpec, RoutingProfileSpec, SimSettings, StateSpec, DEFAULT_QUEUE,
};
use super::super::ids::IdGen;
use super::super::journal::{Journal, JournalEvent};
use super::super::script::Counters;
use super::directory::{Directory, QuickConnect, QuickTarget};
use super::model::SimAgent;
use super::SimEngine;

/// Why an instance could not be built from its spec.
///
/// ```
/// use connect_core::mock::{AgentSpec, SimConfigError, SimEngine, SimSpec};
/// use connect_core::model::Timestamp;
///
/// let spec = SimSpec::default().agent(AgentSpec::new("a").routing_profile("Nope"));
/// let err = SimEngine::new(&spec, Timestamp::from_millis(0)).unwrap_err();
/// assert_eq!(err, SimConfigError::UnknownProfile("Nope".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimConfigError {
    /// Two queues, profiles or agents share a name.
    #[error("duplicate {0}")]
    Duplicate(String),
    /// A profile names a queue that does not exist.
    #[error("unknown queue {0}")]
    UnknownQueue(String),
    /// An agent names a routing profile that does not exist.
    #[error("unknown routing profile {0}")]
    UnknownProfile(String),
    /// A profile has no queue (so no default outbound queue).
    #[error("routing profile {0} has no queue")]
    EmptyProfile(String),
    /// An agent state is not `routable`, `not_routable` or `offline`.
    #[error("agent state {0} must be routable, not_routable or offline")]
    InvalidState(String),
    /// No agent state of this type (at least one of each is required).
    #[error("no agent state of type {0}")]
    MissingState(String),
    /// An agent starts in a state the instance does not have.
    #[error("unknown agent state {0}")]
    UnknownAgentState(String),
}

/// The description of an instance: seed, region, queues, routing profiles, agents, agent
/// states, phone quick connects and settings. With no queues or profiles, the instance gets
/// one [`DEFAULT_QUEUE`] and the [`RoutingProfileSpec::basic`] profile.
///
/// ```
/// use connect_core::mock::{AgentSpec, SimSpec};
///
/// let spec = SimSpec::default().seed(42).region("eu-west-2").agents(2).agent(AgentSpec::new("lead"));
/// assert_eq!(spec.agents.len(), 3);
/// assert_eq!(spec.agents[0].username, "agent1");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SimSpec {
    /// Seed of every id and token.
    pub seed: u64,
    /// AWS region of the ARNs.
    pub region: String,
    /// Queues (default: one [`DEFAULT_QUEUE`]).
    pub queues: Vec<QueueSpec>,
    /// Routing profiles (default: [`RoutingProfileSpec::basic`]).
    pub profiles: Vec<RoutingProfileSpec>,
    /// Agents.
    pub agents: Vec<AgentSpec>,
    /// Selectable agent states (default: [`StateSpec::defaults`]).
    pub states: Vec<StateSpec>,
    /// Phone-number quick connects: (name, number).
    pub phone_quick_connects: Vec<(String, String)>,
    /// Timing and behaviour.
    pub settings: SimSettings,
    /// Largest page any list returns, whatever `maxResults` asks (forces pagination).
    pub max_page_size: usize,
}

impl Default for SimSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            region: "us-east-1".to_owned(),
            queues: Vec::new(),
            profiles: Vec::new(),
            agents: Vec::new(),
            states: StateSpec::defaults(),
            phone_quick_connects: Vec::new(),
            settings: SimSettings::default(),
            max_page_size: 500,
        }
    }
}

impl SimSpec {
    /// Sets the seed.
    ///
    /// ```
    /// # use connect_core::mock::SimSpec;
    /// assert_eq!(SimSpec::default().seed(9).seed, 9);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the region.
    ///
    /// ```
    /// # use connect_core::mock::SimSpec;
    /// assert_eq!(SimSpec::default().region("us-west-2").region, "us-west-2");
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Adds `n` default agents `agent<k>` (numbered after the agents already there).
    ///
    /// ```
    /// # use connect_core::mock::SimSpec;
    /// assert_eq!(SimSpec::default().agents(2).agents[1].username, "agent2");
    /// ```
    pub fn agents(mut self, n: usize) -> Self {
        let start = self.agents.len();
        for k in start + 1..=start + n {
            self.agents
                .push(AgentSpec::new(format!("agent{k}")).name(format!("Agent {k}")));
        }
        self
    }

    /// Adds an agent.
    ///
    /// ```
    /// # use connect_core::mock::{AgentSpec, SimSpec};
    /// assert_eq!(SimSpec::default().agent(AgentSpec::new("x")).agents.len(), 1);
    /// ```
    pub fn agent(mut self, agent: AgentSpec) -> Self {
        self.agents.push(agent);
        self
    }

    /// Adds a queue.
    ///
    /// ```
    /// # use connect_core::mock::{QueueSpec, SimSpec};
    /// assert_eq!(SimSpec::default().queue(QueueSpec::new("Q")).queues.len(), 1);
    /// ```
    pub fn queue(mut self, queue: QueueSpec) -> Self {
        self.queues.push(queue);
        self
    }

    /// Adds a routing profile.
    ///
    /// ```
    /// # use connect_core::mock::{RoutingProfileSpec, SimSpec};
    /// assert_eq!(SimSpec::default().routing_profile(RoutingProfileSpec::basic()).profiles.len(), 1);
    /// ```
    pub fn routing_profile(mut self, profile: RoutingProfileSpec) -> Self {
        self.profiles.push(profile);
        self
    }

    /// Replaces the agent states.
    ///
    /// ```
    /// # use connect_core::mock::{SimSpec, StateSpec};
    /// assert_eq!(SimSpec::default().states(StateSpec::defaults()).states.len(), 3);
    /// ```
    pub fn states(mut self, states: Vec<StateSpec>) -> Self {
        self.states = states;
        self
    }

    /// Adds a phone-number quick connect.
    ///
    /// ```
    /// # use connect_core::mock::SimSpec;
    /// assert_eq!(SimSpec::default().phone_quick_connect("Desk", "+15555550199").phone_quick_connects.len(), 1);
    /// ```
    pub fn phone_quick_connect(
        mut self,
        name: impl Into<String>,
        number: impl Into<String>,
    ) -> Self {
        self.phone_quick_connects.push((name.into(), number.into()));
        self
    }

    /// Replaces the settings.
    ///
    /// ```
    /// # use connect_core::mock::{SimSettings, SimSpec};
    /// assert_eq!(SimSpec::default().settings(SimSettings::default()).settings, SimSettings::default());
    /// ```
    pub fn settings(mut self, settings: SimSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Caps every list page at `size` entries (at least 1).
    ///
    /// ```
    /// # use connect_core::mock::SimSpec;
    /// assert_eq!(SimSpec::default().max_page_size(2).max_page_size, 2);
    /// ```
    pub fn max_page_size(mut self, size: usize) -> Self {
        self.max_page_size = size.max(1);
        self
    }
}

impl SimEngine {
    /// Builds the instance described by `spec`, at time `now`.
    ///
    /// ```
    /// use connect_core::mock::{SimEngine, SimSpec};
    /// use connect_core::model::Timestamp;
    ///
    /// let engine = SimEngine::new(&SimSpec::default().seed(3).agents(2), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.agent_ids().len(), 2);
    /// assert!(engine.instance_arn().starts_with("arn:aws:connect:us-east-1:"));
    /// ```
    pub fn new(spec: &SimSpec, now: Timestamp) -> Result<Self, SimConfigError> {
        let mut ids = IdGen::new(spec.seed);
        let queues = if spec.queues.is_empty() {
            vec![QueueSpec::new(DEFAULT_QUEUE)]
        } else {
            spec.queues.clone()
        };
        let profiles = if spec.profiles.is_empty() {
            vec![RoutingProfileSpec::basic()]
        } else {
            spec.profiles.clone()
        };
        let mut dir = Directory::build(&mut ids, &spec.region, &queues, &profiles, &spec.states)?;
        let mut agents = Vec::new();
        for (index, agent) in spec.agents.iter().enumerate() {
            if spec.agents[..index]
                .iter()
                .any(|a| a.username == agent.username)
            {
                return Err(SimConfigError::Duplicate(format!(
                    "agent {}",
                    agent.username
                )));
            }
            let profile = dir
                .profile_by_name(agent.routing_profile.as_deref())
                .ok_or_else(|| {
                    SimConfigError::UnknownProfile(
                        agent.routing_profile.clone().unwrap_or_default(),
                    )
                })?;
            let selected = dir
                .state_by_name(&agent.initial_state)
                .ok_or_else(|| SimConfigError::UnknownAgentState(agent.initial_state.clone()))?;
            let id = ids.uuid();
            let arn = dir.arn("agent", &id);
            let personal_queue = dir.add_personal_queue(index, &id);
            let qc_arn = dir.arn("transfer-destination", &ids.uuid());
            dir.quick_connects.push(QuickConnect {
                arn: qc_arn,
                name: agent.name.clone(),
                target: QuickTarget::Agent(index),
            });
            agents.push(SimAgent {
                id,
                arn,
                username: agent.username.clone(),
                name: agent.name.clone(),
                profile,
                personal_queue,
                softphone: agent.softphone,
                extension: agent.extension.clone(),
                auto_accept: agent.auto_accept,
                permissions: agent.permissions.clone(),
                dialable_countries: agent.dialable_countries.clone(),
                preferences: BTreeMap::from([("LANGUAGE".to_owned(), "en_US".to_owned())]),
                selected,
                selected_since: now,
                error: None,
                next_state: None,
                idle_since: now,
                shown: None,
                version: 0,
                fingerprint: None,
            });
        }
        for (name, number) in &spec.phone_quick_connects {
            let arn = dir.arn("transfer-destination", &ids.uuid());
            dir.quick_connects.push(QuickConnect {
                arn,
                name: name.clone(),
                target: QuickTarget::Phone(number.clone()),
            });
        }
        let mut engine = Self {
            dir,
            settings: spec.settings.clone(),
            ids,
            agents,
            contacts: Vec::new(),
            monitors: Vec::new(),
            timers: Default::default(),
            timer_seq: 0,
            contact_seq: 0,
            arrivals: Vec::new(),
            journal: Journal::default(),
            counters: Counters::default(),
            idempotency: Default::default(),
            dial_scripts: Default::default(),
            max_page_size: spec.max_page_size.max(1),
            now,
        };
        for agent in &engine.agents {
            let state = &engine.dir.states[agent.selected];
            engine.journal.record(
                now,
                JournalEvent::SelectedState {
                    agent: agent.username.clone(),
                    name: state.name.clone(),
                },
            );
        }
        engine.refresh_agents(now);
        Ok(engine)
    }

    /// The agents' ids, in the order they were specified.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.agent_ids()[0].len(), 36);
    /// ```
    pub fn agent_ids(&self) -> Vec<String> {
        self.agents.iter().map(|a| a.id.clone()).collect()
    }

    /// The id of the agent with login `username`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.agent_id("agent1"), Some(engine.agent_ids()[0].clone()));
    /// assert_eq!(engine.agent_id("nobody"), None);
    /// ```
    pub fn agent_id(&self, username: &str) -> Option<String> {
        self.agents
            .iter()
            .find(|a| a.username == username || a.id == username)
            .map(|a| a.id.clone())
    }

    /// The agent's login, by id.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// let id = engine.agent_ids()[0].clone();
    /// assert_eq!(engine.agent_username(&id).as_deref(), Some("agent1"));
    /// ```
    pub fn agent_username(&self, agent_id: &str) -> Option<String> {
        self.agents
            .iter()
            .find(|a| a.id == agent_id)
            .map(|a| a.username.clone())
    }

    /// `arn:aws:connect:<region>:<account>:instance/<id>`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().region("eu-central-1"), Timestamp::from_millis(0)).unwrap();
    /// assert!(engine.instance_arn().contains(":eu-central-1:"));
    /// ```
    pub fn instance_arn(&self) -> String {
        format!(
            "arn:aws:connect:{}:{}:instance/{}",
            self.dir.region, self.dir.account, self.dir.instance_id
        )
    }

    /// The instance's region.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.region(), "us-east-1");
    /// ```
    pub fn region(&self) -> &str {
        &self.dir.region
    }

    /// The ARN of queue `name`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(0)).unwrap();
    /// assert!(engine.queue_arn("BasicQueue").unwrap().contains("/queue/"));
    /// ```
    pub fn queue_arn(&self, name: &str) -> Option<String> {
        self.dir
            .queue_by_name(name)
            .map(|q| self.dir.queues[q].arn.clone())
    }

    /// Whether `kind` is one users may select.
    pub(crate) fn selectable(kind: &AgentStateType) -> bool {
        matches!(
            kind,
            AgentStateType::Routable | AgentStateType::NotRoutable | AgentStateType::Offline
        )
    }
}
