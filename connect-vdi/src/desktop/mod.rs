//! The desktop side of redirection: [`RedirectedMediaEngine`] runs each call's media on the
//! endpoint engine over `connect-vdi/1`, applies the [`FallbackPolicy`] when it cannot, and
//! [`EnginePlatform`] presents it as a [`VdiPlatform`](crate::VdiPlatform).

mod config;
mod devices;
mod handshake;
mod link;
mod negotiate;
mod peer;
mod peer_watch;
mod platform;
mod redirected;
mod restart;
mod sender;
mod stats;

pub use config::{EngineClientConfig, FallbackPolicy};
pub use platform::EnginePlatform;
pub use redirected::{MediaPlacement, RedirectedMediaEngine, RedirectedMediaEngineBuilder};
pub use stats::media_stats;
