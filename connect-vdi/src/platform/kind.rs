//! The platform identifiers (`VDIPlatform` in Streams, plus the SDK's own engine).

use std::fmt;
use std::str::FromStr;

/// Which VDI platform carries the softphone's media.
///
/// ```
/// use connect_vdi::platform::VdiPlatformKind;
///
/// assert_eq!("CITRIX_413".parse::<VdiPlatformKind>(), Ok(VdiPlatformKind::Citrix413));
/// assert_eq!(VdiPlatformKind::Engine.as_str(), "ENDPOINT_ENGINE");
/// assert!("VMWARE".parse::<VdiPlatformKind>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VdiPlatformKind {
    /// No redirection: media runs where the SDK runs (upstream `StandardStrategy`).
    None,
    /// Citrix HDX with UC SDK 3.1 (`CITRIX`).
    Citrix,
    /// Citrix HDX with UC SDK 4.1 and Bootstrap (`CITRIX_413`).
    Citrix413,
    /// Amazon WorkSpaces with DCV WebRTC redirection (`AWS_WORKSPACE`).
    AwsWorkspace,
    /// Omnissa Horizon browser redirection (`OMNISSA`).
    Omnissa,
    /// Azure Virtual Desktop multimedia redirection (`AZURE`).
    Azure,
    /// This SDK's endpoint media engine over `connect-vdi/1` (`ENDPOINT_ENGINE`).
    Engine,
}

impl VdiPlatformKind {
    /// Every platform, in table order.
    pub const ALL: [Self; 7] = [
        Self::None,
        Self::Citrix,
        Self::Citrix413,
        Self::AwsWorkspace,
        Self::Omnissa,
        Self::Azure,
        Self::Engine,
    ];

    /// The identifier (`CITRIX`, …; `NONE` for no redirection).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Citrix => "CITRIX",
            Self::Citrix413 => "CITRIX_413",
            Self::AwsWorkspace => "AWS_WORKSPACE",
            Self::Omnissa => "OMNISSA",
            Self::Azure => "AZURE",
            Self::Engine => "ENDPOINT_ENGINE",
        }
    }

    /// Whether media leaves from somewhere other than this process.
    pub fn redirects(self) -> bool {
        self != Self::None
    }

    /// Whether this build can run the platform (native builds: `None` and `Engine`; the
    /// vendor platforms need the browser's vendor globals).
    pub fn available_here(self) -> bool {
        matches!(self, Self::None | Self::Engine)
    }
}

impl fmt::Display for VdiPlatformKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identifier that names no platform.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown VDI platform {0:?} (expected NONE, CITRIX, CITRIX_413, AWS_WORKSPACE, OMNISSA, AZURE or ENDPOINT_ENGINE)")]
pub struct UnknownPlatform(pub String);

impl FromStr for VdiPlatformKind {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == upper)
            .or_else(|| (upper.is_empty()).then_some(Self::None))
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}
