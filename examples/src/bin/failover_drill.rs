//! A failover drill on two simulated regions: an agent on a live call in `us-east-1` is moved
//! to `us-west-2` by a soft traffic-distribution change; the drill measures detection and
//! switch times, checks that no offer was lost and no live call was dropped, and prints one
//! line. Each region has its own media service (TURN relay, softphone signaling, customer
//! legs); the coordinator's session in each region has its CCP WebSocket
//! (`RegionConfig::websocket`) and the agent a softphone on it, handed over by the coordinator:
//! the live call carries a speech-like voice both ways through the failover, and the first call
//! in the new region does too.
//!
//! ```text
//! cargo run -p connect-examples --bin failover_drill -- --json
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use connect_core::events::{AgentEvent, ContactEventKind};
use connect_core::mock::{ContactSpec, JournalEvent};
use connect_core::model::Timestamp;
use connect_failover::mock::SimTwoRegions;
use connect_failover::softphone::{HandoverStep, SoftphoneHandover};
use connect_failover::{
    FailoverCoordinator, FailoverEvent, FailoverEvents, PresignedUrlPoller, RegionEvent,
    RegionEvents,
};
use connect_softphone::audio::{level_dbov, AudioSource, SpeechLikeSource};
use connect_softphone::manager::{
    CallRecordings, SoftphoneEvent, SoftphoneEvents, SoftphoneManager,
};
use connect_softphone::media::{PeerConfig, WebRtcEngine};
use connect_softphone::mock::media_service::{MediaServiceEvent, SimMediaService};
use serde_json::json;
use tokio::sync::broadcast;

const EAST: &str = "us-east-1";
const WEST: &str = "us-west-2";

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    about = "Soft failover drill on two simulated regions (us-east-1 -> us-west-2)",
    long_about = "Soft failover drill on two simulated regions (us-east-1 -> us-west-2), over \
                  real HTTP on loopback. An agent answers a call in us-east-1; the traffic \
                  distribution group then moves the agent to us-west-2. Reports detection_ms \
                  (TDG change to Detected), switch_ms (after-contact work cleared to the agent \
                  routable in us-west-2), offers_lost, calls_dropped and live_call_survived. \
                  Each region has its own media service and softphone: the live call carries a \
                  speech-like voice both ways; live_call_audio_ms is the agent's voice the \
                  customer heard from Detected to the hang-up, live_call_audio_dbov its level, \
                  new_region_call_audio whether the first call in us-west-2 carried audio both \
                  ways, new_region_turn_own whether its TURN credentials and relay were \
                  us-west-2's own."
)]
struct Options {
    /// Print one JSON line instead of a human summary.
    #[arg(long)]
    json: bool,
    /// Interval of the agent-discovery poller, in ms.
    #[arg(long, default_value_t = 2_000)]
    poll_ms: u64,
    /// How long the customer talks before hanging up, in ms (from the call's answer; the
    /// failover starts once audio flows both ways).
    #[arg(long, default_value_t = 8_000)]
    talk_ms: u64,
}

/// Upper bound on any single wait of the drill.
const PATIENCE: Duration = Duration::from_secs(60);

async fn within<T>(what: &str, future: impl Future<Output = Option<T>>) -> Result<T, String> {
    match tokio::time::timeout(PATIENCE, future).await {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(format!("{what}: the coordinator stopped")),
        Err(_) => Err(format!("{what}: nothing within {PATIENCE:?}")),
    }
}

async fn failover_event(
    events: &mut FailoverEvents,
    what: &str,
    pred: impl Fn(&FailoverEvent) -> bool,
) -> Result<FailoverEvent, String> {
    within(what, async {
        loop {
            let event = events.recv().await?;
            if pred(&event) {
                return Some(event);
            }
        }
    })
    .await
}

/// Waits for a contact event; records the ids of every contact `Init` seen, per region.
async fn contact_event(
    events: &mut RegionEvents,
    seen: &mut Vec<(String, String)>,
    what: &str,
    pred: impl Fn(&RegionEvent) -> bool,
) -> Result<(), String> {
    within(what, async {
        loop {
            let event = events.recv().await?;
            if let AgentEvent::Contact(c) = &event.event {
                if c.kind == ContactEventKind::Init {
                    seen.push((event.region.clone(), c.contact_id.clone()));
                }
            }
            if pred(&event) {
                return Some(());
            }
        }
    })
    .await
}

