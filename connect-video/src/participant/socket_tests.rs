//! Table tests of the chat socket machine, on a virtual clock.

use super::*;

const SUBSCRIBED: &str =
    r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["aws/chat"]}}"#;
const REFUSED: &str = r#"{"topic":"aws/subscribe","content":{"status":"failure"}}"#;
const HEARTBEAT: &str = r#"{"topic":"aws/heartbeat"}"#;
const PING_OK: &str = r#"{"topic":"aws/ping","statusCode":200}"#;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

fn details(token_expiry: Option<i64>) -> ConnectionDetails {
    ConnectionDetails {
        url: Some(Sensitive::new("wss://h/chat")),
        url_expiry: None,
        token_expiry: token_expiry.map(t),
    }
}

struct Harness {
    m: ChatSocketMachine,
    log: Vec<SocketOutput>,
}

impl Harness {
    fn new() -> Self {
        Self {
            m: ChatSocketMachine::new(SocketTimings::default(), 3),
            log: Vec::new(),
        }
    }

    fn drain(&mut self) -> Vec<SocketOutput> {
        let out: Vec<_> = std::iter::from_fn(|| self.m.poll_output()).collect();
        self.log.extend(out.iter().cloned());
        out
    }

    fn opened(&mut self) -> SocketId {
        self.drain()
            .into_iter()
            .find_map(|o| match o {
                SocketOutput::Open { socket, .. } => Some(socket),
                _ => None,
            })
            .expect("an Open output")
    }

