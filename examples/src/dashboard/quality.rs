//! [`QualityAccum`]: sums over per-second stream records (of one call, one group of calls or
//! one time bucket) and the loss, jitter, RTT and MOS they give.

use connect_softphone::stats::{MosInputs, StreamDirection, StreamSample};

/// A running mean.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Mean {
    sum: f64,
    count: u64,
}

impl Mean {
    fn add(&mut self, value: Option<u64>) {
        if let Some(v) = value {
            self.sum += v as f64;
            self.count += 1;
        }
    }

    fn merge(&mut self, other: &Self) {
        self.sum += other.sum;
        self.count += other.count;
    }

    fn value(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

/// One direction's sums.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct DirectionAccum {
    records: u64,
    packets: u64,
    lost: u64,
    jitter_ms: Mean,
}

impl DirectionAccum {
    fn merge(&mut self, other: &Self) {
        self.records += other.records;
        self.packets += other.packets;
        self.lost += other.lost;
        self.jitter_ms.merge(&other.jitter_ms);
    }
}

fn index(direction: StreamDirection) -> usize {
    match direction {
        StreamDirection::AudioInput => 0,
        StreamDirection::AudioOutput => 1,
    }
}

/// Sums over stream records, and the metrics they give (see the module definitions).
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_examples::dashboard::QualityAccum;
/// use connect_softphone::stats::{StreamDirection, StreamSample};
///
/// let mut q = QualityAccum::default();
/// q.add(&StreamSample { packets_count: 49, packets_lost: 1, round_trip_time_millis: Some(100),
///     jitter_millis: Some(10), ..StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(0)) });
/// assert_eq!(q.loss_pct(StreamDirection::AudioInput), Some(2.0));
/// assert_eq!(q.rtt_ms(), Some(100.0));
/// assert!((q.mos().expect("an RTT") - 4.235).abs() < 0.001);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct QualityAccum {
    directions: [DirectionAccum; 2],
    rtt_ms: Mean,
    rtt_max: Option<u64>,
}

impl QualityAccum {
    /// Adds one record.
    pub fn add(&mut self, sample: &StreamSample) {
        let d = &mut self.directions[index(sample.softphone_stream_type)];
        d.records += 1;
        d.packets += sample.packets_count;
        d.lost += sample.packets_lost;
        d.jitter_ms.add(sample.jitter_millis);
        self.rtt_ms.add(sample.round_trip_time_millis);
        if let Some(rtt) = sample.round_trip_time_millis {
            self.rtt_max = Some(self.rtt_max.map_or(rtt, |m| m.max(rtt)));
        }
    }

    /// Adds every record of `other`.
    pub fn merge(&mut self, other: &Self) {
        for (d, o) in self.directions.iter_mut().zip(&other.directions) {
            d.merge(o);
        }
        self.rtt_ms.merge(&other.rtt_ms);
        self.rtt_max = match (self.rtt_max, other.rtt_max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }

    /// Records added.
    pub fn records(&self) -> u64 {
        self.directions.iter().map(|d| d.records).sum()
    }

    /// Loss of `direction`, percent; `None` without records of it.
    pub fn loss_pct(&self, direction: StreamDirection) -> Option<f64> {
        let d = &self.directions[index(direction)];
        if d.records == 0 {
            return None;
        }
        let expected = match direction {
            StreamDirection::AudioInput => d.lost + d.packets,
            StreamDirection::AudioOutput => d.packets.max(1),
        };
        Some(if expected == 0 {
            0.0
        } else {
            100.0 * d.lost as f64 / expected as f64
        })
    }

    /// Mean RFC 3550 jitter of `direction`, ms.
    pub fn jitter_ms(&self, direction: StreamDirection) -> Option<f64> {
        self.directions[index(direction)].jitter_ms.value()
    }

    /// Mean RFC 3550 jitter over both directions, ms.
    pub fn jitter_ms_both(&self) -> Option<f64> {
        let mut both = self.directions[0].jitter_ms;
        both.merge(&self.directions[1].jitter_ms);
        both.value()
    }

    /// Mean RTT, ms.
    pub fn rtt_ms(&self) -> Option<f64> {
        self.rtt_ms.value()
    }

    /// Largest RTT, ms.
    pub fn rtt_max_ms(&self) -> Option<u64> {
        self.rtt_max
    }

    /// MOS of `direction`: `None` without records of it or without any RTT.
    pub fn mos_of(&self, direction: StreamDirection) -> Option<f64> {
        let rtt = self.rtt_ms()?;
        let loss_pct = self.loss_pct(direction)?;
        let inputs = MosInputs {
            latency_ms: rtt / 2.0,
            jitter_ms: self.jitter_ms(direction).unwrap_or(0.0),
            loss_pct,
        };
        Some(inputs.mos())
    }

    /// MOS: the worse direction's.
    pub fn mos(&self) -> Option<f64> {
        StreamDirection::BOTH
            .into_iter()
            .filter_map(|d| self.mos_of(d))
            .reduce(f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_core::model::Timestamp;

    fn sample(dir: StreamDirection, count: u64, lost: u64, rtt: Option<u64>) -> StreamSample {
        StreamSample {
            packets_count: count,
            packets_lost: lost,
            round_trip_time_millis: rtt,
            jitter_millis: Some(20),
            ..StreamSample::new(dir, Timestamp::from_millis(0))
        }
    }

    #[test]
    fn loss_follows_each_directions_rule() {
        let mut q = QualityAccum::default();
        q.add(&sample(StreamDirection::AudioInput, 45, 5, Some(300)));
        q.add(&sample(StreamDirection::AudioOutput, 50, 1, Some(300)));
        q.add(&sample(StreamDirection::AudioOutput, 0, 0, None));
        assert_eq!(q.loss_pct(StreamDirection::AudioInput), Some(10.0));
        assert_eq!(q.loss_pct(StreamDirection::AudioOutput), Some(2.0));
        assert_eq!(q.records(), 3);
        assert_eq!(q.rtt_ms(), Some(300.0));
        assert_eq!(q.rtt_max_ms(), Some(300));
    }

    #[test]
    fn mos_is_the_worse_direction_and_needs_an_rtt() {
        let mut q = QualityAccum::default();
        q.add(&sample(StreamDirection::AudioOutput, 100, 2, None));
        assert_eq!(q.mos(), None);
        q.add(&sample(StreamDirection::AudioInput, 100, 0, Some(300)));
        // Output: 300 ms RTT, 20 ms jitter, 2 % loss: the specification's 4.03.
        let output = q.mos_of(StreamDirection::AudioOutput).expect("rtt known");
        assert!((output - 4.03).abs() < 0.005, "{output}");
        assert!(q.mos_of(StreamDirection::AudioInput).expect("rtt known") > output);
        assert_eq!(q.mos(), Some(output));
    }

    #[test]
    fn merge_equals_adding_everything() {
        let records = [
            sample(StreamDirection::AudioInput, 40, 10, Some(80)),
            sample(StreamDirection::AudioOutput, 50, 0, Some(120)),
            sample(StreamDirection::AudioInput, 50, 0, None),
        ];
        let mut all = QualityAccum::default();
        records.iter().for_each(|r| all.add(r));
        let mut a = QualityAccum::default();
        a.add(&records[0]);
        let mut b = QualityAccum::default();
        b.add(&records[1]);
        b.add(&records[2]);
        a.merge(&b);
        assert_eq!(a, all);
        assert_eq!(all.loss_pct(StreamDirection::AudioInput), Some(10.0));
        assert_eq!(all.rtt_max_ms(), Some(120));
    }
}
