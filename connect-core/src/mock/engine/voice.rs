//! The offer and call lifecycle (§9.2): accept, reject, ring timeout, the answer delay, the
//! agent leaving, after-contact work and clearing it.

use crate::api::CtiError;
use crate::model::{ConnectionStateType, ContactStateType, InitiationMethod, Timestamp};

use super::super::journal::JournalEvent;
use super::super::script::SimChannel;
use super::model::{AfterLinger, Party, Timer};
use super::{invalid_state, SimEngine};

/// Agent error states that clearing the failed contact also clears.
const DIAL_FAILURES: &[&str] = &[
    "FailedConnectCustomer",
    "LineEngagedCustomer",
    "MissedCallCustomer",
];

impl SimEngine {
    /// Whether contact `ci` is an offer the agent has not accepted yet.
    pub(super) fn is_unaccepted_offer(&self, ci: usize) -> bool {
        let contact = &self.contacts[ci];
        let offered = match contact.channel {
            SimChannel::Callback => contact.state == ContactStateType::Incoming,
            _ => contact.state == ContactStateType::Connecting,
        };
        offered
            && !contact.accepted
            && contact.initiation != Some(InitiationMethod::Outbound)
            && contact
                .agent_leg()
                .is_some_and(|l| l.state == ConnectionStateType::Connecting)
    }

    /// `acceptContact`: voice connects after `answer_delay`; a queued callback starts dialling
    /// the customer; chat and task connect at once.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let chat = engine.enqueue(ContactSpec::chat("Ann"), t0).unwrap();
    /// engine.accept_contact(&agent, &chat, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().contacts[0].state.kind, ContactStateType::Connected);
    /// assert!(engine.accept_contact(&agent, &chat, t0).is_err()); // already accepted
    /// ```
    pub fn accept_contact(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        let refusal = "the contact is not waiting to be accepted";
        self.answer_offer(agent_id, contact_id, refusal, Self::accept_offer, now)
    }

    /// Runs `answer` (accept or reject) on the agent's contact `contact_id` if it is an offer
    /// not accepted yet; otherwise `InvalidStateException` with `refusal`.
    fn answer_offer(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        refusal: &str,
        answer: fn(&mut Self, usize, Timestamp),
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.contact_op(agent_id, contact_id, now, |engine, _, ci, now| {
            if !engine.is_unaccepted_offer(ci) {
                return Err(invalid_state(refusal));
            }
            answer(engine, ci, now);
            Ok(())
        })
    }

    /// Accepts the offer of contact `ci` (by the agent, or auto-accept).
    pub(super) fn accept_offer(&mut self, ci: usize, now: Timestamp) {
        self.contacts[ci].accepted = true;
        let contact_id = self.contacts[ci].id.clone();
        let Some(leg) = self.contacts[ci].agent_leg().map(|l| l.id.clone()) else {
            return;
        };
        match self.contacts[ci].channel {
            SimChannel::Voice => {
                let delay = self.settings.answer_delay;
                self.schedule_in(
                    now,
                    delay,
                    Timer::AgentLegUp {
                        contact: contact_id,
                        leg,
                    },
                );
            }
            SimChannel::Callback => {
                let Some(a) = self.contacts[ci].agent() else {
                    return;
                };
                let media = self.softphone_media(a, now);
                if let Some(agent_leg) = self.contacts[ci].agent_leg_mut() {
                    agent_leg.media = media;
                    agent_leg.since = now;
                }
                self.set_contact_state(ci, ContactStateType::Connecting, now);
                let delay = self.settings.answer_delay;
                self.schedule_in(
                    now,
                    delay,
                    Timer::AgentLegUp {
                        contact: contact_id,
                        leg,
                    },
                );
                self.start_customer_dial(ci, now);
            }
            SimChannel::Chat | SimChannel::Task => {
                self.set_leg_state(ci, &leg, ConnectionStateType::Connected, now);
                self.set_contact_state(ci, ContactStateType::Connected, now);
                self.after_connected(ci, now);
            }
        }
    }

