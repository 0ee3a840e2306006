//! The adaptive jitter buffer (`softphone.md` §11.2): per-SSRC ordering by extended sequence
//! number, a target delay of 20–200 ms from the RFC 3550 jitter, FEC and PLC decisions, and the
//! exported counters. [`JitterBuffer`] is sans-IO (told the time, returns decisions);
//! [`JitterPlayout`] adds the decoder.

mod buffer;
mod estimator;
mod playout;
mod sequence;
mod stats;

pub use buffer::{ConcealReason, JitterBuffer, JitterBufferConfig, Playout, PushOutcome};
pub use estimator::JitterEstimator;
pub use playout::JitterPlayout;
pub use stats::JitterBufferStats;
