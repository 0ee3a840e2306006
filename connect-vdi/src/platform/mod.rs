//! VDI platforms: the identifiers, each platform's profile (readiness signal, timeouts,
//! version and metadata sources, limitations), detection from configuration and environment,
//! and the [`VdiPlatform`] trait with the platforms a native build runs.

mod client_info;
mod detect;
mod device;
mod hub;
mod kind;
mod local;
mod profile;
mod traits;
mod vendor;

pub use client_info::{sanitize, ComponentVersion, VdiClientInfo};
pub use detect::{
    detect, virtual_desktop_hint, Detection, DetectionSource, EngineEndpoint, Environment,
    ProcessEnvironment, VdiMode, ENV_ENGINE_TOKEN, ENV_ENGINE_TOKEN_FILE, ENV_ENGINE_URL,
    ENV_PLATFORM,
};
pub use device::{DeviceId, MediaDevice};
pub use hub::{PlatformHub, VDI_EVENT_QUEUE};
pub use kind::{UnknownPlatform, VdiPlatformKind};
pub use local::LocalPlatform;
pub use profile::{Heartbeat, Limitation, PlatformProfile, PlatformTimeouts, ReadinessSignal};
pub use traits::{CleanupHandler, VdiEvents, VdiPlatform};
pub use vendor::UnavailablePlatform;
