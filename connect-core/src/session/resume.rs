//! Stale-connection resume (R5): anyone who finds the session's connections stale triggers a
//! resume; the poll loop takes it, aborts its long poll and re-polls at once.

use std::sync::{Mutex, PoisonError};

use tokio::sync::Notify;

use crate::ws::ResumeCause;

/// Pending resume requests; several triggers before the poll loop looks count once.
#[derive(Debug, Default)]
pub(crate) struct Resumes {
    pending: Mutex<Option<ResumeCause>>,
    wake: Notify,
}

impl Resumes {
    /// Asks for a resume; the first cause since the last take is the one reported.
    pub(crate) fn trigger(&self, cause: ResumeCause) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(cause);
        self.wake.notify_one();
    }

    /// Waits for the next resume request and takes it.
    pub(crate) async fn next(&self) -> ResumeCause {
        loop {
            let notified = self.wake.notified();
            if let Some(cause) = self
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            {
                return cause;
            }
            notified.await;
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn triggers_before_the_wait_count_once_with_the_first_cause() {
        let resumes = Resumes::default();
        resumes.trigger(ResumeCause::ClockJump);
        resumes.trigger(ResumeCause::LongPollOverrun);
        assert_eq!(resumes.next().await, ResumeCause::ClockJump);
        let again = tokio::time::timeout(std::time::Duration::from_millis(10), resumes.next());
        assert!(again.await.is_err(), "nothing pending after the take");
    }
}
