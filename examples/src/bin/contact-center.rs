//! A contact centre on the embedded simulator: customers call, chat and open tasks; agent
//! bots answer them through real agent sessions; a live progress line shows the floor.
//!
//! Voice calls carry real audio: each agent's softphone sets its call up on `aws/softphone`,
//! Opus crosses both ways over DTLS-SRTP through the simulator's TURN relay, agents and
//! customers talk with speech-like voices and record what they hear, and the run reports
//! set-up times, MOS, loss and how closely each side heard the other.
//!
//! ```text
//! cargo run --release -p connect-examples --bin contact-center -- --agents 20 --calls 20 --json
//! cargo run --release -p connect-examples --bin contact-center -- --calls 10 --impair-loss 5 --impair-jitter-ms 40 --json
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use connect_core::auth::StaticToken;
use connect_core::http::HttpCti;
use connect_core::mock::{AgentSpec, ContactSpec, SimInstance, SimServer};
use connect_core::session::AgentSession;
use connect_core::time::{Clock, SystemClock};
use connect_core::ws::{WsManager, WsUrlSource};
use connect_examples::agent_bot::{run_bot, BotPlan};
use connect_examples::cpu::process_cpu;
use connect_examples::tally::{Tally, TallySnapshot};
use connect_examples::voice::{watch_customers, AgentPhone, CallLedger, VoiceFigures};
use connect_softphone::audio::{OpusConfig, OPUS_MAX_COMPLEXITY};
use connect_softphone::media::{DefaultCodecs, WebRtcEngine};
use connect_softphone::mock::impairment::Impairment;
use connect_softphone::mock::media_service::{CustomerAudio, CustomerScript, SimMediaService};
use connect_softphone::sinks::{CtiSink, HttpJsonSink, StatsHub, StatsSink, API_LATENCY_WINDOW};

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "A simulated contact centre with agent bots handling voice, chat and tasks")]
struct Options {
    /// Number of agents.
    #[arg(long, default_value_t = 10)]
    agents: usize,
    /// Voice calls with real audio (default: one per agent). With calls, agents auto-accept.
    #[arg(long)]
    calls: Option<usize>,
    /// Chats and tasks (default: two per agent).
    #[arg(long)]
    contacts: Option<usize>,
    /// Time an agent talks on a voice call before hanging up, in ms.
    #[arg(long, default_value_t = 4_000)]
    talk_ms: u64,
    /// Media packets lost on the agents' media path, percent (both directions).
    #[arg(long, default_value_t = 0.0)]
    impair_loss: f64,
    /// Jitter added on the agents' media path: each packet is delayed by 0 to twice this
    /// many ms, uniformly (RFC 3550 jitter of about two thirds of it).
    #[arg(long, default_value_t = 0)]
    impair_jitter_ms: u32,
    /// Opus encoder complexity of every leg, 0-10 (default 10, libopus's default; below 7
    /// libopus skips its signal analysis, which costs more CPU on the demo's voices).
    #[arg(long, default_value_t = OPUS_MAX_COMPLEXITY,
          value_parser = clap::value_parser!(u8).range(0..=OPUS_MAX_COMPLEXITY as i64))]
    opus_complexity: u8,
    /// Also post the call-quality records to this call-quality-monitoring API (for example
    /// the `quality-dashboard` example's URL).
    #[arg(long)]
    stats_sink: Option<String>,
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
    /// Log what the SDK does (debug level) on stderr.
    #[arg(long)]
    verbose: bool,
    /// Talk to the simulator in-process instead of over HTTP on loopback.
    #[arg(long)]
    in_process: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if options.verbose {
            tracing::Level::DEBUG
        } else {
            tracing::Level::WARN
        })
        .init();
    let calls = options.calls.unwrap_or(options.agents);
    let contacts = options.contacts.unwrap_or(options.agents * 2);
    if calls > 0 && options.in_process {
        return Err("voice calls need the network: drop --in-process or use --calls 0".into());
    }
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
    // One engine for the agents' softphones and the customer legs.
    let engine = WebRtcEngine::with_codecs(Arc::new(DefaultCodecs::with_opus(OpusConfig {
        complexity: options.opus_complexity,
        ..OpusConfig::default()
    })));
    let media = if calls > 0 {
        // The delay is centred on the jitter, so that no packet's delay is cut at zero.
        let impairment = Impairment {
            loss_pct: options.impair_loss,
            jitter_ms: options.impair_jitter_ms,
            delay_ms: options.impair_jitter_ms,
        };
        impairment.validate()?;
        let mut builder = SimMediaService::builder().customer_engine(engine.clone());
        if impairment != Impairment::default() {
            builder = builder.impairment(impairment).impairment_seed(options.seed);
        }
        let media = builder.start().await?;
        media.set_script(CustomerScript::default().audio(CustomerAudio::SpeechLike {
            seed: CUSTOMER_VOICE,
        }));
        Some(media)
    } else {
        None
    };
    let mut sim = SimInstance::builder()
        .seed(options.seed)
        .ring_timeout(Duration::from_millis(options.ring_timeout_ms))
        .missed_linger(Duration::from_millis(500))
        .clock(Arc::clone(&clock));
    for n in 1..=options.agents {
        sim = sim.agent(AgentSpec::new(format!("agent{n}")).auto_accept(calls > 0));
    }
    if let Some(media) = &media {
        sim = sim.turn(media.turn_config());
    }
    let sim = sim.build()?;
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
    if let (Some(media), Some(server)) = (&media, &server) {
        media.attach(&sim, server);
    }
    let quality_api: Option<Arc<dyn StatsSink>> = match &options.stats_sink {
        Some(url) => Some(Arc::new(HttpJsonSink::builder(url.clone()).build()?)),
        None => None,
    };

    let tally = Arc::new(Tally::default());
    let ledger = Arc::new(CallLedger::default());
    let plan = BotPlan {
        miss_every: options.miss_every,
        voice_talk: Duration::from_millis(options.talk_ms),
        ..BotPlan::default()
    };
    let customers_watch = media
        .as_ref()
        .map(|m| watch_customers(m, Arc::clone(&ledger)));
    let mut agents = Vec::new();
    for n in 1..=options.agents {
        let login = format!("agent{n}");
        let mut phone = None;
        let (session, events) = match &server {
            Some(server) => {
                let token = sim.issue_token(&login)?;
                let api = HttpCti::builder(server.url())
                    .auth(Arc::new(StaticToken::new(token.auth_token)))
                    .clock(Arc::clone(&clock))
                    .build()?;
                let urls: Arc<dyn WsUrlSource> = Arc::new(api.clone());
                let (websocket, ws_events) = WsManager::builder(urls)
                    .allow_insecure_loopback(true)
                    .connect()
                    .await?;
                let latency = api.latency().clone();
                let (session, events) = AgentSession::builder(api)
                    .websocket(websocket, ws_events)
                    .clock(Arc::clone(&clock))
                    .connect()
                    .await?;
                if let Some(media) = &media {
                    let mut hub = StatsHub::builder().sink(Arc::new(CtiSink::new(session.api())));
                    if let Some(sink) = &quality_api {
                        hub = hub.sink(Arc::clone(sink));
                    }
                    let (hub, _) = hub.start().await;
                    // The agent's CTI calls, timed, as `apimetric` records every 30 s.
                    hub.forward_api_latency(&latency, &login, API_LATENCY_WINDOW);
                    let agent_phone = AgentPhone {
                        agent_seed: AGENT_VOICES + n as u64,
                        customer_seed: CUSTOMER_VOICE,
                        media: media.clone(),
                        ledger: Arc::clone(&ledger),
                        engine: engine.clone(),
                    };
                    phone = Some((agent_phone.attach(&session, hub.clone()).await?, hub));
                }
                (session, events)
            }
            None => {
                AgentSession::builder(sim.client(&login)?)
                    .clock(Arc::clone(&clock))
                    .connect()
                    .await?
            }
        };
        tokio::spawn(run_bot(
            session.clone(),
            events,
            plan.clone(),
            Arc::clone(&tally),
        ));
        agents.push((session, phone));
    }

    let cpu_before = process_cpu();
    let started = Instant::now();
    let arrivals = tokio::spawn(customers(sim.clone(), calls, contacts, options.arrival_ms));
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
    let duration = started.elapsed();
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    for (session, phone) in agents {
        if let Some(((softphone, watcher), hub)) = phone {
            softphone.shutdown().await;
            // The watcher ends when the softphone's events do: with the last handle.
            drop(softphone);
            hub.shutdown().await;
            if let Err(error) = watcher.await {
                tracing::error!(%error, "softphone watcher failed");
            }
        }
        session.shutdown().await;
    }
    let voice = ledger.figures();
    sim.shutdown();
    if let Some(server) = server {
        server.shutdown().await;
    }
    if let Some(media) = &media {
        media.stop().await;
    }
    if let Some(watcher) = customers_watch {
        watcher.abort();
    }

    let handled_and_missed = totals.handled + totals.missed;
    if options.json {
        let mut report = serde_json::json!({
            "agents": options.agents,
            "calls": calls,
            "contacts_created": calls + contacts,
            "transport": if options.in_process { "in-process" } else { "http" },
            "contacts_offered": totals.offered,
            "contacts_handled": totals.handled,
            "contacts_missed": totals.missed,
            "events_out_of_order": totals.out_of_order,
            "events_total": totals.events,
            "completed": finished,
            "duration_ms": duration.as_millis() as u64,
            "cpu_ms_per_call_second": cpu_per_call_second(cpu, &voice),
        });
        if let (Some(report), serde_json::Value::Object(voice)) =
            (report.as_object_mut(), serde_json::to_value(&voice)?)
        {
            report.extend(voice);
        }
        println!("{report}");
    } else {
        eprintln!(
            "done in {:.1}s: {} offers, {} handled, {} missed, {} events, {} out of order",
            duration.as_secs_f64(),
            totals.offered,
            totals.handled,
            totals.missed,
            totals.events,
            totals.out_of_order
        );
        if calls > 0 {
            print_voice(&voice);
        }
    }
    if !finished || handled_and_missed != totals.offered || totals.out_of_order > 0 {
        return Err("the contact centre did not account for every offer".into());
    }
    if voice.calls_completed < calls as u64 {
        return Err(format!("{} of {calls} voice calls completed", voice.calls_completed).into());
    }
    Ok(())
}

