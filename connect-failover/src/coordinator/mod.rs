//! The sans-IO failover state machine ([`FailoverMachine`]) and the pure pieces it works on:
//! its inputs and actions, per-region views derived from snapshots, the desired agent state and
//! its mapping across regions, and the retry/backoff delays of spec §3.6.

mod action;
mod backoff;
mod desired;
mod machine;
mod state;
mod view;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use action::{Action, Input};
pub use backoff::{
    reconnect_delay, request_retry_delay, should_retry_request, RECONNECT_BASE, RECONNECT_CAP,
    RECONNECT_DEGRADED_AFTER, REQUEST_ATTEMPTS, REQUEST_RETRY_BASE,
};
pub use desired::{map_desired_state, DesiredState, StateMapping};
pub use machine::{FailoverMachine, MachineSettings};
pub use state::FailoverState;
pub use view::{is_offer, RegionView, DEFAULT_BLOCKING_CHANNELS};
