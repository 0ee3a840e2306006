//! Ad-hoc routes (voice → video, §5.2, §6.2): an agent creates a route for a customer's email
//! and dictates its 8-digit reference; the customer redeems it once, with the same email, before
//! it expires, and the chat is routed to that agent.
//!
//! - [`Reference`]: uniform references from the OS CSPRNG (rejection sampling), always 8
//!   zero-padded digits.
//! - [`EmailBinding`]: HMAC-SHA256 of the normalised email, compared in constant time.
//! - [`RouteStore`] (with [`InMemoryRouteStore`]): atomic single use and attempt counters.
//! - [`RouteService`]: the rules — TTL from an injected clock, burning, source cool-down, one
//!   customer-facing `Invalid`.

mod email;
mod error;
mod memory;
mod reference;
mod service;
mod store;

pub use email::{normalize_email, BindingKey, EmailBinding};
pub use error::{RejectReason, RouteError};
pub use memory::InMemoryRouteStore;
pub use reference::{Reference, REFERENCE_DIGITS, REFERENCE_SPACE};
pub use service::{
    CreatedRoute, RedeemedRoute, Redemption, RouteConfig, RouteEvent, RouteService,
    RouteServiceBuilder,
};
pub use store::{RouteOwner, RouteRecord, RouteStore};
