//! Setup time of softphone calls on loopback: from the contact ringing (the session trigger)
//! to audio flowing both ways, over several calls. Printed, never asserted.
#![cfg(all(feature = "mock", not(target_arch = "wasm32")))]

mod softphone_support;

use std::time::{Duration, Instant};

use connect_softphone::manager::SoftphoneEvent;
use softphone_support::{Options, Rig};

const CALLS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_time_over_several_calls() {
    let mut rig = Rig::start(Options::default()).await;
    let mut setups: Vec<Duration> = Vec::new();
    let mut from_enqueue: Vec<Duration> = Vec::new();
    let mut reported: Vec<(i64, i64)> = Vec::new();
    for _ in 0..CALLS {
        let enqueued = Instant::now();
        let contact_id = rig.call_in();
        rig.started(&contact_id).await;
        let since = Instant::now();
        let (agent, customer) = rig.media_both_ways(&contact_id, since).await;
        setups.push(agent.max(customer));
        from_enqueue.push(enqueued.elapsed());
        rig.accept_until_connected(&contact_id).await;
        let contact = rig.session.contact(&contact_id).expect("contact");
        contact.hang_up().await.expect("hang up");
        match rig.ended(&contact_id).await {
            SoftphoneEvent::Ended { report, .. } => {
                reported.push((
                    report.pre_talk_time_millis.expect("Talking was reached"),
                    report.first_rtp_time_millis.expect("RTP arrived"),
                ));
            }
            other => panic!("{other:?}"),
        }
        contact.clear().await.expect("clear");
    }
    setups.sort();
    from_enqueue.sort();
    let mut pre_talk: Vec<i64> = reported.iter().map(|r| r.0).collect();
    let mut first_rtp: Vec<i64> = reported.iter().map(|r| r.1).collect();
    pre_talk.sort_unstable();
    first_rtp.sort_unstable();
    eprintln!(
        "softphone setup on loopback (ringing → audio both ways), {CALLS} calls: p50 {:?}, min {:?}, max {:?}; \
         from the enqueue p50 {:?}; report p50: preTalkTimeMillis {} ms, firstRTPTimeMillis {} ms",
        setups[CALLS / 2],
        setups[0],
        setups[CALLS - 1],
        from_enqueue[CALLS / 2],
        pre_talk[CALLS / 2],
        first_rtp[CALLS / 2],
    );
    assert_eq!(setups.len(), CALLS);
    rig.stop().await;
}
