//! A contact centre on the embedded simulator: customers call, chat and open tasks; agent
//! bots answer them through real agent sessions; a live progress line shows the floor.
//!
//! ```text
//! cargo run --release -p connect-examples --bin contact-center -- --agents 20 --json
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use connect_core::auth::StaticToken;
use connect_core::http::HttpCti;
use connect_core::mock::{ContactSpec, SimInstance, SimServer};
use connect_core::session::AgentSession;
use connect_core::time::{Clock, SystemClock};
use connect_examples::agent_bot::{run_bot, BotPlan};
use connect_examples::tally::{Tally, TallySnapshot};

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "A simulated contact centre with agent bots handling voice, chat and tasks")]
struct Options {
    /// Number of agents.
    #[arg(long, default_value_t = 10)]
    agents: usize,
    /// Number of customer contacts (default: 4 per agent).
    #[arg(long)]
    contacts: Option<usize>,
    /// Time between customer arrivals, in ms.
    #[arg(long, default_value_t = 40)]
    arrival_ms: u64,
    /// Ring timeout of the simulator, in ms: unanswered offers are missed after it.
    #[arg(long, default_value_t = 2_000)]
    ring_timeout_ms: u64,
    /// Each bot lets every n-th offer ring out (0: answer everything).
    #[arg(long, default_value_t = 10)]
    miss_every: u64,
    /// Seed of the simulator's ids.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 300)]
    max_secs: u64,
    /// Print one JSON line with the totals at the end.
    #[arg(long)]
    json: bool,
    /// Talk to the simulator in-process instead of over HTTP on loopback.
    #[arg(long)]
    in_process: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .init();
    let contacts = options.contacts.unwrap_or(options.agents * 4);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
    let sim = SimInstance::builder()
        .seed(options.seed)
        .agents(options.agents)
        .ring_timeout(Duration::from_millis(options.ring_timeout_ms))
        .missed_linger(Duration::from_millis(500))
        .clock(Arc::clone(&clock))
        .build()?;
    // Over the network by default: a loopback CCP (HTTP CTI endpoint, authorize, WebSocket).
    let server = if options.in_process {
        tokio::spawn(sim.run_timers());
        None
    } else {
        Some(
            SimServer::builder(sim.clone())
                .insecure_ws(true)
                .start()
                .await?,
        )
    };

    let tally = Arc::new(Tally::default());
    let plan = BotPlan {
        miss_every: options.miss_every,
        ..BotPlan::default()
    };
    let mut sessions = Vec::new();
    for n in 1..=options.agents {
        let login = format!("agent{n}");
        let builder = match &server {
            Some(server) => {
                let token = sim.issue_token(&login)?;
                let api = HttpCti::builder(server.url())
                    .auth(Arc::new(StaticToken::new(token.auth_token)))
                    .clock(Arc::clone(&clock))
                    .build()?;
                AgentSession::builder(api)
            }
            None => AgentSession::builder(sim.client(&login)?),
        };
        let (session, events) = builder.clock(Arc::clone(&clock)).connect().await?;
        tokio::spawn(run_bot(
            session.clone(),
            events,
            plan.clone(),
            Arc::clone(&tally),
        ));
        sessions.push(session);
    }

    let started = Instant::now();
    let arrivals = tokio::spawn(customers(sim.clone(), contacts, options.arrival_ms));
    let finished = watch_floor(
        &sim,
        &tally,
        &arrivals,
        started,
        options.max_secs,
        !options.json,
    )
    .await;
    let totals = tally.snapshot();
    for session in &sessions {
        session.shutdown().await;
    }
    sim.shutdown();
    if let Some(server) = server {
        server.shutdown().await;
    }

    let handled_and_missed = totals.handled + totals.missed;
    if options.json {
        let report = serde_json::json!({
            "agents": options.agents,
            "contacts_created": contacts,
            "transport": if options.in_process { "in-process" } else { "http" },
            "contacts_offered": totals.offered,
            "contacts_handled": totals.handled,
            "contacts_missed": totals.missed,
            "events_out_of_order": totals.out_of_order,
            "events_total": totals.events,
            "completed": finished,
            "duration_ms": started.elapsed().as_millis() as u64,
        });
        println!("{report}");
    } else {
        eprintln!(
            "done in {:.1}s: {} offers, {} handled, {} missed, {} events, {} out of order",
            started.elapsed().as_secs_f64(),
            totals.offered,
            totals.handled,
            totals.missed,
            totals.events,
            totals.out_of_order
        );
    }
    if !finished || handled_and_missed != totals.offered || totals.out_of_order > 0 {
        return Err("the contact centre did not account for every offer".into());
    }
    Ok(())
}

/// Customers arrive one every `arrival_ms`: half calls, three in ten chats, two in ten tasks.
async fn customers(sim: SimInstance, count: usize, arrival_ms: u64) {
    for i in 0..count {
        let spec = match i % 10 {
            0..=4 => ContactSpec::voice(format!("+1555{:07}", i)),
            5..=7 => ContactSpec::chat(format!("Customer {i}")),
            _ => ContactSpec::task(format!("Follow-up {i}")),
        };
        if let Err(error) = sim.control().enqueue(spec) {
            tracing::error!(%error, "could not enqueue a customer");
        }
        tokio::time::sleep(Duration::from_millis(arrival_ms)).await;
    }
}

/// Prints progress every second until every customer has been served (or the time is up).
async fn watch_floor(
    sim: &SimInstance,
    tally: &Tally,
    arrivals: &tokio::task::JoinHandle<()>,
    started: Instant,
    max_secs: u64,
    live: bool,
) -> bool {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    let mut quiet_ticks = 0;
    let mut last_print = Instant::now();
    loop {
        tick.tick().await;
        let now = tally.snapshot();
        let queued = sim.control().queued_contacts().len();
        if live && last_print.elapsed() >= Duration::from_secs(1) {
            print_progress(started, queued, &now);
            last_print = Instant::now();
        }
        let idle = arrivals.is_finished() && queued == 0 && now.open == 0;
        quiet_ticks = if idle { quiet_ticks + 1 } else { 0 };
        if quiet_ticks >= 4 {
            return true;
        }
        if started.elapsed() >= Duration::from_secs(max_secs) {
            return false;
        }
    }
}

fn print_progress(started: Instant, queued: usize, now: &TallySnapshot) {
    eprintln!(
        "[{:>5.1}s] in queue {:>3} | on agents {:>3} | offered {:>4} | handled {:>4} | missed {:>3} | events {:>6} | out of order {}",
        started.elapsed().as_secs_f64(),
        queued,
        now.open,
        now.offered,
        now.handled,
        now.missed,
        now.events,
        now.out_of_order
    );
}
