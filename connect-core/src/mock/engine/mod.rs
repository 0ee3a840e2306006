//! The sans-IO routing machine of the simulated instance.
//!
//! [`SimEngine`] holds the whole instance (agents, queues, contacts, timers) and is told the
//! time: every operation takes `now`, and [`SimEngine::advance_to`] fires the timers that fell
//! due (answer delays, ring timeouts, lingering offers, customer scripts, arrivals). It never
//! sleeps, spawns or reads a clock, so tests drive it step by step and
//! [`SimInstance`](super::SimInstance) wraps it for clients.
//!
//! The concerns are split by file: `routing` (who gets what), `agent_state` (effective agent
//! state), `voice` and `dial` (calls), `chat_task`, `transfer`, `legs` (hold, mute, digits),
//! `lists` (configuration and paginated lists), `customer` (what tests and customers do) and
//! `snapshot` (model → wire).

mod agent_state;
mod chat_task;
mod customer;
mod dial;
mod directory;
mod legs;
mod lists;
mod media;
mod model;
mod routing;
mod snapshot;
mod spec;
mod transfer;
mod voice;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::api::{CtiError, CtiExceptionKind};
use crate::model::{ConnectionStateType, ContactStateType, Timestamp};

use super::config::{millis, SimSettings};
use super::ids::IdGen;
use super::journal::{Journal, JournalEvent};
use super::script::{AnswerScript, ArrivalScript, Counters};

pub(crate) use directory::Directory;
pub use lists::Page;
use model::{Monitor, SimAgent, SimContact, Timer};
pub use spec::{SimConfigError, SimSpec};

/// The simulated instance as a sans-IO state machine.
///
/// ```
/// use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
/// use connect_core::model::{ContactStateType, Timestamp};
///
/// let t0 = Timestamp::from_millis(1_700_000_000_000);
/// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
/// let agent = engine.agent_ids()[0].clone();
/// let contact = engine.enqueue(ContactSpec::voice("+15555550123"), t0).unwrap();
/// engine.accept_contact(&agent, &contact, t0).unwrap();
/// engine.advance_to(t0.add_millis(200)); // answer_delay
/// let snap = engine.snapshot(&agent, t0.add_millis(200)).unwrap();
/// assert_eq!(snap.contacts[0].state.kind, ContactStateType::Connected);
/// assert_eq!(snap.state.name, "Busy");
/// ```
#[derive(Debug)]
pub struct SimEngine {
    dir: Directory,
    settings: SimSettings,
    ids: IdGen,
    agents: Vec<SimAgent>,
    contacts: Vec<SimContact>,
    monitors: Vec<Monitor>,
    timers: BTreeMap<(Timestamp, u64), Timer>,
    timer_seq: u64,
    contact_seq: u64,
    arrivals: Vec<(ArrivalScript, u32)>,
    journal: Journal,
    counters: Counters,
    idempotency: BTreeMap<String, String>,
    dial_scripts: BTreeMap<String, AnswerScript>,
    max_page_size: usize,
    now: Timestamp,
}

