//! A coordinator over two simulated regions on loopback, and waits on its event streams.
#![allow(dead_code)]

use std::time::Duration;

use connect_core::events::{AgentEvent, ContactEvent, ContactEventKind};
use connect_core::mock::SimInstance;
use connect_core::model::Timestamp;
use connect_core::session::SessionSettings;
use connect_failover::mock::SimTwoRegions;
use connect_failover::{
    FailoverCoordinator, FailoverCoordinatorBuilder, FailoverEvent, FailoverEvents,
    FailoverSettings, PresignedUrlPoller, RegionConfig, RegionEvent, RegionEvents,
};

pub const EAST: &str = "us-east-1";
pub const WEST: &str = "us-west-2";
/// The poller interval the tests use (the default).
pub const POLL: Duration = Duration::from_secs(5);
/// Upper bound of virtual time on any single wait, so a broken flow fails instead of hanging.
pub const PATIENCE: Duration = Duration::from_secs(600);

pub struct Harness {
    pub sim: SimTwoRegions,
    pub coordinator: FailoverCoordinator,
    pub events: RegionEvents,
    pub failovers: FailoverEvents,
    /// Every failover event seen so far.
    pub seen: Vec<FailoverEvent>,
    /// Every region event seen so far.
    pub region_events: Vec<RegionEvent>,
}

pub async fn sim() -> SimTwoRegions {
    SimTwoRegions::builder()
        .configure(|b| b.ring_timeout(Duration::from_secs(20)))
        .start()
        .await
        .expect("two simulated regions start")
}

pub fn builder(sim: &SimTwoRegions, settings: FailoverSettings) -> FailoverCoordinatorBuilder {
    let regions = sim.region_configs("agent1").expect("region configs");
    builder_with_regions(sim, settings, regions)
}

pub fn builder_with_regions(
    sim: &SimTwoRegions,
    settings: FailoverSettings,
    regions: Vec<RegionConfig>,
) -> FailoverCoordinatorBuilder {
    let mut builder = FailoverCoordinator::builder()
        .clock(sim.clock())
        .settings(settings)
        .session_settings(SessionSettings {
            connect_deadline: Duration::from_secs(30),
            ..SessionSettings::default()
        })
        .source(PresignedUrlPoller::default().interval(POLL));
    for config in regions {
        builder = builder.region(config);
    }
    builder
}

impl Harness {
    pub async fn start(sim: SimTwoRegions, builder: FailoverCoordinatorBuilder) -> Self {
        let (coordinator, events, failovers) =
            builder.connect().await.expect("coordinator connects");
        Self {
            sim,
            coordinator,
            events,
            failovers,
            seen: Vec::new(),
            region_events: Vec::new(),
        }
    }

    pub async fn default() -> Self {
        let sim = sim().await;
        let builder = builder(&sim, FailoverSettings::default());
        Self::start(sim, builder).await
    }

    pub fn now(&self) -> Timestamp {
        self.sim.clock().now()
    }

    pub fn instance(&self, region: &str) -> &SimInstance {
        &self.sim.region(region).expect("region").instance
    }

    /// A voice call from `caller` rings the agent in `region`; returns its id once the app
    /// sees it connecting.
    pub async fn ring(&mut self, region: &str, caller: &str) -> String {
        let call = self
            .instance(region)
            .control()
            .enqueue_voice(caller)
            .expect("call enqueued");
        self.contact(region, |c| {
            c.contact_id == call && c.kind == ContactEventKind::Connecting
        })
        .await;
        call
    }

    /// The app accepts `call` through the coordinator's session in `region`; returns once it
    /// is connected.
    pub async fn answer(&mut self, region: &str, call: &str) {
        let session = self.coordinator.session(region).expect("region session");
        session
            .contact(call)
            .expect("the call is in the snapshot")
            .accept()
            .await
            .expect("accepted");
        self.contact(region, |c| {
            c.contact_id == call && c.kind == ContactEventKind::Connected
        })
        .await;
    }

    /// Waits for the failover event `pred` accepts; returns it.
    pub async fn failover(&mut self, pred: impl Fn(&FailoverEvent) -> bool) -> FailoverEvent {
        let wait = async {
            loop {
                let event = self.failovers.recv().await.expect("coordinator alive");
                self.seen.push(event.clone());
                if pred(&event) {
                    return event;
                }
            }
        };
        tokio::time::timeout(PATIENCE, wait)
            .await
            .expect("failover event in time")
    }

