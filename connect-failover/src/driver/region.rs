//! [`RegionRuntime`]: what the coordinator keeps per region — its observed API and health, its
//! session once connected, the suppressor, and the pacing of its background work.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use connect_core::log::{LogBuffer, LogEntry, LogLevel};
use connect_core::model::Timestamp;
use connect_core::session::AgentSession;
use futures::future::AbortHandle;

use super::suppress::Suppressor;
use crate::coordinator::reconnect_delay;
use crate::source::HealthTracker;
use crate::{RegionHealth, RegionInfo};

/// Paces a repeated background call: one in flight at a time, reconnect backoff after each
/// failure, reset on success.
#[derive(Debug)]
pub(crate) struct Pacer {
    in_flight: bool,
    failures: u32,
    next_at: Timestamp,
}

impl Pacer {
    pub(crate) fn new(now: Timestamp) -> Self {
        Self {
            in_flight: false,
            failures: 0,
            next_at: now,
        }
    }

    /// Whether a call may start now; if so it is marked in flight.
    pub(crate) fn try_start(&mut self, now: Timestamp) -> bool {
        if !self.due(now) {
            return false;
        }
        self.in_flight = true;
        true
    }

    /// Whether the backoff after the last failure has passed and nothing is in flight.
    pub(crate) fn due(&self, now: Timestamp) -> bool {
        !self.in_flight && now >= self.next_at
    }

    /// The call ended.
    pub(crate) fn finish(&mut self, now: Timestamp, ok: bool, unit: f64) {
        self.in_flight = false;
        if ok {
            self.failures = 0;
            self.next_at = now;
        } else {
            self.failures += 1;
            let delay = reconnect_delay(self.failures, unit);
            self.next_at = now.add_millis(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
        }
    }
}

/// Hard cleanup of a region in progress.
#[derive(Debug)]
pub(crate) struct Cleanup {
    /// Contacts with a cleanup call in flight.
    pub(crate) in_flight: HashSet<String>,
    /// Backoff after failures.
    pub(crate) pacer: Pacer,
}

/// One region as the coordinator runs it.
#[derive(Debug)]
pub(crate) struct RegionRuntime {
    pub(crate) info: RegionInfo,
    pub(crate) health: Arc<Mutex<HealthTracker>>,
    pub(crate) reported: RegionHealth,
    pub(crate) logs: LogBuffer,
    pub(crate) session: Option<AgentSession>,
    pub(crate) suppress: Suppressor,
    pub(crate) offline: Pacer,
    pub(crate) cleanup: Option<Cleanup>,
    /// An activation waiting for the session to connect.
    pub(crate) activation_pending: bool,
    /// The running activation task.
    pub(crate) activation: Option<AbortHandle>,
    /// The state requested by the last activation, until a snapshot shows it.
    pub(crate) awaiting: Option<String>,
}

impl RegionRuntime {
    pub(crate) fn new(
        info: RegionInfo,
        health: Arc<Mutex<HealthTracker>>,
        logs: LogBuffer,
        now: Timestamp,
    ) -> Self {
        Self {
            info,
            health,
            reported: RegionHealth::Healthy,
            logs,
            session: None,
            suppress: Suppressor::default(),
            offline: Pacer::new(now),
            cleanup: None,
            activation_pending: false,
            activation: None,
            awaiting: None,
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.info.name
    }

    /// The health at `now`.
    pub(crate) fn evaluate_health(&self, now: Timestamp) -> RegionHealth {
        self.health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .evaluate(now)
    }

    /// An entry in this region's log (exported as `<region>-<logName>.txt`).
    pub(crate) fn log(&self, now: Timestamp, level: LogLevel, text: impl Into<String>) {
        let text = text.into();
        tracing::info!(region = %self.info.name, "{text}");
        self.logs.push(LogEntry::new(level, text, now));
    }

    /// Stops a running activation (the region is no longer to be activated).
    pub(crate) fn abort_activation(&mut self) {
        self.activation_pending = false;
        if let Some(task) = self.activation.take() {
            task.abort();
        }
    }
}
