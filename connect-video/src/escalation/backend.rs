//! [`MeetingBackend`]: the meeting control plane the escalation backend drives — the Chime
//! SDK Meetings API in production, the simulated meeting service in tests.

use async_trait::async_trait;

use super::error::EscalationError;
use super::meeting::{Attendee, Meeting};

/// Create and delete meetings and attendees. Implementations enforce ownership: only the
/// meeting's owner may add attendees or delete the meeting ([`EscalationError::NotOwner`]).
///
/// ```ignore
/// let meeting = control.create_meeting("agent-1", &external_meeting_id).await?;
/// let customer = control.create_attendee("agent-1", &meeting.meeting_id, &external_user_id).await?;
/// control.delete_meeting("agent-1", &meeting.meeting_id).await?;
/// ```
#[async_trait]
pub trait MeetingBackend: Send + Sync + 'static {
    /// `CreateMeeting` owned by `owner_agent_id`.
    async fn create_meeting(
        &self,
        owner_agent_id: &str,
        external_meeting_id: &str,
    ) -> Result<Meeting, EscalationError>;

    /// `CreateAttendee` (`POST /meetings/{MeetingId}/attendees`) on behalf of
    /// `caller_agent_id`.
    async fn create_attendee(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
        external_user_id: &str,
    ) -> Result<Attendee, EscalationError>;

    /// `DeleteMeeting` on behalf of `caller_agent_id`: every join token of it dies.
    async fn delete_meeting(
        &self,
        caller_agent_id: &str,
        meeting_id: &str,
    ) -> Result<(), EscalationError>;
}
