//! Headless Chromium, the real browser WebRTC peer of the end-to-end tests: started on a page
//! with a fresh profile and killed (with every process it started) when dropped.
//! `scripts/setup chromium` installs it; a missing binary fails the test.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::process::{Child, Command};

/// The browser binary (`CHROMIUM` overrides it).
fn binary() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// A running headless Chromium.
pub struct Chromium {
    child: Child,
    dir: PathBuf,
}

impl Chromium {
    /// Starts Chromium on `url`. Its log goes to a scratch file, shown if the test panics.
    pub fn open(url: &str) -> Chromium {
        let dir = std::env::temp_dir().join(format!(
            "chromium-{}-{}",
            std::process::id(),
            url.rsplit(':')
                .next()
                .unwrap_or_default()
                .trim_end_matches('/')
        ));
        std::fs::create_dir_all(&dir).expect("chromium scratch dir");
        let log = std::fs::File::create(dir.join("chromium.log")).expect("chromium log file");
        let child = Command::new(binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                "--enable-logging=stderr",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("chromium runs (scripts/setup chromium installs it)");
        Chromium { child, dir }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The browser's renderer, GPU and utility processes share its process group.
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.dir.join("chromium.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- chromium log (last lines) ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
