//! The customer's side: contacts entering queues, customers hanging up or giving up,
//! scheduled tasks, scripted arrivals and supervisors monitoring.

use std::collections::BTreeMap;

use crate::api::CtiError;
use crate::model::{ConnectionStateType, ContactStateType, Endpoint, InitiationMethod, Timestamp};

use super::super::config::millis;
use super::super::journal::JournalEvent;
use super::super::script::{AnswerScript, ArrivalScript, ContactSpec, SimChannel};
use super::model::{AfterLinger, Media, Monitor, Place, SimContact, Timer};
use super::{bad_endpoint, invalid_state, SimEngine};

impl SimEngine {
    /// A contact record with no legs, waiting nowhere yet.
    pub(super) fn new_contact(
        &mut self,
        id: String,
        channel: SimChannel,
        queue: usize,
        now: Timestamp,
    ) -> SimContact {
        SimContact {
            initial_id: id.clone(),
            id,
            seq: self.next_contact_seq(),
            related_id: None,
            channel,
            state: ContactStateType::Init,
            since: now,
            queue,
            queue_ts: now,
            initiation: None,
            attributes: BTreeMap::new(),
            name: None,
            description: None,
            references: Vec::new(),
            scheduled_time: None,
            place: Place::Scheduled,
            connections: Vec::new(),
            accepted: false,
            reached_connected: false,
            answer: AnswerScript::Answer,
            hang_up_after_ms: None,
            abandon_after_ms: None,
            attempts: 0,
            transfer_from: None,
            linger: None,
        }
    }

    /// Journals every leg of contact `ci` as it is now.
    pub(super) fn journal_new_legs(&mut self, ci: usize, now: Timestamp) {
        let contact = &self.contacts[ci];
        let events: Vec<JournalEvent> = contact
            .connections
            .iter()
            .map(|l| JournalEvent::ConnectionState {
                contact: contact.id.clone(),
                connection: l.id.clone(),
                kind: l.kind.clone(),
                state: l.state.clone(),
            })
            .collect();
        for event in events {
            self.record(now, event);
        }
    }

    /// The queue of a spec: the agent's personal queue, the named queue, or the first queue.
    fn spec_queue(&self, spec: &ContactSpec) -> Result<usize, CtiError> {
        if let Some(username) = &spec.agent {
            return self
                .agents
                .iter()
                .find(|a| a.username == *username || a.id == *username)
                .map(|a| a.personal_queue)
                .ok_or_else(|| bad_endpoint(format!("no agent {username}")));
        }
        match &spec.queue {
            Some(name) => self
                .dir
                .queue_by_name(name)
                .ok_or_else(|| bad_endpoint(format!("no queue {name}"))),
            None => Ok(0),
        }
    }

    /// A new customer contact described by `spec` enters its queue (and is routed at once if
    /// an agent is eligible). Returns its id.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default(), t0).unwrap(); // no agents
    /// let c = engine.enqueue(ContactSpec::task("Call back Ann").attribute("k", "v"), t0).unwrap();
    /// assert_eq!(engine.queued_contacts(), [c]);
    /// assert!(engine.enqueue(ContactSpec::chat("x").queue("Nope"), t0).is_err());
    /// ```
    pub fn enqueue(&mut self, spec: ContactSpec, now: Timestamp) -> Result<String, CtiError> {
        let now = self.at(now);
        let queue = self.spec_queue(&spec)?;
        let id = self.ids.uuid();
        let mut contact = self.new_contact(id.clone(), spec.channel, queue, now);
        contact.initiation = Some(match spec.channel {
            SimChannel::Voice | SimChannel::Chat => InitiationMethod::Inbound,
            SimChannel::Callback => InitiationMethod::Callback,
            SimChannel::Task => InitiationMethod::Api,
        });
        contact.attributes = spec.attributes.iter().cloned().collect();
        contact.name = spec.name.clone();
        contact.description = spec.description.clone();
        contact.references = spec.references.clone();
        contact.answer = spec.answer;
        contact.hang_up_after_ms = spec.hang_up_after.map(millis);
        contact.abandon_after_ms = spec.abandon_after.map(millis);
        if spec.channel != SimChannel::Task {
            let mut leg = self.new_inbound_customer_leg(now);
            if spec.channel == SimChannel::Chat {
                leg.media = Media::Chat {
                    token: None,
                    customer_name: Some(
                        spec.customer_name
                            .clone()
                            .unwrap_or_else(|| "Customer".to_owned()),
                    ),
                    auto_accept: None,
                };
            } else {
                let number = match &spec.phone_number {
                    Some(number) => number.clone(),
                    None => format!("+1555{}", self.ids.digits(7)),
                };
                leg.endpoint = Some(Endpoint::phone_number(number));
            }
            contact.connections.push(leg);
        }
        self.contacts.push(contact);
        let ci = self.contacts.len() - 1;
        self.counters.enqueued += 1;
        self.journal_new_legs(ci, now);
        self.put_in_queue(ci, now);
        self.settle(now);
        Ok(id)
    }

