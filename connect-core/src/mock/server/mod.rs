//! [`SimServer`]: the simulated instance as an HTTP + WebSocket server on loopback (native
//! only), speaking the CCP wire protocol of spec §1–§5 and §9.3, with a [`TopicHandler`]
//! extension point for WebSocket topics.
//!
//! | route | what |
//! |---|---|
//! | `POST /api`, `POST /connect/api` | CTI operations (`X-Amz-Target`, `X-Amz-Bearer`, AWS JSON 1.0) |
//! | `GET /auth/authorize`, `GET /connect/auth/authorize` | login session cookie → `{accessToken, expiration}`; 401 without |
//! | `GET /ws?ticket=…` | the WebSocket from `createTransport web_socket` |
//! | `GET /_sim/discovery/<id>` | agent discovery: `{InstanceArn, TerminateActiveContacts}` |
//! | `POST /_sim/login` | `{"username": …}` → a login session cookie (test route) |
//!
//! Every error, including bad input (malformed JSON, wrong types, unknown target, bodies
//! over the limit, slow bodies), is answered in the CTI shape
//! `{"__type": "com.amazonaws.connect#<Code>", "message": …}` with a 4xx status.
//!
//! ```
//! use connect_core::mock::{SimInstance, SimServer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let sim = SimInstance::builder().agents(1).build().unwrap();
//! let server = SimServer::builder(sim).tls(true).start().await.unwrap();
//! assert!(server.url().starts_with("https://127.0.0.1:"));
//! assert!(server.ca_cert_path().unwrap().exists()); // trust this in the client
//! # }
//! ```

mod authorize;
mod body;
mod builder;
mod cti;
mod discovery;
mod handle;
mod hub;
mod listener;
mod reply;
mod routes;
mod state;
mod tls;
mod topic;
mod ws;

pub use builder::{SimServerBuilder, SimServerError, DEFAULT_MAX_BODY_BYTES, DEFAULT_READ_TIMEOUT};
pub use handle::SimServer;
pub use topic::{TopicHandler, WsPeer};
