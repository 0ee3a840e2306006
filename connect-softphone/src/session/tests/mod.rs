//! Table-driven tests of the session machine (§5, §7, R1–R12) with a manual clock, and a
//! property test over random inputs.

mod failures;
mod flows;
mod harness;
mod random;
