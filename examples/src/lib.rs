//! Building blocks shared by the starter apps: agent bots and the tally they keep.

pub mod agent_bot;
pub mod dashboard;
pub mod tally;
pub mod voice;