    /// `rejectContact`: the offer goes to `rejected`, lingers, and the contact is re-queued.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.reject_contact(&agent, &c, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().contacts[0].state.kind, ContactStateType::Rejected);
    /// assert_eq!(engine.counters().rejected, 1);
    /// ```
    pub fn reject_contact(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        let refusal = "only an unaccepted offer can be rejected";
        self.answer_offer(agent_id, contact_id, refusal, Self::reject_offer, now)
    }

    fn reject_offer(&mut self, ci: usize, now: Timestamp) {
        self.counters.rejected += 1;
        self.set_contact_state(ci, ContactStateType::Rejected, now);
        self.disconnect_all_but_customer(ci, now);
        self.start_linger(ci, AfterLinger::Requeue, now);
    }

    /// Disconnects the agent's and third parties' legs, leaving a waiting customer's leg as is.
    fn disconnect_all_but_customer(&mut self, ci: usize, now: Timestamp) {
        let legs: Vec<String> = self.contacts[ci]
            .connections
            .iter()
            .filter(|c| c.party != Party::Customer && c.is_active())
            .map(|c| c.id.clone())
            .collect();
        for leg in legs {
            self.set_leg_state(ci, &leg, ConnectionStateType::Disconnected, now);
        }
    }

    /// Keeps contact `ci` in the agent's snapshot for `missed_linger`, then `after`.
    pub(super) fn start_linger(&mut self, ci: usize, after: AfterLinger, now: Timestamp) {
        self.contacts[ci].linger = Some(after);
        let contact = self.contacts[ci].id.clone();
        let leg = self.contacts[ci]
            .agent_leg()
            .map(|l| l.id.clone())
            .unwrap_or_default();
        let delay = self.settings.missed_linger;
        self.schedule_in(now, delay, Timer::Linger { contact, leg });
    }

    pub(super) fn on_ring_timeout(&mut self, contact_id: &str, leg: &str, now: Timestamp) {
        let Some(ci) = self.contact_index(contact_id) else {
            return;
        };
        let current = self.contacts[ci].agent_leg().map(|l| l.id.as_str()) == Some(leg);
        if !current || !self.is_unaccepted_offer(ci) {
            return;
        }
        let Some(a) = self.contacts[ci].agent() else {
            return;
        };
        self.counters.missed += 1;
        let contact = &self.contacts[ci];
        if contact.is_voice() {
            let error = if contact.channel == SimChannel::Callback {
                self.settings.missed_callback_state.clone()
            } else {
                "MissedCallAgent".to_owned()
            };
            self.set_contact_state(ci, ContactStateType::Missed, now);
            self.set_agent_error(a, &error);
        } else {
            self.set_contact_state(ci, ContactStateType::Error, now);
            if self.settings.chat_task_miss_sets_agent_error {
                self.set_agent_error(a, "MissedCallAgent");
            }
        }
        self.disconnect_all_but_customer(ci, now);
        self.start_linger(ci, AfterLinger::Requeue, now);
    }

    pub(super) fn on_linger(&mut self, contact_id: &str, leg: &str, now: Timestamp) {
        let Some(ci) = self.contact_index(contact_id) else {
            return;
        };
        let current = self.contacts[ci]
            .agent_leg()
            .map_or(leg.is_empty(), |l| l.id == leg);
        match self.contacts[ci].linger {
            Some(after) if current => self.leave_agent(ci, after, now),
            _ => {}
        }
    }

    /// Takes contact `ci` away from its agent: back to its queue, or gone.
    pub(super) fn leave_agent(&mut self, ci: usize, after: AfterLinger, now: Timestamp) {
        let agent = self.contacts[ci].agent();
        if let Some(a) = agent {
            let event = JournalEvent::Removed {
                contact: self.contacts[ci].id.clone(),
                agent: self.agents[a].username.clone(),
            };
            self.record(now, event);
        }
        match after {
            AfterLinger::Requeue => self.put_in_queue(ci, now),
            AfterLinger::Remove => self.drop_contact(ci, now),
        }
        if let Some(a) = agent {
            self.after_contact_left(a, now);
        }
    }

