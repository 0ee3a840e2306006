//! [`CallSampler`]: the 1 s sampler of one agent connection, a sans-IO machine told the time.
//!
//! The driver calls [`CallSampler::tick`] once per second from Talking entry with a fresh
//! [`StatsSnapshot`] (or [`CallSampler::read_failed`] when the media stats could not be read),
//! forwards the returned records to the sinks and the events to the app, and calls
//! [`CallSampler::finish`] at session end.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use connect_core::model::Timestamp;

use super::window::Window;
use super::{
    derive_samples, CallContext, CallReport, CallTimings, FailureFlags, JitterBufferMetric,
    PerSecondSeries, PerSecondStatistics, QualitySummary, Record, ReportStatistic, SilenceTracker,
    StatsEvent, StatsSnapshot, StreamDirection, StreamSample, StreamStats, TelemetryDetails,
    TelemetryReport, Thresholds,
};

/// Per-second records kept per direction for the telemetry report (3 h).
pub const DEFAULT_HISTORY_LIMIT: usize = 10_800;

/// How the sampler works; the defaults are the specification's.
///
/// ```
/// use connect_softphone::stats::SamplerConfig;
/// let config = SamplerConfig::default();
/// assert_eq!(config.flush_interval.as_secs(), 30);
/// assert!(!config.emit_samples);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SamplerConfig {
    /// What `jitterBufferMillis` carries.
    pub jitter_buffer_metric: JitterBufferMetric,
    /// Metrics batch and quality-summary window (30 s).
    pub flush_interval: Duration,
    /// Per-second records kept per direction for the telemetry report.
    pub history_limit: usize,
    /// Grading and silence thresholds.
    pub thresholds: Thresholds,
    /// Emit a [`StatsEvent::Sample`] every second.
    pub emit_samples: bool,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self {
            jitter_buffer_metric: JitterBufferMetric::default(),
            flush_interval: Duration::from_secs(30),
            history_limit: DEFAULT_HISTORY_LIMIT,
            thresholds: Thresholds::default(),
            emit_samples: false,
        }
    }
}

/// What one tick produced: events for the app and records for the sinks (a metrics batch
/// and a quality summary when a window closed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickOutput {
    /// Events, in order.
    pub events: Vec<StatsEvent>,
    /// Records, in order.
    pub records: Vec<Record>,
}

/// What the session supplies at the end of a call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallEndInput {
    /// Timings.
    pub timings: CallTimings,
    /// Failure flags.
    pub flags: FailureFlags,
    /// The telemetry report's session details.
    pub details: TelemetryDetails,
}

/// Everything a call's end produces. `records` is in the order the specification sends
/// them: the call report, the final metrics batch, the last quality summary, the telemetry
/// report.
#[derive(Clone, Debug, PartialEq)]
pub struct CallEnd {
    /// The call report.
    pub report: Arc<CallReport>,
    /// The telemetry report.
    pub telemetry: Arc<TelemetryReport>,
    /// The final partial window's summary (none when the sampler never ticked).
    pub summary: Option<Arc<QualitySummary>>,
    /// Events (the final summary).
    pub events: Vec<StatsEvent>,
    /// Records for the sinks.
    pub records: Vec<Record>,
}

/// The sampler of one agent connection.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::*;
///
/// let call = Arc::new(CallContext::new("c-1", "ac-1", Enrichment::new("jdoe")));
/// let t0 = Timestamp::from_millis(1_700_000_000_000);
/// let mut sampler = CallSampler::new(call, SamplerConfig::default(), t0);
/// let mut records = 0;
/// for s in 1..=30u64 {
///     let now = t0.add_millis(1000 * s as i64);
///     let snapshot = StatsSnapshot {
///         timestamp: now,
///         input: StreamCounters { packets: 50 * s, ..Default::default() },
///         output: StreamCounters { packets: 50 * s, ..Default::default() },
///         round_trip_time_secs: Some(0.08),
///         ..Default::default()
///     };
///     records += sampler.tick(now, snapshot).records.len();
/// }
/// assert_eq!(records, 60 + 1); // one 30 s batch of 60 records, and the window's summary
/// let end = sampler.finish(t0.add_millis(30_500), CallEndInput::default());
/// assert_eq!(end.report.softphone_stream_statistics.len(), 2);
/// ```
#[derive(Debug)]
pub struct CallSampler {
    call: Arc<CallContext>,
    config: SamplerConfig,
    prev: Option<StatsSnapshot>,
    buffer: Vec<StreamSample>,
    history: [VecDeque<StreamSample>; 2],
    window: Window,
    last_rtt_ms: Option<f64>,
    tracker: SilenceTracker,
    stats_errors: u64,
    last_summary: Option<Arc<QualitySummary>>,
}

impl CallSampler {
    /// A sampler for `call`, started at `now` (Talking entry): the first window starts here.
    pub fn new(call: Arc<CallContext>, config: SamplerConfig, now: Timestamp) -> Self {
        Self {
            call,
            config,
            prev: None,
            buffer: Vec::new(),
            history: Default::default(),
            window: Window::new(now),
            last_rtt_ms: None,
            tracker: SilenceTracker::default(),
            stats_errors: 0,
            last_summary: None,
        }
    }

    /// The call it samples.
    pub fn call(&self) -> &Arc<CallContext> {
        &self.call
    }

    /// Ticks whose stats could not be read.
    pub fn stats_errors(&self) -> u64 {
        self.stats_errors
    }

    /// The last window's summary.
    pub fn last_summary(&self) -> Option<&Arc<QualitySummary>> {
        self.last_summary.as_ref()
    }

