//! coturn, the real TURN relay of the end-to-end tests: started on loopback with
//! `use-auth-secret` (time-limited TURN REST API credentials, the way Connect issues them) and
//! stopped when dropped. `scripts/setup coturn` installs it; a missing binary fails the test.

use std::net::UdpSocket;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use connect_core::model::Sensitive;
use connect_softphone::media::IceServer;

use tokio::process::{Child, Command};

/// STUN binding request attempts while coturn starts (50 ms apart).
const READY_ATTEMPTS: u32 = 200;

/// How many relay ports above the first one coturn may allocate.
const RELAY_PORTS: u16 = 400;

/// A running `turnserver`.
pub struct Coturn {
    child: Child,
    port: u16,
    relay_min: u16,
    secret: String,
    dir: std::path::PathBuf,
}

impl Coturn {
    /// Starts coturn on a free loopback port with its own relay port range and database, and
    /// waits until it answers a STUN binding request.
    pub async fn start(secret: &str) -> Coturn {
        let port = free_udp_port();
        let relay_min = 20_000 + (port % 20_000);
        let dir = std::env::temp_dir().join(format!("coturn-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("coturn scratch dir");
        let child = Command::new("turnserver")
            .args([
                "-n",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--fingerprint",
                "--simple-log",
                "--verbose",
            ])
            .args(["--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
            .arg(format!("--listening-port={port}"))
            .arg(format!("--min-port={relay_min}"))
            .arg(format!("--max-port={}", relay_min + RELAY_PORTS))
            .args([
                "--use-auth-secret",
                "--realm=connect.test",
                "--allow-loopback-peers",
            ])
            .arg(format!("--static-auth-secret={secret}"))
            .arg(format!("--userdb={}", dir.join("turndb").display()))
            .arg(format!(
                "--pidfile={}",
                dir.join("turnserver.pid").display()
            ))
            .arg(format!("--log-file={}", dir.join("turn.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("turnserver runs (scripts/setup coturn installs it)");
        let coturn = Coturn {
            child,
            port,
            relay_min,
            secret: secret.to_owned(),
            dir,
        };
        coturn.wait_ready().await;
        coturn
    }

    /// `turn:127.0.0.1:<port>?transport=udp`.
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}?transport=udp", self.port)
    }

    /// Time-limited TURN REST API credentials for `name`, valid for `ttl` from now.
    pub fn ice_server(&self, name: &str, ttl: Duration) -> IceServer {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let username = format!("{}:{name}", now + ttl.as_secs());
        let credential = connect_core::mock::turn_credential(&self.secret, &username);
        IceServer::new(vec![self.url()], username, Sensitive::new(credential))
    }

    /// The ports coturn allocates relay addresses from.
    pub fn relay_ports(&self) -> std::ops::RangeInclusive<u16> {
        self.relay_min..=self.relay_min + RELAY_PORTS
    }

    /// coturn's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("turn.log")).unwrap_or_default()
    }

    /// The log lines of the relay allocations coturn granted so far (each names its user as
    /// `<user name>`).
    pub fn allocations(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains("ALLOCATE processed, success"))
            .map(str::to_owned)
            .collect()
    }

    /// Whether `candidate` (an SDP `candidate:` attribute) is a relay candidate on one of
    /// coturn's relay ports.
    pub fn relays(&self, candidate: &str) -> bool {
        let words: Vec<&str> = candidate.split_whitespace().collect();
        words.get(6..8) == Some(&["typ", "relay"][..])
            && words
                .get(5)
                .and_then(|p| p.parse().ok())
                .is_some_and(|port| self.relay_ports().contains(&port))
    }

    /// The shared secret credentials are derived from.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    async fn wait_ready(&self) {
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0")
            .await
            .expect("probe socket");
        let mut request = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        request.extend_from_slice(b"connectprobe");
        let mut reply = [0u8; 512];
        for _ in 0..READY_ATTEMPTS {
            socket
                .send_to(&request, ("127.0.0.1", self.port))
                .await
                .expect("probe sent");
            let answer = tokio::time::timeout(Duration::from_millis(50), socket.recv(&mut reply));
            if let Ok(Ok(n)) = answer.await {
                if n >= 2 && reply[..2] == [0x01, 0x01] {
                    return;
                }
            }
        }
        panic!(
            "coturn did not answer a STUN binding request on port {}",
            self.port
        );
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A UDP port that was free a moment ago.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
