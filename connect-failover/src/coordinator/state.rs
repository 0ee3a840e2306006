//! [`FailoverState`]: the states of spec §3.2 that last (`Detected` and `Completed` are passed
//! through at once and exist only as events).

use std::collections::BTreeSet;

use connect_core::model::Timestamp;

use crate::{FailoverMode, InitiateReason};

/// Where the coordinator is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailoverState {
    /// Waiting for the first decision; `provisional`'s offers are surfaced meanwhile.
    Bootstrapping {
        /// The configured primary if usable, else the first usable region.
        provisional: String,
    },
    /// The agent works in `region`; every other region is suppressed and offline.
    Active {
        /// The active region.
        region: String,
    },
    /// Soft failover waiting for `blocking` contacts of `from` to end and leave ACW.
    Pending {
        /// The region being left.
        from: String,
        /// The region being moved to.
        to: String,
        /// Contacts still blocking.
        blocking: BTreeSet<String>,
        /// When pending began.
        since: Timestamp,
        /// Whether `PendingTimeout` was reported.
        timed_out: bool,
    },
    /// The agent is being made available in `to`.
    Initiated {
        /// The region being left.
        from: String,
        /// The region being moved to.
        to: String,
        /// Why the switch started.
        reason: InitiateReason,
        /// Soft or hard.
        mode: FailoverMode,
        /// 1-based attempt.
        attempt: u32,
        /// The state requested in `to`, once the driver reported it.
        requested: Option<String>,
        /// When the current attempt times out.
        deadline: Timestamp,
        /// When the next attempt starts, after a timeout.
        retry_at: Option<Timestamp>,
    },
}

impl FailoverState {
    /// A short snake_case name for logs.
    ///
    /// ```
    /// use connect_failover::coordinator::FailoverState;
    /// let s = FailoverState::Active { region: "us-east-1".into() };
    /// assert_eq!(s.name(), "active");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Self::Bootstrapping { .. } => "bootstrapping",
            Self::Active { .. } => "active",
            Self::Pending { .. } => "pending",
            Self::Initiated { .. } => "initiated",
        }
    }
}
