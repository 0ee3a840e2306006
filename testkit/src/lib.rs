//! Helpers for the connect SDK workspace's own tests; not part of the SDK's public API and
//! never published.
//!
//! A test that waits for something that must happen (an event, audio, a reply) waits
//! [`within`] the [`HANG_GUARD`], so that a broken flow fails the test instead of hanging it,
//! and [`first_event!`] waits on an event stream for the first event a test is after:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use connect_testkit::{first_event, within};
//!
//! let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
//! for word in ["ringing", "connected", "ended"] {
//!     tx.send(word).expect("receiver alive");
//! }
//! let found = first_event!(events, |e| (*e == "connected").then_some(*e));
//! assert_eq!(found, "connected");
//! assert_eq!(within("the last event", events.recv()).await, Some("ended"));
//! # }
//! ```

mod first_event;
mod guard;
#[cfg(test)]
mod tests;

pub use first_event::{Next, Received};
pub use guard::{within, HANG_GUARD};

/// What [`first_event!`] expands to needs; not for direct use.
#[doc(hidden)]
pub mod __private {
    pub use crate::first_event::picker;
}
