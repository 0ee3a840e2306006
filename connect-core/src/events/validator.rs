//! Checks, event by event, that every contact keeps the SDK's lifecycle order (R1).

use std::collections::HashMap;

use super::{AgentEvent, ContactEventKind};

/// Where a contact is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Live,
    Ended,
}

/// A lifecycle violation: which contact, which event, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderViolation {
    /// The contact.
    pub contact_id: String,
    /// The offending event.
    pub event: ContactEventKind,
    /// What rule it broke.
    pub reason: &'static str,
}

/// Follows an event stream and reports every event that breaks `Init` → entry events →
/// `Ended` (once) → [`Acw`, `Error`] → `Destroyed` (once, last). Test harnesses and bots use
/// it to prove ordering on live sessions.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::events::{diff, DiffState, LifecycleValidator};
/// use connect_core::model::*;
///
/// let mut validator = LifecycleValidator::default();
/// let snap = Arc::new(AgentSnapshot::empty(AgentState::new(AgentStateType::Routable, "Available"), Timestamp::from_millis(0)));
/// for event in diff(&DiffState::default(), snap).0 {
///     validator.observe(&event);
/// }
/// assert!(validator.violations().is_empty());
/// ```
#[derive(Debug, Default)]
pub struct LifecycleValidator {
    phases: HashMap<String, Phase>,
    violations: Vec<OrderViolation>,
    destroyed: u64,
}

impl LifecycleValidator {
    /// Feeds one event.
    pub fn observe(&mut self, event: &AgentEvent) {
        match event {
            AgentEvent::Contact(c) => self.observe_contact(&c.contact_id, &c.kind),
            AgentEvent::Resync { destroyed, .. } => {
                for contact in destroyed {
                    self.phases.remove(&contact.contact_id);
                }
                // After a lag the subscriber starts over from the snapshot.
                self.phases.clear();
            }
            _ => {}
        }
    }

    fn observe_contact(&mut self, id: &str, kind: &ContactEventKind) {
        if !kind.is_lifecycle() {
            return;
        }
        let phase = self.phases.get(id).copied();
        let verdict = match (phase, kind) {
            (None, ContactEventKind::Init) => Ok(Some(Phase::Live)),
            (None, _) => Err("event before Init"),
            (Some(_), ContactEventKind::Init) => Err("second Init"),
            (Some(Phase::Live), ContactEventKind::Ended) => Ok(Some(Phase::Ended)),
            (Some(Phase::Live), ContactEventKind::Acw) => Err("Acw before Ended"),
            (Some(Phase::Live), ContactEventKind::Destroyed) => Err("Destroyed before Ended"),
            (Some(Phase::Live), _) => Ok(Some(Phase::Live)),
            (Some(Phase::Ended), ContactEventKind::Destroyed) => Ok(None),
            (Some(Phase::Ended), ContactEventKind::Acw | ContactEventKind::Error) => {
                Ok(Some(Phase::Ended))
            }
            (Some(Phase::Ended), ContactEventKind::Ended) => Err("second Ended"),
            (Some(Phase::Ended), _) => Err("entry event after Ended"),
        };
        match verdict {
            Ok(Some(next)) => {
                self.phases.insert(id.to_owned(), next);
            }
            Ok(None) => {
                self.phases.remove(id);
                self.destroyed += 1;
            }
            Err(reason) => self.violations.push(OrderViolation {
                contact_id: id.to_owned(),
                event: kind.clone(),
                reason,
            }),
        }
    }

    /// Every violation seen so far.
    pub fn violations(&self) -> &[OrderViolation] {
        &self.violations
    }

    /// Contacts that completed their lifecycle (reached `Destroyed`).
    pub fn completed(&self) -> u64 {
        self.destroyed
    }

    /// Contacts seen but not yet destroyed.
    pub fn open_contacts(&self) -> usize {
        self.phases.len()
    }
}
