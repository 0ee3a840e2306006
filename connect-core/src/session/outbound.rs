//! Correlating `createOutboundContact` with the contact it creates (R9).

use std::collections::HashSet;
use std::sync::Arc;

use futures::future::{select, Either};
use tokio::sync::watch;

use super::shared::Shared;
use crate::api::CtiError;
use crate::model::{AgentSnapshot, ConnectionType, Contact, ContactType, Endpoint};

/// The contact an outbound call created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundContact {
    /// The new contact.
    pub contact_id: String,
    /// The agent's leg.
    pub agent_connection_id: String,
    /// The customer's leg.
    pub customer_connection_id: String,
}

/// Picks, from `snapshot`, the new outbound voice contact to `endpoint` that was not in
/// `known`; several candidates → the earliest `state.timestamp`, with a warning.
///
/// ```
/// use std::collections::HashSet;
/// use connect_core::model::*;
/// use connect_core::session::find_outbound_contact;
///
/// let snap = AgentSnapshot::empty(AgentState::new(AgentStateType::System, "CallingCustomer"), Timestamp::from_millis(0));
/// assert!(find_outbound_contact(&snap, &HashSet::new(), &Endpoint::phone_number("+1555")).is_none());
/// ```
pub fn find_outbound_contact(
    snapshot: &AgentSnapshot,
    known: &HashSet<String>,
    endpoint: &Endpoint,
) -> Option<OutboundContact> {
    let mut candidates: Vec<&Contact> = snapshot
        .contacts
        .iter()
        .filter(|c| !known.contains(&c.contact_id) && c.kind == ContactType::Voice)
        .filter(|c| {
            c.initial_connection().is_some_and(|initial| {
                initial.kind == ConnectionType::Outbound
                    && initial
                        .endpoint
                        .as_ref()
                        .is_some_and(|e| e.same_party(endpoint))
            })
        })
        .collect();
    candidates.sort_by_key(|c| c.state.timestamp);
    if candidates.len() > 1 {
        tracing::warn!(
            candidates = candidates.len(),
            "several new outbound contacts match; picking the earliest"
        );
    }
    let contact = candidates.first()?;
    Some(OutboundContact {
        contact_id: contact.contact_id.clone(),
        agent_connection_id: contact.agent_connection()?.connection_id.clone(),
        customer_connection_id: contact.initial_connection()?.connection_id.clone(),
    })
}

/// Waits (up to the configured timeout) for the first snapshot holding the new contact.
pub(crate) async fn correlate_outbound(
    shared: &Shared,
    before: Option<&AgentSnapshot>,
    snapshots: &mut watch::Receiver<Option<Arc<AgentSnapshot>>>,
    endpoint: &Endpoint,
) -> Result<OutboundContact, CtiError> {
    let known: HashSet<String> = before
        .iter()
        .flat_map(|s| s.contacts.iter().map(|c| c.contact_id.clone()))
        .collect();
    let search = async {
        loop {
            let current = snapshots.borrow_and_update().clone();
            if let Some(found) = current
                .as_deref()
                .and_then(|s| find_outbound_contact(s, &known, endpoint))
            {
                return Ok(found);
            }
            if snapshots.changed().await.is_err() {
                return Err(CtiError::OutboundCorrelationTimeout);
            }
        }
    };
    let timeout = shared
        .clock
        .sleep(shared.settings.outbound_correlation_timeout);
    let outcome = match select(std::pin::pin!(search), std::pin::pin!(timeout)).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => Err(CtiError::OutboundCorrelationTimeout),
    };
    outcome
}
