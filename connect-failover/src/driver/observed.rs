//! [`ObservedApi`]: a region's CTI API that records every call's outcome in the region's
//! [`HealthTracker`] and tells the coordinator when the health changes.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use connect_core::api::*;
use connect_core::time::Clock;

use crate::source::HealthTracker;
use crate::RegionHealth;

/// The CTI API of one region, observed.
pub(crate) struct ObservedApi {
    inner: Arc<dyn CtiApi>,
    clock: Arc<dyn Clock>,
    health: Arc<Mutex<HealthTracker>>,
    changed: Box<dyn Fn() + Send + Sync>,
}

impl fmt::Debug for ObservedApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObservedApi")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl ObservedApi {
    pub(crate) fn new(
        inner: Arc<dyn CtiApi>,
        clock: Arc<dyn Clock>,
        health: Arc<Mutex<HealthTracker>>,
        changed: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner,
            clock,
            health,
            changed: Box::new(changed),
        }
    }

    fn record(&self, outcome: Result<(), &CtiError>) {
        let now = self.clock.now();
        let (before, after): (RegionHealth, RegionHealth) = {
            let mut health = self.health.lock().unwrap_or_else(PoisonError::into_inner);
            let before = health.evaluate(now);
            health.on_outcome(now, outcome);
            (before, health.evaluate(now))
        };
        if before != after {
            (self.changed)();
        }
    }
}

macro_rules! observed_api {
    ($( $fn_name:ident($req:ty) ),+ $(,)?) => {
        #[cfg_attr(not(target_arch = "wasm32"), async_trait)]
        #[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
        impl CtiApi for ObservedApi {
            $(
                async fn $fn_name(
                    &self,
                    req: $req,
                ) -> Result<<$req as CtiRequest>::Response, CtiError> {
                    let result = self.inner.$fn_name(req).await;
                    self.record(result.as_ref().map(drop));
                    result
                }
            )+
        }
    };
}

connect_core::for_each_cti_operation!(observed_api);
