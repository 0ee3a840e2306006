//! A persistent peer connection (§5.3) over the network: the second call reuses the first
//! call's peer with `connectContact`, the microphone is closed in between (R9), and the audio
//! of each call goes to that call's own sink.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::time::Instant;

use connect_softphone::manager::SoftphoneEvent;
use connect_softphone::session::{EndReason, SoftphoneConfig};
use softphone_support::{has_tone, next_samples, Options, Rig, AGENT_TONE, CUSTOMER_TONE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_call_reuses_the_peer_connection() {
    let mut config = SoftphoneConfig::new("browser-1", "client-1");
    config.persistent_connection = true;
    let mut rig = Rig::start(Options {
        config: Some(config),
        ..Options::default()
    })
    .await;

    let first = rig.call_in();
    rig.started(&first).await;
    rig.media_both_ways(&first, Instant::now()).await;
    rig.accept_until_connected(&first).await;
    let contact = rig.session.contact(&first).expect("first contact");
    contact.hang_up().await.expect("hang up");
    let SoftphoneEvent::Ended { reason, report, .. } = rig.ended(&first).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::LocalHangup);
    assert!(report.persistent_connection);
    rig.microphones.wait_closed().await;
    contact.clear().await.expect("clear");
    assert_eq!(
        rig.media.live_legs(),
        1,
        "the peer connection stays up between calls"
    );

    let second = rig.call_in();
    rig.started(&second).await;
    rig.accept_until_connected(&second).await;
    let id = second.clone();
    rig.until(
        "SessionConnected",
        move |e| matches!(e, SoftphoneEvent::SessionConnected { contact_id } if *contact_id == id),
    )
    .await;
    let journal = rig.media.signaling().journal();
    assert_eq!(
        journal.iter().filter(|r| r.method == "invite").count(),
        1,
        "no second invite"
    );
    assert!(journal
        .iter()
        .any(|r| r.method == "disconnectContact" && r.params["contactId"] == first.as_str()));
    assert!(journal
        .iter()
        .any(|r| r.method == "connectContact" && r.params["contactId"] == second.as_str()));
    assert_eq!(
        rig.microphones.opened_total(),
        2,
        "the microphone is reopened for the call"
    );

    let agent_heard = next_samples(&rig.agent_heard(&second), 48_000).await;
    assert!(
        has_tone(&agent_heard, CUSTOMER_TONE),
        "the second call's sink plays the customer"
    );
    let customer = rig
        .media
        .recording(&second)
        .expect("the leg carries the second contact");
    assert!(has_tone(&next_samples(&customer, 48_000).await, AGENT_TONE));

    rig.session
        .contact(&second)
        .expect("second contact")
        .hang_up()
        .await
        .expect("hang up");
    let SoftphoneEvent::Ended { reason, .. } = rig.ended(&second).await else {
        unreachable!("ended() returns Ended")
    };
    assert_eq!(reason, EndReason::LocalHangup);
    rig.stop().await;
}
