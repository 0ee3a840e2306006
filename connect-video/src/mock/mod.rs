//! Simulators (feature `mock`): [`SimParticipantService`], the Connect Participant Service's REST
//! paths and chat WebSocket on loopback, optionally wired to a
//! [`SimInstance`](connect_core::mock::SimInstance)'s chat contacts.

mod error;
mod http;
pub mod meeting;
mod ops;
mod service;
mod state;
mod ws;

pub use error::SimError;
pub use ops::SimLifetimes;
pub use service::{SimParticipantService, SimParticipantServiceBuilder};