    /// Waits for a contact event of `region` that `pred` accepts.
    pub async fn contact(
        &mut self,
        region: &str,
        pred: impl Fn(&ContactEvent) -> bool,
    ) -> ContactEvent {
        let wait = async {
            loop {
                let event = self.events.recv().await.expect("coordinator alive");
                self.region_events.push(event.clone());
                if let AgentEvent::Contact(c) = &event.event {
                    if event.region == region && pred(c) {
                        return c.clone();
                    }
                }
            }
        };
        let result = tokio::time::timeout(PATIENCE, wait).await;
        if result.is_err() {
            self.dump();
        }
        result.expect("contact event in time")
    }

    /// Waits for the region event `pred` accepts.
    pub async fn region_event(&mut self, pred: impl Fn(&RegionEvent) -> bool) -> RegionEvent {
        let wait = async {
            loop {
                let event = self.events.recv().await.expect("coordinator alive");
                self.region_events.push(event.clone());
                if pred(&event) {
                    return event;
                }
            }
        };
        let result = tokio::time::timeout(PATIENCE, wait).await;
        if result.is_err() {
            self.dump();
        }
        result.expect("region event in time")
    }

    /// Prints what was seen (on a failed wait).
    fn dump(&self) {
        for e in &self.region_events {
            if !matches!(e.event, AgentEvent::Refresh { .. }) {
                eprintln!("{} {}", e.region, describe(&e.event));
            }
        }
        eprintln!("failover events: {:?}", self.seen);
        for entry in self.coordinator.logs().entries() {
            eprintln!("log {} {}", entry.time.as_millis(), entry.text);
        }
    }

    /// Drains what the region stream holds now.
    pub fn drain_region_events(&mut self) {
        while let Some(event) = self.events.try_recv() {
            self.region_events.push(event);
        }
    }

    /// The names of the failover sequence events seen.
    pub fn sequence(&self) -> Vec<&'static str> {
        self.seen
            .iter()
            .filter(|e| e.is_sequence())
            .map(FailoverEvent::name)
            .collect()
    }

    /// Whether the app ever saw contact `id` (in any region).
    pub fn app_saw(&self, id: &str) -> bool {
        self.region_events
            .iter()
            .any(|e| matches!(&e.event, AgentEvent::Contact(c) if c.contact_id == id))
    }

    /// How often the app saw `Init` of contact `id`.
    pub fn inits_of(&self, id: &str) -> usize {
        self.region_events
            .iter()
            .filter(|e| {
                matches!(&e.event, AgentEvent::Contact(c)
                    if c.contact_id == id && c.kind == ContactEventKind::Init)
            })
            .count()
    }

    /// When the sim of `region` last saw agent1 in a state of this name (its journal).
    pub fn agent_state_at(&self, region: &str, name: &str) -> Option<Timestamp> {
        self.instance(region)
            .journal()
            .entries()
            .into_iter()
            .rev()
            .find(|e| {
                matches!(&e.event,
                connect_core::mock::JournalEvent::AgentState { agent, name: n, .. }
                    if agent == "agent1" && n == name)
            })
            .map(|e| e.at)
    }

    /// The agent's effective state name in `region` now.
    pub fn sim_agent_state(&self, region: &str) -> String {
        let instance = self.instance(region);
        let id = instance.agent_id("agent1").expect("agent");
        let now = self.now();
        instance
            .with_engine(|e| e.snapshot(&id, now))
            .expect("snapshot")
            .state
            .name
    }
}

/// A one-line description of an agent event (for failure output).
pub fn describe(event: &AgentEvent) -> String {
    match event {
        AgentEvent::Contact(c) => format!(
            "contact {} {:?} ({:?})",
            c.contact_id, c.kind, c.contact.state.kind
        ),
        AgentEvent::StateChange { old, new, .. } => format!("state {old} -> {new}"),
        AgentEvent::Refresh { snapshot, .. } => format!(
            "refresh {} contacts, state {}",
            snapshot.contacts.len(),
            snapshot.state.name
        ),
        other => format!("{other:?}").chars().take(120).collect(),
    }
}
