//! Engine tests: each lifecycle of §9.2, routing, determinism. Driven by explicit times.

mod determinism;
mod lifecycles;
mod routing;
mod transfers;

use crate::api::CtiError;
use crate::model::{
    AgentSnapshot, AgentState, AgentStateType, Connection, ConnectionStateType, Contact,
    ContactStateType, Timestamp,
};

use super::{SimEngine, SimSpec};

pub(super) type TestResult = Result<(), CtiError>;

/// An engine with its own notion of "now".
pub(super) struct Harness {
    pub e: SimEngine,
    pub t: Timestamp,
    pub agents: Vec<String>,
}

pub(super) const T0: i64 = 1_767_261_600_000;

impl Harness {
    pub fn new(spec: SimSpec) -> Self {
        let t = Timestamp::from_millis(T0);
        let e = SimEngine::new(&spec, t).expect("valid spec");
        let agents = e.agent_ids();
        Self { e, t, agents }
    }

    pub fn agents(n: usize) -> Self {
        Self::new(SimSpec::default().agents(n))
    }

    /// Moves time forward by `ms` and fires due timers.
    pub fn advance(&mut self, ms: i64) {
        self.t = self.t.add_millis(ms);
        self.e.advance_to(self.t);
    }

    pub fn agent(&self, i: usize) -> String {
        self.agents[i].clone()
    }

    pub fn snap(&mut self, i: usize) -> AgentSnapshot {
        let agent = self.agent(i);
        self.e.snapshot(&agent, self.t).expect("agent exists")
    }

    /// The agent's effective state: (name, type).
    pub fn state(&mut self, i: usize) -> (String, AgentStateType) {
        let s = self.snap(i).state;
        (s.name, s.kind)
    }

    pub fn contact(&mut self, i: usize, id: &str) -> Option<Contact> {
        self.snap(i).contact(id).cloned()
    }

    pub fn contact_state(&mut self, i: usize, id: &str) -> Option<ContactStateType> {
        self.contact(i, id).map(|c| c.state.kind)
    }

    pub fn agent_leg(&mut self, i: usize, id: &str) -> Connection {
        self.contact(i, id)
            .and_then(|c| c.agent_connection().cloned())
            .expect("agent leg")
    }

    pub fn initial_leg(&mut self, i: usize, id: &str) -> Connection {
        self.contact(i, id)
            .and_then(|c| c.initial_connection().cloned())
            .expect("initial leg")
    }

    pub fn leg_states(&mut self, i: usize, id: &str) -> Vec<ConnectionStateType> {
        self.contact(i, id)
            .map(|c| c.connections.iter().map(|l| l.state.kind.clone()).collect())
            .unwrap_or_default()
    }

    pub fn accept(&mut self, i: usize, id: &str) -> TestResult {
        let agent = self.agent(i);
        self.e.accept_contact(&agent, id, self.t)
    }

    pub fn put_state(&mut self, i: usize, name: &str) -> TestResult {
        let agent = self.agent(i);
        let state = AgentState::new(AgentStateType::Routable, name);
        self.e.put_agent_state(&agent, &state, false, self.t)
    }

    pub fn destroy(&mut self, i: usize, id: &str, leg: &str) -> TestResult {
        let agent = self.agent(i);
        self.e.destroy_connection(&agent, id, leg, self.t)
    }

    pub fn clear(&mut self, i: usize, id: &str) -> TestResult {
        let agent = self.agent(i);
        self.e.clear_contact(&agent, id, self.t)
    }

    /// Which agent (index) holds contact `id`, if any.
    pub fn holder(&mut self, id: &str) -> Option<usize> {
        (0..self.agents.len()).find(|&i| self.contact(i, id).is_some())
    }

    /// Accepts a voice offer and lets it connect.
    pub fn connect_voice(&mut self, i: usize, id: &str) -> TestResult {
        self.accept(i, id)?;
        self.advance(200);
        assert_eq!(self.contact_state(i, id), Some(ContactStateType::Connected));
        Ok(())
    }
}
