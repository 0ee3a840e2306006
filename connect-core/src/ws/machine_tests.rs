//! Table-driven tests of every [`WsMachine`] transition, on a manual time line.

use std::time::Duration;

use super::*;
use crate::model::Timestamp;

/// One step of a scenario; times are absolute milliseconds.
#[derive(Clone, Copy, Debug)]
enum Step {
    Start,
    /// Set the time and tick.
    At(i64),
    UrlOk(&'static str, u64),
    UrlErr,
    Opened(u64),
    Closed(u64),
    Frame(u64, &'static str),
    Sub(&'static str),
    Unsub(&'static str),
    Net,
    /// The outputs since the last `Out`, rendered by [`render`].
    Out(&'static [&'static str]),
    State(WsState),
    Timeout(Option<i64>),
}
use Step::*;

const WSS: &str = "wss://ccp.example/ws?ticket=t";
const HB: &str = r#"{"topic":"aws/heartbeat"}"#;
const SUB_OK_A: &str = r#"{"topic":"aws/subscribe","content":{"status":"success","topics":["a"]}}"#;
const SUB_FAIL_A: &str =
    r#"{"topic":"aws/subscribe","content":{"status":"failure","topics":["a"]}}"#;
const MSG_A: &str = r#"{"topic":"a","content":1}"#;
const MSG_B: &str = r#"{"topic":"b","content":2}"#;

fn render(out: &WsOutput) -> String {
    match out {
        WsOutput::FetchUrl => "fetch".into(),
        WsOutput::Open { socket, .. } => format!("open {}", socket.0),
        WsOutput::Close { socket, code } => format!("close {} {code}", socket.0),
        WsOutput::Send { socket, text } => match Inbound::parse(text) {
            Inbound::Heartbeat => format!("hb {}", socket.0),
            Inbound::Message { topic, content } => {
                let topics = content["topics"].as_array().map(|t| {
                    t.iter()
                        .filter_map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                });
                match (topic.as_str(), topics) {
                    ("aws/unsubscribe", Some(t)) => format!("unsub {} {t}", socket.0),
                    _ => format!("send {} {topic} {content}", socket.0),
                }
            }
            // `aws/subscribe` requests parse as malformed answers (no status).
            _ => {
                let frame: super::Frame =
                    serde_json::from_str(text).unwrap_or_else(|_| super::Frame::heartbeat());
                let topics = frame
                    .content
                    .map(|c| c["topics"].clone())
                    .unwrap_or_default();
                let topics: Vec<&str> = topics
                    .as_array()
                    .map(|t| t.iter().filter_map(|t| t.as_str()).collect())
                    .unwrap_or_default();
                format!("sub {} {}", socket.0, topics.join(","))
            }
        },
        WsOutput::Event(event) => match event {
            WsEvent::ConnectionGained => "gained".into(),
            WsEvent::ConnectionLost { .. } => "lost".into(),
            WsEvent::Message { topic, content } => format!("msg {topic} {content}"),
            WsEvent::SubscriptionUpdate { topics } => format!("subscribed {}", topics.join(",")),
            WsEvent::SubscriptionFailure { topics } => format!("subfail {}", topics.join(",")),
            WsEvent::InitFailure { .. } => "init_failure".into(),
            WsEvent::Resumed { cause } => format!("resumed {cause:?}"),
            other => format!("{other:?}"),
        },
    }
}

fn options() -> MachineOptions {
    MachineOptions {
        policy: ReconnectPolicy::default().with_jitter(0.0),
        ..MachineOptions::default()
    }
}

fn run(name: &str, opts: MachineOptions, steps: &[Step]) {
    let mut m = WsMachine::new(opts);
    let mut now = Timestamp::from_millis(0);
    for (i, step) in steps.iter().enumerate() {
        let at = format!("{name}, step {i} {step:?}");
        match *step {
            Start => m.start(now),
            At(ms) => {
                now = Timestamp::from_millis(ms);
                m.tick(now);
            }
            UrlOk(url, secs) => m.url_fetched(now, Ok(WsUrl::new(url, Duration::from_secs(secs)))),
            UrlErr => m.url_fetched(now, Err(WsUrlError::new("down", true))),
            Opened(id) => m.socket_opened(now, SocketId(id)),
            Closed(id) => m.socket_closed(now, SocketId(id), "gone"),
            Frame(id, text) => m.frame_received(now, SocketId(id), text),
            Sub(topic) => m.subscribe(now, topic),
            Unsub(topic) => m.unsubscribe(now, topic),
            Net => m.network_changed(now),
            Out(expected) => {
                let got: Vec<String> = std::iter::from_fn(|| m.poll_output())
                    .map(|o| render(&o))
                    .collect();
                assert_eq!(got, expected, "{at}");
            }
            State(state) => assert_eq!(m.state(), state, "{at}"),
            Timeout(t) => assert_eq!(m.poll_timeout().map(|t| t.as_millis()), t, "{at}"),
        }
    }
}

/// Open socket 1 at t=0 with topic `a` subscribed and confirmed.
const OPEN_WITH_A: &[Step] = &[
    Sub("a"),
    Start,
    Out(&["fetch"]),
    State(WsState::FetchingUrl),
    UrlOk(WSS, 300),
    Out(&["open 1"]),
    State(WsState::Opening),
    Timeout(Some(10_000)),
    Opened(1),
    Out(&["hb 1", "sub 1 a", "gained"]),
    State(WsState::Open),
    Frame(1, SUB_OK_A),
    Frame(1, HB),
    Out(&["subscribed a"]),
];

fn with_open(steps: &[Step]) -> Vec<Step> {
    OPEN_WITH_A.iter().chain(steps).copied().collect()
}

#[test]
fn connect_subscribe_and_receive() {
    run(
        "connect",
        options(),
        &with_open(&[
            Frame(1, MSG_A),
            Frame(1, MSG_B),
            Out(&["msg a 1"]),
            Frame(1, "not json"),
            Frame(1, r#"{"message":"server says no"}"#),
            Frame(1, r#"{"topic":7}"#),
            Out(&[]),
            State(WsState::Open),
        ]),
    );
}

#[test]
fn heartbeats_every_ten_seconds_and_a_missed_answer_rebuilds() {
    run(
        "heartbeat",
        options(),
        &with_open(&[
            Timeout(Some(10_000)),
            At(10_000),
            Out(&["hb 1"]),
            Frame(1, HB),
            At(20_000),
            Out(&["hb 1"]),
            At(30_000),
            Out(&["close 1 4000", "lost", "fetch"]),
            State(WsState::FetchingUrl),
            UrlOk(WSS, 300),
            Out(&["open 2"]),
            Opened(2),
            Out(&["hb 2", "sub 2 a", "gained", "resumed MissedHeartbeat"]),
            Frame(1, MSG_A),
            Out(&[]),
        ]),
    );
}

#[test]
fn failed_opens_back_off_and_a_url_older_than_85_s_is_never_used() {
    run(
        "backoff",
        options(),
        &[
            Start,
            Out(&["fetch"]),
            UrlOk(WSS, 300),
            Out(&["open 1"]),
            At(10_000),
            Out(&["close 1 4000"]),
            State(WsState::BackingOff),
            Timeout(Some(12_000)),
            At(12_000),
            Out(&["open 2"]),
            Closed(2),
            Timeout(Some(16_000)),
            At(16_000),
            Out(&["open 3"]),
            Closed(3),
            At(24_000),
            Out(&["open 4"]),
            Closed(4),
            At(40_000),
            Out(&["open 5"]),
            Closed(5),
            Timeout(Some(70_000)), // capped at 30 s
            At(70_000),
            Out(&["open 6"]),
            Closed(6),
            At(100_000),
            Out(&["fetch"]), // the URL is 100 s old
            UrlOk(WSS, 300),
            Out(&["open 7"]),
            Opened(7),
            Out(&["hb 7", "gained"]),
            Closed(7),
            Out(&["lost"]),
            Timeout(Some(102_000)), // reset by the successful open
            At(102_000),
            Out(&["fetch"]), // a URL serves one successful open
        ],
    );
}

#[test]
fn url_fetch_failures_use_the_same_policy() {
    run(
        "fetch-backoff",
        options(),
        &[
            Start,
            Out(&["fetch"]),
            UrlErr,
            State(WsState::BackingOff),
            Timeout(Some(2_000)),
            At(2_000),
            Out(&["fetch"]),
            UrlErr,
            Timeout(Some(6_000)),
            At(5_999),
            Out(&[]),
            At(6_000),
            Out(&["fetch"]),
            UrlOk(WSS, 300),
            Out(&["open 1"]),
        ],
    );
}

#[test]
fn reconnect_resubscribes_and_reports_lost_once_per_outage() {
    run(
        "reconnect",
        options(),
        &with_open(&[
            Closed(1),
            Out(&["lost"]),
            State(WsState::BackingOff),
            At(2_000),
            Out(&["fetch"]),
            UrlOk(WSS, 300),
            Out(&["open 2"]),
            Closed(2),
            Out(&[]),
            At(6_000),
            Out(&["open 3"]),
            Opened(3),
            Out(&["hb 3", "sub 3 a", "gained"]),
            Frame(3, SUB_OK_A),
            Frame(3, MSG_A),
            Out(&["subscribed a", "msg a 1"]),
        ]),
    );
}

#[test]
fn rotation_at_lifetime_is_make_before_break() {
    let mut opts = options();
    opts.timings.heartbeat = Duration::from_secs(1_000);
    run(
        "rotation",
        opts,
        &with_open(&[
            Timeout(Some(300_000)),
            At(300_000),
            Out(&["fetch"]),
            State(WsState::Rotating),
            UrlOk(WSS, 300),
            Out(&["open 2"]),
            Opened(2),
            Out(&["hb 2", "sub 2 a"]),
            Frame(1, MSG_A),
            Frame(2, MSG_B),
            Out(&["msg a 1"]),
            Frame(2, SUB_OK_A),
            Out(&["close 1 1000"]),
            State(WsState::Open),
            Frame(1, MSG_A),
            Out(&[]),
            Frame(2, MSG_A),
            Out(&["msg a 1"]),
        ]),
    );
}

#[test]
fn primary_closing_during_rotation_promotes_the_replacement() {
    let mut opts = options();
    opts.timings.heartbeat = Duration::from_secs(1_000);
    run(
        "rotation-close",
        opts,
        &with_open(&[
            At(300_000),
            UrlOk(WSS, 300),
            Opened(2),
            Out(&["fetch", "open 2", "hb 2", "sub 2 a"]),
            Closed(1),
            Out(&[]),
            State(WsState::Open),
            Frame(2, SUB_OK_A),
            Frame(2, MSG_A),
            Out(&["subscribed a", "msg a 1"]),
        ]),
    );
}

#[test]
fn a_failed_replacement_keeps_the_primary_and_retries() {
    let mut opts = options();
    opts.timings.heartbeat = Duration::from_secs(1_000);
    run(
        "rotation-retry",
        opts,
        &with_open(&[
            At(300_000),
            UrlOk(WSS, 300),
            Closed(2),
            Out(&["fetch", "open 2"]),
            State(WsState::Rotating),
            Frame(1, MSG_A),
            Out(&["msg a 1"]),
            At(302_000),
            Out(&["open 3"]),
        ]),
    );
}

#[test]
fn unanswered_subscribes_are_resent_then_fail() {
    run(
        "sub-unanswered",
        options(),
        &[
            Sub("a"),
            Start,
            UrlOk(WSS, 300),
            Opened(1),
            Out(&["fetch", "open 1", "hb 1", "sub 1 a", "gained"]),
            Frame(1, HB),
            Timeout(Some(1_000)),
            At(1_000),
            Out(&["sub 1 a"]),
            At(2_000),
            Out(&["sub 1 a"]),
            At(3_000),
            Out(&["sub 1 a"]),
            At(4_000),
            Out(&["subfail a"]),
            At(5_000),
            Out(&[]),
            Sub("b"),
            Out(&["sub 1 a,b"]),
        ],
    );
}

#[test]
fn failure_answers_retry_every_500_ms_and_fail_after_five() {
    run(
        "sub-failure",
        options(),
        &[
            Sub("a"),
            Start,
            UrlOk(WSS, 300),
            Opened(1),
            Out(&["fetch", "open 1", "hb 1", "sub 1 a", "gained"]),
            Frame(1, SUB_FAIL_A),
            Timeout(Some(500)),
            At(500),
            Out(&["sub 1 a"]),
            Frame(1, SUB_FAIL_A),
            At(1_000),
            Frame(1, SUB_FAIL_A),
            At(1_500),
            Frame(1, SUB_FAIL_A),
            At(2_000),
            Out(&["sub 1 a", "sub 1 a", "sub 1 a"]),
            Frame(1, SUB_FAIL_A),
            Out(&["subfail a"]),
            At(3_000),
            Out(&[]),
        ],
    );
}

#[test]
fn config_checks_stop_the_manager() {
    for (url, secs, allow, out) in [
        ("ws://127.0.0.1:1/ws", 300, false, "init_failure"),
        ("ws://127.0.0.1:1/ws", 300, true, "open 1"),
        ("ws://example.com/ws", 300, true, "init_failure"),
        (WSS, 299, false, "init_failure"),
    ] {
        let mut opts = options();
        opts.allow_insecure_loopback = allow;
        let state = if out == "init_failure" {
            WsState::Stopped
        } else {
            WsState::Opening
        };
        let outs: &'static [&'static str] = Box::leak(vec!["fetch", out].into_boxed_slice());
        run(
            url,
            opts,
            &[Start, UrlOk(url, secs), Out(outs), State(state)],
        );
    }
}

#[test]
fn sends_refuse_reserved_topics_and_need_an_open_socket() {
    let mut m = WsMachine::new(options());
    let t = Timestamp::from_millis(0);
    assert_eq!(m.send(t, "x", 1.into()), Err(WsError::NotConnected));
    m.start(t);
    m.url_fetched(t, Ok(WsUrl::new(WSS, Duration::from_secs(300))));
    m.socket_opened(t, SocketId(1));
    while m.poll_output().is_some() {}
    for reserved in [TOPIC_HEARTBEAT, TOPIC_SUBSCRIBE, TOPIC_UNSUBSCRIBE] {
        assert_eq!(
            m.send(t, reserved, 1.into()),
            Err(WsError::ReservedTopic(reserved.into()))
        );
    }
    assert_eq!(m.send(t, "x", 1.into()), Ok(()));
    assert_eq!(
        m.poll_output().map(|o| render(&o)),
        Some("send 1 x 1".into())
    );
    m.stop();
    assert_eq!(
        m.poll_output().map(|o| render(&o)),
        Some("close 1 1000".into())
    );
    assert_eq!(m.send(t, "x", 1.into()), Err(WsError::Stopped));
}

#[test]
fn network_change_rebuilds_make_before_break_and_reports_resumed() {
    run(
        "network-open",
        options(),
        &with_open(&[
            Net,
            Out(&["fetch"]),
            State(WsState::Rotating),
            UrlOk(WSS, 300),
            Opened(2),
            Frame(2, SUB_OK_A),
            Out(&[
                "open 2",
                "hb 2",
                "sub 2 a",
                "close 1 1000",
                "resumed NetworkChanged",
            ]),
        ]),
    );
    run(
        "network-backoff",
        options(),
        &with_open(&[
            Closed(1),
            Out(&["lost"]),
            State(WsState::BackingOff),
            At(100),
            Net,
            Out(&["fetch"]),
        ]),
    );
}

#[test]
fn unsubscribe_sends_aws_unsubscribe_and_stops_delivery() {
    run(
        "unsubscribe",
        options(),
        &with_open(&[Unsub("a"), Out(&["unsub 1 a"]), Frame(1, MSG_A), Out(&[])]),
    );
}

#[test]
fn frames_from_unknown_sockets_are_ignored() {
    run(
        "unknown",
        options(),
        &with_open(&[
            Frame(9, MSG_A),
            Opened(9),
            Closed(9),
            Out(&[]),
            State(WsState::Open),
        ]),
    );
}
