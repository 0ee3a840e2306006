//! Call sessions: the session state machine of §7 for every call, the peer connections that
//! carry them (persistent PCs, several calls on one PC, ICE restart, media health), all in one
//! sans-IO [`SoftphoneMachine`] that is told the time and returns [`Action`]s.

mod config;
mod health;
mod machine;
mod reason;
mod records;
mod report;
mod setup;
mod signal;
mod talking;
#[cfg(test)]
mod tests;
mod types;

pub use config::{OnMediaLost, SessionTimeouts, SoftphoneConfig};
pub use machine::SoftphoneMachine;
pub use reason::{EndReason, FailureReason, SetupStep, SoftphoneErrorType};
pub use report::{FailureFlags, IceRestartCounters, SessionReport};
pub use types::{
    Action, CallStart, CredentialPurpose, HealthCause, IceConnectionState, MediaHealth,
    MicrophoneFailure, PcId, SessionEvent, SessionState, TalkingState,
};
