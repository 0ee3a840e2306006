//! The agent's states: what it selected, the effective state its contacts imply (§9.1), the
//! enqueued next state, error states, and the snapshot version.

use crate::api::CtiError;
use crate::model::{agent_avail_states, AgentState, AgentStateType, ContactStateType, Timestamp};

use super::super::journal::JournalEvent;
use super::model::{ShownState, SimContact};
use super::{invalid_state, SimEngine};

/// `Pending`: a queued callback is offered.
const PENDING: &str = "Pending";

impl SimEngine {
    /// The contacts agent `a` holds (offered, connected, in ACW or lingering).
    pub(super) fn contacts_of(&self, a: usize) -> impl Iterator<Item = &SimContact> {
        self.contacts.iter().filter(move |c| c.agent() == Some(a))
    }

    /// The effective state of agent `a`: name, type and ARN (§9.1).
    pub(super) fn effective_state(&self, a: usize) -> (String, AgentStateType, Option<String>) {
        let system = |name: &str| (name.to_owned(), AgentStateType::System, None);
        let voice: Vec<&SimContact> = self.contacts_of(a).filter(|c| c.is_voice()).collect();
        let any = |f: &dyn Fn(&SimContact) -> bool| voice.iter().any(|c| f(c));
        if any(&|c| c.state == ContactStateType::Connected) {
            return system(agent_avail_states::BUSY);
        }
        let dialling = |c: &SimContact| {
            c.initiation == Some(crate::model::InitiationMethod::Outbound)
                || c.channel == super::super::script::SimChannel::Callback
        };
        if any(&|c| c.state == ContactStateType::Connecting && dialling(c)) {
            return system(agent_avail_states::CALLING_CUSTOMER);
        }
        if any(&|c| c.state == ContactStateType::Connecting) {
            return system(agent_avail_states::PENDING_BUSY);
        }
        if any(&|c| c.state == ContactStateType::Incoming) {
            return (PENDING.to_owned(), AgentStateType::NotRoutable, None);
        }
        let agent = &self.agents[a];
        if let Some(error) = &agent.error {
            return (error.clone(), AgentStateType::Error, None);
        }
        if any(&|c| c.state == ContactStateType::Ended) {
            return (
                agent_avail_states::AFTER_CALL_WORK.to_owned(),
                AgentStateType::NotRoutable,
                None,
            );
        }
        let state = &self.dir.states[agent.selected];
        (
            state.name.clone(),
            state.kind.clone(),
            Some(state.arn.clone()),
        )
    }

    /// Whether agent `a` may be offered contacts at all (effective state `routable`).
    pub(super) fn is_routable(&self, a: usize) -> bool {
        self.effective_state(a).1 == AgentStateType::Routable
    }

    /// Recomputes every agent's effective state (journalled when it changes) and bumps the
    /// snapshot version of every agent whose snapshot content changed.
    pub(super) fn refresh_agents(&mut self, now: Timestamp) {
        for a in 0..self.agents.len() {
            let (name, kind, arn) = self.effective_state(a);
            let changed = self.agents[a]
                .shown
                .as_ref()
                .is_none_or(|s| s.name != name || s.kind != kind);
            if changed {
                self.agents[a].shown = Some(ShownState {
                    name: name.clone(),
                    kind: kind.clone(),
                    arn,
                    since: now,
                });
                let agent = self.agents[a].username.clone();
                self.record(now, JournalEvent::AgentState { agent, name, kind });
            }
            let content = serde_json::to_vec(&self.build_snapshot(a, Timestamp::from_millis(0)))
                .unwrap_or_default();
            if self.agents[a].fingerprint.as_ref() != Some(&content) {
                let agent = &mut self.agents[a];
                agent.fingerprint = Some(content);
                agent.version += 1;
                let event = JournalEvent::SnapshotVersion {
                    agent: agent.username.clone(),
                    version: agent.version,
                };
                self.record(now, event);
            }
        }
    }

    /// The snapshot version of agent `agent_id`: it grows whenever the snapshot's content
    /// changes.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let before = engine.version(&agent).unwrap();
    /// engine.enqueue(ContactSpec::chat("Ann"), t0).unwrap();
    /// assert!(engine.version(&agent).unwrap() > before);
    /// ```
    pub fn version(&self, agent_id: &str) -> Result<u64, CtiError> {
        Ok(self.agents[self.agent_index(agent_id)?].version)
    }

    /// `putAgentState`: selects `state` (by ARN, else by name), or with `enqueue_next` makes
    /// it the `nextState` applied when the agent's last contact is cleared (at once when the
    /// agent has none). Selecting a state clears an error state and any `nextState`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::{AgentState, AgentStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let brk = AgentState::new(AgentStateType::NotRoutable, "Break");
    /// engine.put_agent_state(&agent, &brk, false, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().state.name, "Break");
    /// let bogus = AgentState::new(AgentStateType::System, "Busy");
    /// assert!(engine.put_agent_state(&agent, &bogus, false, t0).is_err());
    /// ```
    pub fn put_agent_state(
        &mut self,
        agent_id: &str,
        state: &AgentState,
        enqueue_next: bool,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.agent_op(agent_id, now, |engine, a, now| {
            let by_arn = state
                .agent_state_arn
                .as_deref()
                .and_then(|arn| engine.dir.states.iter().position(|s| s.arn == arn));
            let index = by_arn
                .or_else(|| engine.dir.state_by_name(&state.name))
                .filter(|&i| Self::selectable(&engine.dir.states[i].kind))
                .ok_or_else(|| {
                    invalid_state(format!("{} is not a selectable state", state.name))
                })?;
            if enqueue_next && engine.contacts_of(a).next().is_some() {
                engine.agents[a].next_state = Some(index);
                let event = JournalEvent::NextState {
                    agent: engine.agents[a].username.clone(),
                    name: Some(engine.dir.states[index].name.clone()),
                };
                engine.record(now, event);
            } else {
                engine.select_state(a, index, now);
            }
            Ok(())
        })
    }

    /// Makes state `index` the agent's selected state.
    pub(super) fn select_state(&mut self, a: usize, index: usize, now: Timestamp) {
        let was_routable = self.is_routable(a);
        let username = self.agents[a].username.clone();
        if self.agents[a].next_state.take().is_some() {
            let event = JournalEvent::NextState {
                agent: username.clone(),
                name: None,
            };
            self.record(now, event);
        }
        let agent = &mut self.agents[a];
        agent.selected = index;
        agent.selected_since = now;
        agent.error = None;
        let name = self.dir.states[index].name.clone();
        self.record(
            now,
            JournalEvent::SelectedState {
                agent: username,
                name,
            },
        );
        if self.is_routable(a) && !was_routable {
            self.agents[a].idle_since = now;
        }
    }

    /// After a contact left agent `a`: when it was the last one, the agent is idle from now
    /// and its `nextState` applies.
    pub(super) fn after_contact_left(&mut self, a: usize, now: Timestamp) {
        if self.contacts_of(a).next().is_some() {
            return;
        }
        self.agents[a].idle_since = now;
        if let Some(next) = self.agents[a].next_state {
            self.select_state(a, next, now);
        }
    }

    /// Puts agent `a` in error state `name` until it selects a state.
    pub(super) fn set_agent_error(&mut self, a: usize, name: &str) {
        self.agents[a].error = Some(name.to_owned());
    }
}
