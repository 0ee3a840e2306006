//! # connect-failover
//!
//! Multi-region Global Resiliency over two or more regional agent sessions: one
//! `connect-core` session per region of a traffic distribution group, kept alive for the whole
//! shift; a coordinator that learns the active region, suppresses offers in the other regions,
//! keeps the agent offline there, and moves the agent over — softly (live work finishes first),
//! hard (`TerminateActiveContacts`), or forced.
//!
//! - [`coordinator`]: the sans-IO [`FailoverMachine`](coordinator::FailoverMachine), told the
//!   time and returning actions, plus the pure pieces it works on.
//! - [`source`]: where decisions come from — the [`PresignedUrlPoller`], the [`PushSource`],
//!   merging, and region health.
//! - [`FailoverCoordinator`]: the driver over the regional sessions.
//! - `mock` (feature `mock`, native only): two simulated regions behind a traffic-distribution
//!   control.
//! - [`softphone`] (feature `softphone`, native only): the softphone hand-over between
//!   regions, a [`MediaHandoverHook`] over one softphone per region.
//!
//! ```
//! use connect_core::model::Timestamp;
//! use connect_failover::coordinator::{FailoverMachine, Input, MachineSettings};
//! use connect_failover::{Decision, DecisionSource, RegionInfo};
//!
//! let regions = vec![RegionInfo::new("us-east-1", "arn:e"), RegionInfo::new("us-west-2", "arn:w")];
//! let mut machine = FailoverMachine::new(regions, "us-east-1", MachineSettings::default()).unwrap();
//! let now = Timestamp::from_millis(0);
//! machine.start(now);
//! let decision = Decision::new("arn:e", false, now, DecisionSource::Push);
//! machine.handle(now, Input::Decision(decision)).unwrap();
//! assert_eq!(machine.active_region(), Some("us-east-1"));
//! ```

pub mod coordinator;
mod driver;
mod error;
mod events;
#[cfg(all(feature = "mock", not(target_arch = "wasm32")))]
pub mod mock;
mod region;
mod retry;
#[cfg(all(feature = "softphone", not(target_arch = "wasm32")))]
pub mod softphone;
pub mod source;
mod timeout;

pub use coordinator::{map_desired_state, DesiredState};
pub use driver::{
    FailoverCoordinator, FailoverCoordinatorBuilder, FailoverEvents, FailoverSettings,
    FailoverStatus, InactiveOfferPolicy, MediaHandover, MediaHandoverHook, RegionConfig,
    RegionEvents, WebSocketFactory,
};
pub use error::FailoverError;
pub use events::{FailoverEvent, RegionEvent};
pub use region::{FailoverMode, InitiateReason, RegionHealth, RegionInfo};
pub use source::{
    ActiveRegionSource, Decision, DecisionMerger, DecisionSource, PresignedUrlPoller, PushHandle,
    PushSource,
};
