//! Server-side rules of video escalation that need no media (§5, §6.3): chat start with a
//! pinned flow and SDK-only routing attributes, ids minted server-side, join tickets, the
//! structured invitation, meeting ownership, and the meeting model as data.

mod attributes;
mod error;
mod invitation;
mod meeting;
mod start_chat;
mod ticket;

pub use attributes::{AttributeNames, ChatStartPolicy, CustomerChatStart, PRIORITY_MARKER};
pub use error::EscalationError;
pub use invitation::{Invitation, INVITATION_TYPE, INVITATION_VERSION};
pub use meeting::{
    AllowedCapabilities, Attendee, ConnectionData, EscalationMeeting, MediaPlacement, Meeting,
    ParticipantCapabilities, StartWebRtcContactRequest, StartWebRtcContactResponse,
};
pub use start_chat::{ParticipantDetails, StartChatContactRequest, StartChatContactResponse};
pub use ticket::{JoinTicket, TicketBinding};
