//! Simulated backends for tests on loopback.

#[cfg(not(target_arch = "wasm32"))]
pub mod turn;

#[cfg(not(target_arch = "wasm32"))]
pub mod sim_signaling;

#[cfg(not(target_arch = "wasm32"))]
pub mod media_service;

#[cfg(not(target_arch = "wasm32"))]
pub mod impairment;

#[cfg(not(target_arch = "wasm32"))]
mod udp;
