//! What the machine is told ([`Input`]) and what it asks its driver to do ([`Action`]).

use connect_core::log::LogLevel;

use super::RegionView;
use crate::{Decision, FailoverEvent, FailoverMode, RegionHealth};

/// One thing that happened, told to [`FailoverMachine::handle`](super::FailoverMachine::handle).
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// An active-region decision (already merged and deduplicated across sources).
    Decision(Decision),
    /// A region's session delivered a snapshot.
    Snapshot {
        /// The region.
        region: String,
        /// What the coordinator needs of the snapshot.
        view: RegionView,
    },
    /// A region's health changed.
    Health {
        /// The region.
        region: String,
        /// Its health.
        health: RegionHealth,
    },
    /// The driver asked `region` for agent state `state` (after mapping the desired state).
    StateRequested {
        /// The region.
        region: String,
        /// The name of the state requested.
        state: String,
    },
    /// `force_failover()` (`hang_up: false`) or `force_failover_hang_up()` (`true`).
    ForceFailover {
        /// Also end the old region's live work.
        hang_up: bool,
    },
    /// `failover_to(region, mode)`: an operator's decision (does not change the TDG).
    FailoverTo {
        /// The target region.
        region: String,
        /// Soft or hard.
        mode: FailoverMode,
    },
    /// Time passed: timers are checked.
    Tick,
}

/// What the driver must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Deliver this event to the application.
    Emit(FailoverEvent),
    /// Make `region` the working region: fresh snapshot and configuration, the desired agent
    /// state mapped by name and type, then report [`Input::StateRequested`].
    ActivateRegion {
        /// The region.
        region: String,
        /// 1-based attempt (0 when a region is re-activated after a cancel or at start-up).
        attempt: u32,
    },
    /// End every contact of `region`: `destroyConnection`, then `clearContact` (offers are
    /// rejected), retried on each snapshot until the region has none; set the agent offline.
    HardCleanup {
        /// The region.
        region: String,
    },
    /// Write an entry in the coordinator's log.
    Log {
        /// Its level.
        level: LogLevel,
        /// Its text.
        message: String,
    },
}

impl Action {
    pub(crate) fn info(message: impl Into<String>) -> Self {
        Self::Log {
            level: LogLevel::Info,
            message: message.into(),
        }
    }

    pub(crate) fn warn(message: impl Into<String>) -> Self {
        Self::Log {
            level: LogLevel::Warn,
            message: message.into(),
        }
    }
}
