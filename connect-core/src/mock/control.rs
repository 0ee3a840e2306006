//! [`SimControl`]: what tests and demos do to the instance from outside — the customer's
//! actions, scripted arrivals and dial outcomes, supervisors, and reading the journal.

use crate::api::CtiError;
use crate::model::{AgentState, AgentStateType};

use super::instance::SimInstance;
use super::journal::Journal;
use super::script::{AnswerScript, ArrivalScript, ContactSpec, Counters};

/// The test and customer controls of a [`SimInstance`] (`sim.control()`).
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use connect_core::mock::{ContactSpec, SimInstance};
/// use connect_core::model::Timestamp;
/// use connect_core::time::ManualClock;
///
/// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
/// let sim = SimInstance::builder().clock(clock).build().unwrap();
/// let control = sim.control();
/// let contact = control.enqueue(ContactSpec::voice("+15555550123").attribute("tier", "gold")).unwrap();
/// control.hang_up(&contact).unwrap();
/// assert_eq!(control.counters().abandoned, 1);
/// ```
#[derive(Clone, Debug)]
pub struct SimControl {
    pub(crate) instance: SimInstance,
}

impl SimControl {
    /// A customer contact enters its queue; returns its id.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimInstance};
    /// let sim = SimInstance::builder().build().unwrap();
    /// let id = sim.control().enqueue(ContactSpec::task("Review").description("Q3")).unwrap();
    /// assert_eq!(sim.control().queued_contacts(), [id]);
    /// ```
    pub fn enqueue(&self, spec: ContactSpec) -> Result<String, CtiError> {
        self.instance.op(|engine, now| engine.enqueue(spec, now))
    }

    /// An inbound call from `number` to the first queue.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.control().enqueue_voice("+15555550123").is_ok());
    /// ```
    pub fn enqueue_voice(&self, number: &str) -> Result<String, CtiError> {
        self.enqueue(ContactSpec::voice(number))
    }

    /// A queued callback to `number` in the first queue.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.control().enqueue_callback("+15555550123").is_ok());
    /// ```
    pub fn enqueue_callback(&self, number: &str) -> Result<String, CtiError> {
        self.enqueue(ContactSpec::callback(number))
    }

    /// A chat from `customer_name` in the first queue.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.control().enqueue_chat("Ann").is_ok());
    /// ```
    pub fn enqueue_chat(&self, customer_name: &str) -> Result<String, CtiError> {
        self.enqueue(ContactSpec::chat(customer_name))
    }

    /// A task called `name` in the first queue.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.control().enqueue_task("Review").is_ok());
    /// ```
    pub fn enqueue_task(&self, name: &str) -> Result<String, CtiError> {
        self.enqueue(ContactSpec::task(name))
    }

    /// The customer hangs up.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.control().hang_up("no-such-contact").is_err());
    /// ```
    pub fn hang_up(&self, contact_id: &str) -> Result<(), CtiError> {
        self.instance
            .op(|engine, now| engine.customer_hang_up(contact_id, false, now))
    }

    /// The customer's line drops (journalled as `drop`; otherwise like a hang-up).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// let c = sim.control().enqueue_chat("Ann").unwrap();
    /// sim.control().drop_customer(&c).unwrap();
    /// ```
    pub fn drop_customer(&self, contact_id: &str) -> Result<(), CtiError> {
        self.instance
            .op(|engine, now| engine.customer_hang_up(contact_id, true, now))
    }

    /// How the customer at `number` answers outbound calls and phone transfers.
    ///
    /// ```
    /// # use connect_core::mock::{AnswerScript, SimInstance};
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.control().script_dial("+15555550100", AnswerScript::NoAnswer);
    /// ```
    pub fn script_dial(&self, number: &str, answer: AnswerScript) {
        self.instance
            .op(|engine, _| engine.script_dial(number, answer));
    }

    /// The dialled customer (outbound call, accepted callback) or phone third party of
    /// `contact_id` answers now (see [`AnswerScript::Manual`]).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// let c = sim.control().enqueue_voice("+15555550123").unwrap();
    /// assert!(sim.control().answer(&c).is_err()); // nobody is being dialled
    /// ```
    pub fn answer(&self, contact_id: &str) -> Result<(), CtiError> {
        self.instance
            .op(|engine, now| engine.customer_answer(contact_id, now))
    }

    /// Starts scripted arrivals; returns the script's index.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::{ArrivalScript, ContactSpec, SimChannel, SimInstance};
    /// let sim = SimInstance::builder().build().unwrap();
    /// let script = ArrivalScript::new(ContactSpec::of(SimChannel::Chat), 5, Duration::from_secs(10));
    /// assert_eq!(sim.control().script_arrivals(script), 0);
    /// ```
    pub fn script_arrivals(&self, script: ArrivalScript) -> usize {
        self.instance
            .op(|engine, now| engine.script_arrivals(script, now))
    }

    /// Supervisor `login` starts silently monitoring a connected voice contact; returns the
    /// monitoring connection's id.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// assert!(sim.control().start_monitoring("agent1", "no-such-contact").is_err());
    /// ```
    pub fn start_monitoring(&self, login: &str, contact_id: &str) -> Result<String, CtiError> {
        let agent = self.instance.resolve_agent(login)?;
        self.instance
            .op(|engine, now| engine.start_monitoring(&agent, contact_id, now))
    }

    /// Sets agent `login`'s state by name, as if the agent had (e.g. to start `Offline`).
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().agents(1).build().unwrap();
    /// sim.control().set_agent_state("agent1", "Break").unwrap();
    /// assert_eq!(sim.journal().agent_states("agent1").last().map(String::as_str), Some("Break"));
    /// ```
    pub fn set_agent_state(&self, login: &str, state: &str) -> Result<(), CtiError> {
        let agent = self.instance.resolve_agent(login)?;
        let state = AgentState::new(AgentStateType::Other(String::new()), state);
        self.instance
            .op(|engine, now| engine.put_agent_state(&agent, &state, false, now))
    }

    /// Advances the engine to the clock's time (fires due timers) without any other call —
    /// what [`SimInstance::run_timers`] does in the background.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// sim.control().settle();
    /// ```
    pub fn settle(&self) {
        self.instance.op(|_, _| ());
    }

    /// Ids of the contacts waiting in queues, oldest first.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert!(sim.control().queued_contacts().is_empty());
    /// ```
    pub fn queued_contacts(&self) -> Vec<String> {
        self.instance.op(|engine, _| engine.queued_contacts())
    }

    /// A copy of the journal.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert_eq!(sim.control().journal(), sim.journal());
    /// ```
    pub fn journal(&self) -> Journal {
        self.instance.journal()
    }

    /// The counters.
    ///
    /// ```
    /// # use connect_core::mock::SimInstance;
    /// let sim = SimInstance::builder().build().unwrap();
    /// assert_eq!(sim.control().counters().missed, 0);
    /// ```
    pub fn counters(&self) -> Counters {
        self.instance.counters()
    }
}
