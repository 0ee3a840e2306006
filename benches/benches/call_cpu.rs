//! CPU per call-second of a whole call, both legs: two `WebRtcEngine` peers in this process,
//! relay-only through the embedded TURN server on loopback, each sending speech-like audio
//! (Opus, 20 ms frames, DTLS-SRTP) and playing out what it hears. The process's CPU time
//! (user + system, from `/proc/self/stat`) over N seconds of steady audio, divided by the
//! seconds of audio played, is the figure; the TURN relay runs in the same process and counts.
//!
//! `cargo bench -p connect-benches --bench call_cpu [-- --seconds N]` measures N seconds
//! (default 20) and prints the figure and a JSON line. Run without `--bench` (as
//! `cargo test --benches` does) it makes a one-second call as a smoke test.

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_softphone::audio::{NullSink, SpeechLikeSource};
use connect_softphone::media::{
    IcePolicy, MediaEngine, MediaEvents, MediaPeer, MediaStats, PeerConfig, WebRtcEngine,
};
use connect_softphone::mock::turn::SimTurnServer;

/// Frames of 20 ms audio per second.
const FRAMES_PER_SECOND: u64 = 50;
/// Audio both legs play before the measurement starts.
const WARM_UP_FRAMES: u64 = FRAMES_PER_SECOND;
/// Guard against a call that never gets going; not a performance limit.
const SETUP_GUARD: Duration = Duration::from_secs(30);
/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, fixed at 100 on Linux).
const USER_HZ: u64 = 100;

type BoxError = Box<dyn Error + Send + Sync>;

/// User and system CPU time of this process so far (every thread, live or exited).
fn process_cpu() -> Result<(Duration, Duration), BoxError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The command name may hold spaces: fields are counted after its closing parenthesis,
    // where field 3 (`state`) comes first, so `utime` (14) and `stime` (15) are 11 and 12.
    let after_name = stat.rsplit_once(')').ok_or("no ')' in /proc/self/stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| -> Result<Duration, BoxError> {
        let t: u64 = fields.get(i).ok_or("short /proc/self/stat")?.parse()?;
        Ok(Duration::from_millis(t * 1000 / USER_HZ))
    };
    Ok((ticks(11)?, ticks(12)?))
}

/// One side of the call: its peer and the sink counting what it plays out.
struct Leg {
    peer: Arc<dyn MediaPeer>,
    heard: NullSink,
    /// Held so the peer's event queue has a reader for the whole call.
    _events: MediaEvents,
}

async fn leg(
    engine: &WebRtcEngine,
    turn: &SimTurnServer,
    name: &str,
    seed: u64,
) -> Result<Leg, BoxError> {
    let config = PeerConfig {
        ice_servers: vec![turn.issue_credentials(name, Duration::from_secs(3600))],
        ice_policy: IcePolicy::Relay,
        bind_addrs: vec!["127.0.0.1:0".to_owned()],
        ..PeerConfig::default()
    };
    let heard = NullSink::new();
    let (peer, events) = engine
        .create_peer(
            config,
            Box::new(SpeechLikeSource::new(seed)),
            Box::new(heard.clone()),
        )
        .await?;
    Ok(Leg {
        peer,
        heard,
        _events: events,
    })
}

/// What a measured stretch of the call gave.
struct Measurement {
    wall: Duration,
    user: Duration,
    system: Duration,
    frames: [u64; 2],
    stats: [MediaStats; 2],
    relayed: u64,
}

impl Measurement {
    fn cpu(&self) -> Duration {
        self.user + self.system
    }

    /// Seconds of audio played, the mean of the two legs.
    fn audio_seconds(&self) -> f64 {
        (self.frames[0] + self.frames[1]) as f64 / 2.0 / FRAMES_PER_SECOND as f64
    }

    fn cpu_ms_per_call_second(&self) -> f64 {
        self.cpu().as_secs_f64() * 1000.0 / self.audio_seconds()
    }
}

