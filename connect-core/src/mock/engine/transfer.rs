//! Transfers and conferences (§9.2): `createAdditionalConnection` to an agent, a queue or a
//! phone number; completing a transfer by leaving; dropping a third party.

use crate::api::CtiError;
use crate::model::{
    ConnectionStateType, ConnectionType, ContactStateType, Endpoint, EndpointType,
    InitiationMethod, Timestamp,
};

use super::super::journal::JournalEvent;
use super::super::script::AnswerScript;
use super::directory::QuickTarget;
use super::model::{AfterLinger, Party, Place};
use super::{bad_endpoint, invalid_state, SimEngine};

/// Where an endpoint leads.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Target {
    Queue(usize),
    Agent(usize),
    Phone(String),
}

impl SimEngine {
    /// Resolves an endpoint from agent `a`: a quick connect (by `endpointARN`), a queue (by
    /// `queue.queueARN`), an agent (by `agentLogin`) or a phone number. An agent may not
    /// target itself.
    pub(super) fn resolve_endpoint(
        &self,
        a: usize,
        endpoint: &Endpoint,
    ) -> Result<Target, CtiError> {
        let target = if let Some(arn) = endpoint.endpoint_arn.as_deref() {
            match self.dir.quick_connects.iter().find(|q| q.arn == arn) {
                Some(qc) => match &qc.target {
                    QuickTarget::Queue(q) => Target::Queue(*q),
                    QuickTarget::Agent(t) => Target::Agent(*t),
                    QuickTarget::Phone(n) => Target::Phone(n.clone()),
                },
                None => {
                    if let Some(q) = self.dir.queue_by_arn(arn) {
                        Target::Queue(q)
                    } else if let Some(t) = self.agents.iter().position(|x| x.arn == arn) {
                        Target::Agent(t)
                    } else {
                        return Err(bad_endpoint("unknown endpoint ARN"));
                    }
                }
            }
        } else {
            match endpoint.kind {
                EndpointType::PhoneNumber => Target::Phone(
                    endpoint
                        .phone_number
                        .as_ref()
                        .map(|n| n.expose().to_owned())
                        .ok_or_else(|| bad_endpoint("a phone endpoint needs a number"))?,
                ),
                EndpointType::Queue => endpoint
                    .queue
                    .as_ref()
                    .and_then(|q| q.queue_arn.as_deref())
                    .and_then(|arn| self.dir.queue_by_arn(arn))
                    .map(Target::Queue)
                    .ok_or_else(|| bad_endpoint("unknown queue"))?,
                EndpointType::Agent => endpoint
                    .agent_login
                    .as_deref()
                    .and_then(|login| self.agents.iter().position(|x| x.username == login))
                    .map(Target::Agent)
                    .ok_or_else(|| bad_endpoint("unknown agent"))?,
                EndpointType::Other(_) => return Err(bad_endpoint("unknown endpoint type")),
            }
        };
        if target == Target::Agent(a) {
            return Err(bad_endpoint("an agent cannot transfer to itself"));
        }
        if let Target::Queue(q) = target {
            if self.dir.queues[q].personal_of == Some(a) {
                return Err(bad_endpoint("an agent cannot transfer to itself"));
            }
        }
        Ok(target)
    }

