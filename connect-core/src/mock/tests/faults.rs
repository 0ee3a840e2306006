//! Fault injection through the client.

use std::time::Duration;

use super::{run_tasks, sim, TestResult, T0};
use crate::api::{
    AuthErrorKind, CtiApi, CtiError, CtiMethod, GetAgentConfigurationRequest,
    GetAgentSnapshotRequest, TransportErrorKind,
};
use crate::mock::{JournalEvent, Reachability, SimFaults, SimInstance};

#[tokio::test]
async fn injected_errors_hit_the_next_calls_only() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(2));
    let (a1, a2) = (sim.client("agent1")?, sim.client("agent2")?);
    sim.faults().fail_next(
        Some(CtiMethod::GetAgentSnapshot),
        2,
        SimFaults::unauthorized(),
    );
    sim.faults()
        .fail_next_for("agent2", None, 1, SimFaults::server_error(503))?;
    for _ in 0..2 {
        let err = a1
            .get_agent_snapshot(GetAgentSnapshotRequest::default())
            .await
            .err();
        assert_eq!(
            err.and_then(|e| e.auth_kind()),
            Some(AuthErrorKind::Unauthorized)
        );
    }
    assert!(a1
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await
        .is_ok());
    assert!(a1
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await
        .is_ok());
    let err = a2
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await
        .err();
    assert_eq!(err.and_then(|e| e.http_status()), Some(503));
    assert!(a2
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await
        .is_ok());
    let faults = sim
        .journal()
        .iter()
        .filter(|e| matches!(e.event, JournalEvent::Fault { .. }))
        .count();
    assert_eq!(faults, 3);
    Ok(())
}

#[tokio::test]
async fn revoked_and_expired_tokens_answer_401_until_restored() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    let token = sim.issue_token("agent1")?;
    for expire in [false, true] {
        if expire {
            sim.faults().expire_token("agent1")?;
        } else {
            sim.faults().revoke_token("agent1")?;
        }
        let err = client
            .get_agent_configuration(GetAgentConfigurationRequest::default())
            .await
            .err();
        assert_eq!(
            err.as_ref().and_then(CtiError::auth_kind),
            Some(AuthErrorKind::Unauthorized)
        );
        assert!(sim.authenticate(token.auth_token.expose()).is_err());
        sim.faults().restore_token("agent1")?;
        assert!(client
            .get_agent_configuration(GetAgentConfigurationRequest::default())
            .await
            .is_ok());
        assert!(sim.authenticate(token.auth_token.expose()).is_ok());
    }
    Ok(())
}

#[tokio::test]
async fn latency_waits_on_the_clock() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    sim.faults().set_latency(
        Some(CtiMethod::GetAgentConfiguration),
        Duration::from_millis(500),
    );
    let client = sim.client("agent1")?;
    let call = tokio::spawn(async move {
        client
            .get_agent_configuration(GetAgentConfigurationRequest::default())
            .await
    });
    run_tasks().await;
    clock.advance(Duration::from_millis(499));
    run_tasks().await;
    assert!(!call.is_finished());
    clock.advance(Duration::from_millis(1));
    run_tasks().await;
    assert!(call.await?.is_ok());
    Ok(())
}

#[tokio::test]
async fn stalled_polls_hold_past_their_timeout() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    sim.faults().stall_long_polls(true);
    let client = sim.client("agent1")?;
    let call = tokio::spawn(async move {
        let req = GetAgentSnapshotRequest::long_poll(None, Duration::from_secs(30));
        client.get_agent_snapshot(req).await
    });
    run_tasks().await;
    clock.advance(Duration::from_secs(120));
    run_tasks().await;
    assert!(!call.is_finished());
    sim.faults().stall_long_polls(false);
    run_tasks().await;
    assert!(call.await?.is_ok());
    Ok(())
}

#[tokio::test]
async fn unreachable_instance() -> TestResult {
    let (sim, clock) = sim(SimInstance::builder().agents(1));
    let client = sim.client("agent1")?;
    sim.faults().set_reachability(Reachability::Refused);
    let err = client
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await
        .err();
    assert!(matches!(
        err,
        Some(CtiError::Transport {
            kind: TransportErrorKind::Connect,
            ..
        })
    ));
    sim.faults().set_reachability(Reachability::BlackHole);
    let black = client.clone();
    let call = tokio::spawn(async move {
        black
            .get_agent_configuration(GetAgentConfigurationRequest::default())
            .await
    });
    clock.advance(Duration::from_secs(60));
    run_tasks().await;
    assert!(!call.is_finished());
    call.abort();
    sim.faults().clear();
    assert!(client
        .get_agent_configuration(GetAgentConfigurationRequest::default())
        .await
        .is_ok());
    Ok(())
}

#[tokio::test]
async fn skew_moves_the_snapshot_timestamp() -> TestResult {
    let (sim, _clock) = sim(SimInstance::builder().agents(1));
    sim.faults().set_skew_millis(-1_500);
    let client = sim.client("agent1")?;
    let snap = client
        .get_agent_snapshot(GetAgentSnapshotRequest::default())
        .await?;
    assert_eq!(snap.snapshot.snapshot_timestamp.as_millis(), T0 - 1_500);
    Ok(())
}
