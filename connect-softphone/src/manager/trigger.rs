//! The session trigger of spec §2.1 as a pure rule over snapshots: which calls to start, which
//! to end.

use std::collections::BTreeMap;

use connect_core::model::{AgentSnapshot, ContactStateType, Sensitive};

use super::types::CallInfo;
use crate::session::CallStart;

/// A call the snapshot asks to start.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Wanted {
    pub(super) info: CallInfo,
    pub(super) call_context_token: Option<Sensitive>,
    pub(super) call_config_json: Option<Sensitive>,
}

impl Wanted {
    pub(super) fn call_start(&self) -> CallStart {
        CallStart::new(
            self.info.connection_id.clone(),
            self.info.contact_id.clone(),
            self.call_context_token.clone(),
            self.call_config_json.clone(),
        )
    }
}

/// What one snapshot changes.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Plan {
    /// New softphone legs ringing or dialling.
    pub(super) start: Vec<Wanted>,
    /// Contacts whose call must end (ENDED, ERROR, MISSED, or gone).
    pub(super) end: Vec<String>,
}

#[derive(Debug)]
struct Known {
    contact_id: String,
    ended: bool,
}

/// Remembers every agent connection a session was started for, until its contact leaves the
/// snapshot, so that a call is started once and ended once.
#[derive(Debug, Default)]
pub(super) struct Trigger {
    known: BTreeMap<String, Known>,
}

impl Trigger {
    /// The starts and ends `snapshot` calls for.
    pub(super) fn plan(&mut self, snapshot: &AgentSnapshot) -> Plan {
        let mut plan = Plan::default();
        for (connection_id, known) in &mut self.known {
            let state = snapshot
                .contacts
                .iter()
                .find(|c| c.contact_id == known.contact_id)
                .map(|c| c.state.kind.clone());
            let over = !matches!(
                &state,
                Some(s) if !matches!(s, ContactStateType::Ended | ContactStateType::Error | ContactStateType::Missed)
            );
            if over && !known.ended {
                known.ended = true;
                tracing::debug!(%connection_id, contact = %known.contact_id, ?state, "softphone contact over");
                plan.end.push(known.contact_id.clone());
            }
        }
        self.known.retain(|_, k| {
            snapshot
                .contacts
                .iter()
                .any(|c| c.contact_id == k.contact_id)
        });
        for contact in &snapshot.contacts {
            if !matches!(
                contact.state.kind,
                ContactStateType::Connecting | ContactStateType::Incoming
            ) {
                continue;
            }
            let Some(connection) = contact.agent_connection() else {
                continue;
            };
            let Some(media) = &connection.softphone_media_info else {
                continue;
            };
            // One session per contact: a queued callback's agent connection changes when it
            // connects, and the session keeps its original id (§2.1).
            let has_session = self.known.contains_key(&connection.connection_id)
                || self
                    .known
                    .values()
                    .any(|k| k.contact_id == contact.contact_id && !k.ended);
            if has_session {
                continue;
            }
            self.known.insert(
                connection.connection_id.clone(),
                Known {
                    contact_id: contact.contact_id.clone(),
                    ended: false,
                },
            );
            plan.start.push(Wanted {
                info: CallInfo {
                    contact_id: contact.contact_id.clone(),
                    connection_id: connection.connection_id.clone(),
                    auto_accept: media.auto_accept.unwrap_or(false),
                },
                call_context_token: media.call_context_token.clone(),
                call_config_json: media.call_config_json.clone(),
            });
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot(contacts: serde_json::Value) -> AgentSnapshot {
        serde_json::from_value(json!({
            "state": {"type": "routable", "name": "Available", "startTimestamp": 1704067200},
            "contacts": contacts,
            "snapshotTimestamp": 1704067200,
        }))
        .expect("snapshot")
    }

    fn voice(id: &str, state: &str, media: bool) -> serde_json::Value {
        let mut agent = json!({
            "connectionId": format!("ac-{id}"),
            "state": {"type": "connecting", "timestamp": 1704067200},
            "type": "agent",
            "initial": false,
        });
        if media {
            agent["softphoneMediaInfo"] = json!({
                "callType": "audio_only", "autoAccept": true,
                "callContextToken": "cct", "callConfigJson": "{}",
            });
        }
        json!({
            "contactId": id,
            "type": "voice",
            "state": {"type": state, "timestamp": 1704067200},
            "connections": [agent],
        })
    }

    #[test]
    fn starts_once_while_ringing_and_ends_once() {
        let mut trigger = Trigger::default();
        let plan = trigger.plan(&snapshot(json!([voice("c1", "connecting", true)])));
        assert_eq!(plan.start.len(), 1);
        let wanted = &plan.start[0];
        assert_eq!(wanted.info.connection_id, "ac-c1");
        assert!(wanted.info.auto_accept);
        assert_eq!(wanted.call_start().contact_id, "c1");
        assert!(plan.end.is_empty());
        // Still ringing, then connected: nothing new.
        assert_eq!(
            trigger.plan(&snapshot(json!([voice("c1", "connecting", true)]))),
            Plan::default()
        );
        assert_eq!(
            trigger.plan(&snapshot(json!([voice("c1", "connected", true)]))),
            Plan::default()
        );
        // Ended (after-contact work): end once.
        let plan = trigger.plan(&snapshot(json!([voice("c1", "ended", true)])));
        assert_eq!(plan.end, ["c1"]);
        assert!(trigger
            .plan(&snapshot(json!([voice("c1", "ended", true)])))
            .end
            .is_empty());
        // Gone, then the same id rings again: a new session.
        assert_eq!(trigger.plan(&snapshot(json!([]))), Plan::default());
        assert_eq!(
            trigger
                .plan(&snapshot(json!([voice("c1", "incoming", true)])))
                .start
                .len(),
            1
        );
    }

    #[test]
    fn a_new_agent_connection_of_a_contact_keeps_its_session() {
        let mut trigger = Trigger::default();
        trigger.plan(&snapshot(json!([voice("c1", "incoming", true)])));
        let mut renamed = voice("c1", "connecting", true);
        renamed["connections"][0]["connectionId"] = json!("ac-other");
        assert_eq!(trigger.plan(&snapshot(json!([renamed]))), Plan::default());
    }

    #[test]
    fn a_contact_leaving_the_snapshot_ends_its_call() {
        let mut trigger = Trigger::default();
        trigger.plan(&snapshot(json!([voice("c1", "incoming", true)])));
        assert_eq!(trigger.plan(&snapshot(json!([]))).end, ["c1"]);
    }

    #[test]
    fn missed_and_error_end_the_call() {
        for state in ["missed", "error"] {
            let mut trigger = Trigger::default();
            trigger.plan(&snapshot(json!([voice("c1", "connecting", true)])));
            assert_eq!(
                trigger
                    .plan(&snapshot(json!([voice("c1", state, true)])))
                    .end,
                ["c1"]
            );
        }
    }

    #[test]
    fn no_softphone_media_or_not_ringing_starts_nothing() {
        let mut trigger = Trigger::default();
        let plan = trigger.plan(&snapshot(json!([
            voice("c1", "connecting", false),
            voice("c2", "connected", true),
            voice("c3", "pending", true),
        ])));
        assert_eq!(plan, Plan::default());
    }
}
