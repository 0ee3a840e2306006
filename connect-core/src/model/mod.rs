//! The CTI wire model: plain serde types with the exact wire names, no I/O.
//!
//! Unknown fields of server payloads are kept in each type's `extra` map and unknown enum
//! values in `Other(..)`, so a payload round-trips unchanged. Members the service always sends
//! (possibly as `null`) are written back as `null`; optional extras are omitted when absent.
//! Tokens, TURN credentials and phone numbers are [`Sensitive`]: hidden from `Debug`.

mod agent;
mod config;
mod connection;
mod contact;
mod endpoint;
mod sensitive;
mod timestamp;
mod transport;
pub(crate) mod wire_enum;

pub use agent::{
    agent_avail_states, AgentAvailabilityState, AgentSnapshot, AgentState, AgentStateType,
    AGENT_ERROR_STATES,
};
pub use config::{permissions, AgentConfiguration, Channel, RoutingProfile};
pub use connection::{
    CallConfig, CallType, ChatMediaInfo, Connection, ConnectionState, ConnectionStateType,
    ConnectionType, IceServer, MonitoringInfo, SoftphoneMediaInfo,
};
pub use contact::{
    Attribute, ChannelContext, Contact, ContactFeatures, ContactState, ContactStateType,
    ContactType, InitiationMethod, Reference,
};
pub use endpoint::{Endpoint, EndpointType, Queue};
pub use sensitive::Sensitive;
pub use timestamp::Timestamp;
pub use transport::{
    AgentDiscoveryTransport, Attendee, ChatTokenTransport, CreateTransportResponse, MediaPlacement,
    Meeting, SoftphoneTransport, TransportType, WebRtcTransport, WebSocketTransport,
};