fn is_contact(event: &RegionEvent, region: &str, id: &str, kind: ContactEventKind) -> bool {
    event.region == region
        && matches!(&event.event, AgentEvent::Contact(c) if c.contact_id == id && c.kind == kind)
}

// Two threads: the calls' audio (Opus, SRTP, the TURN relays) runs next to the drill.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    let report = drill(&options).await?;
    if options.json {
        println!("{report}");
    } else {
        println!("failover drill (soft, live call): {report:#}");
    }
    Ok(())
}

async fn drill(options: &Options) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let sim = SimTwoRegions::builder().start().await?;
    let clock = sim.clock();
    let east_media = region_media(&sim, EAST).await?;
    let west_media = region_media(&sim, WEST).await?;
    // The softphones sit on the coordinator's own regional sessions, so they are attached to
    // the hand-over once the coordinator is connected.
    let handover = Arc::new(SoftphoneHandover::new());
    let mut steps = handover.subscribe();
    let (coordinator, mut events, mut failovers) = FailoverCoordinator::builder()
        .clock(clock.clone())
        .source(PresignedUrlPoller::default().interval(Duration::from_millis(options.poll_ms)))
        .media_hook(handover.clone())
        .region(sim.region_config_with_websocket(EAST, "agent1")?)
        .region(sim.region_config_with_websocket(WEST, "agent1")?)
        .connect()
        .await?;
    let mut east_phone = RegionPhone::start(&coordinator, EAST, east_media).await?;
    let mut west_phone = RegionPhone::start(&coordinator, WEST, west_media).await?;
    handover.attach(EAST, east_phone.softphone.clone());
    handover.attach(WEST, west_phone.softphone.clone());
    let mut inits = Vec::new();
    failover_event(&mut failovers, "initialized", |e| {
        matches!(e, FailoverEvent::Initialized { .. })
    })
    .await?;
    let east = &sim.region(EAST).ok_or("no east region")?.instance;
    let west = &sim.region(WEST).ok_or("no west region")?.instance;

    // A live call in the active region, with audio both ways.
    let talk = Duration::from_millis(options.talk_ms);
    let call = east
        .control()
        .enqueue(ContactSpec::voice("+15555550123").hang_up_after(talk))?;
    contact_event(&mut events, &mut inits, "call offered", |e| {
        is_contact(e, EAST, &call, ContactEventKind::Connecting)
    })
    .await?;
    let east_session = coordinator.session(EAST).ok_or("no east session")?;
    east_session
        .contact(&call)
        .ok_or("call gone")?
        .accept()
        .await?;
    if let Err(error) = contact_event(&mut events, &mut inits, "call connected", |e| {
        is_contact(e, EAST, &call, ContactEventKind::Connected)
    })
    .await
    {
        // Tell a session that never delivered the connected snapshot from a call that never
        // connected.
        let states = east.journal().contact_states(&call);
        return Err(format!("{error} (the simulator recorded {states:?})").into());
    }
    east_phone.audio_both_ways(&call).await?;

    // T0: the traffic distribution group moves the agent (soft).
    let t0 = clock.now();
    sim.traffic().set_active(WEST, false)?;
    failover_event(&mut failovers, "detected", |e| {
        matches!(e, FailoverEvent::Detected { .. })
    })
    .await?;
    let td = clock.now();
    let customer_heard = east_phone.media.recording(&call).ok_or("no customer leg")?;
    let heard_at_detected = customer_heard.len_samples();

    // The call runs to its end, its audio flowing; the agent clears after-contact work.
    contact_event(&mut events, &mut inits, "after-contact work", |e| {
        is_contact(e, EAST, &call, ContactEventKind::Acw)
    })
    .await?;
    east_phone.ended(&call).await?;
    let after_detected = customer_heard
        .samples()
        .split_off(heard_at_detected.min(customer_heard.len_samples()));
    east_session
        .contact(&call)
        .ok_or("call gone")?
        .clear()
        .await?;
    let cleared = clock.now();
    failover_event(&mut failovers, "completed", |e| {
        matches!(e, FailoverEvent::Completed { .. })
    })
    .await?;
    let routable = last_agent_state(west, "Available").ok_or("never available in west")?;

    // Offers after the switch: one in the new region (must surface once), one forced onto
    // the old region (must never surface).
    east.control().set_agent_state("agent1", "Available")?;
    let stray = east.control().enqueue_voice("+15555550199")?;
    let fresh = west.control().enqueue_voice("+15555550100")?;
    contact_event(&mut events, &mut inits, "offer in the new region", |e| {
        is_contact(e, WEST, &fresh, ContactEventKind::Connecting)
    })
    .await?;
    contact_event(&mut events, &mut inits, "old region kept offline", |e| {
        e.region == EAST
            && matches!(&e.event, AgentEvent::StateChange { new, .. } if new == "Offline")
    })
    .await?;
    let surfaced = |id: &str| inits.iter().filter(|(_, c)| c == id).count();
    let offers_lost = u32::from(surfaced(&fresh) != 1)
        + u32::from(surfaced(&call) != 1)
        + u32::from(surfaced(&stray) != 0);

    // The first call in the new region: audio both ways, on that region's relay.
    let east_allocations = east_phone.allocations();
    coordinator
        .session(WEST)
        .ok_or("no west session")?
        .contact(&fresh)
        .ok_or("new call gone")?
        .accept()
        .await?;
    let new_region_call_audio = west_phone.talks_both_ways(&fresh).await.is_ok();
    let west_fetched_turn = west.journal().events().iter().any(|e| {
        matches!(e, JournalEvent::Recorded { method: "createTransport", payload, .. }
            if payload["transportType"] == "softphone")
    });
    let new_region_turn_own = west_fetched_turn
        && west_phone.allocations() > 0
        && east_phone.allocations() == east_allocations;
    west.control().hang_up(&fresh)?;
    west_phone.ended(&fresh).await?;

    let journal = east.journal();
    let customer_ended = journal.events().iter().any(
        |e| matches!(e, JournalEvent::CustomerLeft { contact, how: "hang_up" } if *contact == call),
    );
    let calls_dropped = u32::from(!customer_ended);
    let mut handover_steps = Vec::new();
    while let Ok(step) = steps.try_recv() {
        handover_steps.push(describe(&step));
    }
    coordinator.shutdown().await;
    east_phone.stop().await;
    west_phone.stop().await;
    sim.shutdown().await;
    Ok(json!({
        "scenario": "soft_live_call",
        "poll_ms": options.poll_ms,
        "detection_ms": td.millis_since(t0),
        "switch_ms": routable.millis_since(cleared),
        "offers_lost": offers_lost,
        "calls_dropped": calls_dropped,
        "live_call_survived": customer_ended && surfaced(&call) == 1,
        "live_call_audio_ms": after_detected.len() / SAMPLES_PER_MS,
        "live_call_audio_dbov": (level_dbov(&after_detected) * 10.0).round() / 10.0,
        "new_region_call_audio": new_region_call_audio,
        "new_region_turn_own": new_region_turn_own,
        "handover_steps": handover_steps,
    }))
}

