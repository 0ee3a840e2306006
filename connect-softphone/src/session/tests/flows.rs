//! Whole flows: setup to hang-up, remote hang-up, hang-up during setup, persistent PCs,
//! several calls on one PC, ICE restart, signaling loss while talking, credentials.

use serde_json::json;

use super::harness::*;
use crate::session::*;
use crate::signaling::proto::CredentialSource;
use crate::signaling::SignalingState;

#[test]
fn setup_talk_and_local_hangup() {
    let mut h = H::new(false);
    let out = h.start("ac-1");
    assert!(out
        .iter()
        .any(|a| matches!(a, Action::OpenMicrophone { call } if call == "ac-1")));
    h.mic("ac-1");
    let pc = h.pc("ac-1");
    assert!(h.has(|a| matches!(a, Action::CreateOffer { ice_servers, .. } if ice_servers[0].urls[0].starts_with("turn:east"))));
    h.offer(pc);
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::SetLocalDescription)
    );
    let out = h.local(pc);
    assert!(out
        .iter()
        .any(|a| matches!(a, Action::GatherCandidates { .. })));
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::ConnectSignalingAndIceCollection)
    );
    h.gathered(pc, 2);
    let (conn, invite) = h.sent("invite").expect("invite sent");
    assert_eq!(conn, "ac-1");
    assert_eq!(invite["params"]["sdp"], "v=0 munged");
    assert_eq!(
        invite["params"]["candidates"].as_array().map(Vec::len),
        Some(2)
    );
    let out = h.reply("invite", answer(false));
    assert!(out.iter().any(|a| matches!(a, Action::ApplyAnswer { sdp, candidates, .. } if sdp == "v=0 answer" && candidates.len() == 1)));
    assert!(
        h.sent("accept").is_some(),
        "accept goes out with the answer"
    );
    h.remote(pc);
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Accept),
        "waits for the accept ack"
    );
    h.reply("accept", json!({}));
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Talking(TalkingState::Connected))
    );
    h.advance(1_000);
    h.m.rtp_received(h.now(), pc);
    h.advance(10_000);
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    assert!(h.sent("bye").is_some());
    assert!(h.ended("ac-1").is_none(), "waits for the bye answer");
    h.reply("bye", json!({}));
    let (reason, report) = h.ended("ac-1").expect("ended");
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.bye_acknowledged, Some(true));
    assert_eq!(report.accept_acknowledged, Some(true));
    assert_eq!(report.first_rtp_time_millis, Some(1_000));
    assert_eq!(report.talk_time_millis, Some(11_000));
    assert_eq!(report.flags, FailureFlags::default());
    assert_eq!(report.is_media_cluster_path, Some(true));
    assert_eq!(
        report.ice_credential_source,
        Some(CredentialSource::ContactProvided)
    );
    assert!(h.has(|a| matches!(a, Action::CloseMicrophone { .. })));
    assert!(h.has(|a| matches!(a, Action::ClosePeerConnection { .. })));
    assert_eq!(h.m.peer_connections().count(), 0);
}

#[test]
fn remote_hangup_answers_the_server_bye() {
    let mut h = H::new(false);
    h.drive_to_talking("ac-1", answer(false));
    h.server(
        "ac-1",
        json!({"jsonrpc": "2.0", "method": "bye", "id": "srv-7"}),
    );
    let reply = h.actions.iter().rev().find_map(|a| match a {
        Action::SendSignal { message, .. } if message.get("result").is_some() => {
            Some(message.clone())
        }
        _ => None,
    });
    assert_eq!(reply.expect("result{} sent")["id"], "srv-7");
    assert_eq!(h.ended("ac-1").map(|e| e.0), Some(EndReason::RemoteHangup));
}

