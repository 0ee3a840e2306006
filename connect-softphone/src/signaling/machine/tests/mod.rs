//! Tests of the signaling machine with a manual clock: the harness, the table of every §6
//! transition, and whole flows.

mod established;
mod flows;
mod transitions;

use connect_core::model::{Sensitive, Timestamp};
use serde_json::{json, Value};

use super::*;
use crate::signaling::proto::{DirectAuth, IceCandidate};
use crate::signaling::{RpcMethod, SignalingError};

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// A machine, its clock and everything it output so far.
struct H {
    m: SignalingMachine,
    now: i64,
    outputs: Vec<SignalingOutput>,
}

impl H {
    fn new(kind: ChannelKind, persistent: bool, strict: bool) -> Self {
        let mut config = SignalingConfig::new(kind, "browser-1");
        config.persistent_connection = persistent;
        if strict {
            config.ack_policy = AckPolicy::Strict;
        }
        let leg = CallLeg::new("ac-1", Some("c-1".into()), Some(Sensitive::new("cct")));
        let mut h = Self {
            m: SignalingMachine::new(config, leg, t(0)),
            now: 0,
            outputs: Vec::new(),
        };
        h.drain();
        h
    }

    fn drain(&mut self) -> Vec<SignalingOutput> {
        let mut new = Vec::new();
        while let Some(o) = self.m.poll_output() {
            new.push(o);
        }
        self.outputs.extend(new.clone());
        new
    }

    fn at(&mut self, ms: i64) -> Timestamp {
        self.now = ms;
        t(ms)
    }

    fn advance(&mut self, ms: i64) -> Vec<SignalingOutput> {
        let now = self.at(self.now + ms);
        self.m.tick(now);
        self.drain()
    }

    fn opened(&mut self) -> Vec<SignalingOutput> {
        self.m.channel_opened(t(self.now));
        self.drain()
    }

    fn down(&mut self) -> Vec<SignalingOutput> {
        self.m.channel_down(t(self.now), "test");
        self.drain()
    }

    fn invite(&mut self) -> Vec<SignalingOutput> {
        let c = IceCandidate::new("candidate:1 1 udp 1 192.0.2.1 3478 typ relay", "0", 0);
        assert!(self.m.invite(t(self.now), "v=0".into(), vec![c]));
        self.drain()
    }

    fn hangup(&mut self) -> Vec<SignalingOutput> {
        self.m.hangup(t(self.now), "ac-1");
        self.drain()
    }

    /// The id and message of the last sent request of `method`.
    fn last(&self, method: &str) -> (String, Value) {
        self.outputs
            .iter()
            .rev()
            .find_map(|o| match o {
                SignalingOutput::Send { message, .. } if message["method"] == method => Some((
                    message["id"].as_str().unwrap_or_default().to_owned(),
                    message.clone(),
                )),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {method} sent"))
    }

    fn reply(&mut self, method: &str, result: Value) -> Vec<SignalingOutput> {
        let mut before = self.drain();
        let (id, _) = self.last(method);
        let msg = json!({"jsonrpc": "2.0", "id": id, "result": result});
        self.m
            .receive(t(self.now), Some("ac-1"), &msg)
            .expect("a valid response");
        before.extend(self.drain());
        before
    }

    fn error(&mut self, method: &str, code: i64, message: &str) -> Vec<SignalingOutput> {
        let mut before = self.drain();
        let (id, _) = self.last(method);
        let msg = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
        self.m
            .receive(t(self.now), Some("ac-1"), &msg)
            .expect("a valid error");
        before.extend(self.drain());
        before
    }

    fn server(&mut self, msg: Value) -> Vec<SignalingOutput> {
        self.m
            .receive(t(self.now), Some("ac-1"), &msg)
            .expect("a valid server message");
        self.drain()
    }

    fn state(&self) -> SignalingState {
        self.m.state().clone()
    }

    fn to_answer(kind: ChannelKind, persistent: bool, strict: bool) -> Self {
        let mut h = Self::new(kind, persistent, strict);
        h.opened();
        h.invite();
        h
    }

    fn to_accept_ack(persistent: bool, strict: bool) -> Self {
        let mut h = Self::to_answer(ChannelKind::Multiplexed, persistent, strict);
        h.reply("invite", answer());
        h
    }

    fn to_talking(kind: ChannelKind, persistent: bool) -> Self {
        let mut h = Self::to_answer(kind, persistent, false);
        h.reply("invite", answer());
        h.reply("accept", json!({}));
        assert_eq!(h.state(), SignalingState::Talking);
        h
    }

    fn to_idle() -> Self {
        let mut h = Self::to_talking(ChannelKind::Multiplexed, true);
        h.hangup();
        assert_eq!(h.state(), SignalingState::Idle);
        h
    }
}

fn answer() -> Value {
    json!({"sdp": "v=0\r\n", "candidates": [{"candidate": "candidate:2 1 udp 1 198.51.100.1 3478 typ relay", "sdpMid": "0", "sdpMLineIndex": 0}],
           "inactivityDuration": 60000, "peerConnectionId": "pc-1", "peerConnectionToken": "pct"})
}

fn events(outputs: &[SignalingOutput]) -> Vec<SignalingEvent> {
    outputs
        .iter()
        .filter_map(|o| match o {
            SignalingOutput::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn sends(outputs: &[SignalingOutput]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|o| match o {
            SignalingOutput::Send { message, .. } => Some(
                message["method"]
                    .as_str()
                    .map_or_else(|| "result".to_owned(), str::to_owned),
            ),
            _ => None,
        })
        .collect()
}

fn failed(e: SignalingError) -> SignalingState {
    SignalingState::Failed(e)
}

type Step = fn(&mut H) -> Vec<SignalingOutput>;

/// (name, start, input, expected state, expected sends, expected event)
struct Case {
    name: &'static str,
    start: fn() -> H,
    input: Step,
    state: SignalingState,
    sends: &'static [&'static str],
    event: Option<fn(&SignalingEvent) -> bool>,
}

fn multiplexed_new() -> H {
    H::new(ChannelKind::Multiplexed, false, false)
}
fn direct_new() -> H {
    H::new(ChannelKind::Direct, false, false)
}
fn pending_invite() -> H {
    let mut h = multiplexed_new();
    h.opened();
    h
}
fn pending_answer() -> H {
    H::to_answer(ChannelKind::Multiplexed, false, false)
}
fn accept_ack() -> H {
    H::to_accept_ack(false, false)
}
fn accept_ack_strict() -> H {
    H::to_accept_ack(false, true)
}
fn talking() -> H {
    H::to_talking(ChannelKind::Multiplexed, false)
}
fn talking_direct() -> H {
    H::to_talking(ChannelKind::Direct, false)
}
fn talking_ppc() -> H {
    H::to_talking(ChannelKind::Multiplexed, true)
}
fn idle() -> H {
    H::to_idle()
}
fn remote_hangup() -> H {
    let mut h = talking();
    h.hangup();
    h
}
fn local_hangup() -> H {
    let mut h = talking();
    h.server(json!({"jsonrpc": "2.0", "method": "bye", "id": "srv-1"}));
    h
}
fn reconnecting() -> H {
    let mut h = talking();
    h.down();
    h
}
