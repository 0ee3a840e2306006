//! [`PresignedUrlPoller`]: asks a region for the agent-discovery presigned URL
//! (`createTransport{transportType: agent_discovery}`), `GET`s it, and reports the decision;
//! every 5 s by default, every second while the active region is impaired.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_core::api::{CreateTransportRequest, CtiError, CtiMethod};
use connect_core::model::{Sensitive, Timestamp};
use connect_core::time::Jitter;

use super::{
    ActiveRegionSource, Decision, DecisionSource, DiscoveryFetch, HttpDiscoveryFetch,
    SourceContext, SourceRegion,
};
use crate::coordinator::{request_retry_delay, REQUEST_ATTEMPTS};
use crate::retry::with_retries;
use crate::timeout::with_timeout;
use crate::{FailoverError, RegionHealth};

/// Polls the agent-discovery document through any healthy region (the presigned URL is global;
/// the endpoint that issues it is regional).
///
/// | setting | default |
/// |---|---|
/// | `interval` | 5 s (upstream: 60 s) |
/// | `burst_interval` (active region impaired) | 1 s |
/// | `attempt_timeout` (each `createTransport` and `GET` attempt) | 2 s |
/// | `url_max_age` (then a new URL is fetched; also on 401/403) | 10 min |
///
/// ```
/// use std::time::Duration;
/// use connect_failover::PresignedUrlPoller;
///
/// let poller = PresignedUrlPoller::default().interval(Duration::from_secs(2));
/// assert_eq!(poller.current_interval(false), Duration::from_secs(2));
/// assert_eq!(poller.current_interval(true), Duration::from_secs(1));
/// ```
#[derive(Clone, Debug)]
pub struct PresignedUrlPoller {
    interval: Duration,
    burst_interval: Duration,
    attempt_timeout: Duration,
    url_max_age: Duration,
    fetch: Arc<dyn DiscoveryFetch>,
}

impl Default for PresignedUrlPoller {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            burst_interval: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(2),
            url_max_age: Duration::from_secs(600),
            fetch: Arc::new(HttpDiscoveryFetch::default()),
        }
    }
}

/// A presigned URL and where and when it was obtained.
struct CachedUrl {
    url: Sensitive,
    fetched_at: Timestamp,
    via: String,
}

impl PresignedUrlPoller {
    /// Time between polls (default 5 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Time between polls while the active region is impaired (default 1 s).
    pub fn burst_interval(mut self, interval: Duration) -> Self {
        self.burst_interval = interval;
        self
    }

    /// Timeout of each `createTransport` and `GET` attempt (default 2 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Age after which a new presigned URL is fetched (default 10 min).
    pub fn url_max_age(mut self, age: Duration) -> Self {
        self.url_max_age = age;
        self
    }

    /// How the document is fetched (default: [`HttpDiscoveryFetch`]).
    pub fn fetch(mut self, fetch: Arc<dyn DiscoveryFetch>) -> Self {
        self.fetch = fetch;
        self
    }

    /// The wait before the next poll.
    pub fn current_interval(&self, active_impaired: bool) -> Duration {
        if active_impaired {
            self.burst_interval.min(self.interval)
        } else {
            self.interval
        }
    }

    /// One poll: a URL (cached, or fetched through a region), then the `GET` with up to three
    /// attempts; a 401/403 fetches a new URL once.
    async fn poll_once(
        &self,
        context: &SourceContext,
        cached: &mut Option<CachedUrl>,
        jitter: &Jitter,
    ) -> Result<Decision, FailoverError> {
        let clock = &*context.clock;
        let mut refreshed = false;
        let mut attempt = 1;
        loop {
            let max_age = i64::try_from(self.url_max_age.as_millis()).unwrap_or(i64::MAX);
            if cached
                .as_ref()
                .is_some_and(|c| clock.now().millis_since(c.fetched_at) >= max_age)
            {
                *cached = None;
            }
            if cached.is_none() {
                *cached = Some(self.fetch_url(context, jitter).await?);
            }
            let Some(url) = cached.as_ref() else {
                continue;
            };
            let result = with_timeout(clock, self.attempt_timeout, self.fetch.get(&url.url))
                .await
                .unwrap_or(Err(FailoverError::Timeout("agent discovery GET")));
            let error = match result {
                Ok(body) => {
                    let source = DecisionSource::Poller {
                        via_region: url.via.clone(),
                    };
                    return Decision::from_discovery_document(&body, clock.now(), source);
                }
                Err(error) => error,
            };
            if error.is_auth() && !refreshed {
                tracing::info!("presigned URL refused; fetching a new one");
                refreshed = true;
                *cached = None;
            } else if !error.is_retryable() || attempt >= REQUEST_ATTEMPTS {
                return Err(error);
            } else {
                clock
                    .sleep(request_retry_delay(attempt, jitter.next_unit()))
                    .await;
            }
            attempt += 1;
        }
    }

    /// A fresh presigned URL from the first region that issues one: usable regions first,
    /// impaired ones last.
    async fn fetch_url(
        &self,
        context: &SourceContext,
        jitter: &Jitter,
    ) -> Result<CachedUrl, FailoverError> {
        let mut order: Vec<&SourceRegion> = context.regions.iter().collect();
        order.sort_by_key(|r| context.board.health(&r.info.name) == RegionHealth::Impaired);
        let mut last = FailoverError::Discovery {
            message: "no region to ask for a presigned URL".into(),
            status: None,
        };
        for region in order {
            let name = &region.info.name;
            let result = with_retries(
                &*context.clock,
                jitter,
                self.attempt_timeout,
                self.attempt_timeout * REQUEST_ATTEMPTS + Duration::from_secs(5),
                "createTransport agent_discovery",
                || {
                    region
                        .api
                        .create_transport(CreateTransportRequest::agent_discovery())
                },
            )
            .await
            .and_then(|response| {
                response
                    .agent_discovery_transport
                    .map(|t| t.presigned_url)
                    .ok_or_else(|| CtiError::InvalidResponse {
                        operation: CtiMethod::CreateTransport,
                        message: "no agentDiscoveryTransport".into(),
                    })
            });
            match result {
                Ok(url) => {
                    tracing::debug!(region = %name, "presigned URL obtained");
                    return Ok(CachedUrl {
                        url,
                        fetched_at: context.clock.now(),
                        via: name.clone(),
                    });
                }
                Err(error) => {
                    tracing::warn!(region = %name, error = %error, "no presigned URL from this region");
                    last = FailoverError::cti(name, error);
                }
            }
        }
        Err(last)
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
impl ActiveRegionSource for PresignedUrlPoller {
    async fn run(self: Box<Self>, context: SourceContext) {
        let jitter = Jitter::from_time(context.clock.now());
        let mut cached = None;
        loop {
            match self.poll_once(&context, &mut cached, &jitter).await {
                Ok(decision) => {
                    if !context.sink.send(decision) {
                        return;
                    }
                }
                Err(error) => tracing::warn!(error = %error, "agent discovery poll failed"),
            }
            let wait = self.current_interval(context.board.active_impaired());
            context.clock.sleep(wait).await;
        }
    }
}
