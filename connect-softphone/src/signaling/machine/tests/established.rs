//! The table of every §6 transition: established states (Talking to PendingLocalHangup).

use serde_json::json;

use super::*;

#[test]
fn established_transitions() {
    use SignalingState as S;
    let cases = vec![
        // Talking
        Case {
            name: "talking: hang-up sends bye",
            start: talking,
            input: H::hangup,
            state: S::PendingRemoteHangup,
            sends: &["bye"],
            event: None,
        },
        Case {
            name: "talking: PPC hang-up → disconnectContact, Idle",
            start: talking_ppc,
            input: H::hangup,
            state: S::Idle,
            sends: &["disconnectContact"],
            event: None,
        },
        Case {
            name: "talking: server bye",
            start: talking,
            input: |h| h.server(json!({"method": "bye", "id": "s1"})),
            state: S::PendingLocalHangup,
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::RemoteHangup { .. })),
        },
        Case {
            name: "talking: renewClientToken",
            start: talking,
            input: |h| {
                h.server(json!({"method": "renewClientToken", "params": {"clientToken": "ct2"}}))
            },
            state: S::Talking,
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::ClientTokenRenewed)),
        },
        Case {
            name: "talking: channel down",
            start: talking,
            input: H::down,
            state: S::PendingReconnect(Resume::Talking),
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::ChannelLost)),
        },
        Case {
            name: "talking: late accept error",
            start: talking,
            input: |h| {
                let (id, _) = h.last("accept");
                h.m.late.insert(
                    id,
                    super::core::Pending {
                        method: RpcMethod::Accept,
                        purpose: super::core::Purpose::Setup,
                        connection_id: "ac-1".into(),
                        deadline: t(0),
                    },
                );
                h.error("accept", 403, "no")
            },
            state: failed(SignalingError::AccessDenied {
                message: "no".into(),
            }),
            sends: &[],
            event: None,
        },
        Case {
            name: "talking: PCBye other id ignored",
            start: talking_ppc,
            input: |h| h.server(json!({"method": "PCBye", "peerConnectionId": "other"})),
            state: S::Talking,
            sends: &[],
            event: None,
        },
        Case {
            name: "talking: ICE restart invite",
            start: talking_ppc,
            input: |h| {
                assert!(h.m.ice_restart(t(h.now), "v=0".into(), vec![]));
                h.drain()
            },
            state: S::Talking,
            sends: &["invite"],
            event: None,
        },
        Case {
            name: "talking: restart answered",
            start: talking_ppc,
            input: |h| {
                h.m.ice_restart(t(h.now), "v=0".into(), vec![]);
                h.reply("invite", answer())
            },
            state: S::Talking,
            sends: &["invite", "accept"],
            event: Some(|e| matches!(e, SignalingEvent::IceRestartAnswered(_))),
        },
        Case {
            name: "talking: restart stale error",
            start: talking_ppc,
            input: |h| {
                h.m.ice_restart(t(h.now), "v=0".into(), vec![]);
                h.error("invite", 400, "Stale Peer Connection")
            },
            state: S::Talking,
            sends: &["invite"],
            event: Some(|e| matches!(e, SignalingEvent::StalePeerConnection)),
        },
        Case {
            name: "talking: restart 500",
            start: talking_ppc,
            input: |h| {
                h.m.ice_restart(t(h.now), "v=0".into(), vec![]);
                h.error("invite", 500, "x")
            },
            state: S::Talking,
            sends: &["invite"],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::IceRestartFailed(SignalingError::InternalServer { .. })
                )
            }),
        },
        Case {
            name: "talking: restart timeout",
            start: talking_ppc,
            input: |h| {
                h.m.ice_restart(t(h.now), "v=0".into(), vec![]);
                h.drain();
                h.advance(5_000)
            },
            state: S::Talking,
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::IceRestartFailed(SignalingError::Timeout))),
        },
        Case {
            name: "talking: second call connectContact",
            start: talking_ppc,
            input: |h| {
                assert!(h
                    .m
                    .connect_contact(t(h.now), CallLeg::new("ac-2", Some("c-2".into()), None)));
                h.drain()
            },
            state: S::Talking,
            sends: &["connectContact"],
            event: None,
        },
        // Idle
        Case {
            name: "idle: connectContact",
            start: idle,
            input: |h| {
                h.m.connect_contact(t(h.now), CallLeg::new("ac-2", Some("c-2".into()), None));
                h.drain()
            },
            state: S::PendingConnectContact,
            sends: &["connectContact"],
            event: None,
        },
        Case {
            name: "idle: connectContact ack",
            start: idle,
            input: |h| {
                h.m.connect_contact(t(h.now), CallLeg::new("ac-2", Some("c-2".into()), None));
                h.reply("connectContact", json!({}))
            },
            state: S::Talking,
            sends: &["connectContact"],
            event: Some(
                |e| matches!(e, SignalingEvent::Talking { connection_id, acknowledged: true } if connection_id == "ac-2"),
            ),
        },
        Case {
            name: "idle: connectContact error",
            start: idle,
            input: |h| {
                h.m.connect_contact(t(h.now), CallLeg::new("ac-2", Some("c-2".into()), None));
                h.error("connectContact", 403, "x")
            },
            state: failed(SignalingError::AccessDenied {
                message: "x".into(),
            }),
            sends: &["connectContact"],
            event: None,
        },
        Case {
            name: "idle: connectContact lenient deadline",
            start: idle,
            input: |h| {
                h.m.connect_contact(t(h.now), CallLeg::new("ac-2", Some("c-2".into()), None));
                h.drain();
                h.advance(2_000)
            },
            state: S::Talking,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Talking {
                        acknowledged: false,
                        ..
                    }
                )
            }),
        },
        Case {
            name: "idle: inactivity expiry",
            start: idle,
            input: |h| h.advance(60_000),
            state: S::PendingRemoteHangup,
            sends: &["bye"],
            event: None,
        },
        Case {
            name: "idle: PCBye",
            start: idle,
            input: |h| h.server(json!({"method": "PCBye", "peerConnectionId": "pc-1"})),
            state: S::Disconnected,
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::PcBye)),
        },
        Case {
            name: "idle: server bye",
            start: idle,
            input: |h| h.server(json!({"method": "bye", "id": "s"})),
            state: S::PendingLocalHangup,
            sends: &[],
            event: None,
        },
        Case {
            name: "idle: disconnectContact error destroys",
            start: idle,
            input: |h| h.error("disconnectContact", 500, "x"),
            state: S::PendingRemoteHangup,
            sends: &["bye"],
            event: None,
        },
        Case {
            name: "idle: disconnectContact ack",
            start: idle,
            input: |h| h.reply("disconnectContact", json!({})),
            state: S::Idle,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::ContactDisconnected {
                        acknowledged: true,
                        ..
                    }
                )
            }),
        },
        Case {
            name: "idle: channel down",
            start: idle,
            input: H::down,
            state: S::PendingReconnect(Resume::Idle),
            sends: &[],
            event: None,
        },
        Case {
            name: "idle: destroy",
            start: idle,
            input: |h| {
                h.m.destroy(t(h.now));
                h.drain()
            },
            state: S::PendingRemoteHangup,
            sends: &["bye"],
            event: None,
        },
        // PendingReconnect
        Case {
            name: "reconnect: open",
            start: reconnecting,
            input: H::opened,
            state: S::Talking,
            sends: &[],
            event: Some(|e| matches!(e, SignalingEvent::ChannelRestored)),
        },
        Case {
            name: "reconnect: down again",
            start: reconnecting,
            input: H::down,
            state: failed(SignalingError::ChannelDown),
            sends: &[],
            event: None,
        },
        Case {
            name: "reconnect: deadline",
            start: reconnecting,
            input: |h| h.advance(10_000),
            state: failed(SignalingError::Timeout),
            sends: &[],
            event: None,
        },
        Case {
            name: "reconnect: hang-up is local",
            start: reconnecting,
            input: H::hangup,
            state: S::Disconnected,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Disconnected {
                        bye_acknowledged: Some(false)
                    }
                )
            }),
        },
        // PendingRemoteHangup
        Case {
            name: "bye: answered",
            start: remote_hangup,
            input: |h| h.reply("bye", json!({})),
            state: S::Disconnected,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Disconnected {
                        bye_acknowledged: Some(true)
                    }
                )
            }),
        },
        Case {
            name: "bye: mock-style answer",
            start: remote_hangup,
            input: |h| {
                let (id, _) = h.last("bye");
                h.server(json!({"method": "bye", "id": id, "result": {}}))
            },
            state: S::Disconnected,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Disconnected {
                        bye_acknowledged: Some(true)
                    }
                )
            }),
        },
        Case {
            name: "bye: crossing server bye",
            start: remote_hangup,
            input: |h| h.server(json!({"method": "bye", "id": "srv"})),
            state: S::Disconnected,
            sends: &["result"],
            event: None,
        },
        Case {
            name: "bye: deadline",
            start: remote_hangup,
            input: |h| h.advance(2_000),
            state: S::Disconnected,
            sends: &[],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Disconnected {
                        bye_acknowledged: Some(false)
                    }
                )
            }),
        },
        Case {
            name: "bye: channel down",
            start: remote_hangup,
            input: H::down,
            state: S::Disconnected,
            sends: &[],
            event: None,
        },
        // PendingLocalHangup
        Case {
            name: "server bye: session hangs up",
            start: local_hangup,
            input: H::hangup,
            state: S::Disconnected,
            sends: &["result"],
            event: Some(|e| {
                matches!(
                    e,
                    SignalingEvent::Disconnected {
                        bye_acknowledged: None
                    }
                )
            }),
        },
        Case {
            name: "server bye: channel down",
            start: local_hangup,
            input: H::down,
            state: S::Disconnected,
            sends: &[],
            event: None,
        },
    ];
    super::transitions::run(cases);
}
