//! Shared inputs of the criterion benches: fixtures and generated snapshots.

use std::sync::Arc;

use connect_core::model::{
    AgentSnapshot, AgentState, AgentStateType, Connection, ConnectionStateType, ConnectionType,
    Contact, ContactStateType, ContactType, Endpoint, Queue, Timestamp,
};

/// The sample snapshots of `shared/fixtures`, as JSON text by name.
pub const FIXTURES: &str = include_str!("../../../shared/fixtures/streams-sample-snapshots.json");

/// Every fixture snapshot, parsed, with its name.
///
/// ```
/// assert_eq!(connect_benches::fixture_snapshots().len(), 9);
/// ```
pub fn fixture_snapshots() -> Vec<(String, AgentSnapshot)> {
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(FIXTURES).unwrap_or_default();
    all.into_iter()
        .filter_map(|(name, json)| Some((name, serde_json::from_value(json).ok()?)))
        .collect()
}

/// A busy agent's snapshot with `contacts` voice contacts, each with an agent and a customer
/// leg, all in `state`, stamped `at` ms.
///
/// ```
/// use connect_core::model::ContactStateType;
/// let s = connect_benches::snapshot_with_contacts(3, ContactStateType::Connected, 0);
/// assert_eq!(s.contacts.len(), 3);
/// ```
pub fn snapshot_with_contacts(
    contacts: usize,
    state: ContactStateType,
    at: i64,
) -> Arc<AgentSnapshot> {
    let now = Timestamp::from_millis(at);
    let mut snapshot = AgentSnapshot::empty(AgentState::new(AgentStateType::System, "Busy"), now);
    for i in 0..contacts {
        let mut contact = Contact::new(
            format!("contact-{i:04}"),
            ContactType::Voice,
            state.clone(),
            now,
        );
        contact.queue = Some(Queue::new(
            format!("arn:aws:connect:us-east-1:111122223333:instance/i/queue/q{i}"),
            "Support",
        ));
        contact.connections.push(Connection::new(
            format!("agent-leg-{i:04}"),
            ConnectionType::Agent,
            ConnectionStateType::Connected,
            now,
        ));
        let mut customer = Connection::new(
            format!("customer-leg-{i:04}"),
            ConnectionType::Inbound,
            ConnectionStateType::Connected,
            now,
        );
        customer.initial = true;
        customer.endpoint = Some(Endpoint::phone_number(format!("+1555000{i:04}")));
        contact.connections.push(customer);
        snapshot.contacts.push(contact);
    }
    Arc::new(snapshot)
}
