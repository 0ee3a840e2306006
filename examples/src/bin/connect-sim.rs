//! The simulator as a standalone server, for clients in any language: a simulated Amazon
//! Connect instance behind `SimServer` (CTI at `<url>/api`, WebSocket, authorize endpoint).
//!
//! On start it prints, and flushes, one `CCP_URL=<url>` line, a `CA_CERT=<path>` line with
//! `--tls`, and one `AGENT <login> token=<token>` line per agent; then it serves until
//! Ctrl-C.
//!
//! ```text
//! cargo run -p connect-examples --bin connect-sim -- --agents 2 --tls --voice-every-ms 5000
//! CCP_URL=https://127.0.0.1:41234
//! CA_CERT=/tmp/connect-sim-ca-4242-0.pem
//! AGENT agent1 token=…
//! AGENT agent2 token=…
//! ```

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use connect_core::mock::{ArrivalScript, ContactSpec, SimChannel, SimInstance, SimServer};

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "A simulated Amazon Connect instance served over HTTP(S) and WebSocket")]
struct Options {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Number of agents (`agent1` … `agentN`).
    #[arg(long, default_value_t = 1)]
    agents: usize,
    /// Serve HTTPS and wss:// with a generated test CA (its PEM path is printed).
    #[arg(long)]
    tls: bool,
    /// A voice contact arrives every this many ms (0: none).
    #[arg(long, default_value_t = 0)]
    voice_every_ms: u64,
    /// A chat arrives every this many ms (0: none).
    #[arg(long, default_value_t = 0)]
    chat_every_ms: u64,
    /// A task arrives every this many ms (0: none).
    #[arg(long, default_value_t = 0)]
    task_every_ms: u64,
    /// Seed of the simulator's ids and arrival jitter.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Arrival scripts for the channels whose interval is set.
fn arrivals(options: &Options) -> Vec<ArrivalScript> {
    [
        (SimChannel::Voice, options.voice_every_ms),
        (SimChannel::Chat, options.chat_every_ms),
        (SimChannel::Task, options.task_every_ms),
    ]
    .into_iter()
    .filter(|(_, every)| *every > 0)
    .map(|(channel, every)| {
        let every = Duration::from_millis(every);
        ArrivalScript::new(ContactSpec::of(channel), u32::MAX, every).start_after(every)
    })
    .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let sim = SimInstance::builder()
        .seed(options.seed)
        .agents(options.agents)
        .build()?;
    let server = SimServer::builder(sim.clone())
        .listen(options.listen)
        .tls(options.tls)
        .insecure_ws(!options.tls)
        .start()
        .await?;
    for script in arrivals(&options) {
        sim.control().script_arrivals(script);
    }

    let mut out = std::io::stdout().lock();
    writeln!(out, "CCP_URL={}", server.url())?;
    if let Some(path) = server.ca_cert_path() {
        writeln!(out, "CA_CERT={}", path.display())?;
    }
    for n in 1..=options.agents {
        let login = format!("agent{n}");
        let token = sim.issue_token(&login)?;
        writeln!(out, "AGENT {login} token={}", token.auth_token.expose())?;
    }
    out.flush()?;
    drop(out);

    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    sim.shutdown();
    Ok(())
}