    fn events(&mut self) -> Vec<SocketEvent> {
        self.drain()
            .into_iter()
            .filter_map(|o| match o {
                SocketOutput::Event(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    fn sent(&mut self) -> Vec<String> {
        self.drain()
            .into_iter()
            .filter_map(|o| match o {
                SocketOutput::Send { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    /// Start, fetch, open, subscribe at `now`: returns the live socket.
    fn live(&mut self, now: i64, token_expiry: Option<i64>) -> SocketId {
        self.m.start(t(now));
        assert_eq!(self.drain(), [SocketOutput::Fetch(FetchPurpose::Connect)]);
        self.m
            .fetched(t(now), FetchPurpose::Connect, Ok(details(token_expiry)));
        let socket = self.opened();
        self.m.socket_opened(t(now), socket);
        self.m.frame_received(t(now), socket, SUBSCRIBED);
        socket
    }

    fn answer(&mut self, now: i64, socket: SocketId) {
        self.m.frame_received(t(now), socket, HEARTBEAT);
        self.m.frame_received(t(now), socket, PING_OK);
    }
}

#[test]
fn connects_then_heartbeats_every_ten_seconds() {
    let mut h = Harness::new();
    let s = h.live(0, None);
    let out = h.drain();
    assert!(out.contains(&SocketOutput::Event(SocketEvent::Connected)));
    assert!(h.m.is_live());
    h.answer(100, s);
    assert_eq!(h.m.poll_timeout(), Some(t(10_000)));
    h.m.tick(t(9_999));
    assert!(h.sent().is_empty());
    h.m.tick(t(10_000));
    assert_eq!(
        h.sent(),
        [r#"{"topic":"aws/heartbeat"}"#, r#"{"topic":"aws/ping"}"#]
    );
    h.answer(10_050, s);
    h.m.tick(t(20_000));
    assert_eq!(h.sent().len(), 2);
    assert!(h.events().is_empty());
}

#[test]
fn missed_answers_lose_the_connection() {
    // (answer heartbeat, answer ping) before the next tick → lost?
    for (heartbeat, ping, lost) in [
        (true, true, false),
        (false, true, true),
        (true, false, true),
    ] {
        let mut h = Harness::new();
        let s = h.live(0, None);
        h.drain();
        if heartbeat {
            h.m.frame_received(t(10), s, HEARTBEAT);
        }
        if ping {
            h.m.frame_received(t(10), s, PING_OK);
        }
        h.m.tick(t(10_000));
        let events = h.events();
        assert_eq!(
            events.iter().any(|e| matches!(e, SocketEvent::Lost { .. })),
            lost,
            "{heartbeat} {ping}: {events:?}"
        );
    }
}

#[test]
fn failed_deep_heartbeat_loses_the_connection() {
    let mut h = Harness::new();
    let s = h.live(0, None);
    h.drain();
    h.m.frame_received(t(5), s, r#"{"topic":"aws/ping","statusCode":500}"#);
    let out = h.drain();
    assert!(out.contains(&SocketOutput::Close {
        socket: s,
        code: CLOSE_STALE
    }));
    assert!(out
        .iter()
        .any(|o| matches!(o, SocketOutput::Event(SocketEvent::Lost { .. }))));
}

#[test]
fn reopens_with_the_same_url_with_jittered_backoff_then_restores() {
    let mut h = Harness::new();
    let s = h.live(0, None);
    h.drain();
    h.m.socket_closed(t(1_000), s, "reset");
    assert!(matches!(h.events().as_slice(), [SocketEvent::Lost { .. }]));
    let when = h.m.poll_timeout().expect("a reopen deadline").as_millis();
    assert!((1_700..=2_300).contains(&when), "{when}");
    h.m.tick(t(when));
    let s2 = h.opened();
    assert_ne!(s, s2);
    // A second failure doubles the delay.
    h.m.socket_closed(t(when), s2, "refused");
    assert!(h.events().is_empty(), "one Lost per outage");
    let second = h.m.poll_timeout().expect("deadline").as_millis() - when;
    assert!((1_400..=2_600).contains(&second), "{second}");
    h.m.tick(t(when + second));
    let s3 = h.opened();
    h.m.socket_opened(t(when + second), s3);
    h.m.frame_received(t(when + second), s3, SUBSCRIBED);
    assert_eq!(h.events(), [SocketEvent::Restored]);
}

#[test]
fn a_stale_url_is_never_reused() {
    let mut h = Harness::new();
    let s = h.live(0, None);
    h.drain();
    h.answer(1, s);
    // Lost after the URL's 85 s window: fetch new details at once.
    h.m.socket_closed(t(86_000), s, "gone");
    let out = h.drain();
    assert!(
        out.contains(&SocketOutput::Fetch(FetchPurpose::Reconnect)),
        "{out:?}"
    );
    assert!(!out.iter().any(|o| matches!(o, SocketOutput::Open { .. })));
}

#[test]
fn forbidden_fetches() {
    // First connection: a typed auth failure.
    let mut h = Harness::new();
    h.m.start(t(0));
    h.drain();
    h.m.fetched(
        t(0),
        FetchPurpose::Connect,
        Err(FetchFailure::Forbidden("Access denied".into())),
    );
    assert!(matches!(
        h.events().as_slice(),
        [SocketEvent::Failed(ChatError::Auth { .. })]
    ));
    assert!(h.m.is_ended());

    // After a loss: the chat has ended.
    let mut h = Harness::new();
    let s = h.live(0, None);
    h.drain();
    h.m.socket_closed(t(90_000), s, "gone");
    h.drain();
    h.m.fetched(
        t(90_000),
        FetchPurpose::Reconnect,
        Err(FetchFailure::Forbidden("no".into())),
    );
    assert_eq!(h.events(), [SocketEvent::Ended]);
    assert!(h.m.is_ended());
    assert_eq!(h.m.poll_timeout(), None);
}

#[test]
fn retryable_fetch_failures_back_off() {
    // Before the first connection: three failures give up.
    let mut h = Harness::new();
    h.m.start(t(0));
    h.drain();
    let mut now = 0;
    for expected in [2_000, 4_000] {
        h.m.fetched(
            t(now),
            FetchPurpose::Connect,
            Err(FetchFailure::Retryable(ChatError::Timeout)),
        );
        let next = h.m.poll_timeout().expect("retry").as_millis();
        assert_eq!(next - now, expected);
        now = next;
        h.m.tick(t(now));
        assert_eq!(h.drain(), [SocketOutput::Fetch(FetchPurpose::Connect)]);
    }
    h.m.fetched(
        t(now),
        FetchPurpose::Connect,
        Err(FetchFailure::Retryable(ChatError::Timeout)),
    );
    assert_eq!(h.events(), [SocketEvent::Failed(ChatError::Timeout)]);

    // After a loss: keeps retrying, capped at 30 s.
    let mut h = Harness::new();
    let s = h.live(0, None);
    h.drain();
    h.m.socket_closed(t(90_000), s, "gone");
    h.drain();
    let mut now = 90_000;
    let mut waits = Vec::new();
    for _ in 0..6 {
        h.m.fetched(
            t(now),
            FetchPurpose::Reconnect,
            Err(FetchFailure::Retryable(ChatError::Timeout)),
        );
        let next = h.m.poll_timeout().expect("retry").as_millis();
        waits.push(next - now);
        now = next;
        h.m.tick(t(now));
        assert_eq!(h.drain(), [SocketOutput::Fetch(FetchPurpose::Reconnect)]);
    }
    assert_eq!(waits, [2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
}

#[test]
fn rolls_over_make_before_break_at_3540_seconds() {
    let mut h = Harness::new();
    let s1 = h.live(0, None);
    h.drain();
    let mut now = 0;
    while now < 3_540_000 {
        h.answer(now + 1, s1);
        now = h.m.poll_timeout().expect("deadline").as_millis();
        h.m.tick(t(now));
        h.drain();
    }
    assert!(h.log.contains(&SocketOutput::Fetch(FetchPurpose::Rotate)));
    h.m.fetched(t(now), FetchPurpose::Rotate, Ok(details(None)));
    let s2 = h.opened();
    // Both sockets carry items until the new one is subscribed.
    h.m.socket_opened(t(now), s2);
    let item = r#"{"topic":"aws/chat","content":"{\"Id\":\"a\",\"AbsoluteTime\":\"2025-03-01T09:00:00.000Z\"}"}"#;
    h.m.frame_received(t(now), s1, item);
    assert!(matches!(h.events().as_slice(), [SocketEvent::Item(_)]));
    h.m.frame_received(t(now + 5), s2, SUBSCRIBED);
    let out = h.drain();
    assert!(out.contains(&SocketOutput::Close {
        socket: s1,
        code: CLOSE_NORMAL
    }));
    assert!(out.contains(&SocketOutput::Event(SocketEvent::Rotated)));
    // Frames still arriving on the old socket are dropped.
    h.m.frame_received(t(now + 6), s1, item);
    assert!(h.events().is_empty());
    h.m.socket_closed(t(now + 7), s1, "closed");
    assert!(h.events().is_empty());
    assert!(h.m.is_live());
}

#[test]
fn subscription_retries_then_fails_the_socket() {
    // Five `failure` answers, 500 ms apart.
    let mut h = Harness::new();
    h.m.start(t(0));
    h.drain();
    h.m.fetched(t(0), FetchPurpose::Connect, Ok(details(None)));
    let s = h.opened();
    h.m.socket_opened(t(0), s);
    h.drain();
    let mut now = 0;
    for _ in 0..4 {
        h.m.frame_received(t(now), s, REFUSED);
        now = h.m.poll_timeout().expect("retry").as_millis();
        h.m.tick(t(now));
        assert_eq!(h.sent().len(), 1);
    }
    assert_eq!(now, 2_000);
    h.m.frame_received(t(now), s, REFUSED);
    assert!(h.drain().contains(&SocketOutput::Close {
        socket: s,
        code: CLOSE_STALE
    }));

    // Unanswered: resent every second, more than three → failed.
    let mut h = Harness::new();
    h.m.start(t(0));
    h.drain();
    h.m.fetched(t(0), FetchPurpose::Connect, Ok(details(None)));
    let s = h.opened();
    h.m.socket_opened(t(0), s);
    h.drain();
    for second in 1..=3 {
        h.m.tick(t(second * 1_000));
        assert_eq!(h.sent().len(), 1, "resend {second}");
    }
    h.m.tick(t(4_000));
    assert!(h.drain().contains(&SocketOutput::Close {
        socket: s,
        code: CLOSE_STALE
    }));
}

#[test]
fn open_timeout_fails_the_socket() {
    let mut h = Harness::new();
    h.m.start(t(0));
    h.drain();
    h.m.fetched(t(0), FetchPurpose::Connect, Ok(details(None)));
    let s = h.opened();
    assert_eq!(h.m.poll_timeout(), Some(t(10_000)));
    h.m.tick(t(10_000));
    assert!(h.drain().contains(&SocketOutput::Close {
        socket: s,
        code: CLOSE_STALE
    }));
}

#[test]
fn renews_the_connection_token_a_minute_before_expiry() {
    let mut h = Harness::new();
    let s = h.live(0, Some(300_000));
    h.drain();
    let mut now = 0;
    while now < 240_000 {
        h.answer(now + 1, s);
        now = h.m.poll_timeout().expect("deadline").as_millis();
        h.m.tick(t(now));
        h.drain();
    }
    assert_eq!(now, 240_000);
    assert!(h
        .log
        .contains(&SocketOutput::Fetch(FetchPurpose::RenewToken)));
    h.m.fetched(t(now), FetchPurpose::RenewToken, Ok(details(Some(900_000))));
    assert!(
        !h.drain()
            .iter()
            .any(|o| matches!(o, SocketOutput::Open { .. })),
        "no new socket"
    );
    assert!(h.m.is_live());
}

#[test]
fn malformed_frames_are_reported_and_ignored() {
    let mut h = Harness::new();
    let s = h.live(0, None);
    h.drain();
    for text in ["{", r#"{"topic":"aws/chat","content":"{}"}"#, "[]"] {
        h.m.frame_received(t(1), s, text);
        assert!(matches!(h.events().as_slice(), [SocketEvent::Malformed(e)] if e.is_protocol()));
    }
    h.m.frame_received(
        t(1),
        s,
        r#"{"message":"Internal error","connectionId":"c"}"#,
    );
    assert!(matches!(
        h.events().as_slice(),
        [SocketEvent::ServerError { .. }]
    ));
    assert!(h.m.is_live());
}