/// The seed of the agent's speech-like voice.
const AGENT_VOICE: u64 = 7;

/// 48 kHz audio.
const SAMPLES_PER_MS: usize = 48;

/// The quietest level still counted as the agent's voice (digital silence is −200 dBov).
const VOICE_FLOOR_DBOV: f64 = -50.0;

/// A hand-over step in one line.
fn describe(step: &HandoverStep) -> String {
    match step {
        HandoverStep::Prewarmed { region, turn_urls } => {
            format!("{region}: pre-warmed ({} TURN URL(s))", turn_urls.len())
        }
        HandoverStep::HungUp {
            region,
            contact_ids,
        } => format!("{region}: hung up {} call(s)", contact_ids.len()),
        HandoverStep::Released {
            region,
            peer_connections,
        } => format!("{region}: released {peer_connections} peer connection(s)"),
        other => format!("{other:?}"),
    }
}

/// The region's own media service (TURN relay, `aws/softphone` signaling, customer legs),
/// attached to its simulated instance, whose snapshots then carry its TURN relay.
async fn region_media(
    sim: &SimTwoRegions,
    name: &str,
) -> Result<SimMediaService, Box<dyn std::error::Error>> {
    let region = sim.region(name).ok_or("no such region")?;
    let media = SimMediaService::start().await?;
    let turn = media.turn_config();
    region
        .instance
        .with_engine(|engine| engine.settings_mut().turn = turn);
    media.attach(&region.instance, &region.server);
    Ok(media)
}

