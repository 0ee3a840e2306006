//! The CTI API over HTTP(S): [`HttpCti`], its builder, the endpoint rules of spec §1.1, and
//! the retry policy of R10. Compiles for `wasm32-unknown-unknown` (reqwest's fetch backend).
//!
//! ```no_run
//! use std::sync::Arc;
//! use connect_core::api::{CtiApi, GetAgentPermissionsRequest};
//! use connect_core::auth::StaticToken;
//! use connect_core::http::HttpCti;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let cti = HttpCti::builder("https://example.my.connect.aws")
//!     .auth(Arc::new(StaticToken::new("agent-token")))
//!     .build()
//!     .unwrap();
//! let page = cti.get_agent_permissions(GetAgentPermissionsRequest::default()).await;
//! # let _ = page;
//! # }
//! ```

mod builder;
mod client;
mod endpoint;
mod error;
mod exchange;
mod retry;

pub use builder::{
    HttpCtiBuilder, DEFAULT_LONG_POLL_GRACE, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_DEADLINE,
};
pub use client::HttpCti;
pub use endpoint::{authorize_endpoint, ccp_origin, cti_endpoint};
pub use error::BuildError;
pub use retry::RetryPolicy;

pub(crate) use builder::http_client;
pub(crate) use error::transport_error;
