//! [`RouteService`]: creating and redeeming ad-hoc routes under the rules of §6.2.

use std::sync::Arc;
use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::{Clock, SystemClock};
use tokio::sync::broadcast;

use super::email::{normalize_email, BindingKey, EmailBinding};
use super::error::{RejectReason, RouteError};
use super::reference::Reference;
use super::store::{after, RouteOwner, RouteRecord, RouteStore};

/// The configurable limits of ad-hoc routes; defaults from the spec.
///
/// ```
/// use connect_video::route::RouteConfig;
///
/// let c = RouteConfig::default();
/// assert_eq!(c.ttl.as_secs(), 15 * 60);
/// assert_eq!((c.max_failures_per_reference, c.max_failures_per_source), (5, 10));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteConfig {
    /// How long a reference can be redeemed (15 min).
    pub ttl: Duration,
    /// Failed attempts that burn a reference (5).
    pub max_failures_per_reference: u32,
    /// Failures from one source within `source_window` that start a cool-down (10).
    pub max_failures_per_source: u32,
    /// The window of source failures (15 min).
    pub source_window: Duration,
    /// How long a source is refused after too many failures (15 min).
    pub source_cooldown: Duration,
    /// Draws before creation gives up on collisions (5).
    pub max_draws: u32,
    /// The customer page, e.g. `https://video.example.com/join`; links are built on it.
    pub link_base: Option<String>,
}

impl Default for RouteConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(15 * 60),
            max_failures_per_reference: 5,
            max_failures_per_source: 10,
            source_window: Duration::from_secs(15 * 60),
            source_cooldown: Duration::from_secs(15 * 60),
            max_draws: 5,
            link_base: None,
        }
    }
}

/// What happened to routes (for logs, metrics and the agent UI; never shown to customers).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteEvent {
    /// A route was created.
    Created {
        /// Its reference.
        reference: Reference,
        /// When it expires.
        expires_at: Timestamp,
    },
    /// A route was redeemed.
    Redeemed {
        /// Its reference.
        reference: Reference,
    },
    /// A redemption was refused.
    Rejected {
        /// The typed reason.
        reason: RejectReason,
    },
    /// A reference was burned by too many failures.
    Burned {
        /// Its reference.
        reference: Reference,
    },
    /// A source was put in cool-down, or is refused during one.
    RateLimited {
        /// The source.
        source: String,
    },
}

/// A new route, for the agent's screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedRoute {
    /// The reference to dictate.
    pub reference: Reference,
    /// When it expires.
    pub expires_at: Timestamp,
    /// The normalised email (shown to the agent only; not stored).
    pub email: String,
    /// The customer link carrying only the reference (when a link base is configured).
    pub link: Option<String>,
}

/// A customer's redemption attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redemption {
    /// The reference as typed.
    pub reference: String,
    /// The email as typed.
    pub email: String,
    /// Who is asking (IP or client id, as the app knows it), for attempt limiting.
    pub source: String,
}

/// A successful redemption: where the chat must go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedeemedRoute {
    /// The reference.
    pub reference: Reference,
    /// The agent who created it.
    pub owner: RouteOwner,
    /// The normalised email.
    pub email: String,
}

/// Creates and redeems ad-hoc routes. Cheap to clone.
///
/// ```
/// use std::sync::Arc;
/// use connect_video::route::*;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), RouteError> {
/// let service = RouteService::builder(Arc::new(InMemoryRouteStore::default()), BindingKey::generate()?).build();
/// let owner = RouteOwner { agent_id: "a1".into(), username: "jdoe".into(), personal_queue_arn: "arn:q/agent/a1".into() };
/// let route = service.create(&owner, "Ann@Example.com").await?;
/// let ok = service.redeem(&Redemption { reference: route.reference.to_string(), email: "ann@example.com ".into(), source: "10.0.0.1".into() }).await?;
/// assert_eq!(ok.owner.username, "jdoe");
/// let again = service.redeem(&Redemption { reference: route.reference.to_string(), email: "ann@example.com".into(), source: "10.0.0.1".into() }).await;
/// assert_eq!(again, Err(RouteError::Invalid));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RouteService {
    inner: Arc<Inner>,
}

