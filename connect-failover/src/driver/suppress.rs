//! [`Suppressor`]: which of a region's contacts the app may see (spec §3.4). Offers of a
//! suppressed region never pass; live work (`connected`, `paused`, `ended`) always does; a
//! contact once surfaced stays surfaced until destroyed.

use std::collections::HashSet;
use std::sync::Arc;

use connect_core::events::{AgentEvent, ContactEvent, ContactEventKind};
use connect_core::model::{AgentSnapshot, Contact, ContactStateType};

/// The surfaced contacts of one region.
#[derive(Debug, Default)]
pub(crate) struct Suppressor {
    surfaced: HashSet<String>,
    rejected: HashSet<String>,
}

fn is_live(contact: &Contact) -> bool {
    matches!(
        contact.state.kind,
        ContactStateType::Connected | ContactStateType::Paused | ContactStateType::Ended
    )
}

impl Suppressor {
    /// Whether the app has seen this contact.
    pub(crate) fn is_surfaced(&self, contact_id: &str) -> bool {
        self.surfaced.contains(contact_id)
    }

    /// Records that a hidden offer is being rejected; false when it already was.
    pub(crate) fn mark_rejected(&mut self, contact_id: &str) -> bool {
        self.rejected.insert(contact_id.to_owned())
    }

    /// Whether a not-yet-surfaced `contact` may be shown now.
    fn may_surface(&self, region_surfaced: bool, contact: &Contact) -> bool {
        is_live(contact) || (region_surfaced && !self.rejected.contains(&contact.contact_id))
    }

    /// The events the app gets for one session event of this region (`region_surfaced`: whether
    /// the region's offers are currently surfaced).
    pub(crate) fn filter(&mut self, region_surfaced: bool, event: AgentEvent) -> Vec<AgentEvent> {
        match event {
            AgentEvent::Contact(c) => self.filter_contact(region_surfaced, c),
            AgentEvent::Refresh { changed, snapshot } => vec![AgentEvent::Refresh {
                changed,
                snapshot: self.visible(&snapshot, |s, c| s.surfaced.contains(&c.contact_id)),
            }],
            AgentEvent::Init {
                snapshot,
                configuration,
            } => vec![AgentEvent::Init {
                snapshot: self.visible(&snapshot, |s, c| s.may_surface(region_surfaced, c)),
                configuration,
            }],
            AgentEvent::Resync {
                snapshot,
                destroyed,
            } => vec![AgentEvent::Resync {
                snapshot: snapshot
                    .map(|s| self.visible(&s, |me, c| me.surfaced.contains(&c.contact_id))),
                destroyed: destroyed
                    .into_iter()
                    .filter(|c| self.surfaced.remove(&c.contact_id))
                    .collect(),
            }],
            other => vec![other],
        }
    }

    fn filter_contact(&mut self, region_surfaced: bool, c: ContactEvent) -> Vec<AgentEvent> {
        let id = c.contact_id.clone();
        if self.surfaced.contains(&id) {
            if c.kind == ContactEventKind::Destroyed {
                self.surfaced.remove(&id);
                self.rejected.remove(&id);
            }
            return vec![AgentEvent::Contact(c)];
        }
        if c.kind == ContactEventKind::Destroyed || !self.may_surface(region_surfaced, &c.contact) {
            if c.kind == ContactEventKind::Destroyed {
                self.rejected.remove(&id);
            }
            return Vec::new();
        }
        self.surfaced.insert(id.clone());
        if c.kind == ContactEventKind::Init {
            return vec![AgentEvent::Contact(c)];
        }
        let init = ContactEvent {
            contact_id: id,
            kind: ContactEventKind::Init,
            contact: Arc::clone(&c.contact),
        };
        vec![AgentEvent::Contact(init), AgentEvent::Contact(c)]
    }

