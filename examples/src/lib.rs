//! Building blocks shared by the starter apps: agent bots and the tally they keep.

pub mod agent_bot;
pub mod cpu;
pub mod dashboard;
pub mod escalation;
pub mod tally;
pub mod voice;
