//! The parts of the video-escalation demo: a customer chat (`chat_leg`) escalated to a video
//! meeting (`chat_to_video`), and a voice call escalated through an ad-hoc route that is then
//! attacked (`route_drill`).

pub mod chat_leg;
pub mod chat_to_video;
pub mod route_drill;

/// Why a step of the demo failed.
#[derive(Debug, thiserror::Error)]
#[error("{step}: {reason}")]
pub struct DemoError {
    /// The step.
    pub step: &'static str,
    /// What went wrong.
    pub reason: String,
}

/// Maps an error's text to a [`DemoError`] of `step`.
pub(crate) fn failed(step: &'static str) -> impl FnOnce(String) -> DemoError {
    move |reason| DemoError { step, reason }
}
