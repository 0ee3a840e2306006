//! Every failure reason of §7 with its report flag and its published error type.

use connect_core::model::Sensitive;
use serde_json::json;

use super::harness::*;
use crate::session::*;

type Drive = fn(&mut H);
/// Which report flag a reason sets.
type Flag = fn(&FailureFlags) -> Option<bool>;

#[test]
fn every_failure_reason() {
    let cases: Vec<(FailureReason, Drive, Flag)> = vec![
        (
            FailureReason::InvalidCallConfig,
            |h| {
                h.m.start_call(
                    h.now(),
                    CallStart::new("ac-1", "c", None, Some(Sensitive::new("{&lt;nope"))),
                );
                h.drain();
            },
            |_| None,
        ),
        (
            FailureReason::GumTimeoutFailure,
            |h| {
                h.start("ac-1");
                h.advance(10_000);
            },
            |f| f.gum_timeout_failure,
        ),
        (
            FailureReason::GumOtherFailure,
            |h| {
                h.start("ac-1");
                h.m.microphone_failed(h.now(), "ac-1", MicrophoneFailure::Other);
                h.drain();
            },
            |f| f.gum_other_failure,
        ),
        (
            FailureReason::CreateOfferFailure,
            |h| {
                h.start("ac-1");
                h.mic("ac-1");
                let pc = h.pc("ac-1");
                h.m.offer_created(h.now(), pc, Err("no codec".into()));
                h.drain();
            },
            |f| f.create_offer_failure,
        ),
        (
            FailureReason::SetLocalDescriptionFailure,
            |h| {
                h.start("ac-1");
                h.mic("ac-1");
                let pc = h.pc("ac-1");
                h.offer(pc);
                h.m.local_description_set(h.now(), pc, Err("bad sdp".into()));
                h.drain();
            },
            |f| f.set_local_description_failure,
        ),
        (
            FailureReason::IceCollectionTimeout,
            |h| {
                h.start("ac-1");
                h.mic("ac-1");
                let pc = h.pc("ac-1");
                h.offer(pc);
                h.local(pc);
                let out = h.advance(8_000);
                assert!(out
                    .iter()
                    .any(|a| matches!(a, Action::FinishGathering { .. })));
                h.gathered(pc, 0);
            },
            |f| f.ice_collection_failure,
        ),
        (
            FailureReason::SignallingConnectionFailure,
            |h| {
                h.m.multiplexed_down(h.now(), "no socket");
                h.start("ac-1");
                h.mic("ac-1");
                let pc = h.pc("ac-1");
                h.offer(pc);
                h.local(pc);
                h.gathered(pc, 1);
                h.advance(10_000);
            },
            |f| f.signalling_connection_failure,
        ),
        (
            FailureReason::UserBusy,
            |h| {
                h.drive_to_invite("ac-1");
                h.error("invite", 486, "Busy");
            },
            |f| f.user_busy_failure,
        ),
        (
            FailureReason::CallNotFound,
            |h| {
                h.drive_to_invite("ac-1");
                h.error("invite", 404, "gone");
            },
            |f| f.handshake_failure,
        ),
        (
            FailureReason::SignallingHandshakeFailure,
            |h| {
                h.drive_to_invite("ac-1");
                h.error("invite", 500, "x");
            },
            |f| f.handshake_failure,
        ),
        (
            FailureReason::SignallingHandshakeFailure,
            |h| {
                h.drive_to_invite("ac-1");
                h.advance(5_000);
            },
            |f| f.handshake_failure,
        ),
        (
            FailureReason::SignallingHandshakeFailure,
            |h| {
                let pc = h.drive_to_invite("ac-1");
                h.reply("invite", answer(false));
                h.remote(pc);
                h.error("accept", 403, "denied");
            },
            |f| f.handshake_failure,
        ),
        (
            FailureReason::InvalidRemoteSdp,
            |h| {
                h.drive_to_invite("ac-1");
                h.reply("invite", json!({"sdp": "", "candidates": []}));
            },
            |f| f.invalid_remote_sdp_failure,
        ),
        (
            FailureReason::NoRemoteIceCandidate,
            |h| {
                h.drive_to_invite("ac-1");
                h.reply("invite", json!({"sdp": "v=0", "candidates": []}));
            },
            |f| f.no_remote_ice_candidate_failure,
        ),
        (
            FailureReason::SetRemoteDescriptionFailure,
            |h| {
                let pc = h.drive_to_invite("ac-1");
                h.reply("invite", answer(false));
                h.m.remote_description_set(h.now(), pc, Err("dtls".into()));
                h.drain();
            },
            |f| f.set_remote_description_failure,
        ),
        (
            FailureReason::SignallingHandshakeFailure,
            |h| {
                h.drive_unacknowledged("ac-1", answer(false));
                // A late AccessDenied for the accept ends the call.
                h.error("accept", 403, "denied");
            },
            |f| f.handshake_failure,
        ),
        (
            FailureReason::MediaLost,
            |h| {
                let pc = h.drive_to_talking("ac-1", answer(false));
                h.m.ice_state(h.now(), pc, IceConnectionState::Failed);
                h.drain();
                h.advance(30_000);
            },
            |_| None,
        ),
    ];
    for (i, (reason, drive, flag)) in cases.into_iter().enumerate() {
        let mut h = H::new(false);
        drive(&mut h);
        let failed = h.actions.iter().find_map(|a| match a {
            Action::Event(SessionEvent::SessionFailed { reason, .. }) => Some(*reason),
            _ => None,
        });
        assert_eq!(failed, Some(reason), "case {i}");
        let (end, report) = h
            .ended("ac-1")
            .unwrap_or_else(|| panic!("case {i}: not ended"));
        assert_eq!(end, EndReason::Failed(reason), "case {i}");
        if reason != FailureReason::InvalidCallConfig && reason != FailureReason::MediaLost {
            assert_eq!(flag(&report.flags), Some(true), "case {i}: flag");
        }
        if reason == FailureReason::UserBusy {
            assert_eq!(report.flags.handshake_failure, Some(true));
        }
        assert!(h.m.call_state("ac-1").is_none(), "case {i}");
        if reason == FailureReason::InvalidCallConfig {
            assert!(
                !h.has(|a| matches!(a, Action::OpenMicrophone { .. })),
                "no microphone before the config"
            );
        }
        let mic_opened = h.has(|a| matches!(a, Action::OpenMicrophone { .. }));
        let mic_closed = h.has(|a| matches!(a, Action::CloseMicrophone { .. }));
        assert_eq!(mic_opened, mic_closed, "case {i}: microphone released");
        // Pending bye answers may keep the PC a little: let every deadline pass.
        h.advance(3_000);
        assert_eq!(h.m.peer_connections().count(), 0, "case {i}: PC closed");
    }
}

