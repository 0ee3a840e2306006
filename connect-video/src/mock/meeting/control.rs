//! The control plane of the simulated meeting service: meetings with their owner, attendees,
//! and the join tokens (a token dies with its attendee or its meeting).

use std::collections::HashMap;

use connect_core::model::Sensitive;
use serde_json::Map;

use super::error::MeetingSimError;
use crate::escalation::{Attendee, EscalationMeeting, MediaPlacement, Meeting};
use crate::meeting::join::CONTENT_SUFFIX;

/// Most attendees of one meeting.
pub(super) const MAX_ATTENDEES: usize = 250;

/// Who a valid join token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Identity {
    pub(super) meeting_id: String,
    /// `<id>#content` for a content-share token.
    pub(super) attendee_id: String,
    pub(super) external_user_id: Option<String>,
}

#[derive(Debug)]
struct MeetingRecord {
    meeting: Meeting,
    ownership: EscalationMeeting,
    attendees: HashMap<String, Attendee>,
}

/// Meetings, attendees and tokens.
#[derive(Debug)]
pub(super) struct Control {
    base_url: String,
    region: String,
    meetings: HashMap<String, MeetingRecord>,
    /// Base join token → (meeting id, attendee id).
    tokens: HashMap<String, (String, String)>,
}

impl Control {
    pub(super) fn new(base_url: String, region: String) -> Self {
        Self {
            base_url,
            region,
            meetings: HashMap::new(),
            tokens: HashMap::new(),
        }
    }

    pub(super) fn create_meeting(
        &mut self,
        owner_agent_id: &str,
        external_meeting_id: &str,
    ) -> Result<Meeting, MeetingSimError> {
        check_external_id("ExternalMeetingId", external_meeting_id)?;
        let meeting_id = uuid()?;
        let meeting = Meeting {
            meeting_id: meeting_id.clone(),
            external_meeting_id: Some(external_meeting_id.to_owned()),
            media_region: Some(self.region.clone()),
            media_placement: Some(MediaPlacement {
                audio_host_url: Some(format!("{}/audio/{meeting_id}", self.base_url)),
                audio_fallback_url: Some(format!("{}/audio/{meeting_id}", self.base_url)),
                signaling_url: Some(format!("{}/control/{meeting_id}", self.base_url)),
                turn_control_url: None,
                event_ingestion_url: None,
                extra: Map::new(),
            }),
            meeting_features: None,
            extra: Map::new(),
        };
        let ownership = EscalationMeeting {
            external_meeting_id: external_meeting_id.to_owned(),
            customer_external_user_id: String::new(),
            owner_agent_id: owner_agent_id.to_owned(),
        };
        self.meetings.insert(
            meeting_id,
            MeetingRecord {
                meeting: meeting.clone(),
                ownership,
                attendees: HashMap::new(),
            },
        );
        Ok(meeting)
    }

    /// `CreateAttendee`, by the owner only; the same external user id gives the same attendee.
    pub(super) fn create_attendee(
        &mut self,
        caller_agent_id: &str,
        meeting_id: &str,
        external_user_id: &str,
    ) -> Result<Attendee, MeetingSimError> {
        let record = self.owned(caller_agent_id, meeting_id)?;
        check_external_id("ExternalUserId", external_user_id)?;
        if external_user_id.starts_with("aws:") {
            return Err(MeetingSimError::BadRequest(
                "ExternalUserId may not start with `aws:`".into(),
            ));
        }
        let existing = record
            .attendees
            .values()
            .find(|a| a.external_user_id.as_deref() == Some(external_user_id));
        if let Some(existing) = existing {
            return Ok(existing.clone());
        }
        if record.attendees.len() >= MAX_ATTENDEES {
            return Err(MeetingSimError::LimitExceeded(MAX_ATTENDEES));
        }
        let attendee = Attendee {
            attendee_id: uuid()?,
            external_user_id: Some(external_user_id.to_owned()),
            join_token: Sensitive::new(token()?),
            capabilities: None,
            extra: Map::new(),
        };
        record
            .attendees
            .insert(attendee.attendee_id.clone(), attendee.clone());
        self.tokens.insert(
            attendee.join_token.expose().to_owned(),
            (meeting_id.to_owned(), attendee.attendee_id.clone()),
        );
        Ok(attendee)
    }

    /// `DeleteAttendee`, by the owner only: the attendee's tokens die.
    pub(super) fn delete_attendee(
        &mut self,
        caller_agent_id: &str,
        meeting_id: &str,
        attendee_id: &str,
    ) -> Result<(), MeetingSimError> {
        let record = self.owned(caller_agent_id, meeting_id)?;
        let gone = record
            .attendees
            .remove(attendee_id)
            .ok_or_else(|| MeetingSimError::AttendeeNotFound(attendee_id.to_owned()))?;
        self.tokens.remove(gone.join_token.expose());
        Ok(())
    }

