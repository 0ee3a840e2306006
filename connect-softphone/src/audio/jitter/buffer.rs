//! The adaptive jitter buffer: a sans-IO machine told the time, pushed packets and popped at
//! every playout tick; it says what to decode, and the caller decodes.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::estimator::{target_frames, JitterEstimator};
use super::sequence::{SeqTracker, SeqVerdict, MAX_JUMP};
use super::JitterBufferStats;
use crate::audio::FRAME_SAMPLES;

/// Settings of a [`JitterBuffer`]; the defaults are the SDK's (`softphone.md` §11.2).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct JitterBufferConfig {
    /// RTP clock rate of the stream (48 000 for Opus, 8 000 for PCMU).
    pub clock_rate: u32,
    /// Duration of one packet, in ms.
    pub frame_ms: u32,
    /// Lowest target delay, in ms.
    pub min_delay_ms: u32,
    /// Highest target delay, in ms.
    pub max_delay_ms: u32,
    /// Target delay before any jitter is measured, in ms.
    pub start_delay_ms: u32,
    /// Frames the buffer holds beyond `max_delay_ms` before it drops the oldest.
    pub overflow_slack_frames: u32,
    /// Shortest time between two one-frame decreases of the delay.
    pub decrease_interval: Duration,
}

impl JitterBufferConfig {
    /// The SDK defaults for a stream with this RTP clock rate.
    pub fn new(clock_rate: u32) -> Self {
        Self {
            clock_rate,
            frame_ms: 20,
            min_delay_ms: 20,
            max_delay_ms: 200,
            start_delay_ms: 40,
            overflow_slack_frames: 5,
            decrease_interval: Duration::from_secs(1),
        }
    }

    fn frames(&self, ms: u32) -> u32 {
        ms.div_ceil(self.frame_ms.max(1)).max(1)
    }
}

/// Why a frame must be made up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConcealReason {
    /// The packet was lost (later ones are here).
    Loss,
    /// The buffer ran empty.
    Underflow,
    /// A frame inserted to grow the delay to a higher target.
    Stretch,
}

/// What to play at this tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Playout {
    /// Nothing is due yet (the buffer is filling): play silence.
    Buffering,
    /// Decode this payload.
    Decode {
        /// The RTP payload.
        payload: Vec<u8>,
        /// Its RTP sequence number.
        sequence: u16,
        /// Its RTP timestamp.
        rtp_timestamp: u32,
        /// The delay is above target and may shrink: if this frame decodes to less than
        /// −50 dBov, the caller may skip it, call [`JitterBuffer::shrink`] and pop again.
        droppable: bool,
    },
    /// This packet is lost and the next one is here: rebuild it from the next one's FEC data
    /// (`AudioDecoder::decode_fec`), or conceal when it has none.
    DecodeFec {
        /// The payload of the packet after the lost one.
        next_payload: Vec<u8>,
    },
    /// Make a frame up (`AudioDecoder::conceal`).
    Conceal(ConcealReason),
}

#[derive(Clone, Debug)]
struct Buffered {
    payload: Vec<u8>,
    sequence: u16,
    rtp_timestamp: u32,
    arrival: Duration,
}

/// What happened to a pushed packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Buffered.
    Accepted,
    /// Buffered as the first packet of a new stream (new SSRC or sequence jump); older
    /// packets were flushed.
    Resynced,
    /// Already received: dropped.
    Duplicate,
    /// Its playout time has passed: dropped.
    Late,
}

/// An adaptive jitter buffer for one RTP stream (one SSRC at a time).
///
/// ```
/// use std::time::Duration;
/// use connect_softphone::audio::{JitterBuffer, JitterBufferConfig, Playout};
///
/// let mut jb = JitterBuffer::new(JitterBufferConfig::new(48_000));
/// let ms = Duration::from_millis;
/// for n in 0..3u16 {
///     jb.push(ms(20 * u64::from(n)), 0x1234, n, u32::from(n) * 960, vec![n as u8]);
/// }
/// // Playout starts 40 ms (the start delay) after the first packet arrived.
/// assert_eq!(jb.pop(ms(20)), Playout::Buffering);
/// assert!(matches!(jb.pop(ms(40)), Playout::Decode { sequence: 0, .. }));
/// // Steady arrivals: no jitter, so the target falls to the 20 ms minimum.
/// assert_eq!(jb.stats().target_delay_ms, 20);
/// ```
#[derive(Clone, Debug)]
pub struct JitterBuffer {
    config: JitterBufferConfig,
    ssrc: Option<u32>,
    seq: SeqTracker,
    estimator: JitterEstimator,
    packets: BTreeMap<i64, Buffered>,
    /// Extended sequence numbers received recently, for duplicate detection.
    seen: BTreeSet<i64>,
    /// The next extended sequence number to play, once playing.
    next: Option<i64>,
    /// When the first packet of the current stream (or since playout re-anchored) arrived.
    first_arrival: Option<Duration>,
    /// While re-anchoring after a silence longer than the maximum delay: the sequence number
    /// playout gave up on (anything older is late).
    resume_from: Option<i64>,
    /// Current delay of the playout schedule, in frames.
    delay_frames: u32,
    target_frames: u32,
    last_decrease: Option<Duration>,
    last_was_concealed: bool,
    stats: JitterBufferStats,
}

