//! session (being written).
