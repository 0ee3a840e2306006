//! # connect-failover
//!
//! Multi-region Global Resiliency over two or more regional agent sessions.