    /// Adds a task contact scheduled for `at` (enters its queue then).
    pub(super) fn schedule_contact(&mut self, ci: usize, at: Timestamp, now: Timestamp) {
        if at <= now {
            self.put_in_queue(ci, now);
        } else {
            let contact = self.contacts[ci].id.clone();
            self.contacts[ci].queue_ts = at;
            self.schedule(at, Timer::Schedule { contact });
        }
    }

    pub(super) fn on_schedule(&mut self, contact_id: &str, now: Timestamp) {
        if let Some(ci) = self.contact_index(contact_id) {
            if self.contacts[ci].place == Place::Scheduled {
                self.put_in_queue(ci, now);
            }
        }
    }

    /// Ids of the contacts waiting in queues, oldest first.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default(), Timestamp::from_millis(0)).unwrap();
    /// assert!(engine.queued_contacts().is_empty());
    /// ```
    pub fn queued_contacts(&self) -> Vec<String> {
        let mut queued: Vec<&SimContact> = self
            .contacts
            .iter()
            .filter(|c| c.place == Place::Queued)
            .collect();
        queued.sort_by_key(|c| (c.queue_ts, c.seq));
        queued.into_iter().map(|c| c.id.clone()).collect()
    }

    /// The customer of contact `contact_id` hangs up (`drop: true` journals it as a dropped
    /// line). Waiting or ringing contacts are abandoned; connected ones end (ACW) unless a
    /// third party stays on the line.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default(), t0).unwrap();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.customer_hang_up(&c, false, t0).unwrap();
    /// assert_eq!(engine.counters().abandoned, 1);
    /// assert!(engine.customer_hang_up(&c, false, t0).is_err()); // gone
    /// ```
    pub fn customer_hang_up(
        &mut self,
        contact_id: &str,
        drop: bool,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        let now = self.at(now);
        let ci = self
            .contact_index(contact_id)
            .ok_or_else(|| invalid_state("no such contact"))?;
        if self.contacts[ci].channel == SimChannel::Task {
            return Err(invalid_state("a task has no customer"));
        }
        self.customer_gone(ci, if drop { "drop" } else { "hang_up" }, now);
        self.settle(now);
        Ok(())
    }

    /// The customer of contact `ci` is gone.
    pub(super) fn customer_gone(&mut self, ci: usize, how: &'static str, now: Timestamp) {
        if let Some((parent, _)) = self.contacts[ci].transfer_from.clone() {
            if let Some(pi) = self.contact_index(&parent) {
                if self.contacts[pi].state.is_active() {
                    return self.customer_gone(pi, how, now);
                }
            }
        }
        let id = self.contacts[ci].id.clone();
        self.record(
            now,
            JournalEvent::CustomerLeft {
                contact: id.clone(),
                how,
            },
        );
        let contact = &self.contacts[ci];
        let before_agent = !contact.reached_connected
            && contact.initiation != Some(InitiationMethod::Outbound)
            && matches!(
                contact.state,
                ContactStateType::Connecting | ContactStateType::Incoming
            );
        match contact.place {
            Place::Queued | Place::Scheduled => {
                self.counters.abandoned += 1;
                self.record(now, JournalEvent::Abandoned { contact: id });
                self.drop_contact(ci, now);
            }
            Place::Agent(_) if !contact.state.is_active() => {
                if contact.linger == Some(AfterLinger::Requeue) {
                    // A missed or rejected offer lingering: the customer will not come back.
                    self.contacts[ci].linger = Some(AfterLinger::Remove);
                    self.counters.abandoned += 1;
                    self.record(now, JournalEvent::Abandoned { contact: id });
                }
            }
            Place::Agent(_) if before_agent => {
                self.counters.abandoned += 1;
                self.record(now, JournalEvent::Abandoned { contact: id });
                self.disconnect_all(ci, now);
                self.leave_agent(ci, AfterLinger::Remove, now);
            }
            Place::Agent(_) => {
                let leg = self.contacts[ci].customer_leg().map(|l| l.id.clone());
                if let Some(leg) = leg {
                    self.set_leg_state(ci, &leg, ConnectionStateType::Disconnected, now);
                }
                if !self.contacts[ci].independent_party_remains() {
                    self.end_contact(ci, now);
                }
            }
        }
    }

    pub(super) fn on_scripted_hang_up(&mut self, contact_id: &str, now: Timestamp) {
        if let Some(ci) = self.contact_index(contact_id) {
            if self.contacts[ci].state == ContactStateType::Connected {
                self.customer_gone(ci, "hang_up", now);
            }
        }
    }

    pub(super) fn on_abandon(&mut self, contact_id: &str, now: Timestamp) {
        if let Some(ci) = self.contact_index(contact_id) {
            let contact = &self.contacts[ci];
            let waiting = contact.place == Place::Queued
                || (!contact.reached_connected && self.is_unaccepted_offer(ci));
            if waiting {
                self.customer_gone(ci, "hang_up", now);
            }
        }
    }

