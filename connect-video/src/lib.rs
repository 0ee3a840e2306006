//! # connect-video
//!
//! The Amazon Connect chat participant client, video escalation and ad-hoc routes.
//!
//! - [`participant`]: the Connect Participant Service REST client and the chat WebSocket's
//!   frames and rules.
//! - [`chat`]: a chat session for a customer or an agent: `ChatSession::builder(..).connect()`
//!   gives a handle and its ordered [`chat::ChatEvent`]s, with reconnection and transcript gap
//!   fill so that no item is lost or delivered twice.
//! - [`route`]: ad-hoc route references (voice → video) with unbiased CSPRNG references,
//!   email binding, atomic single use, expiry and attempt limits.
//! - [`escalation`]: the server-side rules of chat → video escalation that need no media.
//! - [`meeting`]: meetings with Opus audio, VP8 video and content share.
//! - `mock` (feature `mock`): a simulated participant service and meeting service on loopback.

pub mod chat;
pub mod escalation;
pub mod meeting;
#[cfg(all(feature = "mock", not(target_arch = "wasm32")))]
pub mod mock;
pub mod participant;
mod random;
pub mod route;

pub use random::random_uuid;
