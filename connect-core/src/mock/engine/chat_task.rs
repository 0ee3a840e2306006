//! Tasks (and what is specific to them): `createTaskContact`, pause and resume.

use crate::api::{CreateTaskContactRequest, CtiError};
use crate::model::{ContactStateType, InitiationMethod, Timestamp};

use super::super::script::SimChannel;
use super::transfer::Target;
use super::{bad_endpoint, invalid_contact_type, invalid_state, SimEngine};

impl SimEngine {
    /// `createTaskContact`: a task (`initiationMethod: api`) for the endpoint's queue, or the
    /// agent's personal queue for an agent endpoint; `scheduledTime` (epoch seconds, or
    /// milliseconds when above 10¹²) delays it; a repeated `idempotencyToken` returns the first
    /// task's id. Returns the contact id.
    ///
    /// ```
    /// use connect_core::api::CreateTaskContactRequest;
    /// use connect_core::mock::{SimEngine, SimSpec};
    /// use connect_core::model::{Endpoint, EndpointType, Queue, Timestamp};
    ///
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let mut endpoint = Endpoint::new(EndpointType::Queue);
    /// endpoint.queue = Some(Queue::new(engine.queue_arn("BasicQueue").unwrap(), "BasicQueue"));
    /// let req = CreateTaskContactRequest::new(endpoint, "Follow up");
    /// let id = engine.create_task_contact(&agent, &req, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().contacts[0].contact_id, id);
    /// ```
    pub fn create_task_contact(
        &mut self,
        agent_id: &str,
        req: &CreateTaskContactRequest,
        now: Timestamp,
    ) -> Result<String, CtiError> {
        let now = self.at(now);
        let a = self.agent_index(agent_id)?;
        if let Some(existing) = req
            .idempotency_token
            .as_ref()
            .and_then(|t| self.idempotency.get(t))
        {
            return Ok(existing.clone());
        }
        if req.name.trim().is_empty() {
            return Err(invalid_state("a task needs a name"));
        }
        let queue = match self.resolve_endpoint(a, &req.endpoint)? {
            Target::Queue(q) => q,
            Target::Agent(t) => self.agents[t].personal_queue,
            Target::Phone(_) => return Err(bad_endpoint("a task cannot go to a phone number")),
        };
        let id = self.ids.uuid();
        let mut contact = self.new_contact(id.clone(), SimChannel::Task, queue, now);
        contact.initiation = Some(InitiationMethod::Api);
        contact.name = Some(req.name.clone());
        contact.description = req.description.clone();
        contact.references = req
            .references
            .iter()
            .flatten()
            .map(|(name, r)| (name.clone(), r.value.clone().unwrap_or_default()))
            .collect();
        contact.related_id = req
            .related_contact_id
            .clone()
            .or_else(|| req.previous_contact_id.clone());
        contact.scheduled_time = req.scheduled_time;
        self.contacts.push(contact);
        let ci = self.contacts.len() - 1;
        self.counters.enqueued += 1;
        let at = req.scheduled_time.map_or(now, |t| {
            Timestamp::from_millis(if t > 1_000_000_000_000 {
                t
            } else {
                t.saturating_mul(1000)
            })
        });
        self.schedule_contact(ci, at, now);
        if let Some(token) = &req.idempotency_token {
            self.idempotency.insert(token.clone(), id.clone());
        }
        self.settle(now);
        Ok(id)
    }

    /// `pauseContact`: a connected task → `paused`.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let task = engine.enqueue(ContactSpec::task("T"), t0).unwrap();
    /// engine.accept_contact(&agent, &task, t0).unwrap();
    /// engine.pause_contact(&agent, &task, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().contacts[0].state.kind, ContactStateType::Paused);
    /// engine.resume_contact(&agent, &task, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().contacts[0].state.kind, ContactStateType::Connected);
    /// ```
    pub fn pause_contact(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.task_transition(
            agent_id,
            contact_id,
            ContactStateType::Connected,
            ContactStateType::Paused,
            now,
        )
    }

    /// `resumeContact`: a paused task → `connected`.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let task = engine.enqueue(ContactSpec::task("T"), t0).unwrap();
    /// engine.accept_contact(&agent, &task, t0).unwrap();
    /// assert!(engine.resume_contact(&agent, &task, t0).is_err()); // not paused
    /// ```
    pub fn resume_contact(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.task_transition(
            agent_id,
            contact_id,
            ContactStateType::Paused,
            ContactStateType::Connected,
            now,
        )
    }

    fn task_transition(
        &mut self,
        agent_id: &str,
        contact_id: &str,
        from: ContactStateType,
        to: ContactStateType,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.contact_op(agent_id, contact_id, now, |engine, _, ci, now| {
            if engine.contacts[ci].channel != SimChannel::Task {
                return Err(invalid_contact_type("only tasks can be paused and resumed"));
            }
            if engine.contacts[ci].state != from {
                return Err(invalid_state(format!("the task is not {from}")));
            }
            engine.set_contact_state(ci, to, now);
            Ok(())
        })
    }

    /// Checks that `participant_id` is agent `agent_id`'s leg of its chat `contact_id` (for
    /// `createTransport chat_token`).
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let chat = engine.enqueue(ContactSpec::chat("Ann"), t0).unwrap();
    /// let leg = engine.snapshot(&agent, t0).unwrap().contacts[0].agent_connection().unwrap().connection_id.clone();
    /// assert!(engine.check_chat_participant(&agent, &chat, &leg).is_ok());
    /// assert!(engine.check_chat_participant(&agent, &chat, "other").is_err());
    /// ```
    pub fn check_chat_participant(
        &self,
        agent_id: &str,
        contact_id: &str,
        participant_id: &str,
    ) -> Result<(), CtiError> {
        let a = self.agent_index(agent_id)?;
        let ci = self.own_contact(a, contact_id)?;
        let contact = &self.contacts[ci];
        if contact.channel != SimChannel::Chat {
            return Err(invalid_contact_type("not a chat"));
        }
        if contact.agent_leg().is_none_or(|l| l.id != participant_id) {
            return Err(invalid_state(
                "the participant is not the agent's connection",
            ));
        }
        Ok(())
    }

    /// Checks that contact `contact_id` is agent `agent_id`'s.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert!(engine.check_own_contact(&agent, "nope").is_err());
    /// ```
    pub fn check_own_contact(&self, agent_id: &str, contact_id: &str) -> Result<(), CtiError> {
        let a = self.agent_index(agent_id)?;
        self.own_contact(a, contact_id).map(|_| ())
    }
}