    /// Deletes contact `ci` from the instance (after it left its agent or queue).
    pub(super) fn drop_contact(&mut self, ci: usize, now: Timestamp) {
        let contact = self.contacts.remove(ci);
        self.monitors.retain(|m| m.contact != contact.id);
        if let Some((parent, leg)) = contact.transfer_from {
            // The routed transfer leg is gone: so is the original contact's third-party leg.
            if let Some(pi) = self.contact_index(&parent) {
                self.set_leg_state(pi, &leg, ConnectionStateType::Disconnected, now);
            }
        }
    }

    pub(super) fn on_agent_leg_up(&mut self, contact_id: &str, leg: &str, now: Timestamp) {
        let Some(ci) = self.contact_index(contact_id) else {
            return;
        };
        let ready = self.contacts[ci]
            .agent_leg()
            .is_some_and(|l| l.id == leg && l.state == ConnectionStateType::Connecting);
        if !ready || !self.contacts[ci].state.is_active() {
            return;
        }
        self.set_leg_state(ci, leg, ConnectionStateType::Connected, now);
        self.maybe_connect(ci, now);
    }

    /// Connects contact `ci` once both the agent's and the customer's legs are up.
    pub(super) fn maybe_connect(&mut self, ci: usize, now: Timestamp) {
        let contact = &self.contacts[ci];
        let agent_up = contact
            .agent_leg()
            .is_some_and(|l| l.state == ConnectionStateType::Connected);
        let customer_up = contact.customer_leg().is_some_and(|l| {
            matches!(
                l.state,
                ConnectionStateType::Connected | ConnectionStateType::Hold
            )
        });
        if contact.state == ContactStateType::Connecting && agent_up && customer_up {
            self.set_contact_state(ci, ContactStateType::Connected, now);
            self.after_connected(ci, now);
        }
    }

    /// Follow-ups of a contact reaching `connected`: the customer's scripted hang-up, and a
    /// transfer leg on the original contact connecting.
    fn after_connected(&mut self, ci: usize, now: Timestamp) {
        let contact = &self.contacts[ci];
        let id = contact.id.clone();
        if let Some(after) = contact.hang_up_after_ms {
            self.schedule(now.add_millis(after), Timer::CustomerHangUp { contact: id });
        }
        if let Some((parent, leg)) = self.contacts[ci].transfer_from.clone() {
            if let Some(pi) = self.contact_index(&parent) {
                let connecting = self.contacts[pi]
                    .connection(&leg)
                    .is_some_and(|l| l.state == ConnectionStateType::Connecting);
                if connecting {
                    self.set_leg_state(pi, &leg, ConnectionStateType::Connected, now);
                }
            }
        }
    }

    /// Ends contact `ci` for its agent: `ended` (after-contact work), every leg disconnected.
    /// A routed transfer still linked to it loses its customer too.
    pub(super) fn end_contact(&mut self, ci: usize, now: Timestamp) {
        if !self.contacts[ci].state.is_active() {
            return;
        }
        if self.contacts[ci].reached_connected {
            self.counters.handled += 1;
        }
        self.set_contact_state(ci, ContactStateType::Ended, now);
        self.disconnect_all(ci, now);
        let id = self.contacts[ci].id.clone();
        self.monitors.retain(|m| m.contact != id);
        if let Some((parent, leg)) = self.contacts[ci].transfer_from.take() {
            if let Some(pi) = self.contact_index(&parent) {
                self.set_leg_state(pi, &leg, ConnectionStateType::Disconnected, now);
            }
        }
        let children: Vec<String> = self
            .contacts
            .iter()
            .filter(|c| c.transfer_from.as_ref().is_some_and(|(p, _)| *p == id))
            .map(|c| c.id.clone())
            .collect();
        for child in children {
            if let Some(ki) = self.contact_index(&child) {
                self.contacts[ki].transfer_from = None;
                self.customer_gone(ki, "hang_up", now);
            }
        }
    }

