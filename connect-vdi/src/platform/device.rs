//! Audio devices as a platform reports them; ids remember which platform issued them.

use crate::protocol::{DeviceInfo, DeviceKind};

use super::VdiPlatformKind;

/// A device id, tagged with the platform that issued it (an id from another platform is
/// rejected).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DeviceId {
    /// The issuing platform.
    pub platform: VdiPlatformKind,
    /// The platform's opaque id.
    pub id: String,
}

impl DeviceId {
    /// An id issued by `platform`.
    pub fn new(platform: VdiPlatformKind, id: impl Into<String>) -> Self {
        Self {
            platform,
            id: id.into(),
        }
    }
}

/// One audio device of the active platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDevice {
    /// Its id.
    pub id: DeviceId,
    /// Input or output.
    pub kind: DeviceKind,
    /// Display name.
    pub label: String,
    /// Physical unit.
    pub group_id: String,
    /// The system default of its kind.
    pub is_default: bool,
}

impl MediaDevice {
    /// A device from its wire form.
    pub fn from_wire(platform: VdiPlatformKind, info: &DeviceInfo) -> Self {
        Self {
            id: DeviceId::new(platform, info.device_id.clone()),
            kind: info.kind,
            label: info.label.clone(),
            group_id: info.group_id.clone(),
            is_default: info.is_default,
        }
    }
}
