//! Dialling out (§9.2): outbound calls, the customer leg of an accepted queued callback, and
//! phone transfer targets, each answering per its [`AnswerScript`].

use crate::api::{CtiError, CtiExceptionKind};
use crate::model::{
    permissions, AgentStateType, ConnectionStateType, ConnectionType, ContactStateType, Endpoint,
    EndpointType, InitiationMethod, Timestamp,
};

use super::super::script::{AnswerScript, SimChannel};
use super::model::{Party, Place, SimContact, Timer};
use super::{bad_endpoint, invalid_state, service_error, SimEngine};

/// Country calling codes → ISO country codes the simulator knows (longest prefix wins).
const COUNTRY_CODES: &[(&str, &[&str])] = &[
    ("1", &["us", "ca"]),
    ("27", &["za"]),
    ("31", &["nl"]),
    ("33", &["fr"]),
    ("34", &["es"]),
    ("39", &["it"]),
    ("44", &["gb"]),
    ("49", &["de"]),
    ("52", &["mx"]),
    ("55", &["br"]),
    ("61", &["au"]),
    ("64", &["nz"]),
    ("65", &["sg"]),
    ("81", &["jp"]),
    ("91", &["in"]),
    ("353", &["ie"]),
];

/// The countries an E.164 number (`+<digits>`) may belong to; `None` when it is not E.164.
pub(crate) fn countries_of(number: &str) -> Option<&'static [&'static str]> {
    let digits = number.strip_prefix('+')?;
    if !(6..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    COUNTRY_CODES
        .iter()
        .filter(|(code, _)| digits.starts_with(code))
        .max_by_key(|(code, _)| code.len())
        .map(|(_, countries)| *countries)
}

impl SimEngine {
    /// Checks that agent `a` may dial `number`; returns the digits.
    pub(super) fn check_dialable(&self, a: usize, number: &str) -> Result<String, CtiError> {
        let digits = Endpoint::phone_number(number)
            .phone_digits()
            .unwrap_or_default();
        let countries = countries_of(&digits)
            .ok_or_else(|| bad_endpoint("the number is not a known E.164 number"))?;
        let allowed = &self.agents[a].dialable_countries;
        if !countries.iter().any(|c| allowed.iter().any(|a| a == c)) {
            return Err(bad_endpoint("the agent may not dial this country"));
        }
        Ok(digits)
    }

    /// `createOutboundContact`: a new voice contact (`initiationMethod: outbound`) with an
    /// initial `outbound` leg to `endpoint`; the agent is `CallingCustomer` until the customer
    /// answers per the number's script ([`SimEngine::script_dial`]). Returns the contact id
    /// (the CTI answer itself is `{}`).
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Endpoint, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let c = engine.create_outbound_contact(&agent, &Endpoint::phone_number("+15555550100"), None, None, t0).unwrap();
    /// assert_eq!(engine.snapshot(&agent, t0).unwrap().state.name, "CallingCustomer");
    /// engine.advance_to(t0.add_millis(200));
    /// let snap = engine.snapshot(&agent, t0.add_millis(200)).unwrap();
    /// assert_eq!(snap.contact(&c).unwrap().state.kind, ContactStateType::Connected);
    /// assert_eq!(snap.state.name, "Busy");
    /// ```
    pub fn create_outbound_contact(
        &mut self,
        agent_id: &str,
        endpoint: &Endpoint,
        queue_arn: Option<&str>,
        related_contact_id: Option<&str>,
        now: Timestamp,
    ) -> Result<String, CtiError> {
        let now = self.at(now);
        let a = self.agent_index(agent_id)?;
        if !self.agents[a]
            .permissions
            .iter()
            .any(|p| p == permissions::OUTBOUND_CALL)
        {
            return Err(service_error(
                CtiExceptionKind::InvalidConfigurationException,
                "the agent lacks the outboundCall permission",
            ));
        }
        if self.effective_state(a).1 == AgentStateType::Offline {
            return Err(invalid_state("the agent is offline"));
        }
        if self.contacts_of(a).any(SimContact::is_voice) {
            return Err(invalid_state("the agent already has a voice contact"));
        }
        let number = match self.resolve_endpoint(a, endpoint)? {
            super::transfer::Target::Phone(number) => number,
            _ => return Err(bad_endpoint("only phone numbers can be dialled")),
        };
        let digits = self.check_dialable(a, &number)?;
        let queue = match queue_arn {
            Some(arn) => self
                .dir
                .queue_by_arn(arn)
                .ok_or_else(|| bad_endpoint("unknown outbound queue"))?,
            None => self.dir.profiles[self.agents[a].profile].default_outbound,
        };
        let answer = self.dial_scripts.get(&digits).copied().unwrap_or_default();
        let id = self.ids.uuid();
        let mut contact = self.new_contact(id.clone(), SimChannel::Voice, queue, now);
        contact.initiation = Some(InitiationMethod::Outbound);
        contact.related_id = related_contact_id.map(str::to_owned);
        contact.place = Place::Agent(a);
        contact.accepted = true;
        contact.answer = answer;
        contact.state = ContactStateType::Init;
        let mut agent_leg = self.new_leg(
            ConnectionType::Agent,
            ConnectionStateType::Connecting,
            Party::Agent,
            now,
        );
        agent_leg.endpoint = Some(Endpoint::new(EndpointType::Agent));
        agent_leg.media = self.softphone_media(a, now);
        let mut customer = self.new_leg(
            ConnectionType::Outbound,
            ConnectionStateType::Connecting,
            Party::Customer,
            now,
        );
        customer.initial = true;
        customer.endpoint = Some(Endpoint::phone_number(digits));
        let agent_leg_id = agent_leg.id.clone();
        contact.connections = vec![agent_leg, customer];
        self.contacts.push(contact);
        self.agents[a].error = None;
        let ci = self.contacts.len() - 1;
        self.set_contact_state(ci, ContactStateType::Connecting, now);
        self.journal_new_legs(ci, now);
        let delay = self.settings.answer_delay;
        self.schedule_in(
            now,
            delay,
            Timer::AgentLegUp {
                contact: id.clone(),
                leg: agent_leg_id,
            },
        );
        self.start_customer_dial(ci, now);
        self.settle(now);
        Ok(id)
    }

    /// Sets how the customer at `number` answers outbound calls and phone transfers (default:
    /// [`AnswerScript::Answer`]).
    ///
    /// ```
    /// # use connect_core::mock::{AnswerScript, SimEngine, SimSpec};
    /// # use connect_core::model::{Endpoint, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// engine.script_dial("+15555550100", AnswerScript::Busy);
    /// engine.create_outbound_contact(&agent, &Endpoint::phone_number("+15555550100"), None, None, t0).unwrap();
    /// engine.advance_to(t0.add_millis(200));
    /// assert_eq!(engine.snapshot(&agent, t0.add_millis(200)).unwrap().state.name, "LineEngagedCustomer");
    /// ```
    pub fn script_dial(&mut self, number: &str, answer: AnswerScript) {
        let digits = Endpoint::phone_number(number)
            .phone_digits()
            .unwrap_or_default();
        self.dial_scripts.insert(digits, answer);
    }

    /// The dialled party of contact `contact_id` answers now: the customer of an outbound call
    /// or accepted callback, else a phone third party being dialled.
    ///
    /// ```
    /// # use connect_core::mock::{AnswerScript, SimEngine, SimSpec};
    /// # use connect_core::model::{ContactStateType, Endpoint, Timestamp};
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// engine.script_dial("+15555550100", AnswerScript::Manual);
    /// let c = engine.create_outbound_contact(&agent, &Endpoint::phone_number("+15555550100"), None, None, t0).unwrap();
    /// engine.advance_to(t0.add_millis(5_000));
    /// engine.customer_answer(&c, t0.add_millis(5_000)).unwrap();
    /// let snap = engine.snapshot(&agent, t0.add_millis(5_000)).unwrap();
    /// assert_eq!(snap.contacts[0].state.kind, ContactStateType::Connected);
    /// ```
    pub fn customer_answer(&mut self, contact_id: &str, now: Timestamp) -> Result<(), CtiError> {
        let now = self.at(now);
        let ci = self
            .contact_index(contact_id)
            .ok_or_else(|| invalid_state("no such contact"))?;
        if !self.contacts[ci].state.is_active() {
            return Err(invalid_state("the contact is not active"));
        }
        let ringing =
            |party: &Party| matches!(party, Party::Customer | Party::Third { linked: None, .. });
        let leg = self.contacts[ci]
            .connections
            .iter()
            .find(|l| l.state == ConnectionStateType::Connecting && ringing(&l.party))
            .map(|l| l.id.clone())
            .ok_or_else(|| invalid_state("nobody is being dialled"))?;
        self.set_leg_state(ci, &leg, ConnectionStateType::Connected, now);
        self.maybe_connect(ci, now);
        self.settle(now);
        Ok(())
    }

    /// Dials the customer of contact `ci` (one more attempt).
    pub(super) fn start_customer_dial(&mut self, ci: usize, now: Timestamp) {
        let Some(leg) = self.contacts[ci].customer_leg().map(|l| l.id.clone()) else {
            return;
        };
        self.contacts[ci].attempts += 1;
        self.set_leg_state(ci, &leg, ConnectionStateType::Connecting, now);
        let answer = self.contacts[ci].answer;
        let contact = self.contacts[ci].id.clone();
        self.schedule_dial_outcome(contact, leg, answer, now);
    }

    /// Sets the timer of a dialled leg's outcome.
    pub(super) fn schedule_dial_outcome(
        &mut self,
        contact: String,
        leg: String,
        answer: AnswerScript,
        now: Timestamp,
    ) {
        let after = match answer {
            AnswerScript::Answer | AnswerScript::Busy => self.settings.answer_delay,
            AnswerScript::AnswerAfter(after) => after,
            AnswerScript::NoAnswer | AnswerScript::Manual => self.settings.ring_timeout,
        };
        self.schedule_in(now, after, Timer::DialOutcome { contact, leg });
    }

    pub(super) fn on_dial_outcome(&mut self, contact_id: &str, leg: &str, now: Timestamp) {
        let Some(ci) = self.contact_index(contact_id) else {
            return;
        };
        let Some(conn) = self.contacts[ci].connection(leg) else {
            return;
        };
        if conn.state != ConnectionStateType::Connecting || !self.contacts[ci].state.is_active() {
            return;
        }
        let (answer, third_party) = match &conn.party {
            Party::Third { answer, .. } => (*answer, true),
            _ => (self.contacts[ci].answer, false),
        };
        let answered = matches!(answer, AnswerScript::Answer | AnswerScript::AnswerAfter(_));
        if third_party {
            let state = if answered {
                ConnectionStateType::Connected
            } else {
                ConnectionStateType::Disconnected
            };
            self.set_leg_state(ci, leg, state, now);
            return;
        }
        if answered {
            self.set_leg_state(ci, leg, ConnectionStateType::Connected, now);
            self.maybe_connect(ci, now);
            return;
        }
        let callback = self.contacts[ci].channel == SimChannel::Callback;
        if callback && self.contacts[ci].attempts <= self.settings.callback_retries {
            self.start_customer_dial(ci, now);
            return;
        }
        let error = match (answer, callback) {
            (AnswerScript::Busy, _) => "LineEngagedCustomer",
            (_, true) => "MissedCallCustomer",
            (_, false) => "FailedConnectCustomer",
        };
        self.counters.failed += 1;
        self.set_contact_state(ci, ContactStateType::Error, now);
        self.disconnect_all(ci, now);
        if let Some(a) = self.contacts[ci].agent() {
            self.set_agent_error(a, error);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::countries_of;

    #[test]
    fn country_codes() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("+15555550123", Some(&["us", "ca"])),
            ("+442071234567", Some(&["gb"])),
            ("+353123456", Some(&["ie"])),
            ("+999123456", None),
            ("15555550123", None),
            ("+1555", None),
            ("+1555abc4567", None),
        ];
        for (number, expected) in cases {
            assert_eq!(countries_of(number), *expected, "{number}");
        }
    }
}
