//! What each platform is, as data: its readiness signal and timeouts, where its client version
//! and metadata come from, and its known limitations (spec §2–§4, §7).

use std::time::Duration;

use super::VdiPlatformKind;

/// How a platform says it is ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadinessSignal {
    /// Ready at once (no redirection).
    Immediate,
    /// The VM event callback delivers `vdiClientConnected`, then feature `webrtc1.0` is on.
    CitrixClientConnected,
    /// Bootstrap `getRedirectionState()` first (−2, a timeout or an error → the 3.1 path).
    CitrixBootstrap,
    /// The DCV proxy's init callback, then `overrideWebRTC()`; heartbeats after that.
    DcvProxyInit,
    /// `initSDK(...)` returns true and its callback delivers `vdiClientConnected`.
    OmnissaInitSdk,
    /// Valid at construction; `rdpClientConnectionStateChanged` with `connected`.
    AzureRdpState,
    /// The engine's `connected` notification after a successful `hello`.
    EngineConnected,
}

/// A liveness heartbeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heartbeat {
    /// How often it is sent.
    pub interval: Duration,
    /// Silence after which the endpoint counts as lost.
    pub timeout: Duration,
}

/// Readiness and liveness deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlatformTimeouts {
    /// A first stage before `when_connected` (Citrix Bootstrap 1 s, DCV init 5 s, engine
    /// `hello` 2 s).
    pub first_stage: Option<Duration>,
    /// The `when_connected` deadline (10 s; zero when ready at once).
    pub when_connected: Duration,
    /// Liveness while connected, where the platform has one.
    pub heartbeat: Option<Heartbeat>,
}

/// A known limitation of a platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limitation {
    /// Voice only: no video calling on VDI.
    VoiceOnly,
    /// No early media (standby peer connection), so call set-up is slower.
    NoEarlyMedia,
    /// Only these endpoint or desktop operating systems.
    OsRestricted(&'static str),
    /// Only these browsers.
    BrowserRestricted(&'static str),
    /// ICE restart needs a minimum client version.
    IceRestartNeeds(&'static str),
    /// Minimum vendor versions.
    MinimumVersions(&'static str),
    /// Runs only in a browser build of the SDK (wasm, feature `vendor-js`).
    BrowserBuildOnly,
}

/// One platform's profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlatformProfile {
    /// The platform.
    pub kind: VdiPlatformKind,
    /// The upstream strategy it mirrors.
    pub upstream_strategy: &'static str,
    /// The vendor component the page needs.
    pub vendor_component: &'static str,
    /// Its readiness signal.
    pub readiness: ReadinessSignal,
    /// Its deadlines.
    pub timeouts: PlatformTimeouts,
    /// Whether a standby peer connection can be pre-warmed.
    pub early_media: bool,
    /// Where `vdiClientVersion` comes from (empty: not reported).
    pub client_version_source: &'static str,
    /// Where the call report's `vdiMetadata` comes from (empty: none).
    pub metadata_source: &'static str,
    /// Whether `onConnectionNeedingCleanup` fires upstream (this SDK fires it everywhere).
    pub upstream_cleanup_called: bool,
    /// Known limitations.
    pub limitations: &'static [Limitation],
}

const TEN_S: Duration = Duration::from_secs(10);

impl PlatformProfile {
    /// The profile of `kind`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use connect_vdi::platform::{PlatformProfile, VdiPlatformKind};
    ///
    /// let citrix = PlatformProfile::of(VdiPlatformKind::Citrix413);
    /// assert_eq!(citrix.timeouts.first_stage, Some(Duration::from_secs(1)));
    /// assert!(!citrix.early_media);
    /// ```
    pub fn of(kind: VdiPlatformKind) -> &'static Self {
        match kind {
            VdiPlatformKind::None => &NONE,
            VdiPlatformKind::Citrix => &CITRIX,
            VdiPlatformKind::Citrix413 => &CITRIX_413,
            VdiPlatformKind::AwsWorkspace => &AWS_WORKSPACE,
            VdiPlatformKind::Omnissa => &OMNISSA,
            VdiPlatformKind::Azure => &AZURE,
            VdiPlatformKind::Engine => &ENGINE,
        }
    }
}

static NONE: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::None,
    upstream_strategy: "StandardStrategy",
    vendor_component: "",
    readiness: ReadinessSignal::Immediate,
    timeouts: PlatformTimeouts {
        first_stage: None,
        when_connected: Duration::ZERO,
        heartbeat: None,
    },
    early_media: true,
    client_version_source: "",
    metadata_source: "",
    upstream_cleanup_called: false,
    limitations: &[],
};