impl SimEngine {
    /// The time the engine has been advanced to.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let mut engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(5)).unwrap();
    /// engine.advance_to(Timestamp::from_millis(9));
    /// assert_eq!(engine.now().as_millis(), 9);
    /// ```
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The settings the engine runs with.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.settings().answer_delay.as_millis(), 200);
    /// ```
    pub fn settings(&self) -> &SimSettings {
        &self.settings
    }

    /// Replaces the settings (timers already set keep their times).
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let mut engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(0)).unwrap();
    /// engine.settings_mut().ws_base_url = "ws://127.0.0.1:4000".into();
    /// assert_eq!(engine.settings().ws_base_url, "ws://127.0.0.1:4000");
    /// ```
    pub fn settings_mut(&mut self) -> &mut SimSettings {
        &mut self.settings
    }

    /// The journal of every state change.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.journal().agent_states("agent1"), ["Available"]);
    /// ```
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The counters (offered, handled, missed, abandoned, ...).
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(0)).unwrap();
    /// assert_eq!(engine.counters().offered, 0);
    /// ```
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// When the next timer (or queue routing delay) falls due, if any.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// assert_eq!(engine.next_due(), None);
    /// engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// assert_eq!(engine.next_due(), Some(t0.add_millis(20_000))); // the ring timeout
    /// ```
    pub fn next_due(&self) -> Option<Timestamp> {
        let timer = self.timers.keys().next().map(|(at, _)| *at);
        let delay = self.next_routing_delay();
        match (timer, delay) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Fires every timer due at or before `now`, in order and each at its own time, routing
    /// after each; then settles the instance at `now`.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.advance_to(t0.add_millis(20_000));
    /// assert_eq!(engine.journal().contact_states(&c).last(), Some(&ContactStateType::Missed));
    /// ```
    pub fn advance_to(&mut self, now: Timestamp) {
        while let Some(due) = self.next_due() {
            if due > now {
                break;
            }
            let at = due.max(self.now);
            self.now = at;
            let key = self.timers.keys().next().copied();
            if let Some(key) = key.filter(|(t, _)| *t <= at) {
                if let Some(timer) = self.timers.remove(&key) {
                    self.fire(timer, at);
                }
            }
            self.settle(at);
        }
        self.now = self.now.max(now);
        self.settle(self.now);
    }

    /// The time an operation runs at: never before what the engine has seen.
    fn at(&mut self, now: Timestamp) -> Timestamp {
        self.advance_to(now);
        self.now
    }

    /// Runs an operation of agent `agent_id` at `now` (see [`SimEngine::at`]): `op` gets the
    /// agent's index and the time; on success the instance settles, on an error it is left as
    /// `op` left it.
    fn agent_op<T>(
        &mut self,
        agent_id: &str,
        now: Timestamp,
        op: impl FnOnce(&mut Self, usize, Timestamp) -> Result<T, CtiError>,
    ) -> Result<T, CtiError> {
        let now = self.at(now);
        let a = self.agent_index(agent_id)?;
        let out = op(self, a, now)?;
        self.settle(now);
        Ok(out)
    }

    /// [`SimEngine::agent_op`] on the agent's own contact `contact_id`: `op` gets the agent's
    /// and the contact's indexes.
    fn contact_op<T>(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
        op: impl FnOnce(&mut Self, usize, usize, Timestamp) -> Result<T, CtiError>,
    ) -> Result<T, CtiError> {
        self.agent_op(agent_id, now, |engine, a, now| {
            let ci = engine.own_contact(a, contact_id)?;
            op(engine, a, ci, now)
        })
    }

    /// Routes waiting contacts and refreshes every agent's effective state and version.
    fn settle(&mut self, now: Timestamp) {
        self.route(now);
        self.refresh_agents(now);
    }

    fn fire(&mut self, timer: Timer, at: Timestamp) {
        match timer {
            Timer::Ring { contact, leg } => self.on_ring_timeout(&contact, &leg, at),
            Timer::AgentLegUp { contact, leg } => self.on_agent_leg_up(&contact, &leg, at),
            Timer::DialOutcome { contact, leg } => self.on_dial_outcome(&contact, &leg, at),
            Timer::Linger { contact, leg } => self.on_linger(&contact, &leg, at),
            Timer::CustomerHangUp { contact } => self.on_scripted_hang_up(&contact, at),
            Timer::Abandon { contact } => self.on_abandon(&contact, at),
            Timer::Schedule { contact } => self.on_schedule(&contact, at),
            Timer::Arrival { script } => self.on_arrival(script, at),
        }
    }

    fn schedule(&mut self, at: Timestamp, timer: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), timer);
    }

    fn schedule_in(&mut self, now: Timestamp, after: std::time::Duration, timer: Timer) {
        self.schedule(now.add_millis(millis(after)), timer);
    }

    fn record(&mut self, at: Timestamp, event: JournalEvent) {
        self.journal.record(at, event);
    }

    fn agent_index(&self, agent_id: &str) -> Result<usize, CtiError> {
        self.agents
            .iter()
            .position(|a| a.id == agent_id || a.arn == agent_id)
            .ok_or_else(|| {
                service_error(
                    CtiExceptionKind::InvalidAgentArnException,
                    "no such agent in the instance",
                )
            })
    }

    fn contact_index(&self, contact_id: &str) -> Option<usize> {
        self.contacts.iter().position(|c| c.id == contact_id)
    }

    /// The contact `contact_id` of agent `agent`, or `InvalidStateException`.
    fn own_contact(&self, agent: usize, contact_id: &str) -> Result<usize, CtiError> {
        self.contact_index(contact_id)
            .filter(|&ci| self.contacts[ci].agent() == Some(agent))
            .ok_or_else(|| invalid_state(format!("contact {contact_id} is not the agent's")))
    }

    fn next_contact_seq(&mut self) -> u64 {
        self.contact_seq += 1;
        self.contact_seq
    }

    /// Moves contact `ci` to `state` (journalled when it changes).
    fn set_contact_state(&mut self, ci: usize, state: ContactStateType, at: Timestamp) {
        let contact = &mut self.contacts[ci];
        if contact.state == state {
            return;
        }
        contact.state = state.clone();
        contact.since = at;
        if state == ContactStateType::Connected {
            contact.reached_connected = true;
        }
        let id = contact.id.clone();
        self.record(at, JournalEvent::ContactState { contact: id, state });
    }

    /// Moves leg `leg` of contact `ci` to `state` (journalled when it changes).
    fn set_leg_state(&mut self, ci: usize, leg: &str, state: ConnectionStateType, at: Timestamp) {
        let contact = &mut self.contacts[ci];
        let contact_id = contact.id.clone();
        let Some(conn) = contact.connection_mut(leg) else {
            return;
        };
        if conn.state == state {
            return;
        }
        conn.state = state.clone();
        conn.since = at;
        let event = JournalEvent::ConnectionState {
            contact: contact_id,
            connection: conn.id.clone(),
            kind: conn.kind.clone(),
            state,
        };
        self.record(at, event);
    }

    /// Disconnects every active leg of contact `ci`.
    fn disconnect_all(&mut self, ci: usize, at: Timestamp) {
        let legs: Vec<String> = self.contacts[ci]
            .connections
            .iter()
            .filter(|c| c.is_active())
            .map(|c| c.id.clone())
            .collect();
        for leg in legs {
            self.set_leg_state(ci, &leg, ConnectionStateType::Disconnected, at);
        }
    }
}

/// A service error with HTTP status 400.
pub(crate) fn service_error(code: CtiExceptionKind, message: impl Into<String>) -> CtiError {
    CtiError::Service {
        code,
        message: message.into(),
        status: 400,
    }
}

/// `InvalidStateException`: the action does not fit the agent's or contact's state.
pub(crate) fn invalid_state(message: impl Into<String>) -> CtiError {
    service_error(CtiExceptionKind::InvalidStateException, message)
}

/// `BadEndpointException`.
pub(crate) fn bad_endpoint(message: impl Into<String>) -> CtiError {
    service_error(CtiExceptionKind::BadEndpointException, message)
}

/// `InvalidContactTypeException`.
pub(crate) fn invalid_contact_type(message: impl Into<String>) -> CtiError {
    service_error(CtiExceptionKind::InvalidContactTypeException, message)
}
