//! The guard and the event wait, on tokio channels under paused time.

use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use crate::{within, HANG_GUARD};

#[tokio::test(start_paused = true)]
async fn first_event_skips_what_does_not_match_and_leaves_what_follows() {
    let (tx, mut events) = mpsc::unbounded_channel();
    for n in [1, 3, 4, 5, 6] {
        tx.send(n).expect("receiver alive");
    }
    let mut skipped = Vec::new();
    let even = crate::first_event!(events, |n: &i32| {
        if n % 2 == 0 {
            Some(*n * 10)
        } else {
            skipped.push(*n);
            None
        }
    });
    assert_eq!(even, 40);
    assert_eq!(skipped, [1, 3]);
    assert_eq!(
        events.recv().await,
        Some(5),
        "the events after the match stay"
    );
}

#[tokio::test(start_paused = true)]
async fn first_event_waits_for_an_event_still_to_come() {
    let (tx, mut events) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        tx.send("late").expect("receiver alive");
    });
    let found = crate::first_event!(events, |e| Some(*e), "the late event");
    assert_eq!(found, "late");
}

#[tokio::test(start_paused = true)]
async fn first_event_reads_a_broadcast_receiver_and_skips_a_lag() {
    let (tx, mut events) = broadcast::channel(2);
    for n in 1..=5 {
        tx.send(n).expect("a receiver");
    }
    // Capacity 2: the receiver lagged and lost 1 to 3; its first receive says so.
    let found = crate::first_event!(events, |n| Some(*n), String::from("any event"));
    assert_eq!(found, 4, "the lag is skipped, the next event taken");
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "the ringing: the event stream ended first")]
async fn first_event_fails_when_the_stream_ends() {
    let (tx, mut events) = mpsc::unbounded_channel();
    tx.send("connected").expect("receiver alive");
    drop(tx);
    crate::first_event!(events, |e| (*e == "ringing").then_some(()), "the ringing");
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "a matching event on `events`: not within the 60s hang guard")]
async fn first_event_fails_when_nothing_matches_in_time() {
    let (tx, mut events) = mpsc::unbounded_channel::<u8>();
    crate::first_event!(events, |n| (*n > 0).then_some(()));
    drop(tx);
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "the reply: not within the 60s hang guard")]
async fn within_fails_when_the_future_never_finishes() {
    within("the reply", std::future::pending::<()>()).await;
}

#[tokio::test(start_paused = true)]
async fn within_returns_what_finishes_inside_the_guard() {
    let slow = async {
        tokio::time::sleep(HANG_GUARD - Duration::from_millis(1)).await;
        "done"
    };
    assert_eq!(within("the slow future", slow).await, "done");
}
