//! The Connect Participant Service: its REST client, wire model and the chat WebSocket's frames
//! and rules.
//!
//! - [`ParticipantClient`]: `CreateParticipantConnection`, `SendMessage`, `SendEvent`,
//!   `GetTranscript`, `DisconnectParticipant` with their exact paths and `X-Amz-Bearer` tokens.
//! - [`parse_frame`] and [`ChatSocketMachine`]: the socket's frames and its sans-IO rules
//!   (subscribe, heartbeat and ping, rollover, back-offs), driven by the chat session.

mod client;
pub mod content;
mod error;
mod frame;
mod model;
mod socket;
mod socket_io;
mod timings;

pub use client::{
    ParticipantClient, ParticipantClientBuilder, BEARER_HEADER, DEFAULT_REQUEST_DEADLINE,
    PATH_CONNECTION, PATH_DISCONNECT, PATH_EVENT, PATH_MESSAGE, PATH_TRANSCRIPT,
};
pub use error::ChatError;
pub use frame::{
    heartbeat_frame, parse_frame, ping_frame, subscribe_frame, ChatFrame, TOPIC_CHAT,
    TOPIC_HEARTBEAT, TOPIC_PING, TOPIC_SUBSCRIBE,
};
pub(crate) use model::parse_expiry;
pub use model::{
    ConnectionCredentials, ConnectionType, CreateParticipantConnectionRequest,
    CreateParticipantConnectionResponse, DisconnectParticipantRequest, GetTranscriptRequest,
    GetTranscriptResponse, Item, ItemType, MessageMetadata, ParticipantRole, Receipt,
    ScanDirection, SendEventRequest, SendEventResponse, SendMessageRequest, SendMessageResponse,
    SortOrder, StartPosition, WebsocketInfo,
};
pub use socket::{
    ChatSocketMachine, ConnectionDetails, FetchFailure, FetchPurpose, SocketEvent, SocketId,
    SocketOutput, CLOSE_NORMAL, CLOSE_STALE,
};
pub use timings::SocketTimings;
