//! A failover drill on two simulated regions: an agent on a live call in `us-east-1` is moved
//! to `us-west-2` by a soft traffic-distribution change; the drill measures detection and
//! switch times, checks that no offer was lost and no live call was dropped, and prints one
//! line.
//!
//! ```text
//! cargo run -p connect-examples --bin failover_drill -- --json
//! ```

use std::future::Future;
use std::time::Duration;

use clap::Parser;
use connect_core::events::{AgentEvent, ContactEventKind};
use connect_core::mock::{ContactSpec, JournalEvent};
use connect_core::model::Timestamp;
use connect_failover::mock::SimTwoRegions;
use connect_failover::{
    FailoverCoordinator, FailoverEvent, FailoverEvents, PresignedUrlPoller, RegionEvent,
    RegionEvents,
};
use serde_json::json;

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
                  The live call is signalling only: real audio on it is not measured yet (it \
                  will be once the softphone hand-over is wired in)."
)]
struct Options {
    /// Print one JSON line instead of a human summary.
    #[arg(long)]
    json: bool,
    /// Interval of the agent-discovery poller, in ms.
    #[arg(long, default_value_t = 2_000)]
    poll_ms: u64,
    /// How long the customer talks before hanging up, in ms.
    #[arg(long, default_value_t = 3_000)]
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

// One thread is enough for a drill, and keeps its timings free of cross-thread wake-up jitter.
#[tokio::main(flavor = "current_thread")]
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
    let mut builder = FailoverCoordinator::builder()
        .clock(clock.clone())
        .source(PresignedUrlPoller::default().interval(Duration::from_millis(options.poll_ms)));
    for region in sim.region_configs("agent1")? {
        builder = builder.region(region);
    }
    let (coordinator, mut events, mut failovers) = builder.connect().await?;
    let mut inits = Vec::new();
    failover_event(&mut failovers, "initialized", |e| {
        matches!(e, FailoverEvent::Initialized { .. })
    })
    .await?;
    let east = &sim.region(EAST).ok_or("no east region")?.instance;
    let west = &sim.region(WEST).ok_or("no west region")?.instance;

    // A live call in the active region.
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

    // T0: the traffic distribution group moves the agent (soft).
    let t0 = clock.now();
    sim.traffic().set_active(WEST, false)?;
    failover_event(&mut failovers, "detected", |e| {
        matches!(e, FailoverEvent::Detected { .. })
    })
    .await?;
    let td = clock.now();

    // The call runs to its end; the agent clears after-contact work.
    contact_event(&mut events, &mut inits, "after-contact work", |e| {
        is_contact(e, EAST, &call, ContactEventKind::Acw)
    })
    .await?;
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

    let journal = east.journal();
    let customer_ended = journal.events().iter().any(
        |e| matches!(e, JournalEvent::CustomerLeft { contact, how: "hang_up" } if *contact == call),
    );
    let calls_dropped = u32::from(!customer_ended);
    coordinator.shutdown().await;
    sim.shutdown().await;
    Ok(json!({
        "scenario": "soft_live_call",
        "poll_ms": options.poll_ms,
        "detection_ms": td.millis_since(t0),
        "switch_ms": routable.millis_since(cleared),
        "offers_lost": offers_lost,
        "calls_dropped": calls_dropped,
        "live_call_survived": customer_ended && surfaced(&call) == 1,
    }))
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