    /// `createAdditionalConnection`: on a connected voice contact, puts the connected parties
    /// on hold and dials a third party (`outbound` leg, `connecting`): a phone number answers
    /// per its script after `answer_delay`; a queue or agent target becomes a new routed
    /// contact, and the leg connects when that contact does. On a chat or task, transfers the
    /// contact to the queue or agent and ends it for this agent.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ConnectionStateType, Endpoint, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.accept_contact(&agent, &c, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// engine.create_additional_connection(&agent, &c, &Endpoint::phone_number("+15555550199"), t0.add_millis(200)).unwrap();
    /// engine.advance_to(t0.add_millis(400));
    /// let snap = engine.snapshot(&agent, t0.add_millis(400)).unwrap();
    /// let states: Vec<_> = snap.contacts[0].connections.iter().map(|c| c.state.kind.clone()).collect();
    /// assert_eq!(states, [ConnectionStateType::Connected, ConnectionStateType::Hold, ConnectionStateType::Connected]);
    /// ```
    pub fn create_additional_connection(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        endpoint: &Endpoint,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.contact_op(agent_id, contact_id, now, |engine, a, ci, now| {
            let target = engine.resolve_endpoint(a, endpoint)?;
            if !engine.contacts[ci].is_voice() {
                engine.transfer_away(ci, target, now)?;
                return Ok(());
            }
            let contact = &engine.contacts[ci];
            let agent_up = contact
                .agent_leg()
                .is_some_and(|l| l.state == ConnectionStateType::Connected);
            if contact.state != ContactStateType::Connected || !agent_up {
                return Err(invalid_state("the call is not connected"));
            }
            if contact
                .active_third_parties()
                .any(|l| l.state == ConnectionStateType::Connecting)
            {
                return Err(invalid_state("another party is still being dialled"));
            }
            let answer = match &target {
                Target::Phone(number) => {
                    let digits = engine.check_dialable(a, number)?;
                    engine
                        .dial_scripts
                        .get(&digits)
                        .copied()
                        .unwrap_or_default()
                }
                _ => AnswerScript::Answer,
            };
            // Everyone connected other than the agent goes on hold.
            let to_hold: Vec<String> = engine.contacts[ci]
                .connections
                .iter()
                .filter(|l| l.party != Party::Agent && l.state == ConnectionStateType::Connected)
                .map(|l| l.id.clone())
                .collect();
            for leg in to_hold {
                engine.set_leg_state(ci, &leg, ConnectionStateType::Hold, now);
            }
            let mut leg = engine.new_leg(
                ConnectionType::Outbound,
                ConnectionStateType::Connecting,
                Party::Third {
                    linked: None,
                    answer,
                },
                now,
            );
            let mut shown = endpoint.clone();
            shown.endpoint_arn = None;
            leg.endpoint = Some(shown);
            leg.quick_connect_name = endpoint.endpoint_arn.as_deref().and_then(|arn| {
                engine
                    .dir
                    .quick_connects
                    .iter()
                    .find(|q| q.arn == arn)
                    .map(|q| q.name.clone())
            });
            let leg_id = leg.id.clone();
            let event = JournalEvent::ConnectionState {
                contact: contact_id.to_owned(),
                connection: leg_id.clone(),
                kind: ConnectionType::Outbound,
                state: ConnectionStateType::Connecting,
            };
            engine.contacts[ci].connections.push(leg);
            engine.record(now, event);
            match target {
                Target::Phone(_) => {
                    engine.schedule_dial_outcome(contact_id.to_owned(), leg_id, answer, now);
                }
                Target::Queue(q) => engine.route_transfer(ci, &leg_id, q, now),
                Target::Agent(t) => {
                    let q = engine.agents[t].personal_queue;
                    engine.route_transfer(ci, &leg_id, q, now);
                }
            }
            Ok(())
        })
    }

    /// *Hosted-only* `transferContact`: a blind transfer — the third party is added as by
    /// [`SimEngine::create_additional_connection`] and the agent leaves at once (voice), so the
    /// contact goes to after-contact work here.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Endpoint, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.accept_contact(&agent, &c, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// engine.transfer_contact(&agent, &c, &Endpoint::phone_number("+15555550199"), t0.add_millis(200)).unwrap();
    /// let snap = engine.snapshot(&agent, t0.add_millis(200)).unwrap();
    /// assert_eq!(snap.contacts[0].state.kind, ContactStateType::Ended);
    /// ```
    pub fn transfer_contact(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        endpoint: &Endpoint,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.create_additional_connection(agent_id, contact_id, endpoint, now)?;
        let a = self.agent_index(agent_id)?;
        let ci = self.own_contact(a, contact_id)?;
        let contact = &self.contacts[ci];
        if contact.is_voice() && contact.state.is_active() {
            if let Some(leg) = contact.agent_leg().map(|l| l.id.clone()) {
                self.destroy_connection(agent_id, contact_id, &leg, now)?;
            }
        }
        Ok(())
    }

