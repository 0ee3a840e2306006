//! Placeholder while the demo is written.
fn main() {}
