//! Model → wire: the agent snapshot exactly as `GetAgentSnapshot` returns it.

use std::collections::BTreeMap;

use crate::api::CtiError;
use crate::model::{
    AgentAvailabilityState, AgentSnapshot, AgentState, Attribute, ChannelContext, Connection,
    ConnectionState, ConnectionType, Contact, ContactFeatures, ContactStateType, ContactType,
    Reference, Timestamp,
};

use super::super::script::SimChannel;
use super::model::{Monitor, SimConnection, SimContact};
use super::SimEngine;

impl SimEngine {
    /// Agent `agent_id`'s snapshot at `now` (the engine is advanced to `now` first);
    /// `snapshotTimestamp` is `now`.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::{AgentStateType, Timestamp};
    /// let t0 = Timestamp::from_millis(1_000);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let snap = engine.snapshot(&agent, t0.add_millis(5)).unwrap();
    /// assert_eq!(snap.state.kind, AgentStateType::Routable);
    /// assert_eq!(snap.snapshot_timestamp.as_millis(), 1_005);
    /// assert_eq!(snap.agent_availability_state.unwrap().state, "Available");
    /// ```
    pub fn snapshot(&mut self, agent_id: &str, now: Timestamp) -> Result<AgentSnapshot, CtiError> {
        let now = self.at(now);
        let a = self.agent_index(agent_id)?;
        Ok(self.build_snapshot(a, now))
    }

    /// The snapshot of agent `a` as of the engine's state, stamped `at`.
    pub(super) fn build_snapshot(&self, a: usize, at: Timestamp) -> AgentSnapshot {
        let agent = &self.agents[a];
        let state = match &agent.shown {
            Some(shown) => {
                let mut state = AgentState::new(shown.kind.clone(), shown.name.clone());
                state.agent_state_arn = shown.arn.clone();
                state.start_timestamp = Some(shown.since);
                state
            }
            None => {
                let (name, kind, arn) = self.effective_state(a);
                let mut state = AgentState::new(kind, name);
                state.agent_state_arn = arn;
                state.start_timestamp = Some(agent.selected_since);
                state
            }
        };
        let next_state = agent.next_state.map(|i| {
            let def = &self.dir.states[i];
            let mut state = AgentState::new(def.kind.clone(), def.name.clone());
            state.agent_state_arn = Some(def.arn.clone());
            state
        });
        let availability = AgentAvailabilityState {
            state: self.dir.states[agent.selected].name.clone(),
            time_stamp: Some(agent.selected_since),
            extra: Default::default(),
        };
        let mut contacts: Vec<(u64, Contact)> = self
            .contacts_of(a)
            .map(|c| (c.seq, self.wire_contact(c, a)))
            .collect();
        contacts.extend(
            self.monitors
                .iter()
                .filter(|m| m.agent == a)
                .filter_map(|m| self.wire_monitor(m).map(|c| (m.seq, c))),
        );
        contacts.sort_by_key(|(seq, _)| *seq);
        AgentSnapshot {
            state,
            next_state,
            agent_availability_state: Some(availability),
            contacts: contacts.into_iter().map(|(_, c)| c).collect(),
            snapshot_timestamp: at,
            extra: Default::default(),
        }
    }

    fn wire_contact(&self, contact: &SimContact, a: usize) -> Contact {
        let mut wire = Contact::new(
            contact.id.clone(),
            contact.kind(),
            contact.state.clone(),
            contact.since,
        );
        wire.initial_contact_id = Some(contact.initial_id.clone());
        wire.related_contact_id = contact.related_id.clone();
        wire.queue = Some(self.dir.queues[contact.queue].wire());
        wire.queue_timestamp = Some(contact.queue_ts);
        wire.initiation_method = contact.initiation.clone();
        wire.attributes = contact
            .attributes
            .iter()
            .map(|(name, value)| {
                let attribute = Attribute {
                    name: name.clone(),
                    value: Some(value.clone()),
                };
                (name.clone(), attribute)
            })
            .collect();
        wire.contact_features = Some(ContactFeatures {
            attachments_enabled: Some(false),
            messaging_markdown_enabled: Some(false),
            multi_party_conference_enabled: Some(false),
            extra: Default::default(),
        });
        if contact.channel == SimChannel::Task {
            wire.name = contact.name.clone();
            wire.description = contact.description.clone();
            let references: BTreeMap<String, Reference> = contact
                .references
                .iter()
                .map(|(name, url)| {
                    let reference = Reference {
                        value: Some(url.clone()),
                        kind: "URL".to_owned(),
                        arn: None,
                        status: None,
                        status_reason: None,
                    };
                    (name.clone(), reference)
                })
                .collect();
            wire.references = Some(references);
            wire.channel_context = Some(ChannelContext {
                scheduled_time: contact.scheduled_time,
                ..Default::default()
            });
        }
        wire.connections = contact
            .connections
            .iter()
            .map(|leg| self.wire_connection(leg, a))
            .collect();
        wire
    }

    fn wire_connection(&self, leg: &SimConnection, a: usize) -> Connection {
        let mut wire = Connection::new(
            leg.id.clone(),
            leg.kind.clone(),
            leg.state.clone(),
            leg.since,
        );
        wire.initial = leg.initial;
        wire.endpoint = leg.endpoint.clone();
        wire.mute = Some(leg.mute);
        wire.forced_mute = Some(false);
        wire.quick_connect_name = leg.quick_connect_name.clone();
        wire.softphone_media_info = self.softphone_info(&leg.media, a);
        wire.chat_media_info = Self::chat_info(&leg.media);
        wire
    }

    fn wire_monitor(&self, monitor: &Monitor) -> Option<Contact> {
        let contact = self.contacts.iter().find(|c| c.id == monitor.contact)?;
        let mut wire = Contact::new(
            contact.id.clone(),
            ContactType::Voice,
            ContactStateType::Connected,
            monitor.since,
        );
        wire.initial_contact_id = Some(contact.initial_id.clone());
        let mut leg = Connection::new(
            monitor.connection.clone(),
            ConnectionType::Monitoring,
            monitor.state.clone(),
            monitor.since,
        );
        leg.state = ConnectionState {
            kind: monitor.state.clone(),
            timestamp: monitor.since,
        };
        leg.initial = true;
        leg.softphone_media_info = self.softphone_info(&monitor.media, monitor.agent);
        wire.connections = vec![leg];
        Some(wire)
    }
}
