//! What a simulated instance is made of: agents, queues, routing profiles and the timing and
//! media settings, as plain specs the builder resolves into ARNs and ids.

use std::time::Duration;

use crate::model::{permissions, AgentStateType, Channel};

use super::turn::TurnConfig;

/// Name of the queue every default instance has.
///
/// ```
/// use connect_core::mock::{SimInstance, DEFAULT_QUEUE};
/// let sim = SimInstance::builder().build().unwrap();
/// assert!(sim.with_engine(|e| e.queue_arn(DEFAULT_QUEUE)).is_some());
/// ```
pub const DEFAULT_QUEUE: &str = "BasicQueue";
/// Name of the routing profile every default instance has.
///
/// ```
/// use connect_core::mock::{RoutingProfileSpec, DEFAULT_PROFILE};
/// assert_eq!(RoutingProfileSpec::basic().name, DEFAULT_PROFILE);
/// ```
pub const DEFAULT_PROFILE: &str = "Basic";

/// A queue to create.
///
/// ```
/// use connect_core::mock::QueueSpec;
/// assert_eq!(QueueSpec::new("Support").name, "Support");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    /// Unique name.
    pub name: String,
}

impl QueueSpec {
    /// A queue called `name`.
    ///
    /// ```
    /// # use connect_core::mock::QueueSpec;
    /// let q = QueueSpec::new("Sales");
    /// assert_eq!(q.name, "Sales");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

/// One queue of a routing profile for one channel.
///
/// ```
/// use connect_core::{mock::QueueEntry, model::Channel};
///
/// let e = QueueEntry::new("Support", Channel::Voice).priority(2).delay_secs(5);
/// assert_eq!((e.priority, e.delay_secs), (2, 5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueEntry {
    /// The queue's name.
    pub queue: String,
    /// The channel routed from it.
    pub channel: Channel,
    /// 1 is the highest priority.
    pub priority: u32,
    /// Seconds a contact waits in the queue before agents of this profile are offered it.
    pub delay_secs: u32,
}

impl QueueEntry {
    /// `queue` for `channel`, priority 1, no delay.
    ///
    /// ```
    /// # use connect_core::{mock::QueueEntry, model::Channel};
    /// assert_eq!(QueueEntry::new("Q", Channel::Chat).priority, 1);
    /// ```
    pub fn new(queue: impl Into<String>, channel: Channel) -> Self {
        Self {
            queue: queue.into(),
            channel,
            priority: 1,
            delay_secs: 0,
        }
    }

    /// Sets the priority (1 = highest).
    ///
    /// ```
    /// # use connect_core::{mock::QueueEntry, model::Channel};
    /// assert_eq!(QueueEntry::new("Q", Channel::Voice).priority(3).priority, 3);
    /// ```
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the routing delay in seconds.
    ///
    /// ```
    /// # use connect_core::{mock::QueueEntry, model::Channel};
    /// assert_eq!(QueueEntry::new("Q", Channel::Voice).delay_secs(10).delay_secs, 10);
    /// ```
    pub fn delay_secs(mut self, delay_secs: u32) -> Self {
        self.delay_secs = delay_secs;
        self
    }
}

/// A routing profile to create.
///
/// ```
/// use connect_core::{mock::RoutingProfileSpec, model::Channel};
///
/// let rp = RoutingProfileSpec::new("Sales")
///     .queue("Sales", Channel::Voice, 1)
///     .queue("Sales", Channel::Chat, 1)
///     .concurrency(Channel::Chat, 3)
///     .default_outbound_queue("Sales");
/// assert_eq!(rp.concurrency_of(&Channel::Chat), 3);
/// assert_eq!(rp.concurrency_of(&Channel::Task), 0);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingProfileSpec {
    /// Unique name.
    pub name: String,
    /// Queue entries.
    pub queues: Vec<QueueEntry>,
    /// Queue for outbound calls (defaults to the first voice queue, else the first queue).
    pub default_outbound_queue: Option<String>,
    /// `channelConcurrencyMap` (channel → maximum concurrent contacts).
    pub concurrency: Vec<(Channel, u32)>,
}

