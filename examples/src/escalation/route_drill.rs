//! Voice → video through an ad-hoc route, then the attacks the route service must hold off: a
//! voice contact in progress, the agent creates an 8-digit reference bound to the customer's
//! email, the customer redeems it (email in another case) and the chat that starts is routed
//! to that agent; then the reference is reused, references are guessed at rate from one
//! source, and a reference is used after its TTL.

use std::sync::Arc;
use std::time::Duration;

use super::{failed, DemoError};
use connect_core::api::{
    AcceptContactRequest, ClearContactRequest, CtiApi, GetAgentSnapshotRequest,
};
use connect_core::mock::{ContactSpec, SimInstance};
use connect_core::model::ContactStateType;
use connect_video::escalation::{ChatStartPolicy, CustomerChatStart};
use connect_video::mock::SimParticipantService;
use connect_video::route::{
    BindingKey, InMemoryRouteStore, Redemption, RouteConfig, RouteError, RouteOwner, RouteService,
};

/// What the drill measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteFigures {
    /// Redemptions with the right reference and email that started a chat for the agent.
    pub validations_ok: u32,
    /// Guesses from the attacking source refused as rate-limited.
    pub bruteforce_blocked: u32,
    /// Guesses made.
    pub bruteforce_guesses: u32,
    /// Guesses that redeemed a route (must stay 0).
    pub bruteforce_succeeded: u32,
    /// Second redemptions of a used reference refused.
    pub reuse_rejected: u32,
    /// Redemptions after the TTL refused.
    pub expired_rejected: u32,
}

/// The drill's settings.
#[derive(Clone, Debug)]
pub struct RouteDrill {
    /// The routes' TTL (short, so that expiry is seen in real time).
    pub ttl: Duration,
    /// How many references the attacker guesses.
    pub guesses: u32,
}

impl RouteDrill {
    /// Runs the drill for agent `login` of `sim`, starting the redeemed chat on `chats`.
    pub async fn run(
        &self,
        sim: &SimInstance,
        chats: &SimParticipantService,
        login: &str,
    ) -> Result<RouteFigures, DemoError> {
        let mut figures = RouteFigures::default();
        let cti = sim
            .client(login)
            .map_err(|e| failed("agent")(e.to_string()))?;
        let voice = sim
            .control()
            .enqueue_voice("+15555550123")
            .map_err(|e| failed("voice contact")(e.to_string()))?;
        cti.accept_contact(AcceptContactRequest::new(&voice))
            .await
            .map_err(|e| failed("accept the voice contact")(e.to_string()))?;
        until_connected(&cti, &voice).await?;

        let routes = RouteService::builder(
            Arc::new(InMemoryRouteStore::default()),
            BindingKey::generate().map_err(|e| failed("binding key")(e.to_string()))?,
        )
        .config(RouteConfig {
            ttl: self.ttl,
            ..RouteConfig::default()
        })
        .build();
        let owner = RouteOwner {
            agent_id: sim
                .agent_id(login)
                .ok_or_else(|| failed("agent id")(format!("no agent {login}")))?,
            username: login.to_owned(),
            personal_queue_arn: format!(
                "arn:aws:connect:us-east-1:000000000000:instance/sim/queue/agent/{login}"
            ),
        };
        let route = routes
            .create(&owner, "Ann.Lee@Example.com")
            .await
            .map_err(|e| failed("create the route")(e.to_string()))?;
        tracing::info!(reference = %route.reference.as_str(), "agent dictates the reference");
        // The call ends; the agent clears its after-contact work.
        sim.control()
            .hang_up(&voice)
            .map_err(|e| failed("hang up the voice contact")(e.to_string()))?;
        cti.clear_contact(ClearContactRequest::new(&voice))
            .await
            .map_err(|e| failed("clear the voice contact")(e.to_string()))?;

        // The customer redeems it on the website, typing her email in another case.
        let redemption = Redemption {
            reference: route.reference.as_str().to_owned(),
            email: " ann.lee@EXAMPLE.com ".into(),
            source: "198.51.100.23".into(),
        };
        let redeemed = routes
            .redeem(&redemption)
            .await
            .map_err(|e| failed("redeem the route")(e.to_string()))?;
        let request = ChatStartPolicy::new("sim", "flow-adhoc")
            .prepare(
                &CustomerChatStart {
                    display_name: "Ann".into(),
                    email: "ann.lee@example.com".into(),
                    ..Default::default()
                },
                Some(&redeemed),
            )
            .map_err(|e| failed("chat start")(e.to_string()))?;
        let spec = request.attributes.iter().fold(
            ContactSpec::chat("Ann").to_agent(&redeemed.owner.username),
            |spec, (k, v)| spec.attribute(k, v),
        );
        let chat = chats
            .start_chat(spec, "Ann")
            .map_err(|e| failed("start the routed chat")(e.to_string()))?;
        let snapshot = cti
            .get_agent_snapshot(GetAgentSnapshotRequest::default())
            .await
            .map_err(|e| failed("snapshot")(e.to_string()))?
            .snapshot;
        if snapshot
            .contacts
            .iter()
            .any(|c| c.contact_id == chat.contact_id)
        {
            figures.validations_ok += 1;
        }

        // The same reference again.
        if routes.redeem(&redemption).await == Err(RouteError::Invalid) {
            figures.reuse_rejected += 1;
        }

        // An attacker guesses references at rate from one source.
        let target = routes
            .create(&owner, "bob@example.com")
            .await
            .map_err(|e| failed("create the attacked route")(e.to_string()))?;
        for guess in 0..self.guesses {
            let attempt = Redemption {
                reference: format!("{:08}", (u64::from(guess) * 7_919_113) % 100_000_000),
                email: "bob@example.com".into(),
                source: "203.0.113.66".into(),
            };
            figures.bruteforce_guesses += 1;
            match routes.redeem(&attempt).await {
                Ok(_) => figures.bruteforce_succeeded += 1,
                Err(RouteError::RateLimited) => figures.bruteforce_blocked += 1,
                Err(_) => {}
            }
        }
        tracing::info!(
            reference = %target.reference.as_str(),
            blocked = figures.bruteforce_blocked,
            "guessing from one source is rate-limited"
        );

        // A reference used after its TTL.
        let late = routes
            .create(&owner, "carol@example.com")
            .await
            .map_err(|e| failed("create the expiring route")(e.to_string()))?;
        tokio::time::sleep(self.ttl + Duration::from_millis(100)).await;
        let expired = routes
            .redeem(&Redemption {
                reference: late.reference.as_str().to_owned(),
                email: "carol@example.com".into(),
                source: "198.51.100.77".into(),
            })
            .await;
        if expired == Err(RouteError::Invalid) {
            figures.expired_rejected += 1;
        }
        Ok(figures)
    }
}

/// Long-polls the agent's snapshot until `contact_id` is connected (the agent's leg is up).
async fn until_connected(cti: &impl CtiApi, contact_id: &str) -> Result<(), DemoError> {
    let mut token = None;
    for _ in 0..20 {
        let response = cti
            .get_agent_snapshot(GetAgentSnapshotRequest::long_poll(
                token.take(),
                Duration::from_secs(5),
            ))
            .await
            .map_err(|e| failed("snapshot")(e.to_string()))?;
        let connected = response
            .snapshot
            .contacts
            .iter()
            .any(|c| c.contact_id == contact_id && c.state.kind == ContactStateType::Connected);
        if connected {
            return Ok(());
        }
        token = Some(response.next_token);
    }
    Err(failed("the voice contact")("never connected".into()))
}
