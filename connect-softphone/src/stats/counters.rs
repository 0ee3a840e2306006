//! The consecutive-silence counters: runs of seconds without packets, with a low audio level,
//! or muted, per agent connection.

use serde::{Deserialize, Serialize};

use super::{StreamSample, Thresholds};

/// The counters as the telemetry report names them. Each is a run of ticks, except
/// `audioInputConnectedDurationSeconds`, which is a total.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SilenceCounters {
    /// Ticks in a row without an inbound packet.
    pub consecutive_no_audio_input_packets: u32,
    /// Ticks in a row with a known inbound level at or below the low threshold.
    pub consecutive_low_input_audio_level: u32,
    /// Ticks in a row without an outbound packet.
    pub consecutive_no_audio_output_packets: u32,
    /// Ticks in a row with a known microphone level at or below the low threshold.
    pub consecutive_low_output_audio_level: u32,
    /// Ticks in a row while muted.
    pub consecutive_audio_output_mute_duration_seconds: u32,
    /// Ticks with an input record, in all.
    pub audio_input_connected_duration_seconds: u32,
}

/// What one counter update noticed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterAlerts {
    /// `consecutiveNoAudioInputPackets` just reached its threshold.
    pub no_inbound_audio: bool,
    /// The microphone has been low for the threshold's worth of unmuted ticks in a row.
    pub silent_microphone: bool,
}

/// The counters' state: the current runs, the longest runs, and the unmuted low-microphone
/// run behind `SilentMicrophone` (a muted microphone reads 0, which is not a fault).
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_softphone::stats::{SilenceTracker, StreamDirection, StreamSample, Thresholds};
///
/// let t = Thresholds::default();
/// let mut tracker = SilenceTracker::default();
/// let input = StreamSample::new(StreamDirection::AudioInput, Timestamp::from_millis(0));
/// let output = StreamSample { packets_count: 50, audio_level: Some(900),
///     ..StreamSample::new(StreamDirection::AudioOutput, Timestamp::from_millis(0)) };
/// let alerts: Vec<bool> = (0..4).map(|_| tracker.update(&input, &output, false, &t).no_inbound_audio).collect();
/// assert_eq!(alerts, [false, false, true, false]);
/// assert_eq!(tracker.current().consecutive_no_audio_input_packets, 4);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SilenceTracker {
    current: SilenceCounters,
    longest: SilenceCounters,
    unmuted_low_output: u32,
}

/// `run + 1` when `hit`, else 0.
fn step(run: &mut u32, hit: bool) {
    *run = if hit { run.saturating_add(1) } else { 0 };
}

impl SilenceTracker {
    /// Updates every counter with one tick's records.
    pub fn update(
        &mut self,
        input: &StreamSample,
        output: &StreamSample,
        muted: bool,
        t: &Thresholds,
    ) -> CounterAlerts {
        let low = |level: Option<u32>| level.is_some_and(|l| l <= t.low_audio_level);
        let c = &mut self.current;
        step(
            &mut c.consecutive_no_audio_input_packets,
            input.packets_count == 0,
        );
        step(
            &mut c.consecutive_no_audio_output_packets,
            output.packets_count == 0,
        );
        step(
            &mut c.consecutive_low_input_audio_level,
            low(input.audio_level),
        );
        step(
            &mut c.consecutive_low_output_audio_level,
            low(output.audio_level),
        );
        step(&mut c.consecutive_audio_output_mute_duration_seconds, muted);
        c.audio_input_connected_duration_seconds =
            c.audio_input_connected_duration_seconds.saturating_add(1);
        step(
            &mut self.unmuted_low_output,
            !muted && low(output.audio_level),
        );

        let l = &mut self.longest;
        let keep = |longest: &mut u32, run: u32| *longest = (*longest).max(run);
        keep(
            &mut l.consecutive_no_audio_input_packets,
            c.consecutive_no_audio_input_packets,
        );
        keep(
            &mut l.consecutive_no_audio_output_packets,
            c.consecutive_no_audio_output_packets,
        );
        keep(
            &mut l.consecutive_low_input_audio_level,
            c.consecutive_low_input_audio_level,
        );
        keep(
            &mut l.consecutive_low_output_audio_level,
            c.consecutive_low_output_audio_level,
        );
        keep(
            &mut l.consecutive_audio_output_mute_duration_seconds,
            c.consecutive_audio_output_mute_duration_seconds,
        );
        l.audio_input_connected_duration_seconds = c.audio_input_connected_duration_seconds;

        CounterAlerts {
            no_inbound_audio: c.consecutive_no_audio_input_packets == t.no_inbound_audio_secs,
            silent_microphone: self.unmuted_low_output == t.silent_microphone_secs,
        }
    }

    /// The current runs (what the report carries at call end).
    pub fn current(&self) -> &SilenceCounters {
        &self.current
    }

    /// The longest run of each counter so far.
    pub fn longest(&self) -> &SilenceCounters {
        &self.longest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::StreamDirection;
    use connect_core::model::Timestamp;

    fn pair(in_packets: u64, in_level: Option<u32>, out_level: Option<u32>) -> [StreamSample; 2] {
        let at = Timestamp::from_millis(0);
        [
            StreamSample {
                packets_count: in_packets,
                audio_level: in_level,
                ..StreamSample::new(StreamDirection::AudioInput, at)
            },
            StreamSample {
                packets_count: 50,
                audio_level: out_level,
                ..StreamSample::new(StreamDirection::AudioOutput, at)
            },
        ]
    }

    /// (input packets, input level, mic level, muted) per tick → counters after the last tick.
    #[test]
    fn runs_reset_and_longest_is_kept() {
        let t = Thresholds::default();
        let mut tracker = SilenceTracker::default();
        let ticks = [
            (0, Some(0), Some(0), true),
            (0, Some(1), Some(0), true),
            (50, None, Some(2), false),
            (0, Some(0), Some(1), false),
        ];
        for (packets, in_level, out_level, muted) in ticks {
            let [input, output] = pair(packets, in_level, out_level);
            tracker.update(&input, &output, muted, &t);
        }
        let current = tracker.current();
        assert_eq!(current.consecutive_no_audio_input_packets, 1);
        assert_eq!(current.consecutive_low_input_audio_level, 1);
        assert_eq!(current.consecutive_low_output_audio_level, 1);
        assert_eq!(current.consecutive_audio_output_mute_duration_seconds, 0);
        assert_eq!(current.audio_input_connected_duration_seconds, 4);
        let longest = tracker.longest();
        assert_eq!(longest.consecutive_no_audio_input_packets, 2);
        assert_eq!(longest.consecutive_low_output_audio_level, 2);
        assert_eq!(longest.consecutive_audio_output_mute_duration_seconds, 2);
    }

    #[test]
    fn silent_microphone_counts_only_unmuted_ticks_and_fires_once() {
        let t = Thresholds::default();
        let mut tracker = SilenceTracker::default();
        let [input, output] = pair(50, Some(500), Some(0));
        let muted: Vec<bool> = (0..20)
            .map(|_| tracker.update(&input, &output, true, &t).silent_microphone)
            .collect();
        assert!(muted.iter().all(|fired| !fired));
        let fired: Vec<usize> = (0..25)
            .filter(|_| tracker.update(&input, &output, false, &t).silent_microphone)
            .collect();
        assert_eq!(fired, [9]);
        assert_eq!(tracker.current().consecutive_low_output_audio_level, 45);
    }
}