impl RoutingProfileSpec {
    /// A profile with no queues and the default concurrency `VOICE: 1, CHAT: 1`.
    ///
    /// ```
    /// # use connect_core::{mock::RoutingProfileSpec, model::Channel};
    /// assert_eq!(RoutingProfileSpec::new("P").concurrency_of(&Channel::Voice), 1);
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            queues: Vec::new(),
            default_outbound_queue: None,
            concurrency: vec![(Channel::Voice, 1), (Channel::Chat, 1)],
        }
    }

    /// Adds `queue` for `channel` with `priority` and no delay.
    ///
    /// ```
    /// # use connect_core::{mock::RoutingProfileSpec, model::Channel};
    /// assert_eq!(RoutingProfileSpec::new("P").queue("Q", Channel::Voice, 1).queues.len(), 1);
    /// ```
    pub fn queue(self, queue: impl Into<String>, channel: Channel, priority: u32) -> Self {
        self.entry(QueueEntry::new(queue, channel).priority(priority))
    }

    /// Adds a queue entry.
    ///
    /// ```
    /// # use connect_core::{mock::{QueueEntry, RoutingProfileSpec}, model::Channel};
    /// let rp = RoutingProfileSpec::new("P").entry(QueueEntry::new("Q", Channel::Task).delay_secs(3));
    /// assert_eq!(rp.queues[0].delay_secs, 3);
    /// ```
    pub fn entry(mut self, entry: QueueEntry) -> Self {
        self.queues.push(entry);
        self
    }

    /// Sets the maximum concurrent contacts of `channel` (0 removes the channel).
    ///
    /// ```
    /// # use connect_core::{mock::RoutingProfileSpec, model::Channel};
    /// assert_eq!(RoutingProfileSpec::new("P").concurrency(Channel::Task, 5).concurrency_of(&Channel::Task), 5);
    /// ```
    pub fn concurrency(mut self, channel: Channel, max: u32) -> Self {
        self.concurrency.retain(|(c, _)| *c != channel);
        if max > 0 {
            self.concurrency.push((channel, max));
        }
        self
    }

    /// Sets the default outbound queue by name.
    ///
    /// ```
    /// # use connect_core::mock::RoutingProfileSpec;
    /// let rp = RoutingProfileSpec::new("P").default_outbound_queue("Q");
    /// assert_eq!(rp.default_outbound_queue.as_deref(), Some("Q"));
    /// ```
    pub fn default_outbound_queue(mut self, queue: impl Into<String>) -> Self {
        self.default_outbound_queue = Some(queue.into());
        self
    }

    /// The concurrency of `channel` (0 when absent).
    ///
    /// ```
    /// # use connect_core::{mock::RoutingProfileSpec, model::Channel};
    /// assert_eq!(RoutingProfileSpec::new("P").concurrency_of(&Channel::Email), 0);
    /// ```
    pub fn concurrency_of(&self, channel: &Channel) -> u32 {
        self.concurrency
            .iter()
            .find(|(c, _)| c == channel)
            .map_or(0, |(_, n)| *n)
    }

    /// The default profile: [`DEFAULT_QUEUE`] for voice, chat and task, `VOICE: 1, CHAT: 1,
    /// TASK: 1`.
    ///
    /// ```
    /// # use connect_core::{mock::RoutingProfileSpec, model::Channel};
    /// let rp = RoutingProfileSpec::basic();
    /// assert_eq!(rp.name, "Basic");
    /// assert_eq!(rp.queues.len(), 3);
    /// assert_eq!(rp.concurrency_of(&Channel::Task), 1);
    /// ```
    pub fn basic() -> Self {
        Self::new(DEFAULT_PROFILE)
            .queue(DEFAULT_QUEUE, Channel::Voice, 1)
            .queue(DEFAULT_QUEUE, Channel::Chat, 1)
            .queue(DEFAULT_QUEUE, Channel::Task, 1)
            .concurrency(Channel::Task, 1)
            .default_outbound_queue(DEFAULT_QUEUE)
    }
}

