//! The table of every §6 transition: setup states (PendingConnect to PendingAcceptAck).

use serde_json::json;

use super::*;

#[test]
fn setup_transitions() {
    use SignalingState as S;
    let cases = vec![
        // PendingConnect
        Case {
            name: "connect: open",
            start: multiplexed_new,
            input: H::opened,
            state: S::PendingInvite,
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::Ready)),
        },
        Case {
            name: "connect: direct close retries",
            start: direct_new,
            input: |h| h.down(),
            state: S::PendingConnect,
            sends: &[],
            event: None,
        },
        Case {
            name: "connect: direct third failure",
            start: direct_new,
            input: |h| {
                h.down();
                h.down();
                h.down()
            },
            state: failed(SignalingError::ChannelDown),
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::Failed(SignalingError::ChannelDown))),
        },
        Case {
            name: "connect: multiplexed waits",
            start: multiplexed_new,
            input: |h| {
                h.down();
                h.advance(9_999)
            },
            state: S::PendingConnect,
            sends: &[],
            event: None,
        },
        Case {
            name: "connect: deadline",
            start: multiplexed_new,
            input: |h| h.advance(10_000),
            state: failed(SignalingError::Timeout),
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::Failed(SignalingError::Timeout))),
        },
        Case {
            name: "connect: direct deadline after retry",
            start: direct_new,
            input: |h| {
                h.advance(5_000);
                h.down();
                h.advance(5_000)
            },
            state: failed(SignalingError::Timeout),
            sends: &[],
            event: None,
        },
        Case {
            name: "connect: hang-up",
            start: multiplexed_new,
            input: H::hangup,
            state: S::Disconnected,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Disconnected {
                        bye_acknowledged: None
                    }
                )
            }),
        },
        // PendingInvite
        Case {
            name: "invite: sent",
            start: pending_invite,
            input: H::invite,
            state: S::PendingAnswer,
            sends: &["invite"],
            event: None,
        },
        Case {
            name: "invite: channel down",
            start: pending_invite,
            input: H::down,
            state: failed(SignalingError::ChannelDown),
            sends: &[],
            event: None,
        },
        Case {
            name: "invite: hang-up sends nothing",
            start: pending_invite,
            input: H::hangup,
            state: S::Disconnected,
            sends: &[],
            event: None,
        },
        // PendingAnswer
        Case {
            name: "answer: result → accept",
            start: pending_answer,
            input: |h| h.reply("invite", answer()),
            state: S::PendingAcceptAck,
            sends: &["accept"],
            event: Some(|e| matches!(e, SignalingEvent::Answered(_))),
        },
        Case {
            name: "answer: 486",
            start: pending_answer,
            input: |h| h.error("invite", 486, "busy"),
            state: failed(SignalingError::Busy {
                message: "busy".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: 404",
            start: pending_answer,
            input: |h| h.error("invite", 404, "nf"),
            state: failed(SignalingError::CallNotFound {
                message: "nf".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: 409",
            start: pending_answer,
            input: |h| h.error("invite", 409, "x"),
            state: failed(SignalingError::Idempotency {
                message: "x".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: stale 400 during setup fails",
            start: pending_answer,
            input: |h| h.error("invite", 400, "Stale Peer Connection"),
            state: failed(SignalingError::BadRequest {
                message: "Stale Peer Connection".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: deadline",
            start: pending_answer,
            input: |h| h.advance(5_000),
            state: failed(SignalingError::Timeout),
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: not yet",
            start: pending_answer,
            input: |h| h.advance(4_999),
            state: S::PendingAnswer,
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: channel down",
            start: pending_answer,
            input: H::down,
            state: failed(SignalingError::ChannelDown),
            sends: &[],
            event: None,
        },
        Case {
            name: "answer: hang-up sends bye",
            start: pending_answer,
            input: H::hangup,
            state: S::PendingRemoteHangup,
            sends: &["bye"],
            event: None,
        },
        Case {
            name: "answer: malformed result",
            start: pending_answer,
            input: |h| h.reply("invite", json!({"sdp": 5})),
            state: failed(SignalingError::Malformed {
                reason: String::new(),
            }),
            sends: &[],
            event: None,
        },
        // PendingAcceptAck
        Case {
            name: "accept: ack",
            start: accept_ack,
            input: |h| h.reply("accept", json!({})),
            state: S::Talking,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Talking {
                        acknowledged: true,
                        ..
                    }
                )
            }),
        },
        Case {
            name: "accept: error",
            start: accept_ack,
            input: |h| h.error("accept", 403, "no"),
            state: failed(SignalingError::AccessDenied {
                message: "no".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "accept: lenient deadline",
            start: accept_ack,
            input: |h| h.advance(2_000),
            state: S::Talking,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Warning(SignalingWarning::AckMissing {
                        method: RpcMethod::Accept
                    })
                )
            }),
        },
        Case {
            name: "accept: strict deadline",
            start: accept_ack_strict,
            input: |h| h.advance(2_000),
            state: failed(SignalingError::Timeout),
            sends: &[],
            event: None,
        },
        Case {
            name: "accept: late error after lenient deadline",
            start: accept_ack,
            input: |h| {
                h.advance(2_000);
                h.error("accept", 500, "x")
            },
            state: failed(SignalingError::InternalServer {
                message: "x".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "accept: hang-up",
            start: accept_ack,
            input: H::hangup,
            state: S::PendingRemoteHangup,
            sends: &["bye"],
            event: None,
        },
        Case {
            name: "accept: channel down",
            start: accept_ack,
            input: H::down,
            state: failed(SignalingError::ChannelDown),
            sends: &[],
            event: None,
        },
    ];
    run(cases);
}

/// Runs a table of cases.
pub(super) fn run(cases: Vec<Case>) {
    for case in cases {
        let mut h = (case.start)();
        let outputs = (case.input)(&mut h);
        let state = h.state();
        let same_state = match (&state, &case.state) {
            (
                SignalingState::Failed(SignalingError::Malformed { .. }),
                SignalingState::Failed(SignalingError::Malformed { .. }),
            ) => true,
            (a, b) => a == b,
        };
        assert!(
            same_state,
            "{}: state {state:?}, expected {:?}",
            case.name, case.state
        );
        assert_eq!(sends(&outputs), case.sends, "{}: sends", case.name);
        if let Some(check) = case.event {
            assert!(
                events(&outputs).iter().any(check),
                "{}: events {:?}",
                case.name,
                events(&outputs)
            );
        }
    }
}