type Draw = dyn Fn() -> Result<Reference, RouteError> + Send + Sync;

struct Inner {
    store: Arc<dyn RouteStore>,
    key: BindingKey,
    clock: Arc<dyn Clock>,
    config: RouteConfig,
    events: broadcast::Sender<RouteEvent>,
    draw: Box<Draw>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteService")
            .field("store", &self.store)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Configures a [`RouteService`].
#[must_use]
pub struct RouteServiceBuilder {
    store: Arc<dyn RouteStore>,
    key: BindingKey,
    clock: Option<Arc<dyn Clock>>,
    config: RouteConfig,
    draw: Option<Box<Draw>>,
}

impl std::fmt::Debug for RouteServiceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteServiceBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RouteServiceBuilder {
    /// The clock of TTLs and windows (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The limits.
    pub fn config(mut self, config: RouteConfig) -> Self {
        self.config = config;
        self
    }

    /// Replaces the reference generator (tests of collisions); the default draws from the OS.
    pub fn reference_source(
        mut self,
        draw: impl Fn() -> Result<Reference, RouteError> + Send + Sync + 'static,
    ) -> Self {
        self.draw = Some(Box::new(draw));
        self
    }

    /// Builds the service.
    pub fn build(self) -> RouteService {
        RouteService {
            inner: Arc::new(Inner {
                store: self.store,
                key: self.key,
                clock: self
                    .clock
                    .unwrap_or_else(|| Arc::new(SystemClock::default())),
                config: self.config,
                events: broadcast::channel(256).0,
                draw: self.draw.unwrap_or_else(|| Box::new(Reference::generate)),
            }),
        }
    }
}

impl RouteService {
    /// Starts configuring a service over `store`, binding emails with `key`.
    pub fn builder(store: Arc<dyn RouteStore>, key: BindingKey) -> RouteServiceBuilder {
        RouteServiceBuilder {
            store,
            key,
            clock: None,
            config: RouteConfig::default(),
            draw: None,
        }
    }

    /// The service's events.
    pub fn subscribe(&self) -> broadcast::Receiver<RouteEvent> {
        self.inner.events.subscribe()
    }

    /// The configuration.
    pub fn config(&self) -> &RouteConfig {
        &self.inner.config
    }

    fn emit(&self, event: RouteEvent) {
        let _ = self.inner.events.send(event);
    }

    /// Creates a route for `owner` (from the authenticated agent context) and the customer's
    /// email: a fresh reference, redrawn on collision with a live one (at most `max_draws`).
    pub async fn create(
        &self,
        owner: &RouteOwner,
        email: &str,
    ) -> Result<CreatedRoute, RouteError> {
        let email = normalize_email(email)?;
        let binding = EmailBinding::compute(&self.inner.key, &email);
        let now = self.inner.clock.now();
        let expires_at = after(now, self.inner.config.ttl);
        for draw in 1..=self.inner.config.max_draws {
            let reference = (self.inner.draw)()?;
            let record = RouteRecord {
                reference: reference.clone(),
                binding: binding.clone(),
                owner: owner.clone(),
                created_at: now,
                expires_at,
                used_at: None,
                failures: 0,
                burned: false,
            };
            if self.inner.store.insert_if_absent(record, now).await? {
                tracing::info!(?reference, agent = %owner.username, "ad-hoc route created");
                self.emit(RouteEvent::Created {
                    reference: reference.clone(),
                    expires_at,
                });
                let link = self.link(&reference);
                return Ok(CreatedRoute {
                    reference,
                    expires_at,
                    email,
                    link,
                });
            }
            tracing::debug!(draw, "reference collision; drawing again");
        }
        Err(RouteError::Exhausted(self.inner.config.max_draws))
    }

    /// The customer link for `reference`: only the reference, in the query string.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use connect_video::route::*;
    /// let config = RouteConfig { link_base: Some("https://v.example/join".into()), ..Default::default() };
    /// let s = RouteService::builder(Arc::new(InMemoryRouteStore::default()), BindingKey::from_bytes(&[1; 32]).unwrap())
    ///     .config(config).build();
    /// let r = Reference::parse("01234567").unwrap();
    /// assert_eq!(s.link(&r).unwrap(), "https://v.example/join?ref=01234567");
    /// assert_eq!(s.link_with_email(&r, "a+b@x.org").unwrap(), "https://v.example/join?ref=01234567#email=a%2Bb%40x.org");
    /// ```
    pub fn link(&self, reference: &Reference) -> Option<String> {
        let base = self.inner.config.link_base.as_deref()?;
        let separator = if base.contains('?') { '&' } else { '?' };
        Some(format!("{base}{separator}ref={reference}"))
    }

