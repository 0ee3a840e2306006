//! Why redirection ended or could not start: typed, with the vendor's raw text kept.

use std::fmt;

/// The kinds of `failure` (spec: the Citrix blog cases and the SDK's own init failures).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The channel to the redirection service could not be opened ("Websocket Connection
    /// Failure"; the engine is unreachable).
    Transport,
    /// The pairing token was rejected.
    AuthRejected,
    /// The other side does not speak this protocol (bad handshake, malformed `hello` reply).
    ProtocolMismatch,
    /// Readiness did not arrive in time.
    ReadinessTimeout,
    /// The platform is misconfigured ("Citrix Webrtc Redir Reg Key not Present", a vendor
    /// platform requested on a build without its bindings).
    PlatformConfig,
    /// The vendor reports the feature off (Citrix `webrtc1.0`).
    FeatureOff,
}

/// Why redirection ended or could not be established.
///
/// ```
/// use connect_vdi::{FailureKind, VdiDisconnectReason};
///
/// let r = VdiDisconnectReason::from_wire("failure", Some("Websocket Connection Failure"));
/// assert_eq!(r, VdiDisconnectReason::Failure(FailureKind::Transport));
/// assert_eq!(VdiDisconnectReason::from_wire("endpointDisconnected", None).as_wire(), "endpointDisconnected");
/// assert_eq!(VdiDisconnectReason::from_wire("vdiUnableToRemote", None), VdiDisconnectReason::Unknown("vdiUnableToRemote".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VdiDisconnectReason {
    /// Redirection failed.
    Failure(FailureKind),
    /// The endpoint went away: engine exit, heartbeat timeout, remote session disconnect.
    EndpointDisconnected,
    /// The endpoint cannot redirect (unsupported client, OS or protocol version).
    EndpointUnsupported,
    /// A vendor reason this SDK does not recognise, verbatim.
    Unknown(String),
}

impl VdiDisconnectReason {
    /// Maps a vendor or engine `reason` (and its `msg`) to a typed reason.
    pub fn from_wire(reason: &str, message: Option<&str>) -> Self {
        match reason {
            "failure" => {
                let message = message.unwrap_or_default().to_ascii_lowercase();
                let kind = if message.contains("reg key") {
                    FailureKind::PlatformConfig
                } else if message.contains("webrtc1.0") || message.contains("feature") {
                    FailureKind::FeatureOff
                } else if message.contains("token") || message.contains("unauthori") {
                    FailureKind::AuthRejected
                } else if message.contains("timeout") || message.contains("timed out") {
                    FailureKind::ReadinessTimeout
                } else if message.contains("protocol") || message.contains("version") {
                    FailureKind::ProtocolMismatch
                } else {
                    FailureKind::Transport
                };
                Self::Failure(kind)
            }
            "endpointDisconnected" => Self::EndpointDisconnected,
            "endpointUnsupported" => Self::EndpointUnsupported,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// The wire `reason` (`failure`, `endpointDisconnected`, `endpointUnsupported`, or the
    /// unknown text).
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Failure(_) => "failure",
            Self::EndpointDisconnected => "endpointDisconnected",
            Self::EndpointUnsupported => "endpointUnsupported",
            Self::Unknown(text) => text,
        }
    }
}

impl fmt::Display for VdiDisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failure(kind) => write!(f, "failure ({kind:?})"),
            other => f.write_str(other.as_wire()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_citrix_blog_cases_map_as_documented() {
        let cases = [
            (
                "failure",
                Some("Websocket Connection Failure"),
                VdiDisconnectReason::Failure(FailureKind::Transport),
            ),
            (
                "endpointDisconnected",
                None,
                VdiDisconnectReason::EndpointDisconnected,
            ),
            (
                "endpointUnsupported",
                Some("Unsupported endpoint connected"),
                VdiDisconnectReason::EndpointUnsupported,
            ),
            (
                "failure",
                Some("Citrix Webrtc Redir Reg Key not Present"),
                VdiDisconnectReason::Failure(FailureKind::PlatformConfig),
            ),
            (
                "failure",
                Some("feature webrtc1.0 is off"),
                VdiDisconnectReason::Failure(FailureKind::FeatureOff),
            ),
            (
                "failure",
                Some("readiness timeout"),
                VdiDisconnectReason::Failure(FailureKind::ReadinessTimeout),
            ),
            (
                "failure",
                None,
                VdiDisconnectReason::Failure(FailureKind::Transport),
            ),
            (
                "somethingNew",
                Some("x"),
                VdiDisconnectReason::Unknown("somethingNew".into()),
            ),
        ];
        for (reason, message, expected) in cases {
            let typed = VdiDisconnectReason::from_wire(reason, message);
            assert_eq!(typed, expected, "{reason} {message:?}");
            assert_eq!(typed.as_wire(), reason);
        }
    }
}
