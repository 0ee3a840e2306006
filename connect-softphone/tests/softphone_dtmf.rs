//! DTMF from the softphone: CTI `SendDigits` (the default, recorded by the simulated
//! instance) and RFC 4733 packets decoded by the customer's media leg.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::time::Instant;

use connect_core::mock::JournalEvent;
use connect_softphone::manager::{DtmfMode, SoftphoneEvent};
use connect_softphone::mock::media_service::MediaServiceEvent;
use softphone_support::{Options, Rig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digits_go_out_as_cti_send_digits_by_default() {
    let mut rig = Rig::start(Options::default()).await;
    let contact_id = rig.call_in();
    let connection_id = rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    rig.accept_until_connected(&contact_id).await;
    rig.softphone
        .send_digits(&contact_id, "12#*")
        .await
        .expect("digits sent");
    let sent = rig
        .until("DigitsSent", |e| {
            matches!(e, SoftphoneEvent::DigitsSent { .. })
        })
        .await;
    assert_eq!(
        sent,
        SoftphoneEvent::DigitsSent {
            contact_id: contact_id.clone(),
            digits: "12#*".into()
        }
    );
    let recorded: Vec<(String, String, String)> = rig
        .sim
        .control()
        .journal()
        .entries()
        .into_iter()
        .filter_map(|e| match e.event {
            JournalEvent::Digits {
                contact,
                connection,
                digits,
            } => Some((contact, connection, digits)),
            _ => None,
        })
        .collect();
    assert_eq!(
        recorded,
        [(contact_id.clone(), connection_id, "12#*".to_owned())]
    );
    assert!(rig.media.digits(&contact_id).is_empty(), "nothing in band");
    assert!(
        rig.softphone.send_digits(&contact_id, "1,2").await.is_err(),
        "no pause over CTI"
    );
    rig.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc4733_digits_reach_the_customer() {
    let mut rig = Rig::start(Options {
        dtmf_mode: DtmfMode::Rfc4733,
        ..Options::default()
    })
    .await;
    let contact_id = rig.call_in();
    rig.started(&contact_id).await;
    rig.media_both_ways(&contact_id, Instant::now()).await;
    rig.softphone
        .send_digits(&contact_id, "1#9*0D")
        .await
        .expect("digits queued");
    let mut heard = String::new();
    while heard.len() < 6 {
        let id = contact_id.clone();
        match rig.until_customer("digit", move |e| matches!(e, MediaServiceEvent::DtmfReceived { contact_id, .. } if *contact_id == id)).await {
            MediaServiceEvent::DtmfReceived { digit, .. } => heard.push(digit),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(heard, "1#9*0D");
    assert_eq!(rig.media.digits(&contact_id), "1#9*0D");
    assert!(rig
        .softphone
        .send_digits(&contact_id, "1x")
        .await
        .is_err_and(|e| !e.is_retryable()));
    rig.stop().await;
}
