//! Plain data shared by the machine, the sources and the driver: regions, their health, and the
//! failover mode.

use serde::{Deserialize, Serialize};

/// One region of a traffic distribution group, as the coordinator knows it.
///
/// ```
/// use connect_failover::RegionInfo;
///
/// let east = RegionInfo::new("us-east-1", "arn:aws:connect:us-east-1:111122223333:instance/a")
///     .ccp_url("https://example-east.my.connect.aws/ccp-v2");
/// assert_eq!(east.name, "us-east-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// The region label (`us-east-1`): used in events, logs and log file names.
    pub name: String,
    /// The ARN of this region's instance, as the discovery document names it.
    pub instance_arn: String,
    /// The region's CCP URL, reported in [`FailoverEvent::Completed`](crate::FailoverEvent).
    pub ccp_url: Option<String>,
}

impl RegionInfo {
    /// A region called `name` whose instance is `instance_arn`.
    pub fn new(name: impl Into<String>, instance_arn: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            instance_arn: instance_arn.into(),
            ccp_url: None,
        }
    }

    /// Sets the CCP URL.
    pub fn ccp_url(mut self, url: impl Into<String>) -> Self {
        self.ccp_url = Some(url.into());
        self
    }
}

/// Soft (finish live work in the old region first) or hard (terminate it).
///
/// ```
/// use connect_failover::FailoverMode;
/// assert_eq!(FailoverMode::from_terminate_flag(true), FailoverMode::Hard);
/// assert_eq!(FailoverMode::from_terminate_flag(false), FailoverMode::Soft);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverMode {
    /// Live work in the old region ends by agent or customer action before the switch.
    Soft,
    /// `TerminateActiveContacts`: live work in the old region is ended by the SDK.
    Hard,
}

impl FailoverMode {
    /// The mode a discovery document's `TerminateActiveContacts` flag asks for.
    pub fn from_terminate_flag(terminate_active_contacts: bool) -> Self {
        if terminate_active_contacts {
            Self::Hard
        } else {
            Self::Soft
        }
    }

    /// Whether this is [`FailoverMode::Hard`].
    pub fn is_hard(self) -> bool {
        self == Self::Hard
    }
}

/// How well a region answers (spec §3.3).
///
/// ```
/// use connect_failover::RegionHealth;
/// assert!(RegionHealth::Degraded.is_usable());
/// assert!(!RegionHealth::Impaired.is_usable());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionHealth {
    /// Calls succeed.
    Healthy,
    /// Calls fail, but one succeeded within `region_dead_after`.
    Degraded,
    /// No successful call for `region_dead_after`, or connections refused or black-holed.
    Impaired,
}

impl RegionHealth {
    /// Whether the region can still be used (healthy or degraded).
    pub fn is_usable(self) -> bool {
        self != Self::Impaired
    }
}

/// Why the coordinator moved to `Initiated`.
///
/// ```
/// use connect_failover::InitiateReason;
/// assert_eq!(InitiateReason::Drained.as_str(), "drained");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InitiateReason {
    /// Soft failover: no blocking work was left in the old region.
    Drained,
    /// Hard failover (`TerminateActiveContacts`): cleanup runs in the background.
    Hard,
    /// `force_failover()` during pending.
    Forced,
    /// `force_failover_hang_up()` during pending: forced, with hard cleanup.
    ForcedHangUp,
    /// The old region was unreachable for `region_dead_after`; its blocking contacts are lost.
    FromRegionLost,
}

impl InitiateReason {
    /// The snake_case name used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drained => "drained",
            Self::Hard => "hard",
            Self::Forced => "forced",
            Self::ForcedHangUp => "forced_hang_up",
            Self::FromRegionLost => "from_region_lost",
        }
    }
}
