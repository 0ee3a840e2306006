//! Shared inputs of the criterion benches.
