//! [`RouteStore`]: where routes and attempt counters live, with the atomic operations the rules
//! need.
//!
//! **DynamoDB mapping.** Table `routes`, key `reference` (S); attributes `binding` (S, hex),
//! `ownerAgentId`, `ownerUsername`, `ownerQueueArn`, `createdAt`, `expiresAt` (N, epoch ms; also
//! the table's TTL attribute), `usedAt` (N), `failures` (N), `burned` (BOOL).
//! - `insert_if_absent`: `PutItem` with `attribute_not_exists(reference) OR expiresAt < :now`.
//! - `mark_used`: `UpdateItem SET usedAt = :now` with `attribute_not_exists(usedAt) AND
//!   expiresAt > :now AND burned <> :true`, `ReturnValues: ALL_NEW`; a failed condition is
//!   `Ok(None)`.
//! - `add_failure`: `UpdateItem ADD failures :1`, then `SET burned = :true` with
//!   `failures >= :limit`.
//! - Sources: table `route-sources`, key `source`; `add_source_failure` keeps a list of failure
//!   times (`SET failures = list_append(...)` pruned to the window) and `blockedUntil`.

use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use connect_core::model::Timestamp;

use super::email::EmailBinding;
use super::error::RouteError;
use super::reference::Reference;

/// Who created a route: taken from the authenticated agent context, never from a request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteOwner {
    /// The agent's id.
    pub agent_id: String,
    /// The agent's username.
    pub username: String,
    /// The ARN of the agent's personal queue (where the chat is routed).
    pub personal_queue_arn: String,
}

/// A stored route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRecord {
    /// The reference (the key).
    pub reference: Reference,
    /// The email binding.
    pub binding: EmailBinding,
    /// The creating agent.
    pub owner: RouteOwner,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it stops being redeemable.
    pub expires_at: Timestamp,
    /// When it was redeemed.
    pub used_at: Option<Timestamp>,
    /// Failed attempts against it.
    pub failures: u32,
    /// Whether too many failures burned it.
    pub burned: bool,
}

impl RouteRecord {
    /// Whether it still holds its reference at `now` (not expired).
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

/// Storage of routes and attempt counters. Every method is one atomic operation.
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait RouteStore: Debug + Send + Sync {
    /// Inserts `record` unless a live route holds its reference; `false` on such a collision.
    async fn insert_if_absent(
        &self,
        record: RouteRecord,
        now: Timestamp,
    ) -> Result<bool, RouteError>;

    /// The route of `reference`, if any.
    async fn get(&self, reference: &Reference) -> Result<Option<RouteRecord>, RouteError>;

    /// Compare-and-set: marks the route used if it is not used, not burned and not expired at
    /// `now`. Returns the updated route when this call won, `None` otherwise.
    async fn mark_used(
        &self,
        reference: &Reference,
        now: Timestamp,
    ) -> Result<Option<RouteRecord>, RouteError>;

    /// Counts a failed attempt against `reference` and burns it when the count reaches
    /// `burn_at`. Returns the new count (0 when there is no such route).
    async fn add_failure(&self, reference: &Reference, burn_at: u32) -> Result<u32, RouteError>;

    /// Counts a failure from `source`; when `limit` failures fall inside `window`, the source
    /// is blocked for `cooldown`. Returns whether this failure started a cool-down.
    async fn add_source_failure(
        &self,
        source: &str,
        now: Timestamp,
        window: Duration,
        limit: u32,
        cooldown: Duration,
    ) -> Result<bool, RouteError>;

    /// Until when `source` is blocked, if it is at `now`.
    async fn source_blocked_until(
        &self,
        source: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, RouteError>;
}

/// `now + duration`, saturating.
pub(crate) fn after(now: Timestamp, duration: Duration) -> Timestamp {
    now.add_millis(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}
