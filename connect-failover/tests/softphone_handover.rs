//! The softphone hand-over between regions over the network: two simulated regions, each with
//! its own media service (TURN relay, `aws/softphone` signaling, customer legs) and its own
//! softphone; a live call with audio both ways goes on through a soft failover, a new call in
//! the new region carries audio on credentials from that region, and a hard failover hangs the
//! old region's call up at once.
#![cfg(all(feature = "softphone", feature = "mock", not(target_arch = "wasm32")))]

use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiMethod;
use connect_core::auth::StaticToken;
use connect_core::events::{AgentEvent, ContactEventKind as K};
use connect_core::http::HttpCti;
use connect_core::mock::{ContactSpec, JournalEvent, SimFaults};
use connect_core::session::AgentSession;
use connect_core::ws::{WsManager, WsUrlSource};
use connect_failover::mock::SimTwoRegions;
use connect_failover::softphone::{HandoverStep, SoftphoneHandover};
use connect_failover::{
    FailoverCoordinator, FailoverEvent, FailoverEvents, InitiateReason, PresignedUrlPoller,
    RegionEvents,
};
use connect_softphone::audio::{AudioSource, MemorySink, SpeechLikeSource};
use connect_softphone::manager::{
    CallRecordings, SoftphoneEvent, SoftphoneEvents, SoftphoneManager,
};
use connect_softphone::media::{PeerConfig, WebRtcEngine};
use connect_softphone::mock::media_service::{MediaServiceEvent, SimMediaService};
use connect_testkit::{first_event, within};
use tokio::sync::broadcast;

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";
/// One second of 48 kHz audio.
const SECOND: usize = 48_000;

/// One region's softphone side: its media service, its agent session with the CCP WebSocket,
/// the softphone and what the agent heard per contact.
struct Phone {
    media: SimMediaService,
    session: AgentSession,
    softphone: SoftphoneManager,
    events: SoftphoneEvents,
    customer: broadcast::Receiver<MediaServiceEvent>,
    heard: CallRecordings,
}

impl Phone {
    /// Attaches a media service of its own to `region` and starts the agent's softphone there.
    async fn start(sim: &SimTwoRegions, region: &str, seed: u64) -> Self {
        let sim_region = sim.region(region).expect("region");
        let media = SimMediaService::start().await.expect("media service");
        let turn = media.turn_config();
        sim_region
            .instance
            .with_engine(|engine| engine.settings_mut().turn = turn);
        media.attach(&sim_region.instance, &sim_region.server);
        let token = sim_region.instance.issue_token("agent1").expect("token");
        let api = HttpCti::builder(sim_region.server.url())
            .auth(Arc::new(StaticToken::new(token.auth_token)))
            .clock(sim.clock())
            .build()
            .expect("HTTP CTI client");
        let source: Arc<dyn WsUrlSource> = Arc::new(api.clone());
        let (websocket, ws_events) = WsManager::builder(source)
            .allow_insecure_loopback(true)
            .connect()
            .await
            .expect("CCP WebSocket");
        let (session, _agent_events) = AgentSession::builder(api)
            .region(region)
            .websocket(websocket, ws_events)
            .connect()
            .await
            .expect("agent session");
        let heard = CallRecordings::default();
        let (softphone, events) = SoftphoneManager::builder(session.clone(), WebRtcEngine::new())
            .peer_config(PeerConfig::loopback())
            .source_factory(move |_call| {
                Ok(Box::new(SpeechLikeSource::new(seed)) as Box<dyn AudioSource>)
            })
            .sink_factory(heard.sink_factory())
            .connect()
            .await
            .expect("softphone");
        let customer = media.subscribe();
        Self {
            media,
            session,
            softphone,
            events,
            customer,
            heard,
        }
    }

    /// What the agent heard on the call of `contact_id`.
    fn agent_heard(&self, contact_id: &str) -> MemorySink {
        self.heard.get(contact_id).expect("the call has a sink")
    }

    /// What the customer heard on the call of `contact_id`.
    fn customer_heard(&self, contact_id: &str) -> MemorySink {
        self.media
            .recording(contact_id)
            .expect("the customer leg records")
    }