#[test]
fn hangup_during_every_setup_step() {
    type Drive = fn(&mut H) -> Option<crate::session::PcId>;
    let steps: [(SetupStep, Drive, bool); 6] = [
        (
            SetupStep::GrabLocalMedia,
            |h| {
                h.start("ac-1");
                None
            },
            false,
        ),
        (
            SetupStep::CreateOffer,
            |h| {
                h.start("ac-1");
                h.mic("ac-1");
                None
            },
            false,
        ),
        (
            SetupStep::SetLocalDescription,
            |h| {
                h.start("ac-1");
                h.mic("ac-1");
                let pc = h.pc("ac-1");
                h.offer(pc);
                None
            },
            false,
        ),
        (
            SetupStep::ConnectSignalingAndIceCollection,
            |h| {
                h.start("ac-1");
                h.mic("ac-1");
                let pc = h.pc("ac-1");
                h.offer(pc);
                h.local(pc);
                None
            },
            false,
        ),
        (
            SetupStep::InviteAnswer,
            |h| Some(h.drive_to_invite("ac-1")),
            true,
        ),
        (
            SetupStep::Accept,
            |h| {
                let pc = h.drive_to_invite("ac-1");
                h.reply("invite", answer(false));
                Some(pc)
            },
            true,
        ),
    ];
    for (step, drive, sends_bye) in steps {
        let mut h = H::new(false);
        drive(&mut h);
        h.m.hangup(h.now(), "contact-ac-1"); // by contact id
        h.drain();
        assert_eq!(h.sent("bye").is_some(), sends_bye, "{step:?}");
        if sends_bye {
            h.advance(2_000); // no answer: ends anyway
        }
        let (reason, report) = h
            .ended("ac-1")
            .unwrap_or_else(|| panic!("{step:?} not ended"));
        assert_eq!(reason, EndReason::HangupDuringSetup { step }, "{step:?}");
        assert_eq!(
            report.flags,
            FailureFlags::default(),
            "{step:?}: no failure flag"
        );
        assert!(
            !h.has(|a| matches!(a, Action::Event(SessionEvent::SessionFailed { .. }))),
            "{step:?}"
        );
        assert_eq!(h.m.peer_connections().count(), 0, "{step:?}");
    }
}

#[test]
fn persistent_pc_carries_the_next_call() {
    let mut h = H::new(true);
    let pc = h.drive_to_talking("ac-1", answer(true));
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    let (_, dc) = h
        .sent("disconnectContact")
        .expect("disconnectContact replaces bye");
    assert_eq!(dc["params"]["peerConnectionId"], "pc-1");
    assert_eq!(h.count_sent("bye"), 0);
    let (reason, report) = h.ended("ac-1").expect("ends at once");
    assert_eq!(reason, EndReason::LocalHangup);
    assert!(report.persistent_connection);
    assert!(h.has(|a| matches!(a, Action::UseIdleSource { pc: p } if *p == pc)));
    assert!(
        h.has(|a| matches!(a, Action::CloseMicrophone { .. })),
        "microphone closed between calls"
    );
    assert_eq!(h.m.signaling_state(pc), Some(&SignalingState::Idle));
    // Next call: connectContact on the same PC, microphone reopened, source swapped.
    h.start("ac-2");
    assert_eq!(h.m.call_pc("ac-2"), Some(pc));
    assert_eq!(h.m.call_state("ac-2"), Some(SessionState::ConnectContact));
    let (conn, cc) = h.sent("connectContact").expect("connectContact");
    assert_eq!(conn, "ac-2");
    assert_eq!(cc["params"]["callContextToken"], "cct-ac-2");
    assert!(h.has(|a| matches!(a, Action::OpenMicrophone { call } if call == "ac-2")));
    h.reply("connectContact", json!({}));
    assert_eq!(
        h.m.call_state("ac-2"),
        Some(SessionState::ConnectContact),
        "waits for the microphone"
    );
    h.mic("ac-2");
    assert!(h.has(|a| matches!(a, Action::SwapSource { call, .. } if call == "ac-2")));
    assert_eq!(
        h.m.call_state("ac-2"),
        Some(SessionState::Talking(TalkingState::Connected))
    );
    // Inactivity after the last call: bye, then the PC closes.
    h.m.hangup(h.now(), "ac-2");
    h.drain();
    h.advance(60_000);
    assert!(h.sent("bye").is_some());
    h.reply("bye", json!({}));
    assert_eq!(h.m.peer_connections().count(), 0);
}

