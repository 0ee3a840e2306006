//! The simulated meeting service as the escalation backend's [`MeetingBackend`] plane.

use async_trait::async_trait;

use super::{MeetingSimError, SimMeetingService};
use crate::escalation::{Attendee, EscalationError, Meeting, MeetingBackend};

#[async_trait]
impl MeetingBackend for SimMeetingService {
    async fn create_meeting(
        &self,
        owner_agent_id: &str,
        external_meeting_id: &str,
    ) -> Result<Meeting, EscalationError> {
        SimMeetingService::create_meeting(self, owner_agent_id, external_meeting_id)
            .map_err(control_error)
    }

    async fn create_attendee(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
        external_user_id: &str,
    ) -> Result<Attendee, EscalationError> {
        SimMeetingService::create_attendee(self, caller_agent_id, meeting_id, external_user_id)
            .map_err(control_error)
    }

    async fn delete_meeting(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
    ) -> Result<(), EscalationError> {
        SimMeetingService::delete_meeting(self, caller_agent_id, meeting_id)
            .await
            .map_err(control_error)
    }
}

/// Ownership stays typed; every other refusal is the control plane's.
fn control_error(error: MeetingSimError) -> EscalationError {
    match error {
        MeetingSimError::NotOwner => EscalationError::NotOwner,
        other => EscalationError::Meeting(other.to_string()),
    }
}
