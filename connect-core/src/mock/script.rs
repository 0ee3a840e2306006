//! What the simulated customer does: the contacts tests enqueue, how customers answer
//! outbound calls, and scripted arrivals.

use std::time::Duration;

/// The channel of a simulated contact.
///
/// ```
/// use connect_core::mock::SimChannel;
/// assert!(SimChannel::Callback.is_voice());
/// assert!(!SimChannel::Task.is_voice());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimChannel {
    /// An inbound phone call.
    Voice,
    /// A queued callback.
    Callback,
    /// A chat.
    Chat,
    /// A task.
    Task,
}

impl SimChannel {
    /// Voice and callbacks use the `VOICE` channel of the routing profile.
    ///
    /// ```
    /// # use connect_core::mock::SimChannel;
    /// assert!(SimChannel::Voice.is_voice());
    /// ```
    pub fn is_voice(self) -> bool {
        matches!(self, Self::Voice | Self::Callback)
    }
}

/// How a dialled customer (outbound call, queued callback, phone transfer) answers.
///
/// ```
/// use std::time::Duration;
/// use connect_core::mock::AnswerScript;
///
/// assert_eq!(AnswerScript::default(), AnswerScript::Answer);
/// let late = AnswerScript::AnswerAfter(Duration::from_secs(3));
/// assert_ne!(late, AnswerScript::Busy);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AnswerScript {
    /// Answers after the instance's `answer_delay`.
    #[default]
    Answer,
    /// Answers after this long.
    AnswerAfter(Duration),
    /// Never answers: the attempt fails after the ring timeout (`FailedConnectCustomer`, or
    /// `MissedCallCustomer` for callbacks once the retries are used up).
    NoAnswer,
    /// The line is busy: fails after `answer_delay` (`LineEngagedCustomer`).
    Busy,
    /// Rings until the test answers ([`SimControl::answer`](super::SimControl::answer)); no
    /// answer within the ring timeout fails like [`AnswerScript::NoAnswer`].
    Manual,
}

/// A contact for the simulated customer to start, with what the customer will do.
///
/// ```
/// use std::time::Duration;
/// use connect_core::mock::{ContactSpec, SimChannel};
///
/// let spec = ContactSpec::voice("+15555550123")
///     .queue("Support")
///     .attribute("tier", "gold")
///     .hang_up_after(Duration::from_secs(30));
/// assert_eq!(spec.channel, SimChannel::Voice);
/// assert_eq!(spec.attributes, [("tier".to_owned(), "gold".to_owned())]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ContactSpec {
    /// The channel.
    pub channel: SimChannel,
    /// Queue name (`None`: the instance's first queue).
    pub queue: Option<String>,
    /// Route to this agent's personal queue instead (username).
    pub agent: Option<String>,
    /// The customer's number (voice, callback); generated from the seed when `None`.
    pub phone_number: Option<String>,
    /// The customer's display name (chat).
    pub customer_name: Option<String>,
    /// Task name.
    pub name: Option<String>,
    /// Task description.
    pub description: Option<String>,
    /// Task references (name, URL).
    pub references: Vec<(String, String)>,
    /// Contact attributes.
    pub attributes: Vec<(String, String)>,
    /// How a dialled customer answers (callbacks).
    pub answer: AnswerScript,
    /// The customer hangs up this long after the contact is connected.
    pub hang_up_after: Option<Duration>,
    /// The customer gives up this long after entering the queue if no agent connected.
    pub abandon_after: Option<Duration>,
}

impl ContactSpec {
    fn new(channel: SimChannel) -> Self {
        Self {
            channel,
            queue: None,
            agent: None,
            phone_number: None,
            customer_name: None,
            name: None,
            description: None,
            references: Vec::new(),
            attributes: Vec::new(),
            answer: AnswerScript::Answer,
            hang_up_after: None,
            abandon_after: None,
        }
    }

    /// An inbound call from `number`.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::voice("+1555").phone_number.as_deref(), Some("+1555"));
    /// ```
    pub fn voice(number: impl Into<String>) -> Self {
        Self {
            phone_number: Some(number.into()),
            ..Self::new(SimChannel::Voice)
        }
    }

    /// A queued callback to `number`.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimChannel};
    /// assert_eq!(ContactSpec::callback("+1555").channel, SimChannel::Callback);
    /// ```
    pub fn callback(number: impl Into<String>) -> Self {
        Self {
            phone_number: Some(number.into()),
            ..Self::new(SimChannel::Callback)
        }
    }

    /// A chat from a customer called `customer_name`.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::chat("Ann").customer_name.as_deref(), Some("Ann"));
    /// ```
    pub fn chat(customer_name: impl Into<String>) -> Self {
        Self {
            customer_name: Some(customer_name.into()),
            ..Self::new(SimChannel::Chat)
        }
    }

