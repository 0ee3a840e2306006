//! The CCP WebSocket (§5): frames, the sans-IO manager machine and its drivers.
//!
//! - [`WsMachine`] holds every rule (URL validity, heartbeat, rotation make-before-break,
//!   backoff, subscriptions and their retries, connection lost/gained); it is told the time and
//!   compiles everywhere.
//! - [`WsManager`] (feature `ws`) runs it over a [`WsConnector`]: tokio-tungstenite natively
//!   ([`TungsteniteConnector`]), the browser's `WebSocket` on wasm (`BrowserConnector`).
//!
//! ```
//! use connect_core::ws::{Frame, Inbound};
//!
//! let text = Frame::new("aws/softphone", serde_json::json!({"hello": 1})).to_text();
//! assert!(matches!(Inbound::parse(&text), Inbound::Message { .. }));
//! ```

mod backoff;
mod config;
mod drive;
mod event;
mod frame;
mod machine;
#[cfg(test)]
mod machine_tests;
mod source;
mod subscriptions;

#[cfg(feature = "ws")]
mod connector;
#[cfg(feature = "ws")]
mod handlers;
#[cfg(feature = "ws")]
mod manager;
#[cfg(feature = "ws")]
mod task;

#[cfg(all(feature = "ws", target_arch = "wasm32"))]
mod browser;
#[cfg(all(feature = "ws", not(target_arch = "wasm32")))]
mod tungstenite;

pub use backoff::ReconnectPolicy;
pub use config::{check_ws_url, WsTimings};
pub use event::{ResumeCause, SocketId, WsError, WsEvent, WsOutput};
pub use frame::{
    is_reserved_topic, Frame, Inbound, SubscribeStatus, TOPIC_HEARTBEAT, TOPIC_SUBSCRIBE,
    TOPIC_UNSUBSCRIBE,
};
pub use machine::{MachineOptions, WsMachine, WsState, CLOSE_NORMAL, CLOSE_STALE};
pub use source::{WsUrl, WsUrlError, WsUrlSource};

#[cfg(all(feature = "ws", target_arch = "wasm32"))]
pub use browser::BrowserConnector;
#[cfg(feature = "ws")]
pub use connector::{SocketCommand, SocketEvent, WsConnector, WsSocket};
#[cfg(feature = "ws")]
pub use handlers::{TopicHandler, TopicMessages};
#[cfg(feature = "ws")]
pub use manager::{WsEvents, WsManager, WsManagerBuilder};
#[cfg(all(feature = "ws", not(target_arch = "wasm32")))]
pub use tungstenite::TungsteniteConnector;