    /// `clearContact` / `completeContact`: removes a contact in after-contact work (or a
    /// missed, rejected or failed one) from the agent's snapshot.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1).settings(Default::default()), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let chat = engine.enqueue(ContactSpec::chat("Ann"), t0).unwrap();
    /// assert!(engine.clear_contact(&agent, &chat, t0).is_err()); // still active
    /// engine.accept_contact(&agent, &chat, t0).unwrap();
    /// let leg = engine.snapshot(&agent, t0).unwrap().contacts[0].agent_connection().unwrap().connection_id.clone();
    /// engine.destroy_connection(&agent, &chat, &leg, t0).unwrap(); // → ended (ACW)
    /// engine.clear_contact(&agent, &chat, t0).unwrap();
    /// assert!(engine.snapshot(&agent, t0).unwrap().contacts.is_empty());
    /// ```
    pub fn clear_contact(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.contact_op(agent_id, contact_id, now, |engine, a, ci, now| {
            if engine.contacts[ci].state.is_active() {
                return Err(invalid_state("the contact is still active"));
            }
            let failed_dial = engine.contacts[ci].state == ContactStateType::Error
                && engine.agents[a]
                    .error
                    .as_deref()
                    .is_some_and(|e| DIAL_FAILURES.contains(&e));
            if failed_dial {
                engine.agents[a].error = None;
            }
            let after = engine.contacts[ci].linger.unwrap_or(AfterLinger::Remove);
            engine.leave_agent(ci, after, now);
            Ok(())
        })
    }

    /// `destroyConnection`: hangs up one leg. The agent's own leg ends the contact (ACW), or
    /// completes a transfer when a third party is on the line, or rejects an unanswered offer;
    /// the customer's leg ends the contact unless a third party remains; a third party's leg
    /// just leaves; a supervisor's monitoring leg stops monitoring.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.enqueue(ContactSpec::voice("+15555550100"), t0).unwrap();
    /// engine.accept_contact(&agent, &c, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// let snap = engine.snapshot(&agent, t0.add_millis(200)).unwrap();
    /// let leg = snap.contacts[0].agent_connection().unwrap().connection_id.clone();
    /// engine.destroy_connection(&agent, &c, &leg, t0.add_millis(300)).unwrap();
    /// let snap = engine.snapshot(&agent, t0.add_millis(300)).unwrap();
    /// assert_eq!(snap.contacts[0].state.kind, ContactStateType::Ended);
    /// assert_eq!(snap.state.name, "AfterCallWork");
    /// ```
    pub fn destroy_connection(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        connection_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.agent_op(agent_id, now, |engine, a, now| {
            if let Some(mi) = engine.monitors.iter().position(|m| {
                m.agent == a && m.contact == contact_id && m.connection == connection_id
            }) {
                engine.monitors.remove(mi);
                return Ok(());
            }
            let ci = engine.own_contact(a, contact_id)?;
            engine.hang_up_leg(ci, connection_id, now)
        })
    }

    /// Hangs up the active leg `connection_id` of contact `ci` (see
    /// [`SimEngine::destroy_connection`]).
    fn hang_up_leg(
        &mut self,
        ci: usize,
        connection_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        let leg = self.contacts[ci]
            .connection(connection_id)
            .filter(|l| l.is_active())
            .map(|l| l.party.clone())
            .ok_or_else(|| invalid_state("no such active connection"))?;
        match leg {
            Party::Agent if self.is_unaccepted_offer(ci) => self.reject_offer(ci, now),
            Party::Agent => {
                if self.contacts[ci].is_voice()
                    && self.contacts[ci].active_third_parties().next().is_some()
                {
                    self.complete_transfer(ci, now);
                }
                self.end_contact(ci, now);
            }
            Party::Customer => {
                if self.contacts[ci].independent_party_remains() {
                    self.set_leg_state(ci, connection_id, ConnectionStateType::Disconnected, now);
                } else {
                    self.end_contact(ci, now);
                }
            }
            Party::Third { .. } => self.drop_third_party(ci, connection_id, now),
        }
        Ok(())
    }
}