    /// `snapshot` without the contacts `keep` refuses (the same `Arc` when nothing is hidden).
    fn visible(
        &self,
        snapshot: &Arc<AgentSnapshot>,
        keep: impl Fn(&Self, &Contact) -> bool,
    ) -> Arc<AgentSnapshot> {
        if snapshot.contacts.iter().all(|c| keep(self, c)) {
            return Arc::clone(snapshot);
        }
        let mut filtered = AgentSnapshot::clone(snapshot);
        filtered.contacts.retain(|c| keep(self, c));
        Arc::new(filtered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_core::model::{ContactType, Timestamp};

    fn event(id: &str, kind: ContactEventKind, state: ContactStateType) -> AgentEvent {
        let contact = Contact::new(id, ContactType::Voice, state, Timestamp::from_millis(0));
        AgentEvent::Contact(ContactEvent {
            contact_id: id.into(),
            kind,
            contact: Arc::new(contact),
        })
    }

    fn kinds(events: &[AgentEvent]) -> Vec<ContactEventKind> {
        events
            .iter()
            .filter_map(|e| match e {
                AgentEvent::Contact(c) => Some(c.kind.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn offers_of_a_suppressed_region_never_pass() {
        let mut s = Suppressor::default();
        let out = s.filter(
            false,
            event("c", ContactEventKind::Init, ContactStateType::Connecting),
        );
        assert!(out.is_empty());
        let out = s.filter(
            false,
            event("c", ContactEventKind::Missed, ContactStateType::Missed),
        );
        assert!(out.is_empty());
        let out = s.filter(
            false,
            event("c", ContactEventKind::Destroyed, ContactStateType::Missed),
        );
        assert!(out.is_empty());
        assert!(!s.is_surfaced("c"));
    }

    #[test]
    fn live_work_surfaces_with_a_synthesised_init_and_stays_until_destroyed() {
        let mut s = Suppressor::default();
        let out = s.filter(
            false,
            event(
                "c",
                ContactEventKind::Connected,
                ContactStateType::Connected,
            ),
        );
        assert_eq!(
            kinds(&out),
            [ContactEventKind::Init, ContactEventKind::Connected]
        );
        let out = s.filter(
            false,
            event("c", ContactEventKind::Destroyed, ContactStateType::Ended),
        );
        assert_eq!(kinds(&out), [ContactEventKind::Destroyed]);
        assert!(!s.is_surfaced("c"));
    }

    #[test]
    fn a_surfaced_offer_stays_visible_after_the_region_is_suppressed() {
        let mut s = Suppressor::default();
        let out = s.filter(
            true,
            event("c", ContactEventKind::Init, ContactStateType::Connecting),
        );
        assert_eq!(kinds(&out), [ContactEventKind::Init]);
        let out = s.filter(
            false,
            event(
                "c",
                ContactEventKind::Connecting,
                ContactStateType::Connecting,
            ),
        );
        assert_eq!(kinds(&out), [ContactEventKind::Connecting]);
    }

    #[test]
    fn a_rejected_offer_never_surfaces_later() {
        let mut s = Suppressor::default();
        assert!(s
            .filter(
                false,
                event("c", ContactEventKind::Init, ContactStateType::Connecting)
            )
            .is_empty());
        assert!(s.mark_rejected("c"));
        assert!(!s.mark_rejected("c"));
        assert!(s
            .filter(
                true,
                event("c", ContactEventKind::Ended, ContactStateType::Rejected)
            )
            .is_empty());
    }

    #[test]
    fn refresh_snapshots_hide_unsurfaced_contacts() {
        use connect_core::model::{AgentState, AgentStateType};
        let mut s = Suppressor::default();
        let mut snap = AgentSnapshot::empty(
            AgentState::new(AgentStateType::Offline, "Offline"),
            Timestamp::from_millis(0),
        );
        snap.contacts.push(Contact::new(
            "hidden",
            ContactType::Voice,
            ContactStateType::Connecting,
            Timestamp::from_millis(0),
        ));
        let out = s.filter(
            false,
            AgentEvent::Refresh {
                changed: true,
                snapshot: Arc::new(snap),
            },
        );
        let AgentEvent::Refresh { snapshot, .. } = &out[0] else {
            panic!("a refresh passes");
        };
        assert!(snapshot.contacts.is_empty());
    }
}