/// An agent to create.
///
/// ```
/// use connect_core::mock::AgentSpec;
///
/// let agent = AgentSpec::new("jdoe").name("Jane Doe").auto_accept(true);
/// assert_eq!(agent.username, "jdoe");
/// assert!(agent.softphone && agent.auto_accept);
/// assert!(agent.permissions.iter().any(|p| p == "outboundCall"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentSpec {
    /// Login (unique).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Routing profile name ([`DEFAULT_PROFILE`] when `None`).
    pub routing_profile: Option<String>,
    /// Softphone (true) or deskphone (false).
    pub softphone: bool,
    /// Deskphone number.
    pub extension: Option<String>,
    /// Contacts are accepted without `acceptContact`.
    pub auto_accept: bool,
    /// Permissions (`outboundCall`, `voiceId`).
    pub permissions: Vec<String>,
    /// ISO country codes the agent may dial (lower case, e.g. `us`).
    pub dialable_countries: Vec<String>,
    /// Name of the state the agent is in when the instance starts (default `Available`).
    pub initial_state: String,
}

impl AgentSpec {
    /// A softphone agent `username`, named after it, in the default profile, `Available`, with
    /// `outboundCall` and the countries `us`, `ca`, `gb`.
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert_eq!(AgentSpec::new("a").initial_state, "Available");
    /// ```
    pub fn new(username: impl Into<String>) -> Self {
        let username = username.into();
        Self {
            name: username.clone(),
            username,
            routing_profile: None,
            softphone: true,
            extension: None,
            auto_accept: false,
            permissions: vec![permissions::OUTBOUND_CALL.to_owned()],
            dialable_countries: vec!["us".to_owned(), "ca".to_owned(), "gb".to_owned()],
            initial_state: "Available".to_owned(),
        }
    }

    /// Sets the display name.
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert_eq!(AgentSpec::new("a").name("Ann").name, "Ann");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the routing profile by name.
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert_eq!(AgentSpec::new("a").routing_profile("Sales").routing_profile.as_deref(), Some("Sales"));
    /// ```
    pub fn routing_profile(mut self, profile: impl Into<String>) -> Self {
        self.routing_profile = Some(profile.into());
        self
    }

    /// Makes the agent a deskphone agent reached at `extension`.
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// let a = AgentSpec::new("a").deskphone("+15555550100");
    /// assert!(!a.softphone);
    /// ```
    pub fn deskphone(mut self, extension: impl Into<String>) -> Self {
        self.softphone = false;
        self.extension = Some(extension.into());
        self
    }

    /// Sets auto-accept.
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert!(AgentSpec::new("a").auto_accept(true).auto_accept);
    /// ```
    pub fn auto_accept(mut self, auto_accept: bool) -> Self {
        self.auto_accept = auto_accept;
        self
    }