    /// A new voice contact for the customer of contact `ci` in queue `queue`, linked to the
    /// third-party leg `leg`.
    fn route_transfer(&mut self, ci: usize, leg: &str, queue: usize, now: Timestamp) {
        let child = self.copy_for_transfer(ci, queue, now);
        self.contacts[child].transfer_from = Some((self.contacts[ci].id.clone(), leg.to_owned()));
        let child_id = self.contacts[child].id.clone();
        if let Some(conn) = self.contacts[ci].connection_mut(leg) {
            if let Party::Third { linked, .. } = &mut conn.party {
                *linked = Some(child_id);
            }
        }
        self.put_in_queue(child, now);
    }

    /// A copy of contact `ci` (`initiationMethod: transfer`) for queue `queue`, with a fresh
    /// customer leg; returns its index.
    fn copy_for_transfer(&mut self, ci: usize, queue: usize, now: Timestamp) -> usize {
        let id = self.ids.uuid();
        let source = self.contacts[ci].clone();
        let mut contact = self.new_contact(id, source.channel, queue, now);
        contact.initial_id = source.initial_id.clone();
        contact.related_id = Some(source.id.clone());
        contact.initiation = Some(InitiationMethod::Transfer);
        contact.attributes = source.attributes.clone();
        contact.name = source.name.clone();
        contact.description = source.description.clone();
        contact.references = source.references.clone();
        if let Some(customer) = source.customer_leg() {
            let mut leg = self.new_inbound_customer_leg(now);
            leg.endpoint = customer.endpoint.clone();
            leg.media = customer.media.clone();
            contact.connections.push(leg);
        }
        self.counters.enqueued += 1;
        self.contacts.push(contact);
        let index = self.contacts.len() - 1;
        self.journal_new_legs(index, now);
        index
    }

    /// Chat and task transfer: a copy goes to the target queue; the contact ends here.
    fn transfer_away(&mut self, ci: usize, target: Target, now: Timestamp) -> Result<(), CtiError> {
        if !matches!(
            self.contacts[ci].state,
            ContactStateType::Connected | ContactStateType::Paused
        ) {
            return Err(invalid_state("the contact is not connected"));
        }
        let queue = match target {
            Target::Queue(q) => q,
            Target::Agent(t) => self.agents[t].personal_queue,
            Target::Phone(_) => {
                return Err(bad_endpoint("chats and tasks go to agents and queues only"))
            }
        };
        let child = self.copy_for_transfer(ci, queue, now);
        self.put_in_queue(child, now);
        self.end_contact(ci, now);
        Ok(())
    }

    /// The agent leaves with third parties on the line: routed transfers carry on without
    /// the original contact.
    pub(super) fn complete_transfer(&mut self, ci: usize, _now: Timestamp) {
        let linked: Vec<String> = self.contacts[ci]
            .active_third_parties()
            .filter_map(|l| match &l.party {
                Party::Third { linked, .. } => linked.clone(),
                _ => None,
            })
            .collect();
        for child in linked {
            if let Some(ki) = self.contact_index(&child) {
                self.contacts[ki].transfer_from = None;
            }
        }
    }

    /// The third party on leg `leg` of contact `ci` hangs up (or is hung up on): a routed
    /// transfer not yet connected is withdrawn; one that connected ends for its agent.
    pub(super) fn drop_third_party(&mut self, ci: usize, leg: &str, now: Timestamp) {
        let linked = self.contacts[ci]
            .connection(leg)
            .and_then(|l| match &l.party {
                Party::Third { linked, .. } => linked.clone(),
                _ => None,
            });
        self.set_leg_state(ci, leg, ConnectionStateType::Disconnected, now);
        let Some(ki) = linked.and_then(|child| self.contact_index(&child)) else {
            return;
        };
        if self.contacts[ki].transfer_from.is_none() {
            return;
        }
        self.contacts[ki].transfer_from = None;
        match self.contacts[ki].place {
            Place::Queued | Place::Scheduled => self.drop_contact(ki, now),
            Place::Agent(_) if self.contacts[ki].state == ContactStateType::Connected => {
                self.end_contact(ki, now);
            }
            Place::Agent(_) if self.contacts[ki].state.is_active() => {
                self.disconnect_all(ki, now);
                self.leave_agent(ki, AfterLinger::Remove, now);
            }
            Place::Agent(_) => {}
        }
    }
}