impl JitterBuffer {
    /// An empty buffer.
    pub fn new(config: JitterBufferConfig) -> Self {
        let start = config.frames(config.start_delay_ms);
        let stats = JitterBufferStats {
            target_delay_ms: start * config.frame_ms,
            ..JitterBufferStats::default()
        };
        Self {
            estimator: JitterEstimator::new(config.clock_rate),
            config,
            ssrc: None,
            seq: SeqTracker::default(),
            packets: BTreeMap::new(),
            seen: BTreeSet::new(),
            next: None,
            first_arrival: None,
            resume_from: None,
            delay_frames: start,
            target_frames: start,
            last_decrease: None,
            last_was_concealed: false,
            stats,
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> JitterBufferStats {
        let mut stats = self.stats.clone();
        stats.jitter_ms = self.estimator.jitter().as_secs_f64() * 1_000.0;
        stats
    }

    /// The current target delay.
    pub fn target_delay(&self) -> Duration {
        Duration::from_millis(u64::from(self.target_frames * self.config.frame_ms))
    }

    /// Packets waiting in the buffer.
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// Whether no packet is waiting.
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// A packet arrived at `now` (time since any fixed origin, the same for every call).
    pub fn push(
        &mut self,
        now: Duration,
        ssrc: u32,
        sequence: u16,
        rtp_timestamp: u32,
        payload: Vec<u8>,
    ) -> PushOutcome {
        let new_ssrc = self.ssrc != Some(ssrc);
        if new_ssrc {
            self.seq = SeqTracker::default();
        }
        let verdict = self.seq.track(sequence);
        let (extended, resynced) = match verdict {
            SeqVerdict::Resync(extended) => {
                if self.ssrc.is_some() {
                    tracing::debug!(ssrc, sequence, new_ssrc, "jitter buffer resynchronised");
                    self.stats.resyncs += 1;
                }
                self.resync(ssrc);
                (extended, true)
            }
            SeqVerdict::Stale => {
                self.stats.late += 1;
                return PushOutcome::Late;
            }
            SeqVerdict::InStream(extended) => (extended, false),
        };
        if self.seen.contains(&extended) {
            self.stats.duplicates += 1;
            return PushOutcome::Duplicate;
        }
        self.remember(extended);
        self.estimator.update(now, rtp_timestamp);
        self.retarget();
        if self
            .next
            .or(self.resume_from)
            .is_some_and(|next| extended < next)
        {
            self.stats.late += 1;
            return PushOutcome::Late;
        }
        self.stats.packets_received += 1;
        self.first_arrival.get_or_insert(now);
        self.packets.insert(
            extended,
            Buffered {
                payload,
                sequence,
                rtp_timestamp,
                arrival: now,
            },
        );
        self.enforce_capacity();
        if resynced {
            PushOutcome::Resynced
        } else {
            PushOutcome::Accepted
        }
    }

    /// The playout tick at `now`: what to play for the next frame.
    pub fn pop(&mut self, now: Duration) -> Playout {
        let Some(next) = self.next else {
            return self.start(now);
        };
        let max_frames = self.config.frames(self.config.max_delay_ms);
        if self.delay_frames < self.target_frames {
            self.delay_frames += 1;
            return self.concealed(Playout::Conceal(ConcealReason::Stretch));
        }
        if self.packets.range(next..).next().is_none() {
            self.stats.underflow += 1;
            if self.delay_frames < max_frames {
                // The schedule slips by one frame: the packet may still come.
                self.delay_frames += 1;
            } else {
                // Silent for longer than the buffer may wait (a sender that dropped a stalled
                // backlog, a long pause): play on from whatever arrives next, after the target
                // delay. Running the schedule on instead would leave it ahead of a stream that
                // resumes with the sequence numbers it stopped at, and never catch up.
                self.next = None;
                self.first_arrival = None;
                self.resume_from = Some(next);
                self.delay_frames = self.target_frames;
            }
            return self.concealed(Playout::Conceal(ConcealReason::Underflow));
        }
        self.next = Some(next + 1);
        if let Some(packet) = self.packets.remove(&next) {
            let waited = now.saturating_sub(packet.arrival).as_secs_f64();
            self.stats.jitter_buffer_delay += waited * FRAME_SAMPLES as f64;
            self.stats.jitter_buffer_emitted_count += FRAME_SAMPLES as u64;
            self.last_was_concealed = false;
            let droppable = self.delay_frames > self.target_frames
                && self.packets.contains_key(&(next + 1))
                && self
                    .last_decrease
                    .is_none_or(|at| now.saturating_sub(at) >= self.config.decrease_interval);
            return Playout::Decode {
                payload: packet.payload,
                sequence: packet.sequence,
                rtp_timestamp: packet.rtp_timestamp,
                droppable,
            };
        }
        match self.packets.get(&(next + 1)) {
            Some(following) => {
                self.stats.fec_frames += 1;
                let next_payload = following.payload.clone();
                self.concealed(Playout::DecodeFec { next_payload })
            }
            None => self.concealed(Playout::Conceal(ConcealReason::Loss)),
        }
    }

    /// The caller skipped the quiet frame it was just given as `droppable`: the delay shrinks by
    /// one frame. Pop again to fill the tick.
    pub fn shrink(&mut self, now: Duration) {
        if self.delay_frames > self.target_frames {
            self.delay_frames -= 1;
            self.stats.shrink_drops += 1;
            self.last_decrease = Some(now);
        }
    }

    /// Before playing (or while re-anchoring): the lowest buffered packet plays once the first
    /// one has waited the delay; until then silence, or concealment when re-anchoring.
    fn start(&mut self, now: Duration) -> Playout {
        let due = self
            .first_arrival
            .is_some_and(|first| now.saturating_sub(first) >= self.delay());
        match self.packets.keys().next() {
            Some(&first) if due => {
                self.next = Some(first);
                self.resume_from = None;
                self.pop(now)
            }
            _ if self.resume_from.is_some() => {
                self.stats.underflow += 1;
                self.concealed(Playout::Conceal(ConcealReason::Underflow))
            }
            _ => Playout::Buffering,
        }
    }

    fn delay(&self) -> Duration {
        Duration::from_millis(u64::from(self.delay_frames * self.config.frame_ms))
    }

    fn concealed(&mut self, playout: Playout) -> Playout {
        self.stats.concealed_samples += FRAME_SAMPLES as u64;
        if !self.last_was_concealed {
            self.stats.concealment_events += 1;
            self.last_was_concealed = true;
        }
        playout
    }

    fn resync(&mut self, ssrc: u32) {
        self.ssrc = Some(ssrc);
        self.stats.flushed += self.packets.len() as u64;
        self.packets.clear();
        self.seen.clear();
        self.next = None;
        self.first_arrival = None;
        self.resume_from = None;
        self.estimator.restart();
        self.delay_frames = self.target_frames;
    }

    fn remember(&mut self, extended: i64) {
        self.seen.insert(extended);
        let horizon = self.seen.last().map_or(extended, |&last| last) - 2 * MAX_JUMP;
        while self.seen.first().is_some_and(|&oldest| oldest < horizon) {
            self.seen.pop_first();
        }
    }

    fn retarget(&mut self) {
        let c = &self.config;
        self.target_frames = target_frames(
            self.estimator.jitter(),
            c.frame_ms,
            c.min_delay_ms,
            c.max_delay_ms,
        );
        self.stats.target_delay_ms = self.target_frames * c.frame_ms;
    }

    fn enforce_capacity(&mut self) {
        let capacity = i64::from(
            self.config.frames(self.config.max_delay_ms) + self.config.overflow_slack_frames,
        );
        while let (Some(&oldest), Some(&newest)) =
            (self.packets.keys().next(), self.packets.keys().next_back())
        {
            if newest - oldest < capacity {
                break;
            }
            self.packets.remove(&oldest);
            self.stats.overflow += 1;
            if let Some(next) = self.next {
                self.next = Some(next.max(oldest + 1));
            }
        }
    }
}

#[cfg(test)]
#[path = "buffer_tests.rs"]
mod tests;
