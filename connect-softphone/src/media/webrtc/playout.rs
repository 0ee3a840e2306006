//! The playout clock of one remote track: every 20 ms the jitter buffer gives one frame
//! (decoded, rebuilt from FEC, concealed, or silence while it fills) and the sink plays it.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tracing::warn;

use super::shared::{lock, now, Shared};
use crate::audio::{peak_level, AudioSink, JitterPlayout, FRAME_DURATION_MS, FRAME_SAMPLES};

/// Plays `playout` into `sink` until the peer closes (the receive loop aborts it when the
/// track ends). A late tick is caught up at once, so the sink gets 50 frames a second of
/// real time however busy the machine is.
pub(super) async fn run(
    shared: Arc<Shared>,
    playout: Arc<Mutex<JitterPlayout>>,
    sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
) {
    let mut clock = tokio::time::interval(Duration::from_millis(u64::from(FRAME_DURATION_MS)));
    clock.set_missed_tick_behavior(MissedTickBehavior::Burst);
    while !shared.closed.load(Ordering::Acquire) {
        clock.tick().await;
        let at = now().saturating_duration_since(shared.created);
        let (frame, stats) = {
            let mut playout = lock(&playout);
            let frame = playout.tick(at);
            (frame, playout.stats())
        };
        shared.concealed.store(
            stats.concealed_samples / FRAME_SAMPLES as u64,
            Ordering::Relaxed,
        );
        *lock(&shared.jitter_buffer) = Some(stats);
        shared.output_level.set(peak_level(&frame.samples));
        if let Err(error) = sink.lock().await.write_frame(&frame).await {
            warn!(%error, "audio sink failed");
        }
    }
}
