//! [`MeetingSimError`]: the simulated meeting service's control-plane errors.

use crate::escalation::EscalationError;

/// Errors of the simulated meeting service.
///
/// ```
/// use connect_video::mock::meeting::MeetingSimError;
/// assert!(MeetingSimError::NotOwner.is_not_owner());
/// assert!(MeetingSimError::MeetingNotFound("m".into()).is_not_found());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingSimError {
    /// The caller does not own the meeting (`ForbiddenException`).
    #[error("only the meeting owner may do this")]
    NotOwner,
    /// No such meeting, or it was deleted (`NotFoundException`).
    #[error("meeting {0} not found")]
    MeetingNotFound(String),
    /// No such attendee, or it was deleted (`NotFoundException`).
    #[error("attendee {0} not found")]
    AttendeeNotFound(String),
    /// A parameter breaks the API's rules (`BadRequestException`).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The meeting has its maximum of attendees (`LimitExceededException`).
    #[error("the meeting has {0} attendees already")]
    LimitExceeded(usize),
    /// The service could not start or lacked randomness.
    #[error("simulated meeting service failed: {0}")]
    Io(String),
}

impl MeetingSimError {
    /// Whether the caller is not the meeting owner.
    pub fn is_not_owner(&self) -> bool {
        matches!(self, Self::NotOwner)
    }

    /// Whether the meeting or attendee does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::MeetingNotFound(_) | Self::AttendeeNotFound(_))
    }
}

impl From<EscalationError> for MeetingSimError {
    fn from(error: EscalationError) -> Self {
        match error {
            EscalationError::NotOwner => Self::NotOwner,
            other => Self::Io(other.to_string()),
        }
    }
}