#[test]
fn several_calls_share_one_pc_with_their_own_ids() {
    let mut h = H::new(true);
    let pc = h.drive_to_talking("ac-1", answer(true));
    h.start("ac-2");
    h.mic("ac-2");
    h.reply("connectContact", json!({}));
    assert_eq!(h.m.call_pc("ac-2"), Some(pc));
    assert_eq!(
        h.m.call_state("ac-2"),
        Some(SessionState::Talking(TalkingState::Connected))
    );
    // A message for an unknown call is dropped and counted; nobody else gets it.
    h.server(
        "ac-404",
        json!({"jsonrpc": "2.0", "method": "bye", "id": "x"}),
    );
    assert_eq!(h.m.unrouted_messages(), 1);
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Talking(TalkingState::Connected))
    );
    // Ending the first keeps the second on the PC.
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    let (conn, _) = h.sent("disconnectContact").expect("sent");
    assert_eq!(conn, "ac-1");
    assert_eq!(h.m.signaling_state(pc), Some(&SignalingState::Talking));
    assert!(h.m.call_state("ac-2").is_some());
}

#[test]
fn ice_restart_with_fresh_credentials_and_invite_retry() {
    let mut h = H::new(true);
    let pc = h.drive_to_talking("ac-1", answer(true));
    h.m.ice_state(h.now(), pc, IceConnectionState::Connected);
    h.m.ice_state(h.now(), pc, IceConnectionState::Disconnected);
    h.drain();
    assert!(h.has(|a| matches!(
        a,
        Action::Event(SessionEvent::MediaHealth {
            state: MediaHealth::MediaDegraded,
            ..
        })
    )));
    let out = h.advance(3_000);
    assert!(out.iter().any(|a| matches!(
        a,
        Action::FetchCredentials {
            purpose: CredentialPurpose::IceRestart,
            ..
        }
    )));
    // A failed fetch is retried with backoff ([R11]).
    h.m.credentials_fetched(
        h.now(),
        pc,
        CredentialPurpose::IceRestart,
        Err("503".into()),
    );
    h.drain();
    let out = h.advance(500);
    assert!(out
        .iter()
        .any(|a| matches!(a, Action::FetchCredentials { .. })));
    h.m.credentials_fetched(
        h.now(),
        pc,
        CredentialPurpose::IceRestart,
        Ok(vec![server("turn:fresh.example:3478")]),
    );
    let out = h.drain();
    assert!(out.iter().any(|a| matches!(a, Action::RestartIce { ice_servers, .. } if ice_servers[0].urls[0].contains("fresh"))));
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Talking(TalkingState::IceRestart))
    );
    h.offer(pc);
    h.local(pc);
    h.gathered(pc, 1);
    let (_, invite) = h.sent("invite").expect("restart invite");
    assert_eq!(invite["params"]["iceRestart"], true);
    assert!(invite["params"].get("contactId").is_none());
    assert_eq!(invite["params"]["peerConnectionToken"], "pct-1");
    h.error("invite", 500, "try again");
    assert_eq!(h.count_sent("invite"), 2, "first invite plus the setup one");
    h.advance(1_000);
    assert_eq!(h.count_sent("invite"), 3, "retried 1 s later");
    h.reply("invite", answer(true));
    h.remote(pc);
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Talking(TalkingState::Connected))
    );
    assert!(h.has(|a| matches!(
        a,
        Action::Event(SessionEvent::MediaHealth {
            state: MediaHealth::MediaRecovered,
            ..
        })
    )));
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    let report = h.ended("ac-1").expect("ended").1;
    assert_eq!(report.ice_restarts.ice_restart_attempts, 1);
    assert_eq!(report.ice_restarts.ice_restart_successes, 1);
    assert_eq!(report.ice_restarts.ice_restart_invite_retries, 1);
    assert!(!report.ice_restarts.ice_restart_failed);
}

