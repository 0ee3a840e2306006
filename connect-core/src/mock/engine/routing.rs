//! Routing (§9.1): which waiting contact goes to which agent, and the offer itself.
//!
//! An agent is eligible for a contact when its effective state is routable, the contact's
//! queue is in its routing profile for the contact's channel (or is its personal queue), the
//! profile's routing delay has passed, the channel has free capacity, no voice contact is
//! active, and — for voice — no other contact is active. Agents are served longest idle first
//! (ties by agent id); each takes its best contact: highest priority (1), then oldest
//! `queueTimestamp`, then creation order.

use crate::model::{Channel, ConnectionStateType, ContactStateType, Timestamp};

use super::super::journal::JournalEvent;
use super::model::{Place, SimContact, Timer};
use super::SimEngine;

impl SimEngine {
    /// Offers waiting contacts until no eligible agent is left.
    pub(super) fn route(&mut self, now: Timestamp) {
        loop {
            let mut order: Vec<usize> = (0..self.agents.len())
                .filter(|&a| self.is_routable(a))
                .collect();
            order.sort_by(|&x, &y| {
                let (ax, ay) = (&self.agents[x], &self.agents[y]);
                (ax.idle_since, &ax.id).cmp(&(ay.idle_since, &ay.id))
            });
            let pick = order
                .into_iter()
                .find_map(|a| self.best_contact_for(a, now).map(|ci| (ci, a)));
            match pick {
                Some((ci, a)) => self.offer(ci, a, now),
                None => break,
            }
        }
    }

    /// The waiting contact agent `a` should get now, if any.
    fn best_contact_for(&self, a: usize, now: Timestamp) -> Option<usize> {
        let agent = &self.agents[a];
        let profile = &self.dir.profiles[agent.profile];
        let held: Vec<&SimContact> = self.contacts_of(a).collect();
        let voice_active = held.iter().any(|c| c.is_voice() && c.state.is_active());
        if voice_active {
            return None;
        }
        let any_active = held.iter().any(|c| c.state.is_active());
        let has_capacity = |channel: &Channel| {
            let used = held
                .iter()
                .filter(|c| c.routing_channel() == *channel)
                .count();
            (used as u64) < u64::from(profile.concurrency_of(channel))
        };
        let mut best: Option<((u32, Timestamp, u64), usize)> = None;
        for (ci, contact) in self.contacts.iter().enumerate() {
            if contact.place != Place::Queued {
                continue;
            }
            let channel = contact.routing_channel();
            if !has_capacity(&channel) || (channel == Channel::Voice && any_active) {
                continue;
            }
            let priority = if contact.queue == agent.personal_queue {
                Some(1)
            } else {
                profile
                    .entries
                    .iter()
                    .filter(|e| e.queue == contact.queue && e.channel == channel)
                    .filter(|e| contact.queue_ts.add_millis(e.delay_ms) <= now)
                    .map(|e| e.priority)
                    .min()
            };
            let Some(priority) = priority else {
                continue;
            };
            let key = (priority, contact.queue_ts, contact.seq);
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, ci));
            }
        }
        best.map(|(_, ci)| ci)
    }

    /// The earliest routing delay (profile `delay_s`) still to expire after the engine's time.
    pub(super) fn next_routing_delay(&self) -> Option<Timestamp> {
        let mut next: Option<Timestamp> = None;
        for contact in self.contacts.iter().filter(|c| c.place == Place::Queued) {
            for profile in &self.dir.profiles {
                for entry in profile.entries.iter().filter(|e| e.queue == contact.queue) {
                    let at = contact.queue_ts.add_millis(entry.delay_ms);
                    if at > self.now && next.is_none_or(|n| at < n) {
                        next = Some(at);
                    }
                }
            }
        }
        next
    }

    /// Puts contact `ci` in its queue (a new contact, or one coming back).
    pub(super) fn put_in_queue(&mut self, ci: usize, now: Timestamp) {
        let contact = &mut self.contacts[ci];
        contact.place = Place::Queued;
        contact.accepted = false;
        contact.linger = None;
        contact
            .connections
            .retain(|c| c.party == super::model::Party::Customer);
        let event = JournalEvent::Enqueued {
            contact: contact.id.clone(),
            kind: contact.kind(),
            queue: self.dir.queues[contact.queue].label(),
        };
        if let Some(after) = contact.abandon_after_ms {
            let at = contact.queue_ts.add_millis(after).max(now);
            let id = contact.id.clone();
            self.schedule(at, Timer::Abandon { contact: id });
        }
        self.record(now, event);
    }

    /// Offers contact `ci` to agent `a`.
    fn offer(&mut self, ci: usize, a: usize, now: Timestamp) {
        let agent_leg = self.new_agent_leg(ci, a, now);
        let leg_id = agent_leg.id.clone();
        let auto_accept = self.agents[a].auto_accept;
        let contact = &mut self.contacts[ci];
        contact.place = Place::Agent(a);
        contact.accepted = false;
        contact.connections.insert(0, agent_leg);
        let contact_id = contact.id.clone();
        let offered_state = match contact.channel {
            super::super::script::SimChannel::Callback => ContactStateType::Incoming,
            _ => ContactStateType::Connecting,
        };
        self.counters.offered += 1;
        self.agents[a].idle_since = now;
        let username = self.agents[a].username.clone();
        self.record(
            now,
            JournalEvent::Offered {
                contact: contact_id.clone(),
                agent: username,
            },
        );
        // The agent leg appears in `connecting`.
        self.contacts[ci].state = ContactStateType::Init;
        self.set_contact_state(ci, offered_state, now);
        if let Some(leg) = self.contacts[ci].connection(&leg_id) {
            let event = JournalEvent::ConnectionState {
                contact: contact_id.clone(),
                connection: leg.id.clone(),
                kind: leg.kind.clone(),
                state: ConnectionStateType::Connecting,
            };
            self.record(now, event);
        }
        if auto_accept {
            self.accept_offer(ci, now);
        } else {
            let timeout = if self.contacts[ci].is_voice() {
                self.settings.ring_timeout
            } else {
                self.settings.chat_task_ring_timeout
            };
            self.schedule_in(
                now,
                timeout,
                Timer::Ring {
                    contact: contact_id,
                    leg: leg_id,
                },
            );
        }
    }
}
