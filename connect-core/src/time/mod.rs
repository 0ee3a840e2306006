//! Time sources: every timing decision in the SDK asks a [`Clock`], so tests can drive time.

mod backoff;
mod clock;
#[cfg(not(target_arch = "wasm32"))]
mod manual;
mod splitmix;

pub use backoff::{full_jitter, Jitter};
pub use clock::{Clock, SystemClock};
#[cfg(not(target_arch = "wasm32"))]
pub use manual::ManualClock;
pub use splitmix::{uuid_v4, SplitMix64};
