//! Where active-region decisions come from: the [`ActiveRegionSource`] trait, the
//! [`PresignedUrlPoller`] (`createTransport agent_discovery` + `GET`), the [`PushSource`], the
//! [`DecisionMerger`], and region health derived from the sessions' calls
//! ([`HealthTracker`]).

mod context;
mod decision;
mod fetch;
mod health;
mod poller;
mod push;

pub use context::{ActiveRegionSource, DecisionSink, RegionBoard, SourceContext, SourceRegion};
pub use decision::{Decision, DecisionMerger, DecisionSource};
pub use fetch::{DiscoveryFetch, HttpDiscoveryFetch};
pub use health::{HealthTracker, DEFAULT_REGION_DEAD_AFTER};
pub use poller::PresignedUrlPoller;
pub use push::{PushHandle, PushSource};
