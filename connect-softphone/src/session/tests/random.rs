//! Random inputs never panic, and every call ends once hung up and the timers have run.

use proptest::prelude::*;
use serde_json::json;

use super::harness::*;
use crate::session::*;

#[derive(Clone, Debug)]
enum Input {
    Start(u8),
    Hangup(u8),
    Mic(u8, bool),
    Offer(bool),
    Local(bool),
    Gathered(u8),
    Remote(bool),
    Ice(u8),
    Rtp,
    Reply(u8, Option<i64>),
    ServerBye(u8),
    PcBye,
    Garbage(u8),
    Down,
    Up,
    Advance(u16),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        (0u8..3).prop_map(Input::Start),
        (0u8..3).prop_map(Input::Hangup),
        ((0u8..3), any::<bool>()).prop_map(|(c, ok)| Input::Mic(c, ok)),
        any::<bool>().prop_map(Input::Offer),
        any::<bool>().prop_map(Input::Local),
        (0u8..3).prop_map(Input::Gathered),
        any::<bool>().prop_map(Input::Remote),
        (0u8..5).prop_map(Input::Ice),
        Just(Input::Rtp),
        (
            (0u8..5),
            prop::option::of(prop_oneof![
                Just(400i64),
                Just(403),
                Just(404),
                Just(486),
                Just(500)
            ])
        )
            .prop_map(|(m, e)| Input::Reply(m, e)),
        (0u8..3).prop_map(Input::ServerBye),
        Just(Input::PcBye),
        (0u8..4).prop_map(Input::Garbage),
        Just(Input::Down),
        Just(Input::Up),
        (0u16..12_000).prop_map(Input::Advance),
    ]
}

const METHODS: [&str; 5] = [
    "invite",
    "accept",
    "connectContact",
    "disconnectContact",
    "bye",
];
const ICE: [IceConnectionState; 5] = [
    IceConnectionState::Checking,
    IceConnectionState::Connected,
    IceConnectionState::Disconnected,
    IceConnectionState::Failed,
    IceConnectionState::Closed,
];

fn call(i: u8) -> String {
    format!("ac-{i}")
}

fn apply(h: &mut H, input: &Input) {
    let now = h.now();
    let pcs: Vec<PcId> = h.m.peer_connections().collect();
    match input {
        Input::Start(c) => {
            h.start(&call(*c));
        }
        Input::Hangup(c) => h.m.hangup(now, &call(*c)),
        Input::Mic(c, true) => h.m.microphone_opened(now, &call(*c)),
        Input::Mic(c, false) => {
            h.m.microphone_failed(now, &call(*c), MicrophoneFailure::Other)
        }
        Input::Offer(ok) => {
            for pc in pcs {
                h.m.offer_created(
                    now,
                    pc,
                    if *ok {
                        Ok("v=0".into())
                    } else {
                        Err("x".into())
                    },
                );
            }
        }
        Input::Local(ok) => {
            for pc in pcs {
                h.m.local_description_set(
                    now,
                    pc,
                    if *ok {
                        Ok("v=0".into())
                    } else {
                        Err("x".into())
                    },
                );
            }
        }
        Input::Gathered(n) => {
            for pc in pcs {
                h.gathered(pc, usize::from(*n));
            }
        }
        Input::Remote(ok) => {
            for pc in pcs {
                h.m.remote_description_set(now, pc, if *ok { Ok(()) } else { Err("x".into()) });
            }
        }
        Input::Ice(i) => {
            for pc in pcs {
                h.m.ice_state(now, pc, ICE[usize::from(*i)]);
            }
        }
        Input::Rtp => {
            for pc in pcs {
                h.m.rtp_received(now, pc);
            }
        }
        Input::Reply(m, error) => {
            if let Some((conn, msg)) = h.sent(METHODS[usize::from(*m)]) {
                let reply = match error {
                    Some(code) => {
                        json!({"id": msg["id"], "error": {"code": code, "message": "Stale Peer Connection"}})
                    }
                    None => json!({"id": msg["id"], "result": answer(true)}),
                };
                let content = crate::signaling::proto::server_content(
                    &crate::signaling::proto::Route::Connection(conn),
                    reply,
                );
                let _ = h.m.receive_multiplexed(now, &content);
            }
        }
        Input::ServerBye(c) => {
            let content = crate::signaling::proto::server_content(
                &crate::signaling::proto::Route::Connection(call(*c)),
                json!({"method": "bye", "id": "s"}),
            );
            let _ = h.m.receive_multiplexed(now, &content);
        }
        Input::PcBye => {
            let content = json!("{\"connectionId\":\"x\",\"jsonRpcMsg\":{\"method\":\"PCBye\",\"peerConnectionId\":\"pc-1\"}}");
            let _ = h.m.receive_multiplexed(now, &content);
        }
        Input::Garbage(k) => {
            let content = match k {
                0 => json!("not json"),
                1 => json!(17),
                2 => json!("{\"connectionId\":\"ac-0\",\"jsonRpcMsg\":{\"id\":3}}"),
                _ => json!(
                    "{\"connectionId\":\"ac-1\",\"jsonRpcMsg\":{\"method\":\"renewClientToken\"}}"
                ),
            };
            let _ = h.m.receive_multiplexed(now, &content);
        }
        Input::Down => h.m.multiplexed_down(now, "random"),
        Input::Up => h.m.multiplexed_up(now),
        Input::Advance(ms) => {
            h.advance(i64::from(*ms));
        }
    }
    h.drain();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_inputs_end_every_call_after_hangup(inputs in prop::collection::vec(input(), 0..60), persistent in any::<bool>()) {
        let mut h = H::new(persistent);
        for i in &inputs {
            apply(&mut h, i);
        }
        let starts = |h: &H, c: &str| h.actions.iter().filter(|a| matches!(a,
            Action::Event(SessionEvent::StateChanged { call, state: SessionState::GrabLocalMedia | SessionState::ConnectContact }) if call == c)).count();
        for c in 0..3 {
            h.m.hangup(h.now(), &call(c));
        }
        h.drain();
        // Let every deadline run out (bye answers, inactivity).
        for _ in 0..200 {
            match h.m.poll_timeout() {
                Some(at) => {
                    let wait = (at.as_millis() - h.now).max(1);
                    h.advance(wait);
                }
                None => break,
            }
        }
        prop_assert_eq!(h.m.calls().count(), 0, "every call ended");
        for c in 0..3 {
            let c = call(c);
            let ends = h.actions.iter().filter(|a| matches!(a, Action::Event(SessionEvent::SessionEnded { call, .. }) if *call == c)).count();
            prop_assert_eq!(ends, starts(&h, &c), "{} ended once per start", c);
        }
    }
}
