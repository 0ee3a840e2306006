//! Listening for a tone on both ends of a call with a browser page: in a recording of the Rust
//! side, one second at a time, and in the page's `heard` reports.

use connect_softphone::audio::{detect_tone, MemorySink};
use connect_testkit::within;
use serde_json::Value;

use super::page::PageServer;

/// One second of 48 kHz audio.
pub const SECOND: usize = 48_000;
/// One-second windows a side listens through before the other's tone must be there.
pub const LISTEN_WINDOWS: usize = 10;

/// Whether `freq` dominates these 48 kHz samples at a usable level.
pub fn has_tone(samples: &[i16], freq: f64) -> bool {
    detect_tone(samples, 48_000, freq).is_present(-30.0)
}

/// Waits, window by window, until `recording` carries `tone` (and never `echo`, the
/// recording side's own tone); `what` names the expectation.
pub async fn recording_hears(recording: &MemorySink, tone: f64, echo: f64, what: &str) {
    for _ in 0..LISTEN_WINDOWS {
        let from = recording.len_samples();
        within(
            "audio keeps arriving",
            recording.wait_for_samples(from + SECOND),
        )
        .await;
        let window = &recording.samples()[from..from + SECOND];
        if has_tone(window, tone) {
            assert!(!has_tone(window, echo), "{what}: no echo of {echo} Hz");
            return;
        }
    }
    panic!("{what}: {tone} Hz not heard within {LISTEN_WINDOWS} s");
}

impl PageServer {
    /// Waits for the page's `heard` reports until `tone` dominates what it receives, as Opus;
    /// returns that report.
    pub async fn hears(&mut self, tone: f64, what: &str) -> Value {
        for window in 1..=LISTEN_WINDOWS {
            let heard = self.recv_type("heard").await;
            let share = heard["toneShare"].as_f64().expect("toneShare");
            let peak = heard["peakHz"].as_f64().expect("peakHz");
            if share > 0.5 && (peak - tone).abs() < 20.0 {
                eprintln!("Chromium heard (window {window}): {heard}");
                assert_eq!(heard["mimeType"], "audio/opus", "{heard}");
                return heard;
            }
        }
        panic!("{what}: Chromium did not hear {tone} Hz within {LISTEN_WINDOWS} s");
    }
}