    /// Replaces the permissions.
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert!(AgentSpec::new("a").permissions(Vec::<String>::new()).permissions.is_empty());
    /// ```
    pub fn permissions<S: Into<String>>(
        mut self,
        permissions: impl IntoIterator<Item = S>,
    ) -> Self {
        self.permissions = permissions.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the dialable countries (ISO codes, lower case).
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert_eq!(AgentSpec::new("a").dialable_countries(["de"]).dialable_countries, ["de"]);
    /// ```
    pub fn dialable_countries<S: Into<String>>(
        mut self,
        countries: impl IntoIterator<Item = S>,
    ) -> Self {
        self.dialable_countries = countries.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the state the agent starts in (a name from the instance's agent states).
    ///
    /// ```
    /// # use connect_core::mock::AgentSpec;
    /// assert_eq!(AgentSpec::new("a").initial_state("Offline").initial_state, "Offline");
    /// ```
    pub fn initial_state(mut self, state: impl Into<String>) -> Self {
        self.initial_state = state.into();
        self
    }
}

/// A selectable agent state of the instance.
///
/// ```
/// use connect_core::{mock::StateSpec, model::AgentStateType};
/// let s = StateSpec::new("Lunch", AgentStateType::NotRoutable);
/// assert_eq!(s.name, "Lunch");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateSpec {
    /// Name.
    pub name: String,
    /// `routable`, `not_routable` or `offline`.
    pub kind: AgentStateType,
}

impl StateSpec {
    /// A state `name` of `kind`.
    ///
    /// ```
    /// # use connect_core::{mock::StateSpec, model::AgentStateType};
    /// assert_eq!(StateSpec::new("Available", AgentStateType::Routable).kind, AgentStateType::Routable);
    /// ```
    pub fn new(name: impl Into<String>, kind: AgentStateType) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }

    /// `Available` (routable), `Break` (not routable), `Offline` (offline).
    ///
    /// ```
    /// # use connect_core::mock::StateSpec;
    /// assert_eq!(StateSpec::defaults().len(), 3);
    /// ```
    pub fn defaults() -> Vec<StateSpec> {
        vec![
            Self::new("Available", AgentStateType::Routable),
            Self::new("Break", AgentStateType::NotRoutable),
            Self::new("Offline", AgentStateType::Offline),
        ]
    }
}

/// Timing and behaviour of the simulated service.
///
/// ```
/// use std::time::Duration;
/// use connect_core::mock::SimSettings;
///
/// let s = SimSettings::default();
/// assert_eq!(s.ring_timeout, Duration::from_secs(20));
/// assert_eq!(s.answer_delay, Duration::from_millis(200));
/// assert_eq!(s.missed_linger, Duration::from_secs(2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SimSettings {
    /// How long an offer rings before it is missed (voice, callback).
    pub ring_timeout: Duration,
    /// How long a chat or task offer waits before it ends in `error`.
    pub chat_task_ring_timeout: Duration,
    /// Delay between an accept (or auto-accept, or dialling) and `connected`.
    pub answer_delay: Duration,
    /// How long a missed, rejected or failed offer stays in the snapshot before it is removed.
    pub missed_linger: Duration,
    /// Whether a missed chat or task also puts the agent in `MissedCallAgent`.
    pub chat_task_miss_sets_agent_error: bool,
    /// Agent error state after a missed queued callback offer (`MissedCallAgent`; the service
    /// is reported to use `Default`).
    pub missed_callback_state: String,
    /// How often a queued callback's customer is redialled after no answer before the agent
    /// gets `MissedCallCustomer`.
    pub callback_retries: u32,
    /// Lifetime of agent auth tokens, in seconds.
    pub token_ttl_secs: i64,
    /// Lifetime of a `web_socket` transport (never below 300, or real clients reject it).
    pub transport_lifetime_secs: i64,
    /// Base of the `web_socket` transport URL (`ws://127.0.0.1:<port>`), replaced by the
    /// server's address once it runs.
    pub ws_base_url: String,
    /// TURN servers and signaling endpoint of softphone legs.
    pub turn: TurnConfig,
    /// Presigned URL answered to `createTransport agent_discovery` (a multi-region harness
    /// sets it); `None`, the default, answers `InvalidConfigurationException` as a
    /// single-region instance does.
    pub agent_discovery_url: Option<String>,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            ring_timeout: Duration::from_secs(20),
            chat_task_ring_timeout: Duration::from_secs(20),
            answer_delay: Duration::from_millis(200),
            missed_linger: Duration::from_secs(2),
            chat_task_miss_sets_agent_error: false,
            missed_callback_state: "MissedCallAgent".to_owned(),
            callback_retries: 0,
            token_ttl_secs: 12 * 3600,
            transport_lifetime_secs: 300,
            ws_base_url: "ws://127.0.0.1:0".to_owned(),
            turn: TurnConfig::default(),
            agent_discovery_url: None,
        }
    }
}

/// Milliseconds of a duration, saturated to `i64`.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
