//! Finds a host that slept (R5): a 1 s tick that sees the wall clock jump ahead, or fires late,
//! asks for a resume.

use std::sync::Arc;
use std::time::Duration;

use super::shared::Shared;
use crate::ws::ResumeCause;

const TICK: Duration = Duration::from_secs(1);

/// Ticks every second and triggers a [`ResumeCause::ClockJump`] resume when more time passed
/// than the tick plus the session's `clock_jump_threshold`.
pub(crate) async fn run_clock_watch(shared: Arc<Shared>) {
    let threshold = shared.settings.clock_jump_threshold.as_millis() as i64;
    let tick = TICK.as_millis() as i64;
    let mut before = shared.clock.now();
    loop {
        shared.clock.sleep(TICK).await;
        let now = shared.clock.now();
        let late = now.millis_since(before) - tick;
        if late > threshold {
            tracing::warn!(late_ms = late, "clock jumped ahead or timers fired late");
            shared.resumes.trigger(ResumeCause::ClockJump);
        }
        before = now;
    }
}
