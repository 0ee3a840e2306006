//! End-to-end helpers: real third-party peers started by the tests.

// Each test binary uses only some of the helpers.
#![allow(dead_code)]

pub mod chromium;
pub mod coturn;
pub mod listen;
pub mod page;
pub mod relay;
