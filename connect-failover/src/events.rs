//! What the coordinator reports: [`FailoverEvent`]s, and the merged agent/contact stream whose
//! events carry their region ([`RegionEvent`]).

use connect_core::events::AgentEvent;

use crate::{DesiredState, FailoverMode, InitiateReason, RegionHealth};

/// Everything the failover coordinator reports, in order. Each failover yields `Detected`, then
/// optionally `Pending`, then `Initiated` and `Completed` — or `Cancelled` — exactly once.
///
/// ```
/// use connect_failover::{FailoverEvent, FailoverMode};
///
/// let event = FailoverEvent::Detected { from: "us-east-1".into(), to: "us-west-2".into(), mode: FailoverMode::Soft };
/// assert_eq!(event.name(), "detected");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FailoverEvent {
    /// The first decision confirmed the region the agent works in (upstream
    /// `globalResiliency::init`); no failover was needed.
    Initialized {
        /// The active region.
        active_region: String,
    },
    /// A decision names another region than the active one (upstream `failover_detected`).
    Detected {
        /// The region being left.
        from: String,
        /// The region being moved to.
        to: String,
        /// Soft or hard.
        mode: FailoverMode,
    },
    /// Soft failover waits for blocking contacts in `from` to end and leave after-contact work
    /// (upstream `failover_pending`).
    Pending {
        /// The region being moved to.
        to: String,
        /// Ids of the blocking contacts of the old region.
        blocking: Vec<String>,
    },
    /// The switch starts: the agent is being made available in `to`.
    Initiated {
        /// The region being left.
        from: String,
        /// The region being moved to.
        to: String,
        /// Why now.
        reason: InitiateReason,
    },
    /// The new region shows the agent in its desired state (upstream `failover_complete`).
    Completed {
        /// The new active region.
        active_region: String,
        /// Its CCP URL, when configured.
        active_ccp_url: Option<String>,
    },
    /// The failover to `to` was abandoned (the decision went back, or elsewhere).
    Cancelled {
        /// The region that was being moved to.
        to: String,
    },
    /// Pending lasted longer than `pending_timeout`; nothing is dropped, the wait goes on.
    PendingTimeout {
        /// The region being moved to.
        to: String,
    },
    /// A region's health changed.
    RegionHealth {
        /// The region.
        region: String,
        /// Its new health.
        health: RegionHealth,
    },
    /// Media moves from `from` to `to`: the media layer pre-warms `to` and releases `from`
    /// standby connections once no `from` call is active (at once when `hard`).
    MediaHandover {
        /// The region being left.
        from: String,
        /// The region being moved to.
        to: String,
        /// Whether `from` media sessions must be closed at once.
        hard: bool,
    },
    /// The desired agent state has no counterpart in `region`; the agent stays offline there.
    StateMappingFailed {
        /// The region.
        region: String,
        /// The state that could not be mapped.
        desired: DesiredState,
    },
    /// The old region became unreachable during pending: these contacts are considered lost.
    ContactsLost {
        /// The unreachable region.
        region: String,
        /// The contacts that were still blocking.
        contacts: Vec<String>,
    },
}

impl FailoverEvent {
    /// A short snake_case name (`detected`, `pending`, …) for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Initialized { .. } => "initialized",
            Self::Detected { .. } => "detected",
            Self::Pending { .. } => "pending",
            Self::Initiated { .. } => "initiated",
            Self::Completed { .. } => "completed",
            Self::Cancelled { .. } => "cancelled",
            Self::PendingTimeout { .. } => "pending_timeout",
            Self::RegionHealth { .. } => "region_health",
            Self::MediaHandover { .. } => "media_handover",
            Self::StateMappingFailed { .. } => "state_mapping_failed",
            Self::ContactsLost { .. } => "contacts_lost",
        }
    }

    /// Whether this event is part of a failover's sequence (`Detected` … `Completed` or
    /// `Cancelled`).
    pub fn is_sequence(&self) -> bool {
        matches!(
            self,
            Self::Detected { .. }
                | Self::Pending { .. }
                | Self::Initiated { .. }
                | Self::Completed { .. }
                | Self::Cancelled { .. }
        )
    }
}

/// An agent or contact event of one region's session, tagged with its region.
#[derive(Clone, Debug)]
pub struct RegionEvent {
    /// The region label.
    pub region: String,
    /// The session's event (offers of a suppressed region never appear).
    pub event: AgentEvent,
}