const CITRIX_LIMITS: &[Limitation] = &[
    Limitation::VoiceOnly,
    Limitation::NoEarlyMedia,
    Limitation::MinimumVersions("VDA 2203 LTSR+, Citrix Workspace app 2109+"),
    Limitation::BrowserBuildOnly,
];

static CITRIX: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::Citrix,
    upstream_strategy: "CitrixVDIStrategy (UC SDK 3.1)",
    vendor_component: "@citrix/ucsdk@3.1.0 (CitrixWebRTC)",
    readiness: ReadinessSignal::CitrixClientConnected,
    timeouts: PlatformTimeouts {
        first_stage: None,
        when_connected: TEN_S,
        heartbeat: None,
    },
    early_media: false,
    client_version_source: "vdiClientConnected receiver version (Citrix Workspace app)",
    metadata_source: "",
    upstream_cleanup_called: true,
    limitations: CITRIX_LIMITS,
};

static CITRIX_413: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::Citrix413,
    upstream_strategy: "CitrixVDIStrategy (UC SDK 4.1 + Bootstrap)",
    vendor_component: "@citrixcloud/ucsdk@4.1.3 (CitrixWebRTC, CitrixBootstrap)",
    readiness: ReadinessSignal::CitrixBootstrap,
    timeouts: PlatformTimeouts {
        first_stage: Some(Duration::from_secs(1)),
        when_connected: TEN_S,
        heartbeat: None,
    },
    early_media: false,
    client_version_source: "vdiClientConnected receiver version (Citrix Workspace app)",
    metadata_source: "",
    upstream_cleanup_called: true,
    limitations: CITRIX_LIMITS,
};

static AWS_WORKSPACE: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::AwsWorkspace,
    upstream_strategy: "DCVWebRTCStrategy",
    vendor_component: "Amazon DCV WebRTC Redirection browser extension (proxy V2, V1 fallback)",
    readiness: ReadinessSignal::DcvProxyInit,
    timeouts: PlatformTimeouts {
        first_stage: Some(Duration::from_secs(5)),
        when_connected: TEN_S,
        heartbeat: Some(Heartbeat {
            interval: Duration::from_millis(500),
            timeout: Duration::from_secs(5),
        }),
    },
    early_media: true,
    client_version_source: "",
    metadata_source: "",
    upstream_cleanup_called: true,
    limitations: &[
        Limitation::VoiceOnly,
        Limitation::OsRestricted(
            "Windows WorkSpaces on DCV; clients Windows, macOS, Ubuntu 22.04/24.04 amd64, Web",
        ),
        Limitation::BrowserRestricted(
            "Chrome or Edge with the force-installed extension; Streams 2.14.4+",
        ),
        Limitation::BrowserBuildOnly,
    ],
};

static OMNISSA: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::Omnissa,
    upstream_strategy: "OmnissaVDIStrategy",
    vendor_component:
        "@euc-releases/horizon-webrtc-redir-sdk ^8.15.0 and the Horizon browser extension",
    readiness: ReadinessSignal::OmnissaInitSdk,
    timeouts: PlatformTimeouts {
        first_stage: None,
        when_connected: TEN_S,
        heartbeat: None,
    },
    early_media: false,
    client_version_source: "",
    metadata_source: "",
    upstream_cleanup_called: false,
    limitations: &[
        Limitation::VoiceOnly,
        Limitation::NoEarlyMedia,
        Limitation::OsRestricted("Windows 10/11 endpoints"),
        Limitation::IceRestartNeeds("Horizon 2503"),
        Limitation::MinimumVersions("Horizon Client and Agent 8.15.0 (2503)+"),
        Limitation::BrowserBuildOnly,
    ],
};

