//! The static side of an instance: ids and ARNs of the instance, its queues, routing profiles,
//! agent states and quick connects, resolved once from the specs.

use crate::model::{AgentStateType, Channel, Queue};

use super::super::config::{QueueSpec, RoutingProfileSpec, StateSpec, DEFAULT_PROFILE};
use super::super::ids::IdGen;
use super::SimConfigError;

/// A queue of the instance (an agent's personal queue has no name).
#[derive(Clone, Debug)]
pub(crate) struct SimQueue {
    pub arn: String,
    pub name: Option<String>,
    /// Index of the agent whose personal queue this is.
    pub personal_of: Option<usize>,
}

impl SimQueue {
    pub fn wire(&self) -> Queue {
        Queue {
            queue_arn: Some(self.arn.clone()),
            name: self.name.clone(),
            extra: Default::default(),
        }
    }

    /// Name for the journal: the queue name, or `agent/<id>` for a personal queue.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => self
                .arn
                .rsplit_once("/queue/")
                .map_or_else(|| self.arn.clone(), |(_, tail)| tail.to_owned()),
        }
    }
}

/// A routing-profile queue entry with its queue resolved.
#[derive(Clone, Debug)]
pub(crate) struct ProfileEntry {
    pub queue: usize,
    pub channel: Channel,
    pub priority: u32,
    pub delay_ms: i64,
}

/// A routing profile with its queues resolved.
#[derive(Clone, Debug)]
pub(crate) struct SimProfile {
    pub arn: String,
    pub name: String,
    pub entries: Vec<ProfileEntry>,
    pub default_outbound: usize,
    pub concurrency: Vec<(Channel, u32)>,
}

impl SimProfile {
    pub fn concurrency_of(&self, channel: &Channel) -> u32 {
        self.concurrency
            .iter()
            .find(|(c, _)| c == channel)
            .map_or(0, |(_, n)| *n)
    }
}

/// A selectable agent state with its ARN.
#[derive(Clone, Debug)]
pub(crate) struct StateDef {
    pub arn: String,
    pub name: String,
    pub kind: AgentStateType,
}

/// Where a quick connect leads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum QuickTarget {
    Queue(usize),
    Agent(usize),
    Phone(String),
}

/// A quick connect (`getEndpoints`).
#[derive(Clone, Debug)]
pub(crate) struct QuickConnect {
    pub arn: String,
    pub name: String,
    pub target: QuickTarget,
}

/// Everything about the instance that does not change while it runs.
#[derive(Clone, Debug)]
pub(crate) struct Directory {
    pub instance_id: String,
    pub account: String,
    pub region: String,
    pub queues: Vec<SimQueue>,
    pub profiles: Vec<SimProfile>,
    pub states: Vec<StateDef>,
    pub quick_connects: Vec<QuickConnect>,
}

impl Directory {
    /// Resolves queues, profiles and states; agents and their personal queues come later.
    pub fn build(
        ids: &mut IdGen,
        region: &str,
        queues: &[QueueSpec],
        profiles: &[RoutingProfileSpec],
        states: &[StateSpec],
    ) -> Result<Self, SimConfigError> {
        let instance_id = ids.uuid();
        let account = ids.digits(12);
        let mut dir = Self {
            instance_id,
            account,
            region: region.to_owned(),
            queues: Vec::new(),
            profiles: Vec::new(),
            states: Vec::new(),
            quick_connects: Vec::new(),
        };
        for spec in queues {
            if dir.queue_by_name(&spec.name).is_some() {
                return Err(SimConfigError::Duplicate(format!("queue {}", spec.name)));
            }
            let arn = dir.arn("queue", &ids.uuid());
            dir.queues.push(SimQueue {
                arn,
                name: Some(spec.name.clone()),
                personal_of: None,
            });
            let index = dir.queues.len() - 1;
            let qc_arn = dir.arn("transfer-destination", &ids.uuid());
            dir.quick_connects.push(QuickConnect {
                arn: qc_arn,
                name: spec.name.clone(),
                target: QuickTarget::Queue(index),
            });
        }
        for spec in profiles {
            if dir.profiles.iter().any(|p| p.name == spec.name) {
                return Err(SimConfigError::Duplicate(format!(
                    "routing profile {}",
                    spec.name
                )));
            }
            let mut entries = Vec::new();
            for entry in &spec.queues {
                let queue = dir
                    .queue_by_name(&entry.queue)
                    .ok_or_else(|| SimConfigError::UnknownQueue(entry.queue.clone()))?;
                entries.push(ProfileEntry {
                    queue,
                    channel: entry.channel.clone(),
                    priority: entry.priority.max(1),
                    delay_ms: i64::from(entry.delay_secs) * 1000,
                });
            }
            let default_outbound = match &spec.default_outbound_queue {
                Some(name) => dir
                    .queue_by_name(name)
                    .ok_or_else(|| SimConfigError::UnknownQueue(name.clone()))?,
                None => entries
                    .iter()
                    .find(|e| e.channel == Channel::Voice)
                    .or_else(|| entries.first())
                    .map(|e| e.queue)
                    .ok_or_else(|| SimConfigError::EmptyProfile(spec.name.clone()))?,
            };
            let arn = dir.arn("routing-profile", &ids.uuid());
            dir.profiles.push(SimProfile {
                arn,
                name: spec.name.clone(),
                entries,
                default_outbound,
                concurrency: spec.concurrency.clone(),
            });
        }
        for spec in states {
            if !matches!(
                spec.kind,
                AgentStateType::Routable | AgentStateType::NotRoutable | AgentStateType::Offline
            ) {
                return Err(SimConfigError::InvalidState(spec.name.clone()));
            }
            let arn = dir.arn("agent-state", &ids.uuid());
            dir.states.push(StateDef {
                arn,
                name: spec.name.clone(),
                kind: spec.kind.clone(),
            });
        }
        for kind in [
            AgentStateType::Routable,
            AgentStateType::NotRoutable,
            AgentStateType::Offline,
        ] {
            if !dir.states.iter().any(|s| s.kind == kind) {
                return Err(SimConfigError::MissingState(kind.as_str().to_owned()));
            }
        }
        Ok(dir)
    }

    /// `arn:aws:connect:<region>:<account>:instance/<instance>/<kind>/<id>`.
    pub fn arn(&self, kind: &str, id: &str) -> String {
        format!(
            "arn:aws:connect:{}:{}:instance/{}/{kind}/{id}",
            self.region, self.account, self.instance_id
        )
    }

    pub fn queue_by_name(&self, name: &str) -> Option<usize> {
        self.queues
            .iter()
            .position(|q| q.name.as_deref() == Some(name))
    }

    pub fn queue_by_arn(&self, arn: &str) -> Option<usize> {
        self.queues.iter().position(|q| q.arn == arn)
    }

    pub fn profile_by_name(&self, name: Option<&str>) -> Option<usize> {
        let name = name.unwrap_or(DEFAULT_PROFILE);
        self.profiles.iter().position(|p| p.name == name)
    }

    pub fn state_by_name(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s.name == name)
    }

    /// Adds agent `agent`'s personal queue `…/queue/agent/<agent_id>`.
    pub fn add_personal_queue(&mut self, agent: usize, agent_id: &str) -> usize {
        let arn = self.arn("queue", &format!("agent/{agent_id}"));
        self.queues.push(SimQueue {
            arn,
            name: None,
            personal_of: Some(agent),
        });
        self.queues.len() - 1
    }
}
