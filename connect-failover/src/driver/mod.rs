//! The driver: [`FailoverCoordinator`] owns one agent session per region, feeds the
//! [`FailoverMachine`](crate::coordinator::FailoverMachine) with decisions, snapshots and health,
//! and carries out its actions (suppression, offline enforcement, activation, hard cleanup).

mod builder;
mod engine;
mod handle;
mod jobs;
mod maintain;
mod media;
mod observed;
mod region;
mod settings;
mod suppress;

pub use builder::FailoverCoordinatorBuilder;
pub use handle::{FailoverCoordinator, FailoverEvents, FailoverStatus, RegionEvents};
pub use media::{MediaHandover, MediaHandoverHook};
pub use settings::{FailoverSettings, InactiveOfferPolicy, RegionConfig, WebSocketFactory};
