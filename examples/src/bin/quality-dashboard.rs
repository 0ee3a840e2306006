//! A call-quality dashboard: receives the stats sink's HTTP JSON batches (the
//! call-quality-monitoring solution's `/softphonemetrics`, `/callreport` and `/apimetrics`
//! bodies), serves the current report at `GET /`, and writes it as one self-contained HTML
//! file on exit: per queue, agent and routing profile calls, MOS (mean/min), loss, jitter and
//! RTT; plots of loss, jitter, RTT and MOS over time; failed and short calls; API latency.
//!
//! The first line on stdout is the URL to give the sink. With a contact centre on the
//! simulator:
//!
//! ```text
//! cargo build --release -p connect-examples --bins
//! exec 3< <(target/release/quality-dashboard --listen 127.0.0.1:0 --out report.html --until-calls 20)
//! read -r _ _ URL <&3        # "listening on http://127.0.0.1:PORT/"
//! target/release/contact-center --agents 5 --stats-sink "$URL"
//! cat <&3                    # "wrote report.html (…)" once 20 call reports arrived
//! ```
//!
//! It stops on Ctrl-C, after `--until-calls N` call reports, or after `--for-secs S`,
//! whichever comes first, and writes the report then.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use connect_examples::dashboard::{DashboardConfig, DashboardServer, DEFAULT_MAX_BODY_BYTES};
use std::io::Write;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "Receives call-quality batches from the stats sink and writes an HTML report")]
struct Options {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to write the HTML report on exit.
    #[arg(long, default_value = "quality-report.html")]
    out: PathBuf,
    /// Stop once this many call reports arrived.
    #[arg(long)]
    until_calls: Option<usize>,
    /// Stop after this many seconds.
    #[arg(long)]
    for_secs: Option<u64>,
    /// Calls with less talk time than this are listed as short, in seconds.
    #[arg(long, default_value_t = 10)]
    short_call_secs: u64,
    /// Bodies larger than this are refused with 413, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let config = DashboardConfig {
        short_call_ms: options.short_call_secs.saturating_mul(1000),
        ..DashboardConfig::default()
    };
    let server = DashboardServer::builder()
        .config(config)
        .max_body_bytes(options.max_body_bytes)
        .bind(options.listen)
        .await?;
    println!("listening on {}", server.url());
    std::io::stdout().flush()?;

    let until_calls = async {
        match options.until_calls {
            Some(n) => server.wait_until(|p| p.call_reports >= n).await,
            None => std::future::pending().await,
        }
    };
    let for_secs = async {
        match options.for_secs {
            Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
            None => std::future::pending().await,
        }
    };
    let interrupted = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let reason = tokio::select! {
        () = until_calls => "call reports received",
        () = for_secs => "time is up",
        () = interrupted => "interrupted",
    };
    server.shutdown().await;
    std::fs::write(&options.out, server.html())?;
    let totals = server.read(|d| d.totals());
    println!(
        "wrote {} ({reason}: {} calls, {} call reports, {} batches accepted, {} refused)",
        options.out.display(),
        totals.calls,
        totals.call_reports,
        totals.batches,
        totals.rejected
    );
    Ok(())
}