/// The agent's softphone in one region, on the coordinator's session there, talking with a
/// speech-like voice and recording what it hears; and the region's media service.
struct RegionPhone {
    media: SimMediaService,
    softphone: SoftphoneManager,
    events: SoftphoneEvents,
    customer: broadcast::Receiver<MediaServiceEvent>,
    heard: CallRecordings,
}

impl RegionPhone {
    async fn start(
        coordinator: &FailoverCoordinator,
        region: &str,
        media: SimMediaService,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let session = within(
            "the region's session",
            coordinator.connected_session(region),
        )
        .await?;
        let heard = CallRecordings::default();
        let (softphone, events) = SoftphoneManager::builder(session, WebRtcEngine::new())
            .peer_config(PeerConfig::loopback())
            .source_factory(move |_call| {
                Ok(Box::new(SpeechLikeSource::new(AGENT_VOICE)) as Box<dyn AudioSource>)
            })
            .sink_factory(heard.sink_factory())
            .connect()
            .await?;
        let customer = media.subscribe();
        Ok(Self {
            media,
            softphone,
            events,
            customer,
            heard,
        })
    }

    /// Waits for the first audio at the agent and at the customer.
    async fn audio_both_ways(&mut self, call: &str) -> Result<(), String> {
        within("audio at the agent", async {
            loop {
                match self.events.recv().await? {
                    SoftphoneEvent::MediaStarted { contact_id } if contact_id == call => {
                        return Some(())
                    }
                    SoftphoneEvent::Ended { contact_id, .. } if contact_id == call => return None,
                    _ => {}
                }
            }
        })
        .await?;
        within("audio at the customer", async {
            loop {
                match self.customer.recv().await {
                    Ok(MediaServiceEvent::FirstAudio { contact_id }) if contact_id == call => {
                        return Some(())
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .await
    }

    /// Audio both ways, then a second of voice heard on each side.
    async fn talks_both_ways(&mut self, call: &str) -> Result<(), String> {
        self.audio_both_ways(call).await?;
        let agent = self.heard.get(call).ok_or("no agent recording")?;
        let customer = self.media.recording(call).ok_or("no customer recording")?;
        for (side, sink) in [("agent", agent), ("customer", customer)] {
            let from = sink.len_samples();
            let second = from + 1_000 * SAMPLES_PER_MS;
            within(side, async {
                sink.wait_for_samples(second).await;
                Some(())
            })
            .await?;
            let samples = sink.samples();
            let level = level_dbov(samples.get(from..).unwrap_or_default());
            if level < VOICE_FLOOR_DBOV {
                return Err(format!("the {side} heard silence ({level:.1} dBov)"));
            }
        }
        Ok(())
    }

    /// Waits for the softphone call of `call` to end.
    async fn ended(&mut self, call: &str) -> Result<(), String> {
        within("the call's end", async {
            loop {
                if let SoftphoneEvent::Ended { contact_id, .. } = self.events.recv().await? {
                    if contact_id == call {
                        return Some(());
                    }
                }
            }
        })
        .await
    }

    /// TURN allocations of the region's relay.
    fn allocations(&self) -> u64 {
        self.media.turn().stats().allocations
    }

    async fn stop(self) {
        self.softphone.shutdown().await;
        self.media.stop().await;
    }
}

/// When the simulator last recorded agent1 in state `name`.
fn last_agent_state(instance: &connect_core::mock::SimInstance, name: &str) -> Option<Timestamp> {
    instance
        .journal()
        .entries()
        .into_iter()
        .rev()
        .find(|e| {
            matches!(&e.event, JournalEvent::AgentState { agent, name: n, .. }
                if agent == "agent1" && n == name)
        })
        .map(|e| e.at)
}
