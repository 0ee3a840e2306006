//! Two simulated regions behind a simulated traffic distribution group (feature `mock`,
//! native only): two `connect-core` simulator instances, each behind its own `SimServer` on
//! loopback, with the same agent login; a third server answering the global agent-discovery
//! URL (independent of either region); and [`SimTrafficDistribution`], which sets the active
//! region and impairs or cuts off a region.

mod traffic;
mod two_regions;

pub use traffic::{Impairment, SimTrafficDistribution};
pub use two_regions::{SimRegion, SimTwoRegions, SimTwoRegionsBuilder};
