//! Tests of the instance, its clients and faults, with a manual clock.

mod client;
mod faults;
mod long_poll;

use std::sync::Arc;

use crate::mock::{SimInstance, SimInstanceBuilder};
use crate::model::Timestamp;
use crate::time::ManualClock;

pub(super) type TestResult = Result<(), Box<dyn std::error::Error>>;

pub(super) const T0: i64 = 1_767_261_600_000;

/// An instance on a manual clock.
pub(super) fn sim(builder: SimInstanceBuilder) -> (SimInstance, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(T0)));
    let sim = builder
        .clock(clock.clone())
        .build()
        .expect("valid instance");
    (sim, clock)
}

/// Lets spawned tasks run until they block.
pub(super) async fn run_tasks() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}