static AZURE: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::Azure,
    upstream_strategy: "AzureVDIStrategy",
    vendor_component: "",
    readiness: ReadinessSignal::AzureRdpState,
    timeouts: PlatformTimeouts {
        first_stage: None,
        when_connected: TEN_S,
        heartbeat: None,
    },
    early_media: true,
    client_version_source: "MMR client version",
    metadata_source: "MMR host/extension/client versions, activity and connection ids",
    upstream_cleanup_called: true,
    limitations: &[
        Limitation::VoiceOnly,
        Limitation::BrowserRestricted("Chrome or Edge reporting call redirection enabled"),
        Limitation::BrowserBuildOnly,
    ],
};

static ENGINE: PlatformProfile = PlatformProfile {
    kind: VdiPlatformKind::Engine,
    upstream_strategy: "",
    vendor_component: "connect-media-engine on the endpoint",
    readiness: ReadinessSignal::EngineConnected,
    timeouts: PlatformTimeouts {
        first_stage: Some(Duration::from_secs(2)),
        when_connected: TEN_S,
        heartbeat: Some(Heartbeat {
            interval: Duration::from_millis(500),
            timeout: Duration::from_secs(5),
        }),
    },
    early_media: true,
    client_version_source: "connected notification engine version",
    metadata_source: "connected notification (protocol, media stack, OS, client platform)",
    upstream_cleanup_called: true,
    limitations: &[Limitation::VoiceOnly],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_match_the_spec_tables() {
        let s = Duration::from_secs;
        // (kind, readiness, first stage, whenConnected, heartbeat, early media)
        let table = [
            (
                VdiPlatformKind::None,
                ReadinessSignal::Immediate,
                None,
                Duration::ZERO,
                None,
                true,
            ),
            (
                VdiPlatformKind::Citrix,
                ReadinessSignal::CitrixClientConnected,
                None,
                s(10),
                None,
                false,
            ),
            (
                VdiPlatformKind::Citrix413,
                ReadinessSignal::CitrixBootstrap,
                Some(s(1)),
                s(10),
                None,
                false,
            ),
            (
                VdiPlatformKind::AwsWorkspace,
                ReadinessSignal::DcvProxyInit,
                Some(s(5)),
                s(10),
                Some((500, 5)),
                true,
            ),
            (
                VdiPlatformKind::Omnissa,
                ReadinessSignal::OmnissaInitSdk,
                None,
                s(10),
                None,
                false,
            ),
            (
                VdiPlatformKind::Azure,
                ReadinessSignal::AzureRdpState,
                None,
                s(10),
                None,
                true,
            ),
            (
                VdiPlatformKind::Engine,
                ReadinessSignal::EngineConnected,
                Some(s(2)),
                s(10),
                Some((500, 5)),
                true,
            ),
        ];
        for (kind, readiness, first, when, heartbeat, early) in table {
            let p = PlatformProfile::of(kind);
            assert_eq!(p.kind, kind);
            assert_eq!(p.readiness, readiness, "{kind}");
            assert_eq!(p.timeouts.first_stage, first, "{kind}");
            assert_eq!(p.timeouts.when_connected, when, "{kind}");
            let hb = heartbeat.map(|(ms, to)| Heartbeat {
                interval: Duration::from_millis(ms),
                timeout: s(to),
            });
            assert_eq!(p.timeouts.heartbeat, hb, "{kind}");
            assert_eq!(p.early_media, early, "{kind}");
            assert_eq!(kind.redirects(), kind != VdiPlatformKind::None);
            assert_eq!(
                p.limitations.contains(&Limitation::BrowserBuildOnly),
                !kind.available_here(),
                "{kind}"
            );
            if kind.redirects() {
                assert!(p.limitations.contains(&Limitation::VoiceOnly), "{kind}");
            }
        }
        assert!(!PlatformProfile::of(VdiPlatformKind::Omnissa).upstream_cleanup_called);
    }

    #[test]
    fn identifiers_round_trip() {
        for kind in VdiPlatformKind::ALL {
            assert_eq!(kind.as_str().parse::<VdiPlatformKind>(), Ok(kind));
            assert_eq!(
                kind.as_str().to_lowercase().parse::<VdiPlatformKind>(),
                Ok(kind)
            );
        }
        assert_eq!("".parse::<VdiPlatformKind>(), Ok(VdiPlatformKind::None));
    }
}
