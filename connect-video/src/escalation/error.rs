//! [`EscalationError`].

/// Errors of the escalation backend rules.
///
/// ```
/// use connect_video::escalation::EscalationError;
/// assert!(EscalationError::ForbiddenAttribute("videoRouteToAgent".into()).is_forbidden_attribute());
/// assert!(EscalationError::NotOwner.is_not_owner());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EscalationError {
    /// The request tried to set an attribute only the SDK sets.
    #[error("attribute `{0}` may not be set by the client")]
    ForbiddenAttribute(String),
    /// The caller does not own the meeting.
    #[error("only the meeting owner may do this")]
    NotOwner,
    /// No valid join ticket.
    #[error("the join ticket is not valid")]
    InvalidTicket,
    /// The operating system's random source failed.
    #[error("no OS randomness: {0}")]
    Random(String),
    /// No escalation is registered for this chat contact.
    #[error("no video escalation for contact {0}")]
    UnknownContact(String),
    /// The agent already started the video call of this chat.
    #[error("the video call of contact {0} is already started")]
    AlreadyStarted(String),
    /// The agent has not started the video call yet.
    #[error("the video call has not started")]
    NotStarted,
    /// The meeting control plane refused or failed.
    #[error("meeting control plane: {0}")]
    Meeting(String),
    /// The invitation could not be sent on the chat.
    #[error("chat: {0}")]
    Chat(String),
    /// The meeting's join data is incomplete.
    #[error("join data: {0}")]
    JoinData(String),
}

impl EscalationError {
    /// Whether a client tried to set a routing attribute.
    pub fn is_forbidden_attribute(&self) -> bool {
        matches!(self, Self::ForbiddenAttribute(_))
    }

    /// Whether the caller is not the meeting owner.
    pub fn is_not_owner(&self) -> bool {
        matches!(self, Self::NotOwner)
    }
}
