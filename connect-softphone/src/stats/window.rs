//! The per-window accumulator behind [`QualitySummary`].

use connect_core::model::Timestamp;

use super::{
    DirectionSummary, GradeInputs, MosInputs, QualitySummary, SilenceCounters, StatsSnapshot,
    StreamDirection, StreamSample, Thresholds,
};

/// A running sum and count of a point value.
#[derive(Clone, Copy, Debug, Default)]
struct Mean {
    sum: f64,
    count: u32,
}

impl Mean {
    fn add(&mut self, value: Option<f64>) {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            self.sum += v;
            self.count += 1;
        }
    }

    fn value(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / f64::from(self.count))
    }
}

#[derive(Clone, Debug, Default)]
struct DirectionWindow {
    packets: u64,
    lost: u64,
    jitter_ms: Mean,
    level: Mean,
}

/// What one window has seen so far.
#[derive(Clone, Debug)]
pub(crate) struct Window {
    start: Timestamp,
    ticks: u32,
    directions: [DirectionWindow; 2],
    jb_delay_secs: f64,
    jb_emitted: u64,
    rtt_ms: Mean,
    rtt_max: Option<f64>,
}

impl Window {
    /// An empty window starting at `start`.
    pub(crate) fn new(start: Timestamp) -> Self {
        Self {
            start,
            ticks: 0,
            directions: Default::default(),
            jb_delay_secs: 0.0,
            jb_emitted: 0,
            rtt_ms: Mean::default(),
            rtt_max: None,
        }
    }

    /// When the window started.
    pub(crate) fn start(&self) -> Timestamp {
        self.start
    }

    /// Whether any tick was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.ticks == 0
    }

    /// Adds one tick: its records and the snapshots they came from.
    pub(crate) fn add(
        &mut self,
        samples: &[StreamSample; 2],
        prev: Option<&StatsSnapshot>,
        cur: &StatsSnapshot,
    ) {
        self.ticks += 1;
        let jitters = [cur.input.jitter_secs, cur.output.jitter_secs];
        for ((window, sample), jitter) in self.directions.iter_mut().zip(samples).zip(jitters) {
            window.packets += sample.packets_count;
            window.lost += sample.packets_lost;
            window.jitter_ms.add(jitter.map(|s| s * 1000.0));
            window.level.add(sample.audio_level.map(f64::from));
        }
        let (prev_delay, prev_emitted) = prev.map_or((0.0, 0), |p| {
            (p.jitter_buffer.delay_secs, p.jitter_buffer.emitted_count)
        });
        if cur.jitter_buffer.emitted_count > prev_emitted {
            self.jb_emitted += cur.jitter_buffer.emitted_count - prev_emitted;
            self.jb_delay_secs += (cur.jitter_buffer.delay_secs - prev_delay).max(0.0);
        }
        let rtt = cur.round_trip_time_secs.map(|s| s * 1000.0);
        self.rtt_ms.add(rtt);
        if let Some(rtt) = rtt.filter(|r| r.is_finite()) {
            self.rtt_max = Some(self.rtt_max.map_or(rtt, |max: f64| max.max(rtt)));
        }
    }

    /// The mean RTT of the window, ms.
    pub(crate) fn rtt_mean(&self) -> Option<f64> {
        self.rtt_ms.value()
    }

    /// The summary of the window ending at `end`. `last_rtt_ms` stands in when the window
    /// has no RTT of its own.
    pub(crate) fn summarize(
        &self,
        end: Timestamp,
        ids: (&str, &str),
        last_rtt_ms: Option<f64>,
        thresholds: &Thresholds,
        counters: &SilenceCounters,
    ) -> QualitySummary {
        let jitter_buffer_ms =
            (self.jb_emitted > 0).then(|| 1000.0 * self.jb_delay_secs / self.jb_emitted as f64);
        let direction = |i: usize| {
            let w = &self.directions[i];
            let denominator = if i == 0 {
                w.lost + w.packets
            } else {
                w.packets.max(1)
            };
            DirectionSummary {
                packets: w.packets,
                lost: w.lost,
                loss_pct: if denominator == 0 {
                    0.0
                } else {
                    100.0 * w.lost as f64 / denominator as f64
                },
                jitter_ms: w.jitter_ms.value(),
                jitter_buffer_ms,
                audio_level_mean: w.level.value(),
            }
        };
        let (input, output) = (direction(0), direction(1));
        let rtt_ms_mean = self.rtt_mean();
        let latency = rtt_ms_mean.or(last_rtt_ms).map(|rtt| rtt / 2.0);
        let mos_of = |d: &DirectionSummary| {
            latency.map(|latency_ms| {
                MosInputs {
                    latency_ms,
                    jitter_ms: d.jitter_ms.unwrap_or(0.0),
                    loss_pct: d.loss_pct,
                }
                .mos()
            })
        };
        let (mos_input, mos_output) = (mos_of(&input), mos_of(&output));
        let (mos, mos_direction) = match (mos_input, mos_output) {
            (Some(i), Some(o)) if o < i => (Some(o), Some(StreamDirection::AudioOutput)),
            (Some(i), _) => (Some(i), Some(StreamDirection::AudioInput)),
            _ => (None, None),
        };
        let (grade, breaches) = GradeInputs {
            loss_pct: [Some(input.loss_pct), Some(output.loss_pct)],
            jitter_ms: [input.jitter_ms, output.jitter_ms],
            rtt_ms: rtt_ms_mean,
            mos,
        }
        .grade(thresholds);
        QualitySummary {
            contact_id: ids.0.to_owned(),
            agent_connection_id: ids.1.to_owned(),
            window_start: self.start,
            window_end: end,
            audio_input: input,
            audio_output: output,
            rtt_ms_mean,
            rtt_ms_max: self.rtt_max,
            mos_input,
            mos_output,
            mos,
            mos_direction,
            grade,
            breaches,
            counters: counters.clone(),
        }
    }
}