    /// Starts a scripted series of customer arrivals; returns the script's index.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::{ArrivalScript, ContactSpec, SimChannel, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default(), t0).unwrap();
    /// engine.script_arrivals(ArrivalScript::new(ContactSpec::of(SimChannel::Voice), 3, Duration::from_secs(1)), t0);
    /// engine.advance_to(t0.add_millis(2_000));
    /// assert_eq!(engine.counters().enqueued, 3);
    /// ```
    pub fn script_arrivals(&mut self, script: ArrivalScript, now: Timestamp) -> usize {
        let now = self.at(now);
        let first = now.add_millis(millis(script.start_after));
        let remaining = script.count;
        self.arrivals.push((script, remaining));
        let index = self.arrivals.len() - 1;
        if remaining > 0 {
            self.schedule(first, Timer::Arrival { script: index });
        }
        index
    }

    pub(super) fn on_arrival(&mut self, script: usize, now: Timestamp) {
        let Some((template, remaining)) = self.arrivals.get(script).cloned() else {
            return;
        };
        if remaining == 0 {
            return;
        }
        // A misconfigured template (unknown queue) ends the script; it is journalled by no one.
        let _ = self.enqueue(template.template.clone(), now);
        let remaining = remaining - 1;
        if let Some(entry) = self.arrivals.get_mut(script) {
            entry.1 = remaining;
        }
        if remaining > 0 {
            let jitter = millis(template.jitter);
            let extra = if jitter > 0 {
                (self.ids.next_u64() % (jitter as u64 + 1)) as i64
            } else {
                0
            };
            let next = now.add_millis(millis(template.every) + extra);
            self.schedule(next, Timer::Arrival { script });
        }
    }

    /// Supervisor `supervisor_id` starts silently monitoring connected voice contact
    /// `contact_id`; the contact appears in the supervisor's snapshot with a `monitoring` leg.
    /// Returns that leg's id.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ConnectionStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(2), t0).unwrap();
    /// let (a1, a2) = (engine.agent_ids()[0].clone(), engine.agent_ids()[1].clone());
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// let handler = if engine.snapshot(&a1, t0).unwrap().contacts.is_empty() { a2.clone() } else { a1.clone() };
    /// let supervisor = if handler == a1 { a2 } else { a1 };
    /// engine.accept_contact(&handler, &c, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// engine.start_monitoring(&supervisor, &c, t0.add_millis(200)).unwrap();
    /// let snap = engine.snapshot(&supervisor, t0.add_millis(200)).unwrap();
    /// assert_eq!(snap.contacts[0].connections[0].state.kind, ConnectionStateType::SilentMonitor);
    /// ```
    pub fn start_monitoring(
        &mut self,
        supervisor_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<String, CtiError> {
        self.agent_op(supervisor_id, now, |engine, s, now| {
            let ci = engine
                .contact_index(contact_id)
                .ok_or_else(|| invalid_state("no such contact"))?;
            let contact = &engine.contacts[ci];
            if !contact.is_voice()
                || contact.state != ContactStateType::Connected
                || contact.agent() == Some(s)
                || engine
                    .monitors
                    .iter()
                    .any(|m| m.agent == s && m.contact == contact_id)
            {
                return Err(invalid_state(
                    "the contact cannot be monitored by this agent",
                ));
            }
            let connection = engine.ids.uuid();
            let media = engine.softphone_media(s, now);
            let seq = engine.next_contact_seq();
            engine.monitors.push(Monitor {
                contact: contact_id.to_owned(),
                agent: s,
                connection: connection.clone(),
                state: ConnectionStateType::SilentMonitor,
                since: now,
                seq,
                media,
            });
            engine.record(
                now,
                JournalEvent::MonitorMode {
                    contact: contact_id.to_owned(),
                    agent: engine.agents[s].username.clone(),
                    mode: "SILENT_MONITOR".to_owned(),
                },
            );
            Ok(connection)
        })
    }

    /// `updateMonitorParticipantState`: switches the agent's monitoring leg on the contact
    /// between `SILENT_MONITOR` and `BARGE`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert!(engine.update_monitor_state(&agent, "nope", "BARGE", t0).is_err());
    /// ```
    pub fn update_monitor_state(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        mode: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.agent_op(agent_id, now, |engine, a, now| {
            let state = match mode {
                "SILENT_MONITOR" => ConnectionStateType::SilentMonitor,
                "BARGE" => ConnectionStateType::Barge,
                _ => return Err(invalid_state(format!("unknown monitor mode {mode}"))),
            };
            let monitor = engine
                .monitors
                .iter_mut()
                .find(|m| m.agent == a && m.contact == contact_id)
                .ok_or_else(|| invalid_state("the agent is not monitoring this contact"))?;
            if monitor.state != state {
                monitor.state = state;
                monitor.since = now;
                let event = JournalEvent::MonitorMode {
                    contact: contact_id.to_owned(),
                    agent: engine.agents[a].username.clone(),
                    mode: mode.to_owned(),
                };
                engine.record(now, event);
            }
            Ok(())
        })
    }
}
