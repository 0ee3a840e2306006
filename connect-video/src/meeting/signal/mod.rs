//! The meeting signalling protocol of the Chime SDK: `SdkSignalFrame`s over the signalling
//! WebSocket.
//!
//! - [`proto`]: the protobuf messages; [`encode_frame`] / [`decode_frame`]: the `0x05` framing.
//! - [`SignalingRequest`]: the URL with its protocol query and the subprotocols.
//! - [`SignalingMachine`]: the sans-IO session (join, subscribe, keep-alive, reconnection,
//!   leave), driven by a clock; it builds for wasm32 too.
//! - `SignalingClient` (native): the machine over a real tokio-tungstenite socket.

mod error;
mod frame;
mod machine;
mod machine_io;
mod presence;
pub mod proto;
mod status;
mod types;
mod url;

#[cfg(not(target_arch = "wasm32"))]
mod client;
#[cfg(not(target_arch = "wasm32"))]
mod client_driver;

#[cfg(not(target_arch = "wasm32"))]
pub use client::{SignalingClient, SignalingClientBuilder, SignalingEvents};
pub use error::SignalError;
pub use frame::{decode_frame, encode_frame, FrameError, PROTOBUF_FRAME_TYPE};
pub use machine::SignalingMachine;
pub use machine_io::{
    MachineConfig, SignalingEvent, SignalingOutput, SignalingState, SignalingTimings, SocketId,
};
pub use presence::{PresenceChange, PresenceTracker};
pub use status::{MeetingStatus, CLOSE_FORBIDDEN, CLOSE_MEETING_ENDED};
pub use types::{
    DataMessage, IndexUpdate, JoinAck, MediaType, SendStream, StreamAllocation, StreamSource,
    SubscribeAck, Subscription, TrackMapping, TurnCredentials, DEFAULT_VIDEO_SUBSCRIPTION_LIMIT,
    MAX_DATA_BYTES, MAX_DATA_LIFETIME_MS, MAX_DATA_TOPIC_LEN,
};
pub use url::{SignalingRequest, CONTROL_PROTOCOL_VERSION, SESSION_SUBPROTOCOL, SIGNALING_QUERY};
