//! The WebSocket constants of §5 and the checks a URL config must pass.

use std::time::Duration;

/// Timing constants of the WebSocket manager; the defaults are the spec's values.
///
/// ```
/// use connect_core::ws::WsTimings;
///
/// let t = WsTimings::default();
/// assert_eq!(t.heartbeat.as_secs(), 10);
/// assert_eq!(t.url_validity.as_secs(), 85);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WsTimings {
    /// A fetched URL opens sockets for this long; afterwards a new one is fetched (85 s).
    pub url_validity: Duration,
    /// Heartbeat period; an answer missing at the next tick rebuilds the socket (10 s).
    pub heartbeat: Duration,
    /// A socket not open after this long counts as a failed open (10 s).
    pub open_timeout: Duration,
    /// No subscribe answer within this → resend (1 s).
    pub subscribe_answer: Duration,
    /// More than this many unanswered subscribe requests in a row → failure (3).
    pub max_unanswered_subscribes: u32,
    /// Wait after a `failure` answer before resubscribing (500 ms).
    pub subscribe_retry: Duration,
    /// This many `failure` answers in a row → failure (5).
    pub max_subscribe_failures: u32,
    /// Shortest accepted `transportLifeTimeInSeconds` (300 s).
    pub min_lifetime: Duration,
}

impl Default for WsTimings {
    fn default() -> Self {
        Self {
            url_validity: Duration::from_millis(85_000),
            heartbeat: Duration::from_millis(10_000),
            open_timeout: Duration::from_millis(10_000),
            subscribe_answer: Duration::from_millis(1_000),
            max_unanswered_subscribes: 3,
            subscribe_retry: Duration::from_millis(500),
            max_subscribe_failures: 5,
            min_lifetime: Duration::from_secs(300),
        }
    }
}

/// Checks a WebSocket URL: `wss://` always; `ws://` only to a loopback host and only when
/// `allow_insecure_loopback` (the simulator). Returns the reason for refusing.
///
/// ```
/// use connect_core::ws::check_ws_url;
///
/// assert!(check_ws_url("wss://example.com/ws", false).is_ok());
/// assert!(check_ws_url("ws://127.0.0.1:9/ws", false).is_err());
/// assert!(check_ws_url("ws://127.0.0.1:9/ws", true).is_ok());
/// assert!(check_ws_url("ws://example.com/ws", true).is_err());
/// ```
pub fn check_ws_url(url: &str, allow_insecure_loopback: bool) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("wss://") {
        return match host_of(rest) {
            "" => Err("the WebSocket URL has no host".into()),
            _ => Ok(()),
        };
    }
    let Some(rest) = lower.strip_prefix("ws://") else {
        return Err("the WebSocket URL is neither wss:// nor ws://".into());
    };
    if !allow_insecure_loopback {
        return Err("ws:// WebSocket URLs are refused (insecure loopback not allowed)".into());
    }
    if is_loopback_host(host_of(rest)) {
        Ok(())
    } else {
        Err("ws:// is allowed only to a loopback host".into())
    }
}

/// The host part of `rest` (what follows `scheme://`), without user info or port.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    host_port.split(':').next().unwrap_or_default()
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        let cases = [
            ("wss://h:443/x?ticket=1", false, true),
            ("WSS://H/", false, true),
            ("wss:///x", false, false),
            ("https://h/", true, false),
            ("ws://localhost:80/ws", true, true),
            ("ws://[::1]:80/ws", true, true),
            ("ws://127.0.0.2/ws", true, true),
            ("ws://u:p@127.0.0.1:1/ws", true, true),
            ("ws://127.0.0.1.evil.com/ws", true, false),
            ("ws://localhost/ws", false, false),
        ];
        for (url, allow, ok) in cases {
            assert_eq!(check_ws_url(url, allow).is_ok(), ok, "{url} {allow}");
        }
    }
}
