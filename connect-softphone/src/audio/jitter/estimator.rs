//! The RFC 3550 interarrival jitter estimate and the target delay derived from it.

use std::time::Duration;

/// RFC 3550 §6.4.1 interarrival jitter, in RTP timestamp units.
#[derive(Clone, Debug)]
pub struct JitterEstimator {
    clock_rate: f64,
    jitter: f64,
    /// (arrival in timestamp units, RTP timestamp) of the previous packet.
    previous: Option<(f64, u32)>,
}

impl JitterEstimator {
    /// An estimator for a stream with this RTP clock rate.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate: f64::from(clock_rate.max(1)),
            jitter: 0.0,
            previous: None,
        }
    }

    /// Takes one packet: its arrival time and RTP timestamp.
    pub fn update(&mut self, arrival: Duration, rtp_timestamp: u32) {
        let arrival = arrival.as_secs_f64() * self.clock_rate;
        if let Some((prev_arrival, prev_ts)) = self.previous {
            let sent = f64::from(rtp_timestamp.wrapping_sub(prev_ts) as i32);
            let d = (arrival - prev_arrival) - sent;
            self.jitter += (d.abs() - self.jitter) / 16.0;
        }
        self.previous = Some((arrival, rtp_timestamp));
    }

    /// Forgets the previous packet (a new stream), keeping the estimate.
    pub fn restart(&mut self) {
        self.previous = None;
    }

    /// The estimate as a duration.
    pub fn jitter(&self) -> Duration {
        Duration::from_secs_f64(self.jitter / self.clock_rate)
    }
}

/// `clamp(3·J + 20 ms, min, max)` rounded up to whole frames, in frames.
pub fn target_frames(jitter: Duration, frame_ms: u32, min_ms: u32, max_ms: u32) -> u32 {
    let frame_ms = f64::from(frame_ms.max(1));
    let wanted =
        (3.0 * jitter.as_secs_f64() * 1_000.0 + 20.0).clamp(f64::from(min_ms), f64::from(max_ms));
    // A hair of tolerance keeps exact multiples (40.000000001 ms) from rounding up a frame.
    ((wanted - 1e-6) / frame_ms).ceil().max(1.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_arrivals_have_no_jitter_and_alternating_ones_do() {
        let mut steady = JitterEstimator::new(48_000);
        let mut bumpy = JitterEstimator::new(48_000);
        for n in 0..200u32 {
            let sent = n * 960;
            steady.update(Duration::from_millis(u64::from(n) * 20), sent);
            let wobble = if n % 2 == 0 { 0 } else { 10 };
            bumpy.update(Duration::from_millis(u64::from(n) * 20 + wobble), sent);
        }
        assert_eq!(steady.jitter(), Duration::ZERO);
        // |D| is 10 ms every packet, so J converges to 10 ms.
        let j = bumpy.jitter().as_secs_f64() * 1_000.0;
        assert!((j - 10.0).abs() < 0.1, "{j}");
    }

    #[test]
    fn timestamps_wrap() {
        let mut estimator = JitterEstimator::new(8_000);
        estimator.update(Duration::from_millis(0), u32::MAX - 79);
        estimator.update(Duration::from_millis(20), 80);
        assert_eq!(estimator.jitter(), Duration::ZERO);
    }

    #[test]
    fn target_table() {
        // (jitter ms, expected frames of 20 ms)
        let cases: &[(u64, u32)] = &[
            (0, 1),
            (1, 2),
            (6, 2),
            (7, 3),
            (20, 4),
            (40, 7),
            (60, 10),
            (500, 10),
        ];
        for &(jitter_ms, frames) in cases {
            assert_eq!(
                target_frames(Duration::from_millis(jitter_ms), 20, 20, 200),
                frames,
                "{jitter_ms} ms"
            );
        }
    }
}
