//! End-to-end helpers: real third-party peers started by the tests.

pub mod coturn;
