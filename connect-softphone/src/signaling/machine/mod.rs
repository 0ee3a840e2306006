//! The signaling state machine of §6: one per signaling channel (one peer connection), sans-IO,
//! told the time, returning [`SignalingOutput`]s.

mod core;
mod effects;
mod inbound;
#[cfg(test)]
mod tests;
mod types;

pub(crate) use self::core::after;
pub use self::core::SignalingMachine;
pub use types::{
    AckPolicy, CallLeg, ChannelKind, LegState, Resume, SignalingConfig, SignalingEvent,
    SignalingOutput, SignalingState, SignalingTimeouts, SignalingWarning,
};