    /// The next softphone event `pred` accepts.
    async fn until(&mut self, what: &str, pred: impl Fn(&SoftphoneEvent) -> bool) {
        first_event!(self.events, |e| pred(e).then_some(()), what)
    }

    /// Waits until audio flows both ways on `contact_id`: the agent's first packet from the
    /// customer and the customer's first from the agent.
    async fn audio_both_ways(&mut self, contact_id: &str) {
        let id = contact_id.to_owned();
        self.until(
            "audio at the agent",
            |e| matches!(e, SoftphoneEvent::MediaStarted { contact_id } if *contact_id == id),
        )
        .await;
        self.until_customer(
            "audio at the customer",
            |e| matches!(e, MediaServiceEvent::FirstAudio { contact_id: c } if c == contact_id),
        )
        .await;
    }

    /// The next customer-side event `pred` accepts.
    async fn until_customer(&mut self, what: &str, pred: impl Fn(&MediaServiceEvent) -> bool) {
        first_event!(self.customer, |e| pred(e).then_some(()), what)
    }

    /// TURN allocations the region's relay has made.
    fn allocations(&self) -> u64 {
        self.media.turn().stats().allocations
    }

    async fn stop(self) {
        self.softphone.shutdown().await;
        self.session.shutdown().await;
        self.media.stop().await;
    }
}

/// Two regions, a softphone in each, and a coordinator with the softphone hand-over.
struct Rig {
    sim: SimTwoRegions,
    east: Phone,
    west: Phone,
    coordinator: FailoverCoordinator,
    events: RegionEvents,
    failovers: FailoverEvents,
    steps: broadcast::Receiver<HandoverStep>,
}

impl Rig {
    async fn start() -> Self {
        let sim = SimTwoRegions::builder()
            .configure(|b| b.ring_timeout(Duration::from_secs(60)))
            .start()
            .await
            .expect("two simulated regions");
        let east = Phone::start(&sim, EAST, 1).await;
        let west = Phone::start(&sim, WEST, 2).await;
        let handover = Arc::new(
            SoftphoneHandover::new()
                .region(EAST, east.softphone.clone())
                .region(WEST, west.softphone.clone()),
        );
        let steps = handover.subscribe();
        let mut builder = FailoverCoordinator::builder()
            .clock(sim.clock())
            .source(PresignedUrlPoller::default().interval(Duration::from_secs(1)))
            .media_hook(handover);
        for config in sim.region_configs("agent1").expect("region configs") {
            builder = builder.region(config);
        }
        let (coordinator, events, failovers) = builder.connect().await.expect("coordinator");
        let mut rig = Self {
            sim,
            east,
            west,
            coordinator,
            events,
            failovers,
            steps,
        };
        rig.failover(
            "initialized in east",
            |e| matches!(e, FailoverEvent::Initialized { active_region } if active_region == EAST),
        )
        .await;
        rig
    }

    async fn failover(&mut self, what: &str, pred: impl Fn(&FailoverEvent) -> bool) {
        first_event!(self.failovers, |e| pred(e).then_some(()), what)
    }

    async fn contact(&mut self, region: &str, id: &str, kind: K) {
        first_event!(
            self.events,
            |e| match &e.event {
                AgentEvent::Contact(c)
                    if e.region == region && c.contact_id == id && c.kind == kind =>
                {
                    Some(())
                }
                _ => None,
            },
            format!("contact {id} {kind:?} in {region}")
        )
    }

    /// The next hand-over step `pred` accepts; returns it.
    async fn step(&mut self, what: &str, pred: impl Fn(&HandoverStep) -> bool) -> HandoverStep {
        first_event!(self.steps, |s| pred(s).then(|| s.clone()), what)
    }

    /// A call rings the agent in `region`, its softphone starts, the app accepts it through
    /// the coordinator; returns once audio flows both ways.
    async fn live_call(&mut self, region: &str) -> String {
        let call = self
            .sim
            .region(region)
            .expect("region")
            .instance
            .control()
            .enqueue(ContactSpec::voice("+15555550123"))
            .expect("call enqueued");
        self.contact(region, &call, K::Connecting).await;
        self.coordinator
            .session(region)
            .expect("region session")
            .contact(&call)
            .expect("the call is in the snapshot")
            .accept()
            .await
            .expect("accepted");
        self.contact(region, &call, K::Connected).await;
        let phone = if region == EAST {
            &mut self.east
        } else {
            &mut self.west
        };
        phone.audio_both_ways(&call).await;
        call
    }

