//! Frame timestamps and the optional end of a generated stream.

use std::time::Duration;

use crate::audio::{FRAME_DURATION_MS, FRAME_SAMPLES};

/// Hands out frame timestamps and says when a stream of limited duration is over.
#[derive(Clone, Debug, Default)]
pub(crate) struct FrameClock {
    next_timestamp: u64,
    remaining: Option<u64>,
}

impl FrameClock {
    /// Limits the stream to `duration`, rounded up to whole frames.
    pub(crate) fn limit(&mut self, duration: Duration) {
        let frames = duration.as_millis().div_ceil(u128::from(FRAME_DURATION_MS));
        self.remaining = Some(u64::try_from(frames).unwrap_or(u64::MAX));
    }

    /// The timestamp of the next frame, or `None` when the stream is over.
    pub(crate) fn tick(&mut self) -> Option<u64> {
        if let Some(remaining) = &mut self.remaining {
            if *remaining == 0 {
                return None;
            }
            *remaining -= 1;
        }
        let timestamp = self.next_timestamp;
        self.next_timestamp += FRAME_SAMPLES as u64;
        Some(timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_round_up_to_frames() {
        let cases: &[(u64, usize)] = &[(0, 0), (1, 1), (20, 1), (21, 2), (1_000, 50)];
        for &(ms, frames) in cases {
            let mut clock = FrameClock::default();
            clock.limit(Duration::from_millis(ms));
            let stamps: Vec<u64> = std::iter::from_fn(|| clock.tick()).collect();
            assert_eq!(stamps.len(), frames, "{ms} ms");
            assert!(stamps.iter().enumerate().all(|(i, &t)| t == i as u64 * 960));
        }
    }
}
