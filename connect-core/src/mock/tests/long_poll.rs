//! The long-poll: at once without a token or with an older one, else until a change or the
//! timeout; timers fire while it waits, with or without `run_timers`.

use std::time::Duration;

use super::{run_tasks, sim, TestResult};
use crate::api::{CtiApi, CtiError, GetAgentSnapshotRequest, GetAgentSnapshotResponse};
use crate::mock::{SimClient, SimInstance};
use crate::model::ContactStateType;

/// A long poll running on its own task.
type PendingPoll = tokio::task::JoinHandle<Result<GetAgentSnapshotResponse, CtiError>>;

fn poll(client: &SimClient, token: &str, timeout: Duration) -> PendingPoll {
    let client = client.clone();
    let req = GetAgentSnapshotRequest::long_poll(Some(token.to_owned()), timeout);
    tokio::spawn(async move { client.get_agent_snapshot(req).await })
}

/// The client's current snapshot, and a 30 s long poll on its token, started and waiting.
async fn snapshot_then_poll(
    client: &SimClient,
) -> Result<(GetAgentSnapshotResponse, PendingPoll), CtiError> {
    let current = client
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await?;
    let waiting = poll(client, &current.next_token, Duration::from_secs(30));
    run_tasks().await;
    Ok((current, waiting))
}

#[tokio::test]
async fn answers_at_once_without_token_and_for_older_tokens() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let first = client
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await?;
    sim.control().enqueue_chat("Ann")?;
    let req =
        GetAgentSnapshotRequest::long_poll(Some(first.next_token.clone()), Duration::from_secs(30));
    let second = client.get_agent_snapshot(req).await?;
    assert_ne!(second.next_token, first.next_token);
    assert_eq!(second.snapshot.contacts.len(), 1);
    // A token of another agent or garbage also answers at once.
    let req = GetAgentSnapshotRequest::long_poll(Some("garbage".into()), Duration::from_secs(30));
    assert_eq!(
        client.get_agent_snapshot(req).await?.next_token,
        second.next_token
    );
    Ok(())
}

#[tokio::test]
async fn returns_early_on_change() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let (_first, waiting) = snapshot_then_poll(&client).await?;
    assert!(!waiting.is_finished(), "held while nothing changes");
    let contact = sim.control().enqueue_voice("+15555550123")?;
    run_tasks().await;
    assert!(waiting.is_finished());
    let answer = waiting.await??;
    assert_eq!(answer.snapshot.contacts[0].contact_id, contact);
    assert_eq!(answer.snapshot.state.name, "PendingBusy");
    Ok(())
}

#[tokio::test]
async fn times_out_with_the_same_snapshot() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let (first, waiting) = snapshot_then_poll(&client).await?;
    clock.advance(Duration::from_millis(29_999));
    run_tasks().await;
    assert!(!waiting.is_finished());
    clock.advance(Duration::from_millis(1));
    run_tasks().await;
    assert!(waiting.is_finished());
    let answer = waiting.await??;
    assert_eq!(answer.next_token, first.next_token);
    let mut expected = first.snapshot.clone();
    expected.snapshot_timestamp = first.snapshot.snapshot_timestamp.add_millis(30_000);
    assert_eq!(answer.snapshot, expected);
    Ok(())
}

#[tokio::test]
async fn timers_fire_while_a_poll_waits() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let contact = sim.control().enqueue_voice("+15555550123")?;
    let (_ringing, waiting) = snapshot_then_poll(&client).await?;
    clock.advance(Duration::from_secs(20)); // ring timeout, no run_timers task
    run_tasks().await;
    let answer = waiting.await??;
    let missed = answer
        .snapshot
        .contact(&contact)
        .map(|c| c.state.kind.clone());
    assert_eq!(missed, Some(ContactStateType::Missed));
    assert_eq!(answer.snapshot.state.name, "MissedCallAgent");
    Ok(())
}

#[tokio::test]
async fn run_timers_advances_between_calls_and_stops() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    let timers = tokio::spawn(sim.run_timers());
    let contact = sim.control().enqueue_voice("+15555550123")?;
    run_tasks().await;
    clock.advance(Duration::from_secs(20));
    run_tasks().await;
    // Read the journal without advancing the engine through a call.
    let journal = sim.with_engine(|e| e.journal().clone());
    assert_eq!(
        journal.contact_states(&contact).last(),
        Some(&ContactStateType::Missed)
    );
    sim.shutdown();
    run_tasks().await;
    assert!(timers.is_finished());
    Ok(())
}

#[tokio::test]
async fn run_timers_ends_when_the_instance_is_dropped() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(1));
    let timers = tokio::spawn(sim.run_timers());
    run_tasks().await;
    drop(sim);
    run_tasks().await;
    assert!(timers.is_finished());
    Ok(())
}
