//! The seam for the softphone hand-over between regions (spec §3.7): a hook called at
//! `Initiated` (and back, on a cancel after it), next to the `MediaHandover` event.

use async_trait::async_trait;
use connect_core::session::AgentSession;

/// A media hand-over: pre-warm `to` (fresh TURN credentials from `to`'s own endpoint,
/// signalling) and release `from`'s standby peer connections once no `from` call is active —
/// at once when `hard`.
#[derive(Clone, Debug)]
pub struct MediaHandover {
    /// The region being left.
    pub from: String,
    /// The region being moved to.
    pub to: String,
    /// Close `from` media sessions at once.
    pub hard: bool,
    /// `from`'s session, when connected.
    pub from_session: Option<AgentSession>,
    /// `to`'s session, when connected.
    pub to_session: Option<AgentSession>,
}

/// Called by the coordinator on every media hand-over, on its own task (it never delays the
/// failover). Implemented by the media layer.
///
/// ```
/// use connect_failover::{MediaHandover, MediaHandoverHook};
///
/// #[derive(Debug)]
/// struct Log;
///
/// #[async_trait::async_trait]
/// impl MediaHandoverHook for Log {
///     async fn on_handover(&self, handover: MediaHandover) {
///         println!("media {} -> {} (hard: {})", handover.from, handover.to, handover.hard);
///     }
/// }
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait MediaHandoverHook: std::fmt::Debug + Send + Sync {
    /// Moves media from `handover.from` to `handover.to`.
    async fn on_handover(&self, handover: MediaHandover);
}
