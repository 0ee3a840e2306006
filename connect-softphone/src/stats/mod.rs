//! Call-quality statistics: the 1 s sampler of each call, MOS, grades, quality summaries and
//! the end-of-call reports, as plain data and sans-IO machines told the time.
//!
//! The media engine fills a [`StatsSnapshot`] once per second; a [`CallSampler`] turns it into
//! per-second [`StreamSample`] records (deltas clamped at 0, per-interval jitter-buffer delay,
//! consecutive-silence counters), a metrics batch every 30 s, a [`QualitySummary`] per window
//! (MOS by the simplified E-model, graded against [`Thresholds`]), and at the end the
//! [`CallReport`] and the extended [`TelemetryReport`]. The records go to the sinks of
//! [`crate::sinks`]; the [`cti`] encoder gives the exact `SendSoftphoneCallMetrics` and
//! `SendSoftphoneCallReport` requests.

mod api_latency;
mod counters;
pub mod cti;
mod direction;
mod event;
mod grade;
mod input;
mod iso;
mod mos;
mod record;
mod report;
mod sample;
mod sampler;
mod stream_stats;
mod summary;
mod telemetry;
mod window;

pub use api_latency::{ApiLatencySample, ApiMetricsCollector, Dimension};
pub use counters::{CounterAlerts, SilenceCounters, SilenceTracker};
pub use cti::{cti_statistic, CCP_VERSION};
pub use direction::StreamDirection;
pub use event::StatsEvent;
pub use grade::{Band, Breach, Grade, GradeInputs, QualityMetric, Thresholds};
pub use input::{JitterBufferCounters, StatsSnapshot, StreamCounters};
pub use mos::{mos_from_r, MosInputs};
pub use record::{CallContext, Enrichment, Record, RecordKind};
pub use report::{CallReport, CallTimings, FailureFlags, ReportStatistic};
pub use sample::{clamped_delta, derive_samples, JitterBufferMetric, StreamSample};
pub use sampler::{
    CallEnd, CallEndInput, CallSampler, SamplerConfig, TickOutput, DEFAULT_HISTORY_LIMIT,
};
pub use stream_stats::{scale_audio_level, StreamStats, AUDIO_LEVEL_SCALE};
pub use summary::{DirectionSummary, QualitySummary};
pub use telemetry::{
    PerSecondSeries, PerSecondStatistics, SoftphoneReport, TelemetryDetails, TelemetryReport,
};
