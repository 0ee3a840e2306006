//! Media redirection, measured: the same call twice — once redirected to an endpoint media
//! engine process (`connect-media-engine`), once with the media in this ("desktop") process —
//! then the engine is killed mid-call to show what the desktop does.
//!
//! The customer's leg and the TURN server run in a third process (this binary with
//! `--customer-leg`), so the desktop-side CPU is this process's alone.
//!
//! ```text
//! cargo build -p connect-vdi --bin connect-media-engine
//! cargo run -p connect-examples --bin vdi_redirect -- --json
//! ```

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use connect_examples::cpu::{CpuSample, CpuUsage, TICK};
use connect_vdi::desktop::MediaPlacement;
use connect_vdi::platform::EngineEndpoint;
use connect_vdi::softphone::audio::{detect_tone, MemorySink, SilenceSource, ToneSource};
use connect_vdi::softphone::media::{
    IceCandidate, IcePolicy, IceServer, MediaEngine, MediaEvent, MediaEvents, MediaPeer,
    PeerConfig, SessionDescription, WebRtcEngine,
};
use connect_vdi::softphone::mock::turn::SimTurnServer;
use connect_vdi::{FallbackPolicy, RedirectedMediaEngine, VdiEvent};
use serde_json::{json, Value};

type Error = Box<dyn std::error::Error + Send + Sync>;

const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: f64 = 1_000.0;

#[derive(Debug, Parser)]
struct Args {
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Length of each measured call, seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The engine binary (default: next to this executable).
    #[arg(long)]
    engine_bin: Option<PathBuf>,
    /// Internal: run the customer's leg and the TURN server, talking JSON lines on stdio.
    #[arg(long, hide = true)]
    customer_leg: bool,
}

/// This process's CPU clocks (Linux `/proc` only).
fn cpu_sample() -> Result<CpuSample, Error> {
    CpuSample::now().ok_or_else(|| "CPU time needs Linux /proc".into())
}

fn token() -> String {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let mut rng = connect_core::time::SplitMix64::new(seed ^ u64::from(std::process::id()));
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

/// A child process speaking JSON lines.
struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    fn spawn(command: &mut Command) -> Result<Self, Error> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Self {
            child,
            stdin,
            stdout,
        })
    }

    async fn line(&mut self) -> Result<String, Error> {
        let mut line = String::new();
        tokio::task::block_in_place(|| self.stdout.read_line(&mut line))?;
        if line.is_empty() {
            return Err("child ended".into());
        }
        Ok(line.trim().to_owned())
    }

    fn send(&mut self, value: &Value) -> Result<(), Error> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        writeln!(stdin, "{value}")?;
        Ok(stdin.flush()?)
    }
}

fn description(value: &Value) -> Result<SessionDescription, Error> {
    Ok(SessionDescription {
        sdp: value["sdp"].as_str().ok_or("no sdp")?.to_owned(),
        candidates: serde_json::from_value::<Vec<IceCandidate>>(value["candidates"].clone())?,
    })
}

fn to_json(description: &SessionDescription) -> Value {
    json!({"sdp": description.sdp, "candidates": description.candidates})
}

/// `--customer-leg`: TURN server + customer peer; prints the agent's TURN server, answers the
/// offer, and when stdin closes reports whether it heard the agent's tone.
async fn customer_leg() -> Result<(), Error> {
    let turn = SimTurnServer::start("sim-secret").await?;
    println!(
        "{}",
        json!({"iceServer": turn.issue_credentials("agent", Duration::from_secs(3600))})
    );
    let mut lines = std::io::stdin().lock().lines();
    while let Some(line) = tokio::task::block_in_place(|| lines.next()).transpose()? {
        let heard = MemorySink::new();
        let config = PeerConfig {
            ice_servers: vec![turn.issue_credentials("customer", Duration::from_secs(3600))],
            ice_policy: IcePolicy::Relay,
            bind_addrs: vec!["127.0.0.1:0".into()],
            ..PeerConfig::default()
        };
        let (peer, _) = WebRtcEngine::new()
            .create_peer(
                config,
                Box::new(ToneSource::new(CUSTOMER_TONE, -12.0)),
                Box::new(heard.clone()),
            )
            .await?;
        let answer = peer
            .accept_offer(description(&serde_json::from_str(&line)?)?)
            .await?;
        println!("{}", to_json(&answer));
        // The next line (or end of input) ends the call.
        let _ = tokio::task::block_in_place(|| lines.next());
        let samples = heard.samples();
        let tail = &samples[samples.len().saturating_sub(48_000)..];
        println!(
            "{}",
            json!({"heardAgent": detect_tone(tail, 48_000, AGENT_TONE).is_present(-30.0), "frames": samples.len() / 960})
        );
        peer.close().await?;
    }
    turn.stop().await;
    Ok(())
}