    /// The link with the email pre-filled in the URL fragment (opt-in; never the query).
    pub fn link_with_email(&self, reference: &Reference, email: &str) -> Option<String> {
        let link = self.link(reference)?;
        Some(format!("{link}#email={}", percent_encode(email)))
    }

    /// Redeems a reference with the customer's email. Customers get [`RouteError::Invalid`]
    /// for every refusal and [`RouteError::RateLimited`] during a cool-down.
    pub async fn redeem(&self, request: &Redemption) -> Result<RedeemedRoute, RouteError> {
        let store = &self.inner.store;
        let now = self.inner.clock.now();
        if store
            .source_blocked_until(&request.source, now)
            .await?
            .is_some()
        {
            tracing::info!(source = %request.source, "redemption refused: source cooling down");
            self.emit(RouteEvent::RateLimited {
                source: request.source.clone(),
            });
            return Err(RouteError::RateLimited);
        }
        let Ok(reference) = Reference::parse(&request.reference) else {
            return self
                .reject(request, None, RejectReason::Malformed, now)
                .await;
        };
        let Some(route) = store.get(&reference).await? else {
            return self
                .reject(request, None, RejectReason::NotFound, now)
                .await;
        };
        let given = normalize_email(&request.email)
            .map(|email| EmailBinding::compute(&self.inner.key, &email));
        let matches = given.as_ref().is_ok_and(|b| b.matches(&route.binding));
        let reason = if route.burned {
            Some(RejectReason::Burned)
        } else if route.used_at.is_some() {
            Some(RejectReason::Used)
        } else if !route.is_live(now) {
            Some(RejectReason::Expired)
        } else if !matches {
            Some(RejectReason::Mismatch)
        } else {
            None
        };
        if let Some(reason) = reason {
            return self.reject(request, Some(&reference), reason, now).await;
        }
        let Some(route) = store.mark_used(&reference, now).await? else {
            // Another redemption won the compare-and-set (or it expired meanwhile).
            return self.reject(request, None, RejectReason::Used, now).await;
        };
        tracing::info!(?reference, "ad-hoc route redeemed");
        self.emit(RouteEvent::Redeemed {
            reference: reference.clone(),
        });
        Ok(RedeemedRoute {
            reference,
            owner: route.owner,
            email: normalize_email(&request.email)?,
        })
    }

    /// Counts a failure (against the reference on a mismatch, always against the source),
    /// logs the typed reason and answers `Invalid`.
    async fn reject(
        &self,
        request: &Redemption,
        mismatched: Option<&Reference>,
        reason: RejectReason,
        now: Timestamp,
    ) -> Result<RedeemedRoute, RouteError> {
        let config = &self.inner.config;
        let store = &self.inner.store;
        tracing::info!(?reason, source = %request.source, "ad-hoc route redemption rejected");
        self.emit(RouteEvent::Rejected { reason });
        if let (Some(reference), RejectReason::Mismatch) = (mismatched, reason) {
            let failures = store
                .add_failure(reference, config.max_failures_per_reference)
                .await?;
            if failures == config.max_failures_per_reference {
                tracing::warn!(?reference, "ad-hoc route burned after repeated failures");
                self.emit(RouteEvent::Burned {
                    reference: reference.clone(),
                });
            }
        }
        let cooling = store
            .add_source_failure(
                &request.source,
                now,
                config.source_window,
                config.max_failures_per_source,
                config.source_cooldown,
            )
            .await?;
        if cooling {
            tracing::warn!(source = %request.source, "source put in cool-down");
            self.emit(RouteEvent::RateLimited {
                source: request.source.clone(),
            });
        }
        Err(RouteError::Invalid)
    }
}

/// Percent-encodes everything but unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        out
    })
}
