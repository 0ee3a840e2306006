//! Voice calls with real audio for the contact-centre demo: each agent's softphone talks and
//! records ([`AgentPhone`]), the simulated customers' side is watched ([`watch_customers`]),
//! and every call is written into a [`CallLedger`] that gives the run's figures.

mod agent_phone;
mod customers;
mod ledger;

pub use agent_phone::AgentPhone;
pub use customers::watch_customers;
pub use ledger::{CallLedger, VoiceFigures};