#[test]
fn stale_peer_connection_triggers_a_restart_and_busy_gives_up() {
    let mut h = H::new(true);
    let pc = h.drive_unacknowledged("ac-1", answer(true));
    h.m.ice_state(h.now(), pc, IceConnectionState::Connected);
    assert!(
        h.has(|a| matches!(a, Action::Event(SessionEvent::SignalingWarning { .. }))),
        "AckMissing"
    );
    // A late error on accept carrying the stale marker.
    h.error("accept", 400, "Stale Peer Connection");
    assert!(h.has(|a| matches!(
        a,
        Action::FetchCredentials {
            purpose: CredentialPurpose::IceRestart,
            ..
        }
    )));
    h.m.credentials_fetched(
        h.now(),
        pc,
        CredentialPurpose::IceRestart,
        Ok(vec![server("turn:x:1")]),
    );
    h.drain();
    h.offer(pc);
    h.local(pc);
    h.gathered(pc, 1);
    h.error("invite", 486, "busy");
    assert!(h.has(|a| matches!(
        a,
        Action::Event(SessionEvent::MediaHealth {
            state: MediaHealth::MediaLost,
            cause: HealthCause::RestartsExhausted,
            ..
        })
    )));
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Talking(TalkingState::MediaLost))
    );
}

#[test]
fn media_lost_without_allowlist_fails_after_the_window_unless_kept() {
    for keep in [false, true] {
        let mut config = crate::session::SoftphoneConfig::new("b", "c");
        config.cross_region_check = false;
        if keep {
            config.on_media_lost = OnMediaLost::KeepCall;
        }
        let mut h = H::with(config);
        let pc = h.drive_to_talking("ac-1", answer(false));
        h.m.ice_state(h.now(), pc, IceConnectionState::Connected);
        h.advance(3_000); // no RTP for 3 s
        assert!(h.has(|a| matches!(
            a,
            Action::Event(SessionEvent::MediaHealth {
                cause: HealthCause::NoInboundRtp,
                ..
            })
        )));
        h.advance(3_000); // grace: not allowlisted → lost
        assert_eq!(
            h.m.call_state("ac-1"),
            Some(SessionState::Talking(TalkingState::MediaLost))
        );
        h.advance(27_000); // 30 s after the degradation
        if keep {
            assert!(h.m.call_state("ac-1").is_some(), "kept");
        } else {
            let (reason, _) = h.ended("ac-1").expect("ended");
            assert_eq!(reason, EndReason::Failed(FailureReason::MediaLost));
            assert!(h.sent("bye").is_some());
        }
    }
}

#[test]
fn signaling_loss_while_talking_keeps_media() {
    let mut h = H::new(false);
    let pc = h.drive_to_talking("ac-1", answer(false));
    h.m.multiplexed_down(h.now(), "socket lost");
    h.drain();
    assert!(!h.has(|a| matches!(a, Action::ClosePeerConnection { .. })));
    assert_eq!(
        h.m.signaling_state(pc),
        Some(&SignalingState::PendingReconnect(
            crate::signaling::Resume::Talking
        ))
    );
    h.m.multiplexed_up(h.now());
    h.drain();
    assert_eq!(h.m.signaling_state(pc), Some(&SignalingState::Talking));
    // Lost for good: signaling fails, the call goes on ([R12]); hang-up is local.
    h.m.multiplexed_down(h.now(), "again");
    h.advance(10_000);
    assert!(matches!(
        h.m.signaling_state(pc),
        Some(SignalingState::Failed(_))
    ));
    assert_eq!(
        h.m.call_state("ac-1"),
        Some(SessionState::Talking(TalkingState::Connected))
    );
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    let (reason, report) = h.ended("ac-1").expect("ended");
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.bye_acknowledged, Some(false));
}