    /// `DeleteMeeting`: by the owner, or by the service itself (`caller` `None`, a fault).
    pub(super) fn delete_meeting(
        &mut self,
        caller_agent_id: Option<&str>,
        meeting_id: &str,
    ) -> Result<(), MeetingSimError> {
        if let Some(caller) = caller_agent_id {
            self.owned(caller, meeting_id)?;
        }
        let record = self
            .meetings
            .remove(meeting_id)
            .ok_or_else(|| MeetingSimError::MeetingNotFound(meeting_id.to_owned()))?;
        for attendee in record.attendees.values() {
            self.tokens.remove(attendee.join_token.expose());
        }
        Ok(())
    }

    /// The meeting, while it exists.
    pub(super) fn meeting(&self, meeting_id: &str) -> Option<Meeting> {
        self.meetings.get(meeting_id).map(|r| r.meeting.clone())
    }

    /// Who `token` belongs to, if it is alive and for `meeting_id` (`#content` tokens give the
    /// `#content` attendee).
    pub(super) fn authenticate(&self, token: &str, meeting_id: &str) -> Option<Identity> {
        let (base, content) = match token.strip_suffix(CONTENT_SUFFIX) {
            Some(base) => (base, true),
            None => (token, false),
        };
        let (owner_meeting, attendee_id) = self.tokens.get(base)?;
        if owner_meeting != meeting_id {
            return None;
        }
        let attendee = self.meetings.get(meeting_id)?.attendees.get(attendee_id)?;
        Some(Identity {
            meeting_id: meeting_id.to_owned(),
            attendee_id: if content {
                format!("{attendee_id}{CONTENT_SUFFIX}")
            } else {
                attendee_id.clone()
            },
            external_user_id: attendee.external_user_id.clone(),
        })
    }

    fn owned(
        &mut self,
        caller_agent_id: &str,
        meeting_id: &str,
    ) -> Result<&mut MeetingRecord, MeetingSimError> {
        let record = self
            .meetings
            .get_mut(meeting_id)
            .ok_or_else(|| MeetingSimError::MeetingNotFound(meeting_id.to_owned()))?;
        record.ownership.ensure_owner(caller_agent_id)?;
        Ok(record)
    }
}

fn check_external_id(name: &str, value: &str) -> Result<(), MeetingSimError> {
    let len = value.chars().count();
    if (2..=64).contains(&len) {
        Ok(())
    } else {
        Err(MeetingSimError::BadRequest(format!(
            "{name} must have 2–64 characters"
        )))
    }
}

fn uuid() -> Result<String, MeetingSimError> {
    crate::random_uuid().map_err(|e| MeetingSimError::Io(e.to_string()))
}

/// A join token: 32 random bytes in hex.
fn token() -> Result<String, MeetingSimError> {
    let mut bytes = [0u8; 32];
    crate::random::fill(&mut bytes).map_err(|e| MeetingSimError::Io(e.to_string()))?;
    Ok(crate::random::hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_rules_tokens_and_content_tokens() {
        let mut control = Control::new("ws://127.0.0.1:1".into(), "us-east-1".into());
        let meeting = control.create_meeting("agent-1", "ext-1").expect("create");
        let id = meeting.meeting_id.clone();
        assert!(control
            .create_attendee("agent-2", &id, "user-1")
            .expect_err("not owner")
            .is_not_owner());
        let attendee = control
            .create_attendee("agent-1", &id, "user-1")
            .expect("owner");
        assert_eq!(
            control
                .create_attendee("agent-1", &id, "user-1")
                .expect("idempotent"),
            attendee
        );
        let token = attendee.join_token.expose().to_owned();
        let who = control.authenticate(&token, &id).expect("valid token");
        assert_eq!(who.attendee_id, attendee.attendee_id);
        let content = control
            .authenticate(&format!("{token}#content"), &id)
            .expect("valid content token");
        assert_eq!(
            content.attendee_id,
            format!("{}#content", attendee.attendee_id)
        );
        assert_eq!(control.authenticate(&token, "other-meeting"), None);
        assert_eq!(control.authenticate("nope", &id), None);
        assert!(control
            .delete_attendee("agent-2", &id, &attendee.attendee_id)
            .expect_err("not owner")
            .is_not_owner());
        control
            .delete_attendee("agent-1", &id, &attendee.attendee_id)
            .expect("owner deletes");
        assert_eq!(control.authenticate(&token, &id), None, "dead after delete");
        assert!(control
            .delete_meeting(Some("agent-2"), &id)
            .expect_err("not owner")
            .is_not_owner());
        control
            .delete_meeting(Some("agent-1"), &id)
            .expect("owner ends");
        assert!(control.meeting(&id).is_none());
        assert!(matches!(
            control.create_meeting("agent-1", "x"),
            Err(MeetingSimError::BadRequest(_))
        ));
    }
}