async fn wait_media(events: &mut MediaEvents, wanted: MediaEvent) -> Result<(), Error> {
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(event) = events.recv().await {
            if event == wanted {
                return Ok(());
            }
        }
        Err::<(), Error>("peer gone".into())
    })
    .await?
}

struct CallResult {
    /// From the threads' nanosecond counters, idle baseline subtracted.
    cpu_per_call_second_ms: f64,
    /// From `/proc/self/stat` ticks (10 ms), for reference.
    cpu_ticks_per_call_second_ms: f64,
    cpu: CpuUsage,
    customer_heard_agent: bool,
    engine_packets: Option<u64>,
}

/// One call of `seconds`: negotiate through the customer process, measure this process's CPU.
async fn call(
    customer: &mut Peer,
    create: impl std::future::Future<Output = Result<(Arc<dyn MediaPeer>, MediaEvents), Error>>,
    seconds: u64,
    idle_ms_per_s: f64,
) -> Result<CallResult, Error> {
    let (peer, mut events) = create.await?;
    let offer = peer.create_offer().await?;
    customer.send(&to_json(&offer))?;
    let answer = description(&serde_json::from_str(&customer.line().await?)?)?;
    peer.apply_answer(answer).await?;
    wait_media(&mut events, MediaEvent::Connected).await?;
    let (cpu0, t0) = (cpu_sample()?, Instant::now());
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (cpu, elapsed) = (cpu_sample()?.since(&cpu0), t0.elapsed().as_secs_f64());
    let stats = peer.stats().await?;
    peer.close().await?;
    customer.send(&json!({"hangUp": true}))?;
    let report: Value = serde_json::from_str(&customer.line().await?)?;
    Ok(CallResult {
        cpu_per_call_second_ms: (cpu.nanos.as_secs_f64() * 1000.0 / elapsed - idle_ms_per_s)
            .max(0.0),
        cpu_ticks_per_call_second_ms: cpu.ticks.as_secs_f64() * 1000.0 / elapsed,
        cpu,
        customer_heard_agent: report["heardAgent"].as_bool().unwrap_or(false),
        engine_packets: Some(stats.packets_sent + stats.packets_received),
    })
}

fn config(ice_server: &IceServer) -> PeerConfig {
    PeerConfig {
        ice_servers: vec![ice_server.clone()],
        bind_addrs: vec!["127.0.0.1:0".into()],
        ..PeerConfig::default()
    }
}

fn start_engine(bin: &PathBuf, token: &str) -> Result<(Peer, String), Error> {
    let mut engine = Peer::spawn(
        Command::new(bin)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--fake-devices",
                "--tone",
                "440",
                "--log-level",
                "warn",
            ])
            .env("CONNECT_VDI_ENGINE_TOKEN", token),
    )?;
    let mut url = String::new();
    engine.stdout.read_line(&mut url)?;
    Ok((engine, url.trim().to_owned()))
}