/// Sets up the call, lets audio flow for `seconds` after a one-second warm-up, and measures.
async fn measure_call(seconds: u64) -> Result<Measurement, BoxError> {
    let turn = SimTurnServer::start("bench-secret").await?;
    let engine = WebRtcEngine::new();
    let agent = leg(&engine, &turn, "agent", 1).await?;
    let customer = leg(&engine, &turn, "customer", 2).await?;
    let offer = agent.peer.create_offer().await?;
    let answer = customer.peer.accept_offer(offer).await?;
    agent.peer.apply_answer(answer).await?;

    let legs = [&agent, &customer];
    let started = Instant::now();
    while legs
        .iter()
        .any(|l| l.heard.frames_written() < WARM_UP_FRAMES)
    {
        if started.elapsed() > SETUP_GUARD {
            return Err("no audio both ways within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let frames_before = legs.map(|l| l.heard.frames_written());
    let relayed_before = turn.stats().packets_to_clients;
    let (user_before, system_before) = process_cpu()?;
    let wall_before = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let (user_after, system_after) = process_cpu()?;
    let wall = wall_before.elapsed();
    let frames_after = legs.map(|l| l.heard.frames_written());
    let relayed = turn.stats().packets_to_clients - relayed_before;

    let stats = [agent.peer.stats().await?, customer.peer.stats().await?];
    for l in legs {
        l.peer.close().await?;
    }
    turn.stop().await;
    Ok(Measurement {
        wall,
        user: user_after.saturating_sub(user_before),
        system: system_after.saturating_sub(system_before),
        frames: [
            frames_after[0] - frames_before[0],
            frames_after[1] - frames_before[1],
        ],
        stats,
        relayed,
    })
}

/// `--seconds N` from the arguments, if given.
fn seconds_arg(args: &[String]) -> Result<Option<u64>, BoxError> {
    match args.iter().position(|a| a == "--seconds") {
        Some(i) => {
            let value = args.get(i + 1).ok_or("--seconds needs a value")?;
            Ok(Some(value.parse()?))
        }
        None => Ok(None),
    }
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let seconds = seconds_arg(&args)?.unwrap_or(if bench { 20 } else { 1 });
    if seconds == 0 {
        return Err("--seconds must be at least 1".into());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let m = runtime.block_on(measure_call(seconds))?;

    // The audio really flowed: each leg played and received about what the time allows.
    let expected = seconds * FRAMES_PER_SECOND * 9 / 10;
    for (name, (frames, stats)) in ["agent", "customer"]
        .iter()
        .zip(m.frames.iter().zip(&m.stats))
    {
        if *frames < expected || stats.packets_received < expected {
            return Err(format!(
                "{name} played {frames} frames, received {} packets: expected ≥ {expected}",
                stats.packets_received
            )
            .into());
        }
    }
    if !bench {
        println!("call_cpu: ok ({seconds} s call; run with `cargo bench` to measure)");
        return Ok(());
    }

    let per_call_second = m.cpu_ms_per_call_second();
    println!(
        "call_cpu: {:.1} s of audio both ways (wall {:.2} s): CPU {} ms user + {} ms system \
         → {per_call_second:.1} ms per call-second ({:.1} % of one core), ~{:.1} ms per leg; \
         TURN relayed {} packets; agent lost {}, customer lost {}",
        m.audio_seconds(),
        m.wall.as_secs_f64(),
        m.user.as_millis(),
        m.system.as_millis(),
        per_call_second / 10.0,
        per_call_second / 2.0,
        m.relayed,
        m.stats[0].packets_lost,
        m.stats[1].packets_lost,
    );
    println!(
        "{}",
        serde_json::json!({
            "bench": "call_cpu",
            "audio_seconds": m.audio_seconds(),
            "wall_seconds": m.wall.as_secs_f64(),
            "cpu_user_ms": m.user.as_millis() as u64,
            "cpu_system_ms": m.system.as_millis() as u64,
            "cpu_ms_per_call_second": per_call_second,
            "frames_played": m.frames,
            "packets_relayed": m.relayed,
        })
    );
    Ok(())
}
