//! Per-region upkeep after every snapshot and tick: hidden offers are rejected, the agent of a
//! suppressed region is kept offline (re-asserted with backoff), and hard cleanup is retried
//! until the region has no contacts left.

use std::sync::Arc;

use connect_core::log::LogLevel;
use connect_core::model::{AgentSnapshot, AgentStateType, Contact, ContactStateType};

use super::engine::{Engine, Inbox, Job};
use super::jobs::{clean_up, reject, set_offline};
use super::region::{Cleanup, Pacer};
use super::InactiveOfferPolicy;
use crate::coordinator::is_offer;
use connect_core::task::spawn_abortable;

/// Whether the agent must be set offline: `Some(enqueue)` unless it already is offline, or has
/// offline enqueued while contacts remain.
fn needs_offline(snapshot: &AgentSnapshot) -> Option<bool> {
    if snapshot.state.kind == AgentStateType::Offline {
        return None;
    }
    if snapshot.contacts.is_empty() {
        return Some(false);
    }
    let enqueued = snapshot
        .next_state
        .as_ref()
        .is_some_and(|s| s.kind == AgentStateType::Offline);
    (!enqueued).then_some(true)
}

/// Contacts that still need cleanup (lingering missed or rejected offers end by themselves).
fn needs_cleanup(state: &ContactStateType) -> bool {
    !matches!(
        state,
        ContactStateType::Missed | ContactStateType::Rejected | ContactStateType::Error
    )
}

impl Engine {
    /// The upkeep of `region` given its latest snapshot.
    pub(crate) fn maintain(&mut self, region: &str, snapshot: &Arc<AgentSnapshot>) {
        let suppressed = self.machine.surfaced_region() != Some(region);
        if suppressed {
            if self.settings.inactive_offer_policy == InactiveOfferPolicy::Reject {
                self.reject_hidden_offers(region, snapshot);
            }
            self.keep_offline(region, snapshot);
        }
        self.continue_cleanup(region, snapshot);
    }

    fn reject_hidden_offers(&mut self, region: &str, snapshot: &AgentSnapshot) {
        let now = self.clock.now();
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        let Some(session) = runtime.session.clone() else {
            return;
        };
        for contact in snapshot.contacts.iter().filter(|c| is_offer(c)) {
            let id = &contact.contact_id;
            if runtime.suppress.is_surfaced(id) || !runtime.suppress.mark_rejected(id) {
                continue;
            }
            runtime.log(
                now,
                LogLevel::Info,
                format!("rejecting offer {id} (region suppressed)"),
            );
            let (jobs, session, inbox) =
                (self.jobs.clone(), session.clone(), self.inbox_tx.clone());
            let (name, id) = (region.to_owned(), id.clone());
            self.tasks.push(spawn_abortable(async move {
                let result = reject(&jobs, &session, &id).await;
                if let Err(error) = &result {
                    tracing::warn!(region = %name, contact = %id, error = %error, "reject failed");
                }
                let ok = result.is_ok();
                let _ = inbox.send(Inbox::Done {
                    region: name,
                    job: Job::Reject,
                    ok,
                });
            }));
        }
    }

    fn keep_offline(&mut self, region: &str, snapshot: &AgentSnapshot) {
        let now = self.clock.now();
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        let Some(session) = runtime.session.clone() else {
            return;
        };
        let Some(enqueue) = needs_offline(snapshot) else {
            return;
        };
        if !runtime.offline.try_start(now) {
            return;
        }
        runtime.log(
            now,
            LogLevel::Info,
            format!(
                "keeping the agent offline (enqueued: {enqueue}); it shows {}",
                snapshot.state.name
            ),
        );
        let (jobs, inbox, name) = (self.jobs.clone(), self.inbox_tx.clone(), region.to_owned());
        self.tasks.push(spawn_abortable(async move {
            let result = set_offline(&jobs, &session, enqueue).await;
            if let Err(error) = &result {
                tracing::warn!(region = %name, error = %error, "setting the agent offline failed");
            }
            let ok = result.is_ok();
            let _ = inbox.send(Inbox::Done {
                region: name,
                job: Job::Offline,
                ok,
            });
        }));
    }

    /// Starts hard cleanup of `region` (kept up until it has no contacts).
    pub(crate) fn start_cleanup(&mut self, region: &str) {
        let now = self.clock.now();
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        runtime.log(now, LogLevel::Warn, "hard cleanup: ending every contact");
        runtime.cleanup.get_or_insert_with(|| Cleanup {
            in_flight: Default::default(),
            pacer: Pacer::new(now),
        });
        let snapshot = runtime.session.as_ref().and_then(|s| s.snapshot());
        if let Some(snapshot) = snapshot {
            self.continue_cleanup(region, &snapshot);
        }
    }

    fn continue_cleanup(&mut self, region: &str, snapshot: &AgentSnapshot) {
        let now = self.clock.now();
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        let (Some(cleanup), Some(session)) = (runtime.cleanup.as_mut(), runtime.session.clone())
        else {
            return;
        };
        let open: Vec<Contact> = snapshot
            .contacts
            .iter()
            .filter(|c| needs_cleanup(&c.state.kind))
            .cloned()
            .collect();
        if open.is_empty() && cleanup.in_flight.is_empty() {
            runtime.cleanup = None;
            runtime.log(now, LogLevel::Info, "hard cleanup finished");
            return;
        }
        if !cleanup.in_flight.is_empty() || !cleanup.pacer.due(now) {
            return;
        }
        cleanup
            .in_flight
            .extend(open.iter().map(|c| c.contact_id.clone()));
        for contact in open {
            let id = contact.contact_id.clone();
            runtime.log(
                now,
                LogLevel::Info,
                format!("hard cleanup of {id} ({})", contact.state.kind),
            );
            let (jobs, session, inbox) =
                (self.jobs.clone(), session.clone(), self.inbox_tx.clone());
            let name = region.to_owned();
            self.tasks.push(spawn_abortable(async move {
                let result = clean_up(&jobs, &session, &contact).await;
                if let Err(error) = &result {
                    tracing::warn!(region = %name, contact = %id, error = %error, "cleanup failed");
                }
                let ok = result.is_ok();
                let _ = inbox.send(Inbox::Done {
                    region: name,
                    job: Job::Cleanup(id),
                    ok,
                });
            }));
        }
    }

    /// A background call finished.
    pub(crate) fn on_done(&mut self, region: &str, job: Job, ok: bool) {
        let now = self.clock.now();
        let unit = self.jobs.jitter.next_unit();
        let Some(runtime) = self.regions.get_mut(region) else {
            return;
        };
        match job {
            Job::Offline => runtime.offline.finish(now, ok, unit),
            Job::Reject => {}
            Job::Cleanup(id) => {
                if let Some(cleanup) = runtime.cleanup.as_mut() {
                    cleanup.in_flight.remove(&id);
                    cleanup.pacer.finish(now, ok, unit);
                }
            }
        }
    }
}