    /// A task called `name`.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::task("Review").name.as_deref(), Some("Review"));
    /// ```
    pub fn task(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::new(SimChannel::Task)
        }
    }

    /// A contact of `channel` with generated customer details.
    ///
    /// ```
    /// # use connect_core::mock::{ContactSpec, SimChannel};
    /// assert!(ContactSpec::of(SimChannel::Voice).phone_number.is_none());
    /// ```
    pub fn of(channel: SimChannel) -> Self {
        Self::new(channel)
    }

    /// Sets the queue by name.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::chat("A").queue("Q").queue.as_deref(), Some("Q"));
    /// ```
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = Some(queue.into());
        self
    }

    /// Routes the contact to agent `username`'s personal queue.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::task("T").to_agent("jdoe").agent.as_deref(), Some("jdoe"));
    /// ```
    pub fn to_agent(mut self, username: impl Into<String>) -> Self {
        self.agent = Some(username.into());
        self
    }

    /// Adds a contact attribute.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::chat("A").attribute("k", "v").attributes.len(), 1);
    /// ```
    pub fn attribute(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }

    /// Sets the task description.
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::task("T").description("d").description.as_deref(), Some("d"));
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a URL reference (tasks).
    ///
    /// ```
    /// # use connect_core::mock::ContactSpec;
    /// assert_eq!(ContactSpec::task("T").reference("doc", "https://x").references.len(), 1);
    /// ```
    pub fn reference(mut self, name: impl Into<String>, url: impl Into<String>) -> Self {
        self.references.push((name.into(), url.into()));
        self
    }

    /// Sets how the customer answers when dialled (callbacks).
    ///
    /// ```
    /// # use connect_core::mock::{AnswerScript, ContactSpec};
    /// let spec = ContactSpec::callback("+1").answer(AnswerScript::NoAnswer);
    /// assert_eq!(spec.answer, AnswerScript::NoAnswer);
    /// ```
    pub fn answer(mut self, answer: AnswerScript) -> Self {
        self.answer = answer;
        self
    }

    /// The customer hangs up `after` the contact is connected.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::ContactSpec;
    /// let spec = ContactSpec::voice("+1").hang_up_after(Duration::from_secs(5));
    /// assert!(spec.hang_up_after.is_some());
    /// ```
    pub fn hang_up_after(mut self, after: Duration) -> Self {
        self.hang_up_after = Some(after);
        self
    }

    /// The customer abandons `after` entering the queue unless an agent connected.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::ContactSpec;
    /// let spec = ContactSpec::voice("+1").abandon_after(Duration::from_secs(60));
    /// assert!(spec.abandon_after.is_some());
    /// ```
    pub fn abandon_after(mut self, after: Duration) -> Self {
        self.abandon_after = Some(after);
        self
    }
}

/// A deterministic schedule of customer arrivals: `count` contacts like `template`, the first
/// after `start_after`, then one every `every` (plus a seeded jitter of up to `jitter`).
///
/// ```
/// use std::time::Duration;
/// use connect_core::mock::{ArrivalScript, ContactSpec, SimChannel};
///
/// let script = ArrivalScript::new(ContactSpec::of(SimChannel::Chat), 10, Duration::from_secs(3))
///     .start_after(Duration::from_secs(1));
/// assert_eq!(script.count, 10);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ArrivalScript {
    /// What each arriving contact looks like (a missing phone number is generated per contact).
    pub template: ContactSpec,
    /// How many contacts arrive.
    pub count: u32,
    /// Interval between arrivals.
    pub every: Duration,
    /// Delay before the first arrival.
    pub start_after: Duration,
    /// Up to this much extra delay per arrival, drawn from the instance's seed.
    pub jitter: Duration,
}

impl ArrivalScript {
    /// `count` contacts like `template`, one every `every`, starting at once.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::{ArrivalScript, ContactSpec};
    /// let s = ArrivalScript::new(ContactSpec::voice("+1"), 2, Duration::from_millis(500));
    /// assert_eq!(s.start_after, Duration::ZERO);
    /// ```
    pub fn new(template: ContactSpec, count: u32, every: Duration) -> Self {
        Self {
            template,
            count,
            every,
            start_after: Duration::ZERO,
            jitter: Duration::ZERO,
        }
    }

    /// Delays the first arrival.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::{ArrivalScript, ContactSpec};
    /// let s = ArrivalScript::new(ContactSpec::voice("+1"), 1, Duration::ZERO).start_after(Duration::from_secs(2));
    /// assert_eq!(s.start_after, Duration::from_secs(2));
    /// ```
    pub fn start_after(mut self, delay: Duration) -> Self {
        self.start_after = delay;
        self
    }

    /// Adds a seeded jitter of up to `jitter` to every interval.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use connect_core::mock::{ArrivalScript, ContactSpec};
    /// let s = ArrivalScript::new(ContactSpec::voice("+1"), 1, Duration::ZERO).jitter(Duration::from_millis(100));
    /// assert_eq!(s.jitter, Duration::from_millis(100));
    /// ```
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }
}

/// Counters of the instance.
///
/// ```
/// use connect_core::mock::Counters;
/// let c = Counters::default();
/// assert_eq!(c.offered + c.handled + c.missed + c.abandoned + c.rejected, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Contacts that entered a queue (each re-queue is not counted again).
    pub enqueued: u64,
    /// Offers made to agents (a re-offer counts again).
    pub offered: u64,
    /// Contacts that reached `connected` and then ended.
    pub handled: u64,
    /// Offers that rang out (ring timeout).
    pub missed: u64,
    /// Offers the agent rejected.
    pub rejected: u64,
    /// Contacts whose customer left before an agent connected.
    pub abandoned: u64,
    /// Outbound calls and callbacks whose customer could not be reached.
    pub failed: u64,
}
