//! Media health over the network (R10, R11): the agent's media path goes dark mid-call,
//! inbound audio stops, the softphone reports the degradation and restarts ICE with fresh
//! credentials from `CreateTransport`. When the path comes back the call goes on with the
//! same customer leg; when the TURN relay is dead for good the call fails with `MEDIA_LOST`
//! at the end of the recovery window.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::time::{Duration, Instant};

use connect_core::mock::JournalEvent;
use connect_softphone::manager::SoftphoneEvent;
use connect_softphone::mock::impairment::Impairment;
use connect_softphone::mock::media_service::MediaServiceEvent;
use connect_softphone::session::{
    EndReason, FailureReason, MediaHealth, SessionState, SoftphoneConfig, SoftphoneErrorType,
    TalkingState,
};
use softphone_support::{next_samples, Options, Rig};

/// Short deadlines, so that a test sees the whole recovery in seconds.
fn quick_recovery() -> SoftphoneConfig {
    let mut config = SoftphoneConfig::new("browser-1", "client-1");
    config.session.rtp_silence = Duration::from_secs(1);
    config.session.ice_restart_grace = Duration::from_secs(1);
    config.session.ice_gathering = Duration::from_secs(2);
    config.session.recovery_window = Duration::from_secs(6);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_comes_back_is_restarted_and_the_call_goes_on() {
    let mut rig = Rig::start(Options {
        config: Some(quick_recovery()),
        impairment: Some(Impairment::default()),
        ..Options::default()
    })
    .await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    let transports_before = softphone_transports(&rig);

    // Every media datagram (audio, consent checks) on the agent's path is lost.
    let blackout = Impairment {
        loss_pct: 100.0,
        ..Impairment::default()
    };
    rig.media.set_impairment(blackout).expect("impairment");
    let id = contact_id.clone();
    rig.until("IceRestart", move |e| {
        matches!(e, SoftphoneEvent::StateChanged { contact_id, state: SessionState::Talking(TalkingState::IceRestart) } if *contact_id == id)
    })
    .await;
    rig.media
        .set_impairment(Impairment::default())
        .expect("path back");
    let id = contact_id.clone();
    rig.until("MediaRecovered", move |e| {
        matches!(e, SoftphoneEvent::MediaHealth { contact_id, state: MediaHealth::Connected, .. } if *contact_id == id)
    })
    .await;
    // The customer hears the agent again, on the same leg (no second leg was created).
    let recording = rig.media.recording(&contact_id).expect("recording");
    next_samples(&recording, 48_000).await;
    assert_eq!(rig.media.live_legs(), 1);
    while let Ok(event) = rig.customer.try_recv() {
        assert!(
            !matches!(event, MediaServiceEvent::LegCreated { .. }),
            "the restart re-answers on the existing leg: {event:?}"
        );
    }
    assert!(
        softphone_transports(&rig) > transports_before,
        "fresh TURN credentials were fetched for the restart"
    );
    rig.sim
        .control()
        .hang_up(&contact_id)
        .expect("customer hangs up");
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.ice_restarts.ice_restart_successes, 1, "{report:?}");
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_relay_ends_in_media_lost_after_an_ice_restart_attempt() {
    let mut rig = Rig::start(Options {
        config: Some(quick_recovery()),
        ..Options::default()
    })
    .await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    let transports_before = softphone_transports(&rig);

    rig.media.turn().stop().await;
    let id = contact_id.clone();
    rig.until("MediaDegraded", move |e| {
        matches!(e, SoftphoneEvent::MediaHealth { contact_id, state: MediaHealth::MediaDegraded, .. } if *contact_id == id)
    })
    .await;
    let id = contact_id.clone();
    rig.until("IceRestart", move |e| {
        matches!(e, SoftphoneEvent::StateChanged { contact_id, state: SessionState::Talking(TalkingState::IceRestart) } if *contact_id == id)
    })
    .await;
    let id = contact_id.clone();
    rig.until("MediaLost", move |e| {
        matches!(e, SoftphoneEvent::MediaHealth { contact_id, state: MediaHealth::MediaLost, .. } if *contact_id == id)
    })
    .await;
    let failed = rig
        .until("Failed", |e| matches!(e, SoftphoneEvent::Failed { .. }))
        .await;
    assert_eq!(
        failed,
        SoftphoneEvent::Failed {
            contact_id: contact_id.clone(),
            reason: FailureReason::MediaLost,
            error_type: Some(SoftphoneErrorType::WebrtcError),
        }
    );
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::Failed(FailureReason::MediaLost));
    assert_eq!(report.ice_restarts.ice_restart_attempts, 1);
    assert!(report.ice_restarts.ice_restart_failed);
    assert!(
        softphone_transports(&rig) > transports_before,
        "fresh TURN credentials were fetched for the restart"
    );
    rig.microphones.wait_closed().await;
    assert!(
        rig.session.contact(&contact_id).is_some(),
        "the contact goes on"
    );
    rig.stop().await;
}

/// `createTransport` softphone requests the instance answered so far.
fn softphone_transports(rig: &Rig) -> usize {
    rig.sim
        .control()
        .journal()
        .entries()
        .into_iter()
        .filter(|e| {
            matches!(&e.event, JournalEvent::Recorded { method: "createTransport", payload, .. }
                if payload["transportType"] == "softphone")
        })
        .count()
}
