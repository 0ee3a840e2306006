//! Softphone signaling over the CCP WebSocket topic `aws/softphone` against the simulator on
//! loopback: real `SimServer`, real `WsManager`, real JSON-RPC.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod signaling_support;

use connect_softphone::mock::sim_signaling::{Fault, SimSignalingSettings};
use connect_softphone::session::{EndReason, FailureReason, SessionEvent, SessionState};
use connect_softphone::signaling::SignalingState;
use connect_testkit::first_event;
use serde_json::json;
use signaling_support::{Phone, Sim};

fn config() -> connect_core::model::Sensitive {
    Sim::call_config("/LilyRTC", true)
}

async fn ended(
    phone: &mut Phone,
    call: &str,
) -> (EndReason, Box<connect_softphone::session::SessionReport>) {
    let call = call.to_owned();
    match phone
        .until(
            "SessionEnded",
            move |e| matches!(e, SessionEvent::SessionEnded { call: c, .. } if *c == call),
        )
        .await
    {
        SessionEvent::SessionEnded { reason, report, .. } => (reason, report),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn invite_answer_accept_bye() {
    let sim = Sim::start().await;
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", config());
    phone.until_talking("ac-1").await;

    let journal = sim.signaling.journal();
    let invite = journal
        .iter()
        .find(|r| r.method == "invite")
        .expect("invite reached the server");
    assert_eq!(invite.connection_id, "ac-1");
    assert_eq!(invite.params["contactId"], "contact-ac-1");
    assert_eq!(invite.params["callContextToken"], "cct/ac-1");
    assert_eq!(invite.params["browserId"], "browser-1");
    assert_eq!(invite.params["candidates"][0]["sdpMLineIndex"], 0);
    assert!(journal
        .iter()
        .any(|r| r.method == "accept" && r.connection_id == "ac-1"));
    assert_eq!(phone.seen.lock().expect("seen").answers_applied, 1);

    phone.hangup("ac-1");
    let (reason, report) = ended(&mut phone, "ac-1").await;
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.bye_acknowledged, Some(true));
    assert_eq!(report.accept_acknowledged, Some(true));
    let bye = sim
        .signaling
        .journal()
        .into_iter()
        .find(|r| r.method == "bye")
        .expect("bye sent");
    assert_eq!(bye.params["contactId"], "contact-ac-1");
    assert_eq!(
        bye.params["peerConnectionId"],
        sim.signaling.peer_connection_ids()[0]
    );
}

#[tokio::test]
async fn busy_invite_fails_with_user_busy() {
    let sim = Sim::start().await;
    sim.signaling
        .inject("invite", Fault::error(486, "Busy Here"));
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", config());
    let failed = phone
        .until("SessionFailed", |e| {
            matches!(e, SessionEvent::SessionFailed { .. })
        })
        .await;
    assert!(matches!(
        failed,
        SessionEvent::SessionFailed {
            reason: FailureReason::UserBusy,
            ..
        }
    ));
    let (reason, report) = ended(&mut phone, "ac-1").await;
    assert_eq!(reason, EndReason::Failed(FailureReason::UserBusy));
    assert_eq!(report.flags.user_busy_failure, Some(true));
    assert_eq!(report.flags.handshake_failure, Some(true));
}

#[tokio::test]
async fn server_bye_ends_the_call_and_is_answered() {
    let sim = Sim::start().await;
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", config());
    phone.until_talking("ac-1").await;
    assert!(sim.signaling.push_bye("ac-1"));
    let (reason, _) = ended(&mut phone, "ac-1").await;
    assert_eq!(reason, EndReason::RemoteHangup);
    // The reply {"result":{}} reaches the server with the bye's id.
    let mut watch = sim.signaling.watch();
    let answered = sim
        .signaling
        .journal()
        .into_iter()
        .any(|r| r.method == "response");
    if !answered {
        let seen = first_event!(
            watch,
            |r| (r.method == "response").then(|| r.clone()),
            "reply to the server bye"
        );
        assert_eq!(seen.params["result"], json!({}));
    }
}

#[tokio::test]
async fn malformed_messages_are_logged_and_the_call_goes_on() {
    let sim = Sim::start().await;
    sim.signaling.set_settings(SimSignalingSettings {
        mock_style: true,
        ..SimSignalingSettings::default()
    });
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", config());
    phone.until_talking("ac-1").await;
    assert!(sim.signaling.push_raw("ac-1", json!("not json at all")));
    assert!(sim
        .signaling
        .push_raw("ac-1", json!({"connectionId": "ac-1"})));
    assert!(sim.signaling.push_raw(
        "ac-1",
        json!("{\"connectionId\":\"ac-1\",\"jsonRpcMsg\":{\"id\":\"nobody\",\"result\":{}}}")
    ));
    // A valid message after the garbage is still handled.
    assert!(sim.signaling.push_renew_client_token("ac-1", "fresh-token"));
    phone
        .wait_for("three dropped messages and the token", |m, seen| {
            let token = m
                .call_pc("ac-1")
                .and_then(|pc| m.signaling(pc))
                .and_then(|s| s.client_token())
                .is_some_and(|t| t.expose() == "fresh-token");
            m.malformed_messages() + seen.malformed as u64 >= 3 && token
        })
        .await;
    assert_eq!(
        phone.inspect(|m| m.call_state("ac-1")).await,
        Some(SessionState::Talking(
            connect_softphone::session::TalkingState::Connected
        ))
    );
    phone.hangup("ac-1");
    let (reason, report) = ended(&mut phone, "ac-1").await;
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(
        report.bye_acknowledged,
        Some(true),
        "mock-style bye answer recognised"
    );
}

#[tokio::test]
async fn a_dropped_websocket_recovers_without_ending_the_call() {
    let sim = Sim::start().await;
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", config());
    phone.until_talking("ac-1").await;
    assert!(sim.server.kill_websockets() >= 1);
    // Channel down → PendingReconnect → re-subscribed → Talking again.
    phone
        .wait_for("signaling back in Talking", |m, seen| {
            let state = m
                .call_pc("ac-1")
                .and_then(|pc| m.signaling_state(pc).cloned());
            seen.channel_downs >= 1 && state == Some(SignalingState::Talking)
        })
        .await;
    assert!(
        phone.inspect(|m| m.call_state("ac-1")).await.is_some(),
        "call not ended"
    );
    assert_eq!(
        phone.seen.lock().expect("seen").closed_pcs,
        0,
        "media untouched"
    );
    // Signaling works on the new socket.
    phone.hangup("ac-1");
    let (reason, report) = ended(&mut phone, "ac-1").await;
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.bye_acknowledged, Some(true));
}