/// The customers' voice (the agents' are this plus their number).
const CUSTOMER_VOICE: u64 = 7;
/// The base of the agents' voices.
const AGENT_VOICES: u64 = 1_000;

/// Customers arrive one every `arrival_ms`: the voice calls spread among the chats and
/// tasks (three chats for two tasks).
async fn customers(sim: SimInstance, calls: usize, others: usize, arrival_ms: u64) {
    let total = calls + others;
    for i in 0..total {
        // Spread the calls evenly: arrival i is a call when it passes the next call's share.
        let is_call = (i + 1) * calls / total.max(1) > i * calls / total.max(1);
        let spec = if is_call {
            ContactSpec::voice(format!("+1555{:07}", i))
        } else if i % 5 < 3 {
            ContactSpec::chat(format!("Customer {i}"))
        } else {
            ContactSpec::task(format!("Follow-up {i}"))
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

/// Prints the voice figures for a person.
fn print_voice(voice: &VoiceFigures) {
    let ms = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0} ms"));
    let num = |v: Option<f64>, unit: &str| v.map_or("-".into(), |v| format!("{v:.2}{unit}"));
    eprintln!(
        "voice: {} completed, {} failed {:?} | set-up p50 {} p95 {} | MOS p50 {} min {} | loss max {} | audio match min {}",
        voice.calls_completed,
        voice.calls_failed,
        voice.call_failures,
        ms(voice.setup_ms_p50),
        ms(voice.setup_ms_p95),
        num(voice.mos_p50, ""),
        num(voice.mos_min, ""),
        num(voice.loss_pct_max, " %"),
        num(voice.audio_match_db_min, " dB"),
    );
}

/// CPU milliseconds per second of call (both legs: the agents' softphones and the simulated
/// customers run in this process).
fn cpu_per_call_second(cpu: Option<Duration>, voice: &VoiceFigures) -> Option<f64> {
    let cpu = cpu?;
    (voice.call_seconds > 0.0).then(|| cpu.as_secs_f64() * 1_000.0 / voice.call_seconds)
}
