//! Softphone calls that go wrong, over the network: a busy invite, a hang-up during setup,
//! malformed signaling frames. The agent session goes on in every case.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::time::Instant;

use connect_softphone::manager::SoftphoneEvent;
use connect_softphone::mock::sim_signaling::Fault;
use connect_softphone::session::{
    EndReason, FailureReason, SessionState, SetupStep, SoftphoneErrorType, TalkingState,
};
use connect_testkit::first_event;
use serde_json::json;
use softphone_support::{has_tone, next_samples, Options, Rig, CUSTOMER_TONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_invite_fails_with_user_busy_and_the_contact_goes_on() {
    let mut rig = Rig::start(Options::default()).await;
    rig.media
        .signaling()
        .inject("invite", Fault::error(486, "Busy Here"));
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    let failed = rig
        .until("Failed", |e| matches!(e, SoftphoneEvent::Failed { .. }))
        .await;
    assert_eq!(
        failed,
        SoftphoneEvent::Failed {
            contact_id: contact_id.clone(),
            reason: FailureReason::UserBusy,
            error_type: Some(SoftphoneErrorType::UserBusyError),
        }
    );
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::Failed(FailureReason::UserBusy));
    assert_eq!(report.flags.user_busy_failure, Some(true));
    rig.microphones.wait_closed().await;
    // The contact still rings: no second session is started for it, and the agent can act on it.
    let contact = rig
        .session
        .contact(&contact_id)
        .expect("contact still offered");
    contact
        .accept()
        .await
        .expect("the agent session is unaffected");
    assert!(rig.softphone.calls().await.is_empty());
    assert_eq!(rig.media.live_legs(), 0);
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_abandoning_during_setup_ends_the_call_with_a_bye() {
    let mut rig = Rig::start(Options::default()).await;
    rig.media.signaling().inject("invite", Fault::NoReply);
    let contact_id = rig.call_in();
    let connection_id = rig.started(&contact_id).await;
    let id = contact_id.clone();
    rig.until("InviteAnswer", move |e| {
        matches!(e, SoftphoneEvent::StateChanged { contact_id, state: SessionState::InviteAnswer } if *contact_id == id)
    })
    .await;
    rig.sim
        .control()
        .hang_up(&contact_id)
        .expect("customer abandons while ringing");
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(
        reason,
        EndReason::HangupDuringSetup {
            step: SetupStep::InviteAnswer
        }
    );
    assert_eq!(report.handshake_time_millis, None, "never reached");
    let bye = rig
        .media
        .signaling()
        .journal()
        .into_iter()
        .find(|r| r.method == "bye");
    assert_eq!(
        bye.map(|b| b.connection_id),
        Some(connection_id),
        "the invite is withdrawn with bye"
    );
    rig.microphones.wait_closed().await;
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_hangs_up_during_setup() {
    let mut rig = Rig::start(Options::default()).await;
    rig.media.signaling().inject("invite", Fault::NoReply);
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    let id = contact_id.clone();
    rig.until("InviteAnswer", move |e| {
        matches!(e, SoftphoneEvent::StateChanged { contact_id, state: SessionState::InviteAnswer } if *contact_id == id)
    })
    .await;
    rig.softphone.hang_up(&contact_id).await.expect("hang up");
    let SoftphoneEvent::Ended { reason, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(
        reason,
        EndReason::HangupDuringSetup {
            step: SetupStep::InviteAnswer
        }
    );
    assert!(rig
        .softphone
        .hang_up(&contact_id)
        .await
        .is_err_and(|e| e.is_no_such_call()));
    assert!(
        rig.session.contact(&contact_id).is_some(),
        "the contact itself is untouched"
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_signaling_frames_are_dropped_and_the_call_goes_on() {
    let mut rig = Rig::start(Options::default()).await;
    let contact_id = rig.call_in();
    let connection_id = rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    let signaling = rig.media.signaling();
    assert!(signaling.push_raw(&connection_id, json!("not json at all")));
    assert!(signaling.push_raw(&connection_id, json!({"connectionId": connection_id})));
    assert!(signaling.push_raw(
        &connection_id,
        json!("{\"connectionId\":\"nobody\",\"jsonRpcMsg\":{\"method\":\"bye\",\"id\":\"x\"}}")
    ));
    assert!(signaling.push_raw(
        &connection_id,
        json!(format!("{{\"connectionId\":\"{connection_id}\",\"jsonRpcMsg\":{{\"id\":\"unknown\",\"result\":{{}}}}}}"))
    ));
    let agent_heard = next_samples(&rig.agent_heard(&contact_id), 48_000).await;
    assert!(has_tone(&agent_heard, CUSTOMER_TONE), "audio still flows");
    let calls = rig.softphone.calls().await;
    assert_eq!(
        calls[0].state,
        Some(SessionState::Talking(TalkingState::Connected))
    );
    // A valid message after the garbage is still handled: the server's bye ends the call.
    let mut seen = rig.media.signaling().watch();
    assert!(rig.media.signaling().push_bye(&connection_id));
    let SoftphoneEvent::Ended { reason, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::RemoteHangup);
    let answer = first_event!(
        seen,
        |r| (r.method == "response").then(|| r.clone()),
        "the server's bye is answered"
    );
    assert_eq!(answer.connection_id, connection_id);
    assert_eq!(answer.params["result"], json!({}));
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_ccp_websocket_does_not_end_the_call() {
    let mut rig = Rig::start(Options::default()).await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    rig.accept_until_connected(&contact_id).await;
    let contact = rig.session.contact(&contact_id).expect("contact");
    let mut agent_events = rig.session.subscribe();
    assert!(rig.server.kill_websockets() >= 1);
    // The session reconnects and re-subscribes `aws/softphone`; media never stopped.
    first_event!(
        agent_events,
        |e| match e {
            connect_core::events::AgentEvent::Health(
                connect_core::events::HealthEvent::Transport(
                    connect_core::events::TransportEvent::Subscribed { topics },
                ),
            ) => topics.iter().any(|t| t == "aws/softphone").then_some(()),
            _ => None,
        },
        "aws/softphone subscribed again"
    );
    let agent_heard = next_samples(&rig.agent_heard(&contact_id), 24_000).await;
    assert!(has_tone(&agent_heard, CUSTOMER_TONE), "audio still flows");
    assert_eq!(
        rig.softphone.calls().await[0].state,
        Some(SessionState::Talking(TalkingState::Connected))
    );
    // Signaling works on the new socket: the hang-up's bye is answered.
    contact.hang_up().await.expect("hang up");
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&contact_id).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.bye_acknowledged, Some(true));
    rig.stop().await;
}
