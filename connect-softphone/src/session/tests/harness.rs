//! A manual-clock harness around [`SoftphoneMachine`] that plays the media engine and the
//! signaling server.

use connect_core::model::{IceServer, Sensitive, Timestamp};
use serde_json::{json, Value};

use crate::session::*;
use crate::signaling::proto::{server_content, IceCandidate, Route};

pub(super) const CONFIG: &str = r#"{"signalingEndpoint":"/LilyRTC","iceServers":[{"urls":["turn:east.example.:3478?transport=udp"],"username":"1:a","credential":"secret-pw"}],"useWebSocketProvider":true}"#;

pub(super) fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

pub(super) struct H {
    pub m: SoftphoneMachine,
    pub now: i64,
    pub actions: Vec<Action>,
}

impl H {
    pub fn new(persistent: bool) -> Self {
        let mut config = SoftphoneConfig::new("browser-1", "client-1");
        config.cross_region_check = false;
        config.persistent_connection = persistent;
        Self::with(config)
    }

    pub fn with(config: SoftphoneConfig) -> Self {
        let mut m = SoftphoneMachine::new(config);
        m.multiplexed_up(t(0));
        Self {
            m,
            now: 0,
            actions: Vec::new(),
        }
    }

    pub fn now(&self) -> Timestamp {
        t(self.now)
    }

    pub fn drain(&mut self) -> Vec<Action> {
        let new: Vec<Action> = std::iter::from_fn(|| self.m.poll_action()).collect();
        self.actions.extend(new.clone());
        new
    }

    pub fn advance(&mut self, ms: i64) -> Vec<Action> {
        self.now += ms;
        self.m.tick(t(self.now));
        self.drain()
    }

    pub fn start(&mut self, call: &str) -> Vec<Action> {
        let start = CallStart::new(
            call,
            format!("contact-{call}"),
            Some(Sensitive::new(format!("cct-{call}"))),
            Some(Sensitive::new(CONFIG)),
        );
        self.m.start_call(self.now(), start);
        self.drain()
    }

    pub fn pc(&self, call: &str) -> PcId {
        self.m.call_pc(call).expect("call has a PC")
    }

    pub fn mic(&mut self, call: &str) -> Vec<Action> {
        self.m.microphone_opened(self.now(), call);
        self.drain()
    }

    pub fn offer(&mut self, pc: PcId) -> Vec<Action> {
        self.m.offer_created(self.now(), pc, Ok("v=0 offer".into()));
        self.drain()
    }

    pub fn local(&mut self, pc: PcId) -> Vec<Action> {
        self.m
            .local_description_set(self.now(), pc, Ok("v=0 munged".into()));
        self.drain()
    }

    pub fn gathered(&mut self, pc: PcId, n: usize) -> Vec<Action> {
        let c = (0..n)
            .map(|i| {
                IceCandidate::new(
                    format!("candidate:{i} 1 udp 1 192.0.2.1 {} typ relay", 50000 + i),
                    "0",
                    0,
                )
            })
            .collect();
        self.m.gathering_done(self.now(), pc, c);
        self.drain()
    }

    pub fn remote(&mut self, pc: PcId) -> Vec<Action> {
        self.m.remote_description_set(self.now(), pc, Ok(()));
        self.drain()
    }

    /// The last signaling message sent with `method`: (connection id, message).
    pub fn sent(&self, method: &str) -> Option<(String, Value)> {
        self.actions.iter().rev().find_map(|a| match a {
            Action::SendSignal {
                connection_id,
                message,
                ..
            } if message["method"] == method => Some((connection_id.clone(), message.clone())),
            _ => None,
        })
    }

    pub fn count_sent(&self, method: &str) -> usize {
        self.actions
            .iter()
            .filter(
                |a| matches!(a, Action::SendSignal { message, .. } if message["method"] == method),
            )
            .count()
    }

    pub fn server(&mut self, connection_id: &str, message: Value) -> Vec<Action> {
        let content = server_content(&Route::Connection(connection_id.into()), message);
        self.m
            .receive_multiplexed(self.now(), &content)
            .expect("well-formed server message");
        self.drain()
    }

    pub fn reply(&mut self, method: &str, result: Value) -> Vec<Action> {
        let (conn, msg) = self
            .sent(method)
            .unwrap_or_else(|| panic!("no {method} sent"));
        self.server(
            &conn,
            json!({"jsonrpc": "2.0", "id": msg["id"], "result": result}),
        )
    }

    pub fn error(&mut self, method: &str, code: i64, text: &str) -> Vec<Action> {
        let (conn, msg) = self
            .sent(method)
            .unwrap_or_else(|| panic!("no {method} sent"));
        self.server(
            &conn,
            json!({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": code, "message": text}}),
        )
    }

    /// Drives a call up to the answer being applied.
    pub fn drive_to_invite(&mut self, call: &str) -> PcId {
        self.start(call);
        self.mic(call);
        let pc = self.pc(call);
        self.offer(pc);
        self.local(pc);
        self.gathered(pc, 2);
        assert_eq!(self.m.call_state(call), Some(SessionState::InviteAnswer));
        pc
    }

    /// Talking without the accept acknowledgement (lenient deadline): a later error with the
    /// accept's id still applies.
    pub fn drive_unacknowledged(&mut self, call: &str, answer: Value) -> PcId {
        let pc = self.drive_to_invite(call);
        self.reply("invite", answer);
        self.remote(pc);
        self.advance(2_000);
        assert_eq!(
            self.m.call_state(call),
            Some(SessionState::Talking(TalkingState::Connected))
        );
        pc
    }

    pub fn drive_to_talking(&mut self, call: &str, answer: Value) -> PcId {
        let pc = self.drive_to_invite(call);
        self.reply("invite", answer);
        self.remote(pc);
        self.reply("accept", json!({}));
        assert_eq!(
            self.m.call_state(call),
            Some(SessionState::Talking(TalkingState::Connected))
        );
        pc
    }

    pub fn ended(&self, call: &str) -> Option<(EndReason, SessionReport)> {
        self.actions.iter().find_map(|a| match a {
            Action::Event(SessionEvent::SessionEnded {
                call: c,
                reason,
                report,
            }) if c == call => Some((*reason, (**report).clone())),
            _ => None,
        })
    }

    pub fn has(&self, f: impl Fn(&Action) -> bool) -> bool {
        self.actions.iter().any(f)
    }
}

pub(super) fn answer(allowlisted: bool) -> Value {
    json!({"sdp": "v=0 answer", "candidates": [{"candidate": "candidate:9 1 udp 1 198.51.100.1 3478 typ relay", "sdpMid": "0", "sdpMLineIndex": 0}],
           "inactivityDuration": 60000,
           "peerConnectionId": if allowlisted { json!("pc-1") } else { Value::Null },
           "peerConnectionToken": if allowlisted { json!("pct-1") } else { Value::Null }})
}

pub(super) fn server(url: &str) -> IceServer {
    IceServer {
        urls: vec![url.into()],
        username: Some("u".into()),
        credential: Some(Sensitive::new("p")),
    }
}
