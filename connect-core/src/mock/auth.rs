//! Agent auth tokens, refresh tokens and WebSocket tickets of the simulated instance, and the
//! agent-level revocation and expiry that fault injection uses.

use std::collections::BTreeMap;

use crate::api::{AuthErrorKind, CtiError};
use crate::model::{Sensitive, Timestamp};

use super::ids::IdGen;

/// How long a WebSocket ticket may be used to open a socket (spec §9.3).
///
/// ```
/// assert_eq!(connect_core::mock::TICKET_VALIDITY_MS, 85_000);
/// ```
pub const TICKET_VALIDITY_MS: i64 = 85_000;

/// Credentials issued to an agent: what an authorize endpoint would return.
///
/// ```
/// use std::sync::Arc;
/// use connect_core::mock::SimInstance;
/// use connect_core::model::Timestamp;
/// use connect_core::time::ManualClock;
///
/// let clock = Arc::new(ManualClock::new(Timestamp::from_millis(0)));
/// let sim = SimInstance::builder().agents(1).clock(clock).build().unwrap();
/// let token = sim.issue_token("agent1").unwrap();
/// assert_eq!(sim.authenticate(token.auth_token.expose()).unwrap(), token.agent_id);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SimToken {
    /// The agent.
    pub agent_id: String,
    /// The bearer token (`X-Amz-Bearer`, `authentication.authToken`).
    pub auth_token: Sensitive,
    /// The refresh token (`getNewAuthToken`).
    pub refresh_token: Sensitive,
    /// When the auth token expires.
    pub expires_at: Timestamp,
}

/// Why an agent's calls are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Revoked,
    Expired,
}

#[derive(Clone, Debug)]
struct TokenRecord {
    agent_id: String,
    expires_at: Timestamp,
}

/// The token store.
#[derive(Debug)]
pub(crate) struct AuthRegistry {
    ids: IdGen,
    tokens: BTreeMap<String, TokenRecord>,
    refresh: BTreeMap<String, String>,
    tickets: BTreeMap<String, (String, Timestamp)>,
    blocked: BTreeMap<String, Block>,
}

fn unauthorized(message: &str) -> CtiError {
    CtiError::Auth {
        kind: AuthErrorKind::Unauthorized,
        message: message.to_owned(),
    }
}

impl AuthRegistry {
    pub fn new(seed: u64) -> Self {
        Self {
            ids: IdGen::new(seed ^ 0xA17B_0C3E_55D2_9F01),
            tokens: BTreeMap::new(),
            refresh: BTreeMap::new(),
            tickets: BTreeMap::new(),
            blocked: BTreeMap::new(),
        }
    }

    /// An opaque random token.
    pub fn token(&mut self, bytes: usize) -> String {
        self.ids.token(bytes)
    }

    /// A fresh uuid from the token generator (kept apart from the engine's ids, so polling
    /// does not change contact ids).
    pub fn uuid(&mut self) -> String {
        self.ids.uuid()
    }

    pub fn issue(&mut self, agent_id: &str, now: Timestamp, ttl_secs: i64) -> SimToken {
        let auth_token = self.ids.token(48);
        let refresh_token = self.ids.token(48);
        let expires_at = now.add_millis(ttl_secs.saturating_mul(1000));
        self.tokens.insert(
            auth_token.clone(),
            TokenRecord {
                agent_id: agent_id.to_owned(),
                expires_at,
            },
        );
        self.refresh
            .insert(refresh_token.clone(), agent_id.to_owned());
        SimToken {
            agent_id: agent_id.to_owned(),
            auth_token: Sensitive::new(auth_token),
            refresh_token: Sensitive::new(refresh_token),
            expires_at,
        }
    }

