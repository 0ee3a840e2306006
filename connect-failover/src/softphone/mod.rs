//! The softphone hand-over between regions (spec §3.7), feature `softphone`, native only:
//! [`SoftphoneHandover`], a [`MediaHandoverHook`](crate::MediaHandoverHook) over one
//! softphone per region, and the [`HandoverStep`]s it reports.

mod handover;
mod step;

pub use handover::SoftphoneHandover;
pub use step::HandoverStep;
