//! The send clock's pacing: one frame per 20 ms of monotonic time. After a stall (a busy
//! machine, a slow source) the backlog is sent one extra frame per tick, at most twice real
//! time, instead of in a burst that the path's queues would drop; a backlog longer than the far
//! end's jitter buffer could still use is skipped: its audio is dropped and its time kept in the
//! RTP timestamps.

use std::time::{Duration, Instant};

/// Frames sent per tick at most: the due frame and one frame of backlog.
const MAX_FRAMES_PER_TICK: u64 = 2;
/// The longest backlog worth sending late (10 frames = 200 ms); anything older is skipped.
const MAX_BACKLOG_FRAMES: u64 = 10;

/// What to do at one tick of the send clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pace {
    /// Frames to skip first (their time passes without audio: the timestamps move on).
    pub(super) skip: u64,
    /// Frames to send now.
    pub(super) send: u64,
}

/// Counts the frames due since the clock started against the frames sent or skipped.
#[derive(Debug)]
pub(super) struct SendPacer {
    started: Instant,
    frame: Duration,
    /// Frames sent or skipped so far.
    done: u64,
}

impl SendPacer {
    /// A pacer whose first frame is due at `started`.
    pub(super) fn new(started: Instant, frame: Duration) -> Self {
        Self {
            started,
            frame,
            done: 0,
        }
    }

    /// The frames to skip and send at `now`.
    pub(super) fn tick(&mut self, now: Instant) -> Pace {
        let elapsed = now.saturating_duration_since(self.started);
        let due = (elapsed.as_nanos() / self.frame.as_nanos().max(1)) as u64 + 1;
        let backlog = due.saturating_sub(self.done);
        let skip = backlog.saturating_sub(MAX_BACKLOG_FRAMES);
        let send = (backlog - skip).min(MAX_FRAMES_PER_TICK);
        self.done += skip + send;
        Pace { skip, send }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Duration = Duration::from_millis(20);

    fn at(start: Instant, millis: u64) -> Instant {
        start + Duration::from_millis(millis)
    }

    #[test]
    fn on_time_ticks_send_one_frame_each() {
        let start = Instant::now();
        let mut pacer = SendPacer::new(start, FRAME);
        for tick in 0..50 {
            assert_eq!(pacer.tick(at(start, tick * 20)), Pace { skip: 0, send: 1 });
        }
    }

    #[test]
    fn a_stall_is_caught_up_one_extra_frame_per_tick() {
        let start = Instant::now();
        let mut pacer = SendPacer::new(start, FRAME);
        assert_eq!(pacer.tick(start).send, 1);
        // 100 ms late: five frames due, two go now, then two per tick until caught up.
        assert_eq!(pacer.tick(at(start, 100)), Pace { skip: 0, send: 2 });
        assert_eq!(pacer.tick(at(start, 120)), Pace { skip: 0, send: 2 });
        assert_eq!(pacer.tick(at(start, 140)), Pace { skip: 0, send: 2 });
        assert_eq!(pacer.tick(at(start, 160)), Pace { skip: 0, send: 2 });
        assert_eq!(pacer.tick(at(start, 180)), Pace { skip: 0, send: 1 });
        assert_eq!(pacer.tick(at(start, 200)), Pace { skip: 0, send: 1 });
    }

    #[test]
    fn a_long_stall_skips_what_is_too_late_to_play() {
        let start = Instant::now();
        let mut pacer = SendPacer::new(start, FRAME);
        assert_eq!(pacer.tick(start).send, 1);
        // One second late: 50 frames due, only the last 10 are worth sending.
        assert_eq!(pacer.tick(at(start, 1_000)), Pace { skip: 40, send: 2 });
        let sent: u64 = (1..=8)
            .map(|n| pacer.tick(at(start, 1_000 + n * 20)).send)
            .sum();
        assert_eq!(
            sent,
            8 + 8,
            "the backlog drains at one extra frame per tick"
        );
        assert_eq!(pacer.tick(at(start, 1_180)), Pace { skip: 0, send: 1 });
    }

    #[test]
    fn an_early_tick_sends_nothing() {
        let start = Instant::now();
        let mut pacer = SendPacer::new(start, FRAME);
        assert_eq!(pacer.tick(start).send, 1);
        assert_eq!(pacer.tick(at(start, 5)), Pace { skip: 0, send: 0 });
        assert_eq!(pacer.tick(at(start, 20)).send, 1);
    }
}
