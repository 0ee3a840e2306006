//! Softphone signaling over a direct WebSocket to the simulator's `/LilyRTC` endpoint.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod signaling_support;

use connect_softphone::session::{EndReason, SessionEvent};
use connect_softphone::signaling::SignalingState;
use signaling_support::{Phone, Sim};

#[tokio::test]
async fn invite_answer_accept_bye_on_the_direct_socket() {
    let sim = Sim::start().await;
    let endpoint = sim.signaling.serve_direct().await.expect("direct endpoint");
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", Sim::call_config(&endpoint.url(), false));
    phone.until_talking("ac-1").await;
    let journal = sim.signaling.journal();
    let invite = journal
        .iter()
        .find(|r| r.method == "invite")
        .expect("invite");
    assert_eq!(invite.connection_id, "contact-ac-1", "callId of the URL");
    assert_eq!(invite.params["callContextToken"], "cct/ac-1");
    assert!(journal.iter().any(|r| r.method == "accept"));

    phone.hangup("ac-1");
    let ended = phone
        .until("SessionEnded", |e| {
            matches!(e, SessionEvent::SessionEnded { .. })
        })
        .await;
    let SessionEvent::SessionEnded { reason, report, .. } = ended else {
        panic!("{ended:?}")
    };
    assert_eq!(reason, EndReason::LocalHangup);
    assert_eq!(report.bye_acknowledged, Some(true));
}

#[tokio::test]
async fn direct_socket_drop_reconnects_with_the_client_token() {
    let sim = Sim::start().await;
    let endpoint = sim.signaling.serve_direct().await.expect("direct endpoint");
    let mut phone = Phone::connect(&sim).await;
    phone.start("ac-1", Sim::call_config(&endpoint.url(), false));
    phone.until_talking("ac-1").await;
    assert!(sim
        .signaling
        .push_renew_client_token("contact-ac-1", "ct-1"));
    phone
        .wait_for("the renewed token", |m, _| {
            m.call_pc("ac-1")
                .and_then(|pc| m.signaling(pc))
                .and_then(|s| s.client_token())
                .is_some()
        })
        .await;
    assert_eq!(endpoint.kill_sockets(), 1);
    phone
        .wait_for("signaling back in Talking", |m, seen| {
            let state = m
                .call_pc("ac-1")
                .and_then(|pc| m.signaling_state(pc).cloned());
            seen.channel_downs >= 1 && state == Some(SignalingState::Talking)
        })
        .await;
    let connects: Vec<String> = sim
        .signaling
        .journal()
        .into_iter()
        .filter(|r| r.method == "connect")
        .map(|r| r.params["auth"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(connects, vec!["contactCtx", "clientToken"]);
    // The server bye arrives on the new socket.
    assert!(sim.signaling.push_bye("contact-ac-1"));
    let ended = phone
        .until("SessionEnded", |e| {
            matches!(e, SessionEvent::SessionEnded { .. })
        })
        .await;
    assert!(matches!(
        ended,
        SessionEvent::SessionEnded {
            reason: EndReason::RemoteHangup,
            ..
        }
    ));
}
