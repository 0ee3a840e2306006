//! What the VDI layer reports to the application, in order.

use crate::platform::{MediaDevice, VdiClientInfo, VdiPlatformKind};
use crate::VdiDisconnectReason;

/// One event of the VDI layer.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum VdiEvent {
    /// Redirection is established; carries the endpoint's version block.
    ClientConnected(VdiClientInfo),
    /// Redirection ended or could not be established.
    ClientDisconnected {
        /// Why, typed.
        reason: VdiDisconnectReason,
        /// The raw message, when there is one.
        message: Option<String>,
    },
    /// Fallback policy `InDesktop`: this call's media runs in the desktop.
    FallbackEngaged {
        /// The platform that could not redirect.
        platform: VdiPlatformKind,
        /// Why.
        reason: VdiDisconnectReason,
        /// The raw message, when there is one.
        message: Option<String>,
    },
    /// Fallback policy `FailClosed`: media was refused because redirection is unavailable.
    FailedClosed {
        /// The platform that could not redirect.
        platform: VdiPlatformKind,
        /// Why.
        reason: VdiDisconnectReason,
        /// The raw message, when there is one.
        message: Option<String>,
    },
    /// Redirection works again after a fallback or a refusal (at a call boundary).
    RedirectionRestored(VdiClientInfo),
    /// The process seems to run in a virtual desktop but no redirection is configured.
    VdiSuspected {
        /// What gave it away (e.g. `SESSIONNAME=ICA-tcp#0`).
        hint: String,
    },
    /// The endpoint's device list changed (full list).
    DeviceChange(Vec<MediaDevice>),
    /// The selected device disappeared; the default is used (sent before the new list).
    DeviceLost(MediaDevice),
    /// This subscriber fell behind and missed events.
    Lagged {
        /// How many.
        dropped: u64,
    },
}
