//! The server side of video escalation (§5, §6.3): chat start with a pinned flow and SDK-only
//! routing attributes, ids minted server-side, join tickets, the structured invitation,
//! meeting ownership, the meeting model as data, and [`VideoEscalation`], the chat → video
//! flow over a [`MeetingBackend`] plane with its [`EscalationEvent`]s.

mod attributes;
mod backend;
mod error;
mod event;
mod invitation;
mod meeting;
mod start_chat;
mod ticket;
mod video;

pub use attributes::{AttributeNames, ChatStartPolicy, CustomerChatStart, PRIORITY_MARKER};
pub use backend::MeetingBackend;
pub use error::EscalationError;
pub use event::{EndedBy, EscalationEvent, EscalationEvents};
pub use invitation::{Invitation, INVITATION_TYPE, INVITATION_VERSION};
pub use meeting::{
    AllowedCapabilities, Attendee, ConnectionData, EscalationMeeting, MediaPlacement, Meeting,
    ParticipantCapabilities, StartWebRtcContactRequest, StartWebRtcContactResponse,
};
pub use start_chat::{ParticipantDetails, StartChatContactRequest, StartChatContactResponse};
pub use ticket::{JoinTicket, TicketBinding};
pub use video::{VideoEscalation, VideoEscalationBuilder, DEFAULT_TICKET_TTL};