    /// One tick with the snapshot read at `now`.
    pub fn tick(&mut self, now: Timestamp, snapshot: StatsSnapshot) -> TickOutput {
        let mut out = TickOutput::default();
        let prev = self.prev.as_ref();
        let samples = derive_samples(prev, &snapshot, self.config.jitter_buffer_metric);
        self.window.add(&samples, prev, &snapshot);
        if let Some(rtt) = snapshot.round_trip_time_secs.filter(|r| r.is_finite()) {
            self.last_rtt_ms = Some(rtt * 1000.0);
        }
        if prev.is_some() {
            let [input, output] = &samples;
            let alerts =
                self.tracker
                    .update(input, output, snapshot.muted, &self.config.thresholds);
            let counters = self.tracker.current();
            if alerts.no_inbound_audio {
                out.events.push(StatsEvent::NoInboundAudio {
                    contact_id: self.call.contact_id.clone(),
                    agent_connection_id: self.call.agent_connection_id.clone(),
                    seconds: counters.consecutive_no_audio_input_packets,
                });
            }
            if alerts.silent_microphone {
                out.events.push(StatsEvent::SilentMicrophone {
                    contact_id: self.call.contact_id.clone(),
                    agent_connection_id: self.call.agent_connection_id.clone(),
                    seconds: self.config.thresholds.silent_microphone_secs,
                });
            }
        }
        for (history, sample) in self.history.iter_mut().zip(&samples) {
            if history.len() >= self.config.history_limit.max(1) {
                history.pop_front();
            }
            history.push_back(sample.clone());
        }
        self.buffer.extend(samples.iter().cloned());
        if self.config.emit_samples {
            out.events.push(StatsEvent::Sample {
                contact_id: self.call.contact_id.clone(),
                samples: Arc::new(samples),
            });
        }
        self.prev = Some(snapshot);
        self.flush_if_due(now, &mut out);
        out
    }

    /// A tick whose stats could not be read: no record, one more stats error, and the flush
    /// still happens on time.
    pub fn read_failed(&mut self, now: Timestamp) -> TickOutput {
        self.stats_errors += 1;
        let mut out = TickOutput::default();
        self.flush_if_due(now, &mut out);
        out
    }

    fn flush_if_due(&mut self, now: Timestamp, out: &mut TickOutput) {
        let due = self.config.flush_interval.as_millis() as i64;
        if now.millis_since(self.window.start()) < due {
            return;
        }
        out.records.extend(self.take_batch());
        self.close_window(now, &mut out.events, &mut out.records);
    }

    /// The buffered records as one batch (both directions, time order), clearing the buffer.
    fn take_batch(&mut self) -> impl Iterator<Item = Record> + '_ {
        let call = &self.call;
        self.buffer.drain(..).map(|sample| Record::StreamSample {
            call: Arc::clone(call),
            sample,
        })
    }

    /// Summarises the current window (if it saw a tick) and starts the next at `now`.
    fn close_window(
        &mut self,
        now: Timestamp,
        events: &mut Vec<StatsEvent>,
        records: &mut Vec<Record>,
    ) {
        let window = std::mem::replace(&mut self.window, Window::new(now));
        if window.is_empty() {
            return;
        }
        let summary = Arc::new(window.summarize(
            now,
            (&self.call.contact_id, &self.call.agent_connection_id),
            self.last_rtt_ms,
            &self.config.thresholds,
            self.tracker.current(),
        ));
        events.push(StatsEvent::QualitySummary(Arc::clone(&summary)));
        records.push(Record::QualitySummary {
            call: Arc::clone(&self.call),
            summary: Arc::clone(&summary),
        });
        self.last_summary = Some(summary);
    }

    /// Ends the call at `now`: stops sampling, builds the call report (with the last
    /// cumulative reading of both directions), the final metrics batch, the final window's
    /// summary and the telemetry report.
    pub fn finish(mut self, now: Timestamp, end: CallEndInput) -> CallEnd {
        let statistics = self.prev.as_ref().map_or_else(Vec::new, |last| {
            StreamDirection::BOTH
                .map(|d| ReportStatistic::new(last.timestamp, d, &StreamStats::read(last, d)))
                .to_vec()
        });
        let report = Arc::new(CallReport {
            timings: end.timings,
            flags: end.flags,
            softphone_stream_statistics: statistics,
        });
        let mut records = vec![Record::CallReport {
            call: Arc::clone(&self.call),
            report: Arc::clone(&report),
        }];
        records.extend(self.take_batch().collect::<Vec<_>>());
        let mut events = Vec::new();
        self.close_window(now, &mut events, &mut records);
        let [input, output] = &self.history;
        let telemetry = Arc::new(TelemetryReport {
            call: (*report).clone(),
            softphone_stream_per_second_statistics: PerSecondStatistics {
                audio_input: PerSecondSeries::of(StreamDirection::AudioInput, input),
                audio_output: PerSecondSeries::of(StreamDirection::AudioOutput, output),
            },
            details: end.details,
            counters: self.tracker.current().clone(),
            longest_runs: self.tracker.longest().clone(),
            stats_errors: self.stats_errors,
            quality_summary: self.last_summary.as_deref().cloned(),
        });
        records.push(Record::Telemetry {
            call: Arc::clone(&self.call),
            report: Arc::clone(&telemetry),
        });
        CallEnd {
            report,
            telemetry,
            summary: events.iter().find_map(|e| match e {
                StatsEvent::QualitySummary(s) => Some(Arc::clone(s)),
                _ => None,
            }),
            events,
            records,
        }
    }
}
