//! [`InMemoryRouteStore`]: the [`RouteStore`] of one process (tests, single-node servers).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use connect_core::model::Timestamp;

use super::error::RouteError;
use super::reference::Reference;
use super::store::{after, RouteRecord, RouteStore};

#[derive(Debug, Default)]
struct SourceState {
    failures: VecDeque<Timestamp>,
    blocked_until: Option<Timestamp>,
}

/// Routes and counters in memory, each operation atomic under one lock. Expired routes are
/// purged as new ones are inserted.
///
/// ```
/// use connect_video::route::InMemoryRouteStore;
/// let store = InMemoryRouteStore::default();
/// assert_eq!(store.len(), 0);
/// ```
#[derive(Debug, Default)]
pub struct InMemoryRouteStore {
    routes: Mutex<HashMap<Reference, RouteRecord>>,
    sources: Mutex<HashMap<String, SourceState>>,
}

impl InMemoryRouteStore {
    /// How many routes it holds.
    pub fn len(&self) -> usize {
        self.routes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn routes<R>(&self, f: impl FnOnce(&mut HashMap<Reference, RouteRecord>) -> R) -> R {
        f(&mut self.routes.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn sources<R>(&self, f: impl FnOnce(&mut HashMap<String, SourceState>) -> R) -> R {
        f(&mut self.sources.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl RouteStore for InMemoryRouteStore {
    async fn insert_if_absent(
        &self,
        record: RouteRecord,
        now: Timestamp,
    ) -> Result<bool, RouteError> {
        Ok(self.routes(|routes| {
            routes.retain(|_, r| r.is_live(now));
            if routes.contains_key(&record.reference) {
                return false;
            }
            routes.insert(record.reference.clone(), record);
            true
        }))
    }

    async fn get(&self, reference: &Reference) -> Result<Option<RouteRecord>, RouteError> {
        Ok(self.routes(|routes| routes.get(reference).cloned()))
    }

    async fn mark_used(
        &self,
        reference: &Reference,
        now: Timestamp,
    ) -> Result<Option<RouteRecord>, RouteError> {
        Ok(self.routes(|routes| {
            let route = routes.get_mut(reference)?;
            if route.used_at.is_some() || route.burned || !route.is_live(now) {
                return None;
            }
            route.used_at = Some(now);
            Some(route.clone())
        }))
    }

    async fn add_failure(&self, reference: &Reference, burn_at: u32) -> Result<u32, RouteError> {
        Ok(self.routes(|routes| {
            let Some(route) = routes.get_mut(reference) else {
                return 0;
            };
            route.failures += 1;
            if route.failures >= burn_at {
                route.burned = true;
            }
            route.failures
        }))
    }

    async fn add_source_failure(
        &self,
        source: &str,
        now: Timestamp,
        window: Duration,
        limit: u32,
        cooldown: Duration,
    ) -> Result<bool, RouteError> {
        Ok(self.sources(|sources| {
            let state = sources.entry(source.to_owned()).or_default();
            let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
            while state
                .failures
                .front()
                .is_some_and(|t| now.millis_since(*t) >= window_ms)
            {
                state.failures.pop_front();
            }
            state.failures.push_back(now);
            if state.failures.len() >= usize::try_from(limit).unwrap_or(usize::MAX) {
                state.failures.clear();
                state.blocked_until = Some(after(now, cooldown));
                return true;
            }
            false
        }))
    }

    async fn source_blocked_until(
        &self,
        source: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, RouteError> {
        Ok(self.sources(|sources| {
            sources
                .get(source)
                .and_then(|s| s.blocked_until)
                .filter(|until| now < *until)
        }))
    }
}
