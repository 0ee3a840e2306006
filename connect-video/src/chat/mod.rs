//! A chat session for a customer or an agent (§6.4): connect, send, receive every item exactly
//! once and in order across reconnects and rollovers, and end.
//!
//! - [`ChatSession::builder`] (customer, from a participant token) or
//!   [`ChatSession::agent_builder`] (agent, from [`AgentChat`]) → `connect()` →
//!   `(ChatSession, ChatEvents)`.
//! - [`Delivery`] (de-duplication and gap fill) and [`SendThrottle`] are the sans-IO machines;
//!   the socket's own rules live in [`crate::participant::ChatSocketMachine`].

mod auth;
mod builder;
mod delivery;
mod driver;
mod event;
mod events;
mod fetch;
mod seen;
mod session;
mod throttle;

pub use auth::AgentChat;
pub use builder::{ChatSessionBuilder, DEFAULT_SEND_ATTEMPTS};
pub use delivery::{
    ChatItem, Delivery, FillStep, DEFAULT_SEEN_CAPACITY, GAP_FILL_MAX_PAGES, GAP_FILL_PAGE_SIZE,
};
pub use event::{ChatEvent, Participant};
pub use events::{ChatEvents, DEFAULT_EVENT_CAPACITY};
pub use seen::SeenSet;
pub use session::{ChatSession, SendOutcome};
pub use throttle::{ReceiptKind, SendThrottle, DEFAULT_RECEIPT_INTERVAL, DEFAULT_TYPING_INTERVAL};