async fn run(args: Args) -> Result<Value, Error> {
    let engine_bin = match args.engine_bin.clone() {
        Some(path) => path,
        None => std::env::current_exe()?.with_file_name("connect-media-engine"),
    };
    if !engine_bin.exists() {
        return Err(format!(
            "{} not found: cargo build -p connect-vdi --bin connect-media-engine",
            engine_bin.display()
        )
        .into());
    }
    let mut customer = Peer::spawn(Command::new(std::env::current_exe()?).arg("--customer-leg"))?;
    let ice_server: IceServer = serde_json::from_value(
        serde_json::from_str::<Value>(&customer.line().await?)?["iceServer"].clone(),
    )?;

    // Idle baseline of this process.
    let (cpu0, t0) = (cpu_sample()?, Instant::now());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_ms_per_s =
        cpu_sample()?.since(&cpu0).nanos.as_secs_f64() * 1000.0 / t0.elapsed().as_secs_f64();

    // 1. Redirected.
    let token = token();
    let (mut engine, url) = start_engine(&engine_bin, &token)?;
    let endpoint = EngineEndpoint {
        url: url.clone(),
        token: token.clone().into(),
    };
    let (desktop, mut vdi_events) = RedirectedMediaEngine::builder(endpoint)
        .policy(FallbackPolicy::FailClosed)
        .connect()
        .await?;
    let redirected_call = call(
        &mut customer,
        async {
            let (peer, events, placement) = desktop
                .open_peer(
                    config(&ice_server),
                    Box::new(SilenceSource::new()),
                    Box::new(MemorySink::new()),
                )
                .await?;
            if placement != MediaPlacement::Redirected {
                return Err("not redirected".into());
            }
            Ok((peer, events))
        },
        args.seconds,
        idle_ms_per_s,
    )
    .await?;

    // 2. In the desktop.
    let local_call = call(
        &mut customer,
        async {
            let local = WebRtcEngine::new();
            Ok(local
                .create_peer(
                    config(&ice_server),
                    Box::new(ToneSource::new(AGENT_TONE, -12.0)),
                    Box::new(MemorySink::new()),
                )
                .await?)
        },
        args.seconds,
        idle_ms_per_s,
    )
    .await?;

    // 3. Redirected again; SIGKILL the engine mid-call.
    let (peer, mut events, _) = desktop
        .open_peer(
            config(&ice_server),
            Box::new(SilenceSource::new()),
            Box::new(MemorySink::new()),
        )
        .await?;
    customer.send(&to_json(&peer.create_offer().await?))?;
    peer.apply_answer(description(&serde_json::from_str(
        &customer.line().await?,
    )?)?)
    .await?;
    wait_media(&mut events, MediaEvent::Connected).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let killed_at = Instant::now();
    engine.child.kill()?;
    let (reason, message) = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(VdiEvent::ClientDisconnected { reason, message }) = vdi_events.recv().await
            {
                return (reason, message);
            }
        }
    })
    .await?;
    let detected_ms = killed_at.elapsed().as_millis();
    let policy = loop {
        match vdi_events.recv().await {
            Some(VdiEvent::FailedClosed { .. }) => break "FailClosed",
            Some(VdiEvent::FallbackEngaged { .. }) => break "InDesktop",
            Some(_) => continue,
            None => break "none",
        }
    };
    wait_media(&mut events, MediaEvent::Failed).await?;
    let next_call = desktop
        .open_peer(
            config(&ice_server),
            Box::new(SilenceSource::new()),
            Box::new(MemorySink::new()),
        )
        .await;
    customer.send(&json!({"hangUp": true}))?;
    let _ = customer.line().await;
    customer.stdin = None;
    let _ = engine.child.wait();
    let _ = customer.child.wait();

    // The threads' nanosecond clocks resolve even the redirected call's tiny CPU. A thread
    // that exits during a measured call takes its share with it: in the redirected call that
    // makes the ratio an overestimate, in the in-desktop call a lower bound. A redirected
    // call not above the idle baseline leaves the ratio unbounded.
    let redirected_cpu = redirected_call.cpu_per_call_second_ms;
    let ratio = (redirected_cpu > 0.0).then(|| local_call.cpu_per_call_second_ms / redirected_cpu);
    let (redirected_lost, local_lost) = (
        redirected_call.cpu.threads_exited,
        local_call.cpu.threads_exited,
    );
    let ratio_kind = match (ratio, redirected_lost, local_lost) {
        (None, ..) => "unbounded: the redirected call's CPU is not above the idle baseline",
        (Some(_), false, false) => "measured",
        (Some(_), true, _) => "overestimate: a thread exited during the redirected call",
        (Some(_), false, true) => "lower bound: a thread exited during the in-desktop call",
    };
    Ok(json!({
        "redirected": redirected_call.customer_heard_agent,
        "call_seconds": args.seconds,
        "cpu_clock": "per-thread schedstat nanoseconds, idle baseline subtracted",
        "idle_baseline_cpu_ms_per_s": idle_ms_per_s,
        "desktop_cpu_ms_per_call_second": {"redirected": redirected_cpu, "in_desktop": local_call.cpu_per_call_second_ms},
        "desktop_cpu_ticks_ms_per_call_second": {
            "redirected": redirected_call.cpu_ticks_per_call_second_ms,
            "in_desktop": local_call.cpu_ticks_per_call_second_ms,
            "tick_ms": TICK.as_secs_f64() * 1000.0,
        },
        "host_cpu_ratio": ratio,
        "host_cpu_ratio_kind": ratio_kind,
        "host_cpu_ratio_is_lower_bound": ratio_kind.starts_with("lower bound"),
        "in_desktop_customer_heard_agent": local_call.customer_heard_agent,
        "engine_packets": redirected_call.engine_packets,
        "engine_killed_mid_call": {
            "event": "ClientDisconnected",
            "reason": reason.to_string(),
            "message": message,
            "detected_after_ms": detected_ms,
            "call_media": "Failed (torn down)",
            "policy": policy,
            "next_call": match next_call { Ok(_) => "redirected".to_owned(), Err(e) => e.to_string() },
        },
    }))
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if args.customer_leg {
        return runtime.block_on(customer_leg());
    }
    let json_out = args.json;
    let report = runtime.block_on(run(args))?;
    if json_out {
        println!("{report}");
    } else {
        println!("{}", serde_json::to_string_pretty(&report)?);
    }
    Ok(())
}
