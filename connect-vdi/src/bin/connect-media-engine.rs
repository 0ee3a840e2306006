//! `connect-media-engine`: the endpoint media engine of `connect-vdi/1`.
//!
//! Prints its URL (`ws://127.0.0.1:<port>`) on the first line of standard output once it
//! listens. `--devices fake` (the default) runs a tone microphone and a recording speaker;
//! `--devices live` the machine's own devices (build with feature `devices`). Stops gracefully on SIGTERM or Ctrl-C (the desktop is told
//! `disconnected{endpointDisconnected}`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use connect_softphone::audio::{MemorySink, NullSink, WavFileSink};
use connect_vdi::engine::{DeviceSet, EngineConfig, InputSpec};
use connect_vdi::EndpointEngine;

/// The endpoint media engine for Amazon Connect media redirection.
#[derive(Debug, Parser)]
#[command(name = "connect-media-engine", version)]
struct Args {
    /// Address to listen on (keep it on loopback; the port is a deployment choice).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
    /// File holding the pairing token (else `CONNECT_VDI_ENGINE_TOKEN`).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Audio devices: `fake` (the default: a tone microphone and a recording speaker, for
    /// machines without audio hardware and CI) or `live` (this machine's microphones and
    /// speakers; needs a build with feature `devices`).
    #[arg(long, value_enum, default_value_t = Devices::Fake)]
    devices: Devices,
    /// Same as `--devices fake`.
    #[arg(long, conflicts_with = "devices")]
    fake_devices: bool,
    /// Local UDP address the call peers bind (repeat for several; default `0.0.0.0:0`).
    #[arg(long = "peer-bind")]
    peer_bind: Vec<String>,
    /// Frequency of the fake microphone's tone, Hz.
    #[arg(long, default_value_t = 440.0)]
    tone: f64,
    /// Capture from this WAV file (looped) instead of the tone.
    #[arg(long)]
    input_wav: Option<PathBuf>,
    /// Record what the agent hears to this WAV file.
    #[arg(long)]
    record: Option<PathBuf>,
    /// Log level (error, warn, info, debug, trace).
    #[arg(long, default_value = "info")]
    log_level: tracing::Level,
}

/// Where the engine's audio devices come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Devices {
    /// Tone microphone, silence, recording speaker.
    Fake,
    /// The machine's own devices.
    Live,
}

fn token(args: &Args) -> Result<String, String> {
    let token = match &args.token_file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("token file {}: {e}", path.display()))?,
        None => std::env::var(connect_vdi::platform::ENV_ENGINE_TOKEN)
            .map_err(|_| "give --token-file or set CONNECT_VDI_ENGINE_TOKEN".to_owned())?,
    };
    let token = token.trim().to_owned();
    if token.len() < 16 {
        return Err("the pairing token must carry at least 128 bits (16+ characters)".into());
    }
    Ok(token)
}

fn devices(args: &Args) -> Result<DeviceSet, String> {
    match (args.devices, args.fake_devices) {
        (Devices::Live, false) => live_devices(),
        _ => fake_devices(args),
    }
}

#[cfg(feature = "devices")]
fn live_devices() -> Result<DeviceSet, String> {
    let devices = DeviceSet::live().map_err(|e| e.to_string())?;
    tracing::info!(devices = ?devices.list(), "live audio devices");
    Ok(devices)
}

#[cfg(not(feature = "devices"))]
fn live_devices() -> Result<DeviceSet, String> {
    Err("--devices live needs a build with feature `devices`".into())
}

fn fake_devices(args: &Args) -> Result<DeviceSet, String> {
    let input = match &args.input_wav {
        Some(path) => InputSpec::Wav(path.clone()),
        None => InputSpec::Tone {
            freq_hz: args.tone,
            level_dbfs: -12.0,
        },
    };
    let speaker: Box<dyn connect_softphone::audio::AudioSink> = match &args.record {
        Some(path) => Box::new(WavFileSink::create(path).map_err(|e| format!("record file: {e}"))?),
        None => Box::new(NullSink::new()),
    };
    Ok(DeviceSet::new()
        .with_input("mic", "Fake microphone", input)
        .with_input("silence", "Silence", InputSpec::Silence)
        .with_output("speaker", "Fake speaker", speaker)
        .with_output("memory", "Memory", Box::new(MemorySink::new())))
}

async fn run(args: Args) -> Result<(), String> {
    let mut config = EngineConfig::new(token(&args)?, devices(&args)?);
    if !args.peer_bind.is_empty() {
        config.peer_bind_addrs = args.peer_bind.clone();
    }
    let engine = EndpointEngine::start(config, &args.listen)
        .await
        .map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", engine.url());
    let _ = stdout.flush();
    wait_for_stop().await;
    tracing::info!("stopping");
    engine.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_stop() {
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_max_level(args.log_level)
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("connect-media-engine: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("connect-media-engine: {e}");
            ExitCode::FAILURE
        }
    }
}