    /// The agent a bearer token belongs to, if it is valid at `now`.
    pub fn authenticate(&self, token: &str, now: Timestamp) -> Result<String, CtiError> {
        let record = self
            .tokens
            .get(token)
            .ok_or_else(|| unauthorized("invalid token"))?;
        if now >= record.expires_at {
            return Err(unauthorized("token expired"));
        }
        self.check_agent(&record.agent_id)?;
        Ok(record.agent_id.clone())
    }

    /// Refuses every call of a revoked or expired agent.
    pub fn check_agent(&self, agent_id: &str) -> Result<(), CtiError> {
        match self.blocked.get(agent_id) {
            Some(Block::Revoked) => Err(unauthorized("token revoked")),
            Some(Block::Expired) => Err(unauthorized("token expired")),
            None => Ok(()),
        }
    }

    /// `getNewAuthToken`: a new auth token for a known refresh token.
    pub fn refresh(
        &mut self,
        refresh_token: &str,
        now: Timestamp,
        ttl_secs: i64,
    ) -> Result<SimToken, CtiError> {
        let agent = self
            .refresh
            .get(refresh_token)
            .cloned()
            .ok_or_else(|| unauthorized("invalid refresh token"))?;
        self.check_agent(&agent)?;
        Ok(self.issue(&agent, now, ttl_secs))
    }

    pub fn revoke(&mut self, agent_id: &str) {
        self.blocked.insert(agent_id.to_owned(), Block::Revoked);
    }

    pub fn expire(&mut self, agent_id: &str) {
        self.blocked.insert(agent_id.to_owned(), Block::Expired);
    }

    pub fn restore(&mut self, agent_id: &str) {
        self.blocked.remove(agent_id);
    }

    /// A WebSocket ticket for `agent_id`, usable for [`TICKET_VALIDITY_MS`].
    pub fn issue_ticket(&mut self, agent_id: &str, now: Timestamp) -> String {
        self.tickets
            .retain(|_, (_, at)| now.millis_since(*at) < TICKET_VALIDITY_MS);
        let ticket = self.ids.token(24);
        self.tickets
            .insert(ticket.clone(), (agent_id.to_owned(), now));
        ticket
    }

    /// The agent of a ticket still valid at `now`.
    pub fn redeem_ticket(&self, ticket: &str, now: Timestamp) -> Result<String, CtiError> {
        let (agent, at) = self
            .tickets
            .get(ticket)
            .ok_or_else(|| unauthorized("invalid ticket"))?;
        if now.millis_since(*at) >= TICKET_VALIDITY_MS {
            return Err(unauthorized("ticket expired"));
        }
        self.check_agent(agent)?;
        Ok(agent.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_revoke_and_refresh() {
        let t0 = Timestamp::from_millis(0);
        let mut auth = AuthRegistry::new(1);
        let token = auth.issue("a1", t0, 10);
        let bearer = token.auth_token.expose().to_owned();
        assert_eq!(auth.authenticate(&bearer, t0).ok().as_deref(), Some("a1"));
        assert!(auth.authenticate(&bearer, t0.add_millis(10_000)).is_err());
        assert!(auth.authenticate("nope", t0).is_err());
        auth.revoke("a1");
        assert!(auth.authenticate(&bearer, t0).is_err());
        assert!(auth.refresh(token.refresh_token.expose(), t0, 10).is_err());
        auth.restore("a1");
        let renewed = auth.refresh(token.refresh_token.expose(), t0.add_millis(20_000), 10);
        let renewed = renewed
            .map(|t| t.auth_token.expose().to_owned())
            .unwrap_or_default();
        assert!(auth.authenticate(&renewed, t0.add_millis(20_000)).is_ok());
    }

    #[test]
    fn tickets_last_85_seconds() {
        let t0 = Timestamp::from_millis(0);
        let mut auth = AuthRegistry::new(1);
        let ticket = auth.issue_ticket("a1", t0);
        assert!(auth.redeem_ticket(&ticket, t0.add_millis(84_999)).is_ok());
        assert!(auth.redeem_ticket(&ticket, t0.add_millis(85_000)).is_err());
    }
}
