//! The `connect-media-engine` binary as a child process on loopback.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use connect_testkit::within;

use super::TOKEN;

/// Starts the engine binary with `args` (plus the test token) and reads the URL it prints;
/// when it exits instead, its exit status and standard error.
pub async fn engine_process(args: &[&str]) -> Result<(Child, String), (i32, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-media-engine"))
        .args(args)
        .args(["--log-level", "warn"])
        .env(connect_vdi::platform::ENV_ENGINE_TOKEN, TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("engine process starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    within(
        "the engine prints its URL or exits",
        BufReader::new(stdout).read_line(&mut line),
    )
    .await
    .expect("readable stdout");
    if !line.trim().is_empty() {
        return Ok((child, line.trim().to_owned()));
    }
    let status = child.wait().await.expect("engine exit status");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr).await;
    }
    Err((status.code().unwrap_or(-1), stderr))
}