#[test]
fn published_error_types() {
    use SoftphoneErrorType as E;
    let table = [
        (
            FailureReason::IceCollectionTimeout,
            Some(E::IceCollectionTimeout),
        ),
        (FailureReason::UserBusy, Some(E::UserBusyError)),
        (
            FailureReason::SignallingHandshakeFailure,
            Some(E::SignallingHandshakeFailure),
        ),
        (
            FailureReason::GumTimeoutFailure,
            Some(E::MicrophoneNotShared),
        ),
        (FailureReason::GumOtherFailure, Some(E::MicrophoneNotShared)),
        (
            FailureReason::SignallingConnectionFailure,
            Some(E::SignallingConnectionFailure),
        ),
        (FailureReason::CallNotFound, None),
        (FailureReason::CreateOfferFailure, Some(E::WebrtcError)),
        (
            FailureReason::SetLocalDescriptionFailure,
            Some(E::WebrtcError),
        ),
        (FailureReason::InvalidRemoteSdp, Some(E::WebrtcError)),
        (FailureReason::NoRemoteIceCandidate, Some(E::WebrtcError)),
        (
            FailureReason::SetRemoteDescriptionFailure,
            Some(E::WebrtcError),
        ),
        (FailureReason::MediaLost, Some(E::WebrtcError)),
        (FailureReason::InvalidCallConfig, Some(E::WebrtcError)),
    ];
    for (reason, expected) in table {
        assert_eq!(reason.error_type(), expected, "{reason:?}");
        assert!(!reason.to_string().is_empty());
    }
    assert_eq!(
        E::MultipleSoftphoneActiveSessions.as_str(),
        "multiple_softphone_active_sessions"
    );
}
