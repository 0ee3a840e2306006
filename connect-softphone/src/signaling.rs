//! signaling (being written).
