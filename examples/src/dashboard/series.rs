//! Time series: stream records summed per second, then re-bucketed to a width that keeps a
//! plot readable.

use std::collections::BTreeMap;

use connect_core::model::Timestamp;
use connect_softphone::stats::{StreamDirection, StreamSample};

use super::QualityAccum;

/// Bucket widths to choose from, seconds.
const WIDTHS: [i64; 14] = [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 86_400,
];

/// One time bucket of every call's records.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPoint {
    /// The bucket's start.
    pub start: Timestamp,
    /// Loss of the audio the agents heard, percent.
    pub loss_in_pct: Option<f64>,
    /// Loss of the agents' microphone audio, percent.
    pub loss_out_pct: Option<f64>,
    /// Mean jitter of the audio the agents heard, ms.
    pub jitter_in_ms: Option<f64>,
    /// Mean jitter of the agents' microphone audio, ms.
    pub jitter_out_ms: Option<f64>,
    /// Mean RTT, ms.
    pub rtt_ms: Option<f64>,
    /// MOS of the bucket's sums (the worse direction).
    pub mos: Option<f64>,
}

impl SeriesPoint {
    fn of(start: i64, q: &QualityAccum) -> Self {
        Self {
            start: Timestamp::from_millis(start * 1000),
            loss_in_pct: q.loss_pct(StreamDirection::AudioInput),
            loss_out_pct: q.loss_pct(StreamDirection::AudioOutput),
            jitter_in_ms: q.jitter_ms(StreamDirection::AudioInput),
            jitter_out_ms: q.jitter_ms(StreamDirection::AudioOutput),
            rtt_ms: q.rtt_ms(),
            mos: q.mos(),
        }
    }
}

/// Records summed per second (epoch seconds, UTC).
#[derive(Clone, Debug, Default)]
pub struct Series {
    seconds: BTreeMap<i64, QualityAccum>,
}

impl Series {
    /// Adds one record to its second.
    pub fn add(&mut self, sample: &StreamSample) {
        let second = sample.timestamp.as_millis().div_euclid(1000);
        self.seconds.entry(second).or_default().add(sample);
    }

    /// The smallest bucket width (s) that keeps the series within `max_points` buckets.
    pub fn width_secs(&self, max_points: usize) -> i64 {
        let (Some(first), Some(last)) = (self.seconds.keys().next(), self.seconds.keys().last())
        else {
            return 1;
        };
        let span = last - first + 1;
        let max = i64::try_from(max_points.max(1)).unwrap_or(i64::MAX);
        WIDTHS
            .into_iter()
            .find(|w| (span + w - 1) / w <= max)
            .unwrap_or(WIDTHS[WIDTHS.len() - 1])
    }

    /// The buckets of `width_secs` seconds (aligned on multiples of the width), oldest first;
    /// buckets without records are left out.
    ///
    /// ```
    /// use connect_core::model::Timestamp;
    /// use connect_examples::dashboard::Series;
    /// use connect_softphone::stats::{StreamDirection, StreamSample};
    ///
    /// let mut series = Series::default();
    /// for s in 0..20 {
    ///     series.add(&StreamSample { packets_count: 50, packets_lost: u64::from(s >= 10),
    ///         ..StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(s * 1000)) });
    /// }
    /// assert_eq!(series.width_secs(2), 10);
    /// let points = series.buckets(10);
    /// assert_eq!(points.len(), 2);
    /// assert_eq!(points[0].loss_in_pct, Some(0.0));
    /// assert_eq!(points[1].loss_in_pct, Some(100.0 * 10.0 / 510.0));
    /// ```
    pub fn buckets(&self, width_secs: i64) -> Vec<SeriesPoint> {
        let width = width_secs.max(1);
        let mut buckets: BTreeMap<i64, QualityAccum> = BTreeMap::new();
        for (second, q) in &self.seconds {
            buckets
                .entry(second.div_euclid(width) * width)
                .or_default()
                .merge(q);
        }
        buckets
            .iter()
            .map(|(start, q)| SeriesPoint::of(*start, q))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> StreamSample {
        StreamSample {
            packets_count: 50,
            round_trip_time_millis: Some(100 + second as u64),
            ..StreamSample::new(
                StreamDirection::AudioOutput,
                Timestamp::from_millis(second * 1000),
            )
        }
    }

    #[test]
    fn widths_keep_the_points_bounded() {
        let mut series = Series::default();
        assert_eq!(series.width_secs(60), 1);
        for s in [0, 3599] {
            series.add(&at(s));
        }
        assert_eq!(series.width_secs(3600), 1);
        assert_eq!(series.width_secs(120), 30);
        assert_eq!(series.width_secs(1), 3600);
    }

    #[test]
    fn buckets_align_and_merge() {
        let mut series = Series::default();
        for s in [7, 8, 9, 10, 31] {
            series.add(&at(s));
        }
        let points = series.buckets(10);
        let starts: Vec<i64> = points.iter().map(|p| p.start.as_millis()).collect();
        assert_eq!(starts, [0, 10_000, 30_000]);
        assert_eq!(points[0].rtt_ms, Some(108.0));
        assert_eq!(points[1].rtt_ms, Some(110.0));
        assert_eq!(points[0].loss_in_pct, None);
        assert_eq!(points[0].loss_out_pct, Some(0.0));
    }
}
