//! Softphone signaling: the JSON-RPC 2.0 protocol of the Connect softphone ([`proto`]), the
//! sans-IO signaling machine of one channel ([`SignalingMachine`]), and the transports that
//! carry it (the CCP WebSocket topic `aws/softphone`, or a direct WebSocket).

mod error;
mod machine;
pub mod proto;
#[cfg(not(target_arch = "wasm32"))]
pub mod transport;

pub use error::{RpcMethod, SignalingError, STALE_PEER_CONNECTION};
pub(crate) use machine::after;
pub use machine::{
    AckPolicy, CallLeg, ChannelKind, LegState, Resume, SignalingConfig, SignalingEvent,
    SignalingMachine, SignalingOutput, SignalingState, SignalingTimeouts, SignalingWarning,
};
