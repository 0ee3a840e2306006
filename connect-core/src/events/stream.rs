//! The receiving side: a subscriber's ordered event stream and per-contact views.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError};

use super::{AgentEvent, ContactEvent, ContactEventKind, EventBus};
use crate::model::Contact;

/// One subscriber's ordered events.
///
/// When the subscriber falls behind it receives [`AgentEvent::Lagged`] and then
/// [`AgentEvent::Resync`] with the current snapshot and the contacts it knew that are gone,
/// then continues with new events.
///
/// ```
/// use connect_core::events::{AgentEvent, EventBus};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let bus = EventBus::new(2);
/// let mut slow = bus.subscribe();
/// bus.publish(vec![AgentEvent::ClearedNextState; 5]);
/// assert!(matches!(slow.recv().await, Some(AgentEvent::Lagged { dropped: 3 })));
/// assert!(matches!(slow.recv().await, Some(AgentEvent::Resync { .. })));
/// # });
/// ```
#[derive(Debug)]
pub struct Events {
    receiver: broadcast::Receiver<AgentEvent>,
    bus: EventBus,
    known_contacts: HashMap<String, Arc<Contact>>,
    pending_resync: bool,
}

impl Events {
    pub(crate) fn new(receiver: broadcast::Receiver<AgentEvent>, bus: EventBus) -> Self {
        Self {
            receiver,
            bus,
            known_contacts: HashMap::new(),
            pending_resync: false,
        }
    }

    /// The next event, or `None` once the session is gone.
    pub async fn recv(&mut self) -> Option<AgentEvent> {
        if self.pending_resync {
            self.pending_resync = false;
            return Some(self.resync());
        }
        match self.receiver.recv().await {
            Ok(event) => {
                self.track(&event);
                Some(event)
            }
            Err(RecvError::Lagged(dropped)) => {
                self.pending_resync = true;
                Some(AgentEvent::Lagged { dropped })
            }
            Err(RecvError::Closed) => None,
        }
    }

    /// Narrows this stream to one contact: it ends after that contact's `Destroyed`.
    ///
    /// ```
    /// # use connect_core::events::EventBus;
    /// let bus = EventBus::new(8);
    /// let contact_events = bus.subscribe().contact("5b0f6b2e");
    /// # drop(contact_events);
    /// ```
    pub fn contact(self, contact_id: impl Into<String>) -> ContactEvents {
        ContactEvents {
            events: self,
            contact_id: contact_id.into(),
            done: false,
        }
    }

    fn track(&mut self, event: &AgentEvent) {
        if let AgentEvent::Contact(c) = event {
            if c.kind == ContactEventKind::Destroyed {
                self.known_contacts.remove(&c.contact_id);
            } else {
                self.known_contacts
                    .insert(c.contact_id.clone(), Arc::clone(&c.contact));
            }
        }
    }

    fn resync(&mut self) -> AgentEvent {
        // Skip what is still queued from before the lag; the snapshot below supersedes it.
        self.receiver = self.receiver.resubscribe();
        let snapshot = self.bus.latest_snapshot();
        let present: Vec<&str> = snapshot
            .iter()
            .flat_map(|s| s.contacts.iter().map(|c| c.contact_id.as_str()))
            .collect();
        let gone: Vec<String> = self
            .known_contacts
            .keys()
            .filter(|id| !present.contains(&id.as_str()))
            .cloned()
            .collect();
        let destroyed = gone
            .iter()
            .filter_map(|id| self.known_contacts.remove(id))
            .collect();
        if let Some(snapshot) = &snapshot {
            for contact in &snapshot.contacts {
                self.known_contacts
                    .insert(contact.contact_id.clone(), Arc::new(contact.clone()));
            }
        }
        AgentEvent::Resync {
            snapshot,
            destroyed,
        }
    }
}

/// The events of one contact, ending after its `Destroyed`.
#[derive(Debug)]
pub struct ContactEvents {
    events: Events,
    contact_id: String,
    done: bool,
}

impl ContactEvents {
    /// The contact's next event; `None` after `Destroyed` or when the session is gone.
    /// If the subscriber lagged and the contact vanished meanwhile, a `Destroyed` with the last
    /// known data is delivered.
    pub async fn recv(&mut self) -> Option<ContactEvent> {
        while !self.done {
            match self.events.recv().await? {
                AgentEvent::Contact(event) if event.contact_id == self.contact_id => {
                    self.done = event.kind == ContactEventKind::Destroyed;
                    return Some(event);
                }
                AgentEvent::Resync { destroyed, .. } => {
                    if let Some(contact) = destroyed
                        .into_iter()
                        .find(|c| c.contact_id == self.contact_id)
                    {
                        self.done = true;
                        return Some(ContactEvent {
                            contact_id: self.contact_id.clone(),
                            kind: ContactEventKind::Destroyed,
                            contact,
                        });
                    }
                }
                _ => {}
            }
        }
        None
    }
}