    async fn stop(self) {
        self.coordinator.shutdown().await;
        self.east.stop().await;
        self.west.stop().await;
        self.sim.shutdown().await;
    }
}

/// Waits until both sides of `phone`'s call of `call` heard `more` samples beyond now.
async fn audio_grows(phone: &Phone, call: &str, more: usize) {
    let customer = phone.customer_heard(call);
    let agent = phone.agent_heard(call);
    let (c, a) = (customer.len_samples(), agent.len_samples());
    within(
        "the customer hears more",
        customer.wait_for_samples(c + more),
    )
    .await;
    within("the agent hears more", agent.wait_for_samples(a + more)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_call_keeps_its_audio_through_a_soft_failover_and_the_new_region_carries_the_next() {
    let mut rig = Rig::start().await;
    let call = rig.live_call(EAST).await;
    audio_grows(&rig.east, &call, SECOND).await;

    // Soft failover to west: the call blocks it; the operator forces the switch while the
    // call is live, so the hand-over runs with a live call in the old region.
    rig.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    rig.failover("pending", |e| matches!(e, FailoverEvent::Pending { .. }))
        .await;
    audio_grows(&rig.east, &call, SECOND).await;
    rig.coordinator.force_failover().await.expect("forced");
    rig.failover("initiated", |e| {
        matches!(
            e,
            FailoverEvent::Initiated {
                reason: InitiateReason::Forced,
                ..
            }
        )
    })
    .await;
    let step = rig.step("west pre-warmed", |s| s.region() == WEST).await;
    let HandoverStep::Prewarmed { turn_urls, .. } = step else {
        panic!("west not pre-warmed: {step:?}");
    };
    let west_turn = rig.west.media.turn_config().urls;
    assert_eq!(turn_urls, west_turn, "west's credentials name west's relay");

    // The call goes on with audio both ways after Initiated; the old region is not released
    // while it is live.
    audio_grows(&rig.east, &call, 2 * SECOND).await;
    assert!(
        rig.steps.try_recv().is_err(),
        "nothing released while the call is live"
    );
    assert_eq!(rig.east.softphone.calls().await.len(), 1);

    // The customer hangs up: the softphone call ends, then the old region is released.
    rig.sim
        .region(EAST)
        .expect("east")
        .instance
        .control()
        .hang_up(&call)
        .expect("customer hangs up");
    let id = call.clone();
    rig.east
        .until(
            "the call ends",
            |e| matches!(e, SoftphoneEvent::Ended { contact_id, .. } if *contact_id == id),
        )
        .await;
    let released = rig.step("east released", |s| s.region() == EAST).await;
    assert!(
        matches!(released, HandoverStep::Released { .. }),
        "{released:?}"
    );
    rig.contact(EAST, &call, K::Acw).await;
    rig.coordinator
        .session(EAST)
        .expect("east session")
        .contact(&call)
        .expect("in ACW")
        .clear()
        .await
        .expect("ACW cleared");
    rig.failover(
        "completed in west",
        |e| matches!(e, FailoverEvent::Completed { active_region, .. } if active_region == WEST),
    )
    .await;
    let journal = rig.sim.region(EAST).expect("east").instance.journal();
    assert!(
        journal.events().iter().any(|e| matches!(e,
            JournalEvent::CustomerLeft { contact, how: "hang_up" } if *contact == call)),
        "the customer ended the call, not the SDK"
    );

    // A new call in west carries audio both ways, on west's relay with west's credentials.
    let east_allocations = rig.east.allocations();
    let fresh = rig.live_call(WEST).await;
    audio_grows(&rig.west, &fresh, SECOND).await;
    assert!(rig.west.allocations() > 0, "west's relay allocated");
    assert_eq!(
        rig.east.allocations(),
        east_allocations,
        "east's relay is not used by west's call"
    );
    assert_eq!(
        softphone_transports(&rig, WEST),
        1,
        "west's credentials came from west's endpoint, once: the pre-warm the call used"
    );
    rig.stop().await;
}

/// How many `createTransport softphone` the simulator of `region` answered.
fn softphone_transports(rig: &Rig, region: &str) -> usize {
    let journal = rig.sim.region(region).expect("region").instance.journal();
    journal
        .events()
        .iter()
        .filter(|e| {
            matches!(e, JournalEvent::Recorded { method: "createTransport", payload, .. }
                if payload["transportType"] == "softphone")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_servers_naming_another_region_are_replaced_by_the_owning_regions() {
    let mut rig = Rig::start().await;
    rig.sim
        .traffic()
        .set_active(WEST, false)
        .expect("TDG updated");
    rig.failover(
        "completed in west",
        |e| matches!(e, FailoverEvent::Completed { active_region, .. } if active_region == WEST),
    )
    .await;
    rig.step(
        "west pre-warmed",
        |s| matches!(s, HandoverStep::Prewarmed { region, .. } if region == WEST),
    )
    .await;

    // West's contacts now carry ICE servers naming east's relay (in their callConfigJson).
    let east_turn = rig.east.media.turn_config();
    rig.sim
        .region(WEST)
        .expect("west")
        .instance
        .with_engine(|engine| engine.settings_mut().turn = east_turn);
    let east_allocations = rig.east.allocations();
    let call = rig.live_call(WEST).await;
    audio_grows(&rig.west, &call, SECOND).await;
    assert!(
        rig.west.allocations() > 0,
        "west's own relay carries the call"
    );
    assert_eq!(
        rig.east.allocations(),
        east_allocations,
        "east's relay unused"
    );

    rig.sim
        .region(WEST)
        .expect("west")
        .instance
        .control()
        .hang_up(&call)
        .expect("customer hangs up");
    let report = first_event!(
        rig.west.events,
        |e| match e {
            SoftphoneEvent::Ended {
                contact_id, report, ..
            } if *contact_id == call => Some(report.clone()),
            _ => None,
        },
        "the call's report"
    );
    assert_eq!(report.is_contact_credentials_different_region, Some(true));
    assert_eq!(softphone_transports(&rig, WEST), 1);
    assert_eq!(
        softphone_transports(&rig, EAST),
        0,
        "nothing fetched from east"
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hard_failover_hangs_the_old_regions_call_up_at_once() {
    let mut rig = Rig::start().await;
    let call = rig.live_call(EAST).await;
    audio_grows(&rig.east, &call, SECOND).await;

    // The coordinator's own cleanup of the contact fails here, so only the hand-over can end
    // the call's media.
    let faults = rig.sim.region(EAST).expect("east").instance.faults();
    for method in [CtiMethod::DestroyConnection, CtiMethod::ClearContact] {
        faults.fail_next(Some(method), u32::MAX, SimFaults::server_error(500));
    }
    rig.sim
        .traffic()
        .set_active(WEST, true)
        .expect("TDG updated");
    rig.failover("initiated (hard)", |e| {
        matches!(
            e,
            FailoverEvent::Initiated {
                reason: InitiateReason::Hard,
                ..
            }
        )
    })
    .await;
    let hung_up = rig
        .step("east hung up", |s| matches!(s, HandoverStep::HungUp { .. }))
        .await;
    assert_eq!(
        hung_up,
        HandoverStep::HungUp {
            region: EAST.into(),
            contact_ids: vec![call.clone()]
        }
    );
    let id = call.clone();
    rig.east
        .until(
            "the call ends",
            |e| matches!(e, SoftphoneEvent::Ended { contact_id, .. } if *contact_id == id),
        )
        .await;
    rig.east
        .until_customer(
            "the customer leg closes",
            |e| matches!(e, MediaServiceEvent::LegClosed { contact_id } if *contact_id == call),
        )
        .await;
    let released = rig
        .step("east released", |s| {
            matches!(s, HandoverStep::Released { .. })
        })
        .await;
    assert_eq!(released.region(), EAST);
    assert!(rig.east.softphone.calls().await.is_empty());
    rig.stop().await;
}