#[test]
fn cross_region_probe_picks_the_api_set_or_falls_back() {
    for (probe, expected, source) in [
        (
            Some(Ok(vec![server("turn:west.example.:3478")])),
            "turn:west",
            CredentialSource::ApiFetched,
        ),
        (
            Some(Ok(vec![server("turn:east.example.:3478?transport=udp")])),
            "turn:east",
            CredentialSource::ContactProvided,
        ),
        (
            Some(Err("SoftphoneConnectionLimitBreachedException".to_owned())),
            "turn:east",
            CredentialSource::ContactProvided,
        ),
        (None, "turn:east", CredentialSource::ContactProvided),
    ] {
        let mut h = H::with(crate::session::SoftphoneConfig::new("b", "c"));
        h.start("ac-1");
        let pc = h.pc("ac-1");
        assert!(h.has(|a| matches!(
            a,
            Action::FetchCredentials {
                purpose: CredentialPurpose::CrossRegionProbe,
                ..
            }
        )));
        h.mic("ac-1");
        assert_eq!(
            h.m.call_state("ac-1"),
            Some(SessionState::GrabLocalMedia),
            "waits for the probe"
        );
        match probe.clone() {
            Some(result) => {
                h.m.credentials_fetched(h.now(), pc, CredentialPurpose::CrossRegionProbe, result);
                h.drain();
            }
            None => {
                h.advance(1_000);
            }
        }
        assert!(h.has(|a| matches!(a, Action::CreateOffer { ice_servers, .. } if ice_servers[0].urls[0].starts_with(expected))), "{probe:?}");
        if matches!(probe, Some(Err(_))) {
            assert!(h.has(|a| matches!(
                a,
                Action::Event(SessionEvent::MultipleSoftphoneActiveSessions)
            )));
        }
        h.offer(pc);
        h.local(pc);
        h.gathered(pc, 1);
        h.m.hangup(h.now(), "ac-1");
        h.drain();
        h.advance(2_000);
        assert_eq!(
            h.ended("ac-1").expect("ended").1.ice_credential_source,
            Some(source)
        );
    }
}

#[test]
fn quota_breached_closes_the_idle_pc() {
    let mut h = H::new(true);
    let pc = h.drive_to_talking("ac-1", answer(true));
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    let content = crate::signaling::proto::server_content(
        &crate::signaling::proto::Route::Client("client-1".into()),
        json!({"jsonrpc": "2.0", "method": "quotaBreached"}),
    );
    h.m.receive_multiplexed(h.now(), &content)
        .expect("client message");
    h.drain();
    assert!(h.has(|a| matches!(
        a,
        Action::Event(SessionEvent::MultipleSoftphoneActiveSessions)
    )));
    assert!(h.sent("bye").is_some());
    h.reply("bye", json!({}));
    assert!(h.m.signaling_state(pc).is_none());
}

#[test]
fn pc_bye_routes_by_peer_connection_id_and_sends_no_bye() {
    let mut h = H::new(true);
    let pc = h.drive_to_talking("ac-1", answer(true));
    h.m.hangup(h.now(), "ac-1");
    h.drain();
    // Addressed to an id nobody knows, but its peerConnectionId is ours.
    h.server(
        "ac-unknown",
        json!({"jsonrpc": "2.0", "method": "PCBye", "peerConnectionId": "pc-1"}),
    );
    assert!(h.m.signaling_state(pc).is_none());
    assert_eq!(h.count_sent("bye"), 0);
    assert!(h.has(|a| matches!(a, Action::ClosePeerConnection { .. })));
}
