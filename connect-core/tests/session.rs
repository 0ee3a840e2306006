//! Agent sessions driving the simulated instance: whole contacts, ordering, isolation, auth.
//!
//! Time is tokio's paused clock: sleeps are virtual and the tests never wait for real.
#![cfg(feature = "mock")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use connect_core::api::CtiMethod;
use connect_core::events::{
    AgentEvent, AuthState, ContactEventKind as K, Events, HealthEvent, LifecycleValidator,
    TransportEvent,
};
use connect_core::mock::{ContactSpec, SimFaults, SimInstance};
use connect_core::model::{ContactStateType, ContactType, Endpoint, Timestamp};
use connect_core::session::{AgentSession, SessionSettings};
use connect_core::time::{Clock, ManualClock, SystemClock};
use connect_core::ws::ResumeCause;

/// A simulated instance with `agents` agents on a shared clock, its timers running.
fn sim(agents: usize) -> (SimInstance, Arc<dyn Clock>) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
    let sim = SimInstance::builder()
        .seed(42)
        .agents(agents)
        .clock(Arc::clone(&clock))
        .build()
        .expect("valid simulator");
    tokio::spawn(sim.run_timers());
    (sim, clock)
}

async fn session(sim: &SimInstance, clock: &Arc<dyn Clock>, login: &str) -> (AgentSession, Events) {
    AgentSession::builder(sim.client(login).expect("agent exists"))
        .clock(Arc::clone(clock))
        .connect()
        .await
        .expect("session connects")
}

/// One agent on a fresh simulator: the instance, the connected session, its events and a
/// validator to feed them to.
async fn one_agent() -> (SimInstance, AgentSession, Events, LifecycleValidator) {
    let (sim, clock) = sim(1);
    let (session, events) = session(&sim, &clock, "agent1").await;
    (sim, session, events, LifecycleValidator::default())
}

/// Puts the agent in `Available` through the CTI (`putAgentState`).
async fn become_available(session: &AgentSession) {
    session
        .agent()
        .set_state_by_name("Available")
        .await
        .expect("available");
}

/// Reads events (feeding `validator`) until `want` matches; bounded in virtual time.
async fn until(
    events: &mut Events,
    validator: &mut LifecycleValidator,
    want: impl Fn(&AgentEvent) -> bool,
) -> AgentEvent {
    let wait = async {
        loop {
            let event = events.recv().await.expect("session alive");
            validator.observe(&event);
            if std::env::var_os("SHOW_EVENTS").is_some() {
                eprintln!("{event:?}");
            }
            if want(&event) {
                return event;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(600), wait)
        .await
        .expect("event within 10 virtual minutes")
}

fn contact_event(kind: K) -> impl Fn(&AgentEvent) -> bool {
    move |e| matches!(e, AgentEvent::Contact(c) if c.kind == kind)
}

fn agent_state(name: &'static str) -> impl Fn(&AgentEvent) -> bool {
    move |e| matches!(e, AgentEvent::StateChange { new, .. } if new == name)
}

#[tokio::test(start_paused = true)]
async fn a_voice_contact_runs_from_ring_to_after_contact_work_and_clear() {
    let (sim, session, mut events, mut v) = one_agent().await;
    assert!(matches!(
        until(&mut events, &mut v, |_| true).await,
        AgentEvent::Init { .. }
    ));
    session
        .agent()
        .set_state_by_name("Break")
        .await
        .expect("break");
    until(&mut events, &mut v, agent_state("Break")).await;
    become_available(&session).await;
    until(&mut events, &mut v, agent_state("Available")).await;

    let contact_id = sim
        .control()
        .enqueue(ContactSpec::voice("+15555550123"))
        .expect("enqueued");
    until(&mut events, &mut v, agent_state("PendingBusy")).await;
    until(&mut events, &mut v, contact_event(K::Connecting)).await;
    let contact = session.contact(&contact_id).expect("contact in snapshot");
    contact.accept().await.expect("accepted");
    until(&mut events, &mut v, contact_event(K::Accepted)).await;
    until(&mut events, &mut v, contact_event(K::Connected)).await;

    contact.hang_up().await.expect("hung up");
    until(&mut events, &mut v, agent_state("AfterCallWork")).await;
    until(&mut events, &mut v, contact_event(K::Ended)).await;
    let acw = until(&mut events, &mut v, contact_event(K::Acw)).await;
    if let AgentEvent::Contact(c) = acw {
        assert_eq!(c.contact.state.kind, ContactStateType::Ended);
    }
    contact.clear().await.expect("cleared");
    until(&mut events, &mut v, agent_state("Available")).await;
    until(&mut events, &mut v, contact_event(K::Destroyed)).await;

    assert_eq!(v.violations(), &[]);
    assert_eq!(v.completed(), 1);
    assert!(session.snapshot().expect("snapshot").contacts.is_empty());
    assert_eq!(sim.counters().handled, 1);
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_call_is_missed_and_the_agent_lands_in_missed_call_agent() {
    let (sim, session, mut events, mut v) = one_agent().await;
    become_available(&session).await;
    sim.control()
        .enqueue(ContactSpec::voice("+15555550100"))
        .expect("enqueued");
    until(&mut events, &mut v, contact_event(K::Connecting)).await;
    // Nobody answers: after the ring timeout the contact is missed.
    until(
        &mut events,
        &mut v,
        |e| matches!(e, AgentEvent::Error(s) if s.name == "MissedCallAgent"),
    )
    .await;
    until(&mut events, &mut v, contact_event(K::Missed)).await;
    until(&mut events, &mut v, contact_event(K::Destroyed)).await;
    assert_eq!(v.violations(), &[]);
    assert_eq!(sim.counters().missed, 1);
}

#[tokio::test(start_paused = true)]
async fn create_outbound_call_returns_the_new_contact() {
    let (_sim, session, mut events, mut v) = one_agent().await;
    let call = session
        .agent()
        .create_outbound_call(Endpoint::phone_number("+15555550199"))
        .await
        .expect("outbound call correlated");
    let snapshot = session.snapshot().expect("snapshot");
    let contact = snapshot
        .contact(&call.contact_id)
        .expect("the returned contact exists");
    assert_eq!(contact.kind, ContactType::Voice);
    assert_eq!(
        contact.agent_connection().map(|c| c.connection_id.as_str()),
        Some(call.agent_connection_id.as_str())
    );
    assert_eq!(
        contact
            .initial_connection()
            .map(|c| c.connection_id.as_str()),
        Some(call.customer_connection_id.as_str())
    );
    until(&mut events, &mut v, agent_state("CallingCustomer")).await;
    until(&mut events, &mut v, contact_event(K::Connected)).await;
    assert_eq!(v.violations(), &[]);
}

#[tokio::test(start_paused = true)]
async fn chat_and_task_contacts_are_handled_side_by_side() {
    let (sim, session, mut events, mut v) = one_agent().await;
    become_available(&session).await;
    let chat = sim
        .control()
        .enqueue(ContactSpec::chat("Ana"))
        .expect("chat");
    until(&mut events, &mut v, contact_event(K::Connecting)).await;
    session
        .contact(&chat)
        .expect("chat")
        .accept()
        .await
        .expect("accept chat");
    until(&mut events, &mut v, contact_event(K::Connected)).await;
    let task = sim
        .control()
        .enqueue(ContactSpec::task("Refund"))
        .expect("task");
    until(
        &mut events,
        &mut v,
        |e| matches!(e, AgentEvent::Contact(c) if c.contact_id == task && c.kind == K::Connecting),
    )
    .await;
    let task_handle = session.contact(&task).expect("task");
    task_handle.accept().await.expect("accept task");
    for id in [&chat, &task] {
        let handle = session.contact(id).expect("contact");
        until(&mut events, &mut v, |e| {
            matches!(e, AgentEvent::Contact(c) if &c.contact_id == id && c.contact.state.kind == ContactStateType::Connected)
        })
        .await;
        handle.hang_up().await.expect("end");
        until(
            &mut events,
            &mut v,
            |e| matches!(e, AgentEvent::Contact(c) if &c.contact_id == id && c.kind == K::Ended),
        )
        .await;
        handle.clear().await.expect("clear");
        until(&mut events, &mut v, |e| {
            matches!(e, AgentEvent::Contact(c) if &c.contact_id == id && c.kind == K::Destroyed)
        })
        .await;
    }
    assert_eq!(v.violations(), &[]);
    assert_eq!(v.completed(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_subscriber_is_removed_and_the_session_goes_on() {
    let (sim, session, mut events, mut v) = one_agent().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    session.on_event(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        panic!("subscriber bug");
    });
    become_available(&session).await;
    until(&mut events, &mut v, |e| {
        matches!(
            e,
            AgentEvent::Health(HealthEvent::SubscriberPanicked { .. })
        )
    })
    .await;
    sim.control()
        .enqueue(ContactSpec::voice("+15555550111"))
        .expect("enqueued");
    until(&mut events, &mut v, contact_event(K::Connecting)).await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the panicking callback ran once"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_subscriber_lags_then_resyncs_without_blocking_others() {
    let (sim, clock) = sim(1);
    let settings = SessionSettings {
        subscriber_queue: 16,
        ..SessionSettings::default()
    };
    let (session, mut events) = AgentSession::builder(sim.client("agent1").expect("agent"))
        .clock(Arc::clone(&clock))
        .settings(settings)
        .connect()
        .await
        .expect("connects");
    let mut slow = session.subscribe();
    // Handle three calls while `slow` reads nothing; `events` keeps up.
    let mut v = LifecycleValidator::default();
    for i in 0..3 {
        let id = sim
            .control()
            .enqueue(ContactSpec::voice(format!("+1555000{i:04}")))
            .expect("enqueued");
        until(&mut events, &mut v, contact_event(K::Connecting)).await;
        let contact = session.contact(&id).expect("contact");
        contact.accept().await.expect("accept");
        until(&mut events, &mut v, contact_event(K::Connected)).await;
        contact.hang_up().await.expect("hang up");
        until(&mut events, &mut v, contact_event(K::Acw)).await;
        contact.clear().await.expect("clear");
        until(&mut events, &mut v, contact_event(K::Destroyed)).await;
    }
    assert_eq!(
        v.violations(),
        &[],
        "the fast subscriber saw everything in order"
    );
    assert_eq!(v.completed(), 3);
    let first = slow.recv().await.expect("event");
    let AgentEvent::Lagged { dropped } = first else {
        panic!("expected Lagged, got {first:?}");
    };
    assert!(dropped > 0);
    let Some(AgentEvent::Resync {
        snapshot,
        destroyed,
    }) = slow.recv().await
    else {
        panic!("expected Resync");
    };
    assert!(snapshot.expect("current snapshot").contacts.is_empty());
    assert!(
        destroyed.is_empty(),
        "slow never saw a contact, so none to close"
    );
}

#[tokio::test(start_paused = true)]
async fn several_sessions_live_in_one_process() {
    let (sim, clock) = sim(2);
    let (one, mut events_one) = session(&sim, &clock, "agent1").await;
    let (two, mut events_two) = session(&sim, &clock, "agent2").await;
    let (mut v1, mut v2) = (LifecycleValidator::default(), LifecycleValidator::default());
    one.agent()
        .set_state_by_name("Available")
        .await
        .expect("available");
    two.agent()
        .set_state_by_name("Available")
        .await
        .expect("available");
    sim.control()
        .enqueue(ContactSpec::voice("+15555550001"))
        .expect("first");
    sim.control()
        .enqueue(ContactSpec::voice("+15555550002"))
        .expect("second");
    until(&mut events_one, &mut v1, contact_event(K::Connecting)).await;
    until(&mut events_two, &mut v2, contact_event(K::Connecting)).await;
    assert_ne!(one.session_id(), two.session_id());
    drop(two);
    // The remaining session keeps polling.
    let first = one.snapshot().expect("snap").contacts[0].contact_id.clone();
    one.contact(&first)
        .expect("c")
        .accept()
        .await
        .expect("accept");
    until(&mut events_one, &mut v1, contact_event(K::Connected)).await;
}

fn faults(sim: &SimInstance) -> SimFaults {
    sim.faults()
}

#[tokio::test(start_paused = true)]
async fn unauthorized_past_the_budget_expire_auth_then_a_success_restores_it() {
    let (sim, clock) = sim(1);
    let (_session, mut events) = session(&sim, &clock, "agent1").await;
    let mut v = LifecycleValidator::default();
    // A revoked token fails every method; the 21st consecutive 401 exhausts the budget.
    faults(&sim).fail_next(None, 40, SimFaults::unauthorized());
    let expired = until(&mut events, &mut v, |e| {
        matches!(e, AgentEvent::Health(HealthEvent::Auth(_)))
    })
    .await;
    assert!(matches!(
        expired,
        AgentEvent::Health(HealthEvent::Auth(AuthState::Expired))
    ));
    let restored = until(&mut events, &mut v, |e| {
        matches!(e, AgentEvent::Health(HealthEvent::Auth(_)))
    })
    .await;
    assert!(matches!(
        restored,
        AgentEvent::Health(HealthEvent::Auth(AuthState::Valid { .. }))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_failing_poll_is_reported_and_retried_without_ending_the_session() {
    let (sim, session, mut events, mut v) = one_agent().await;
    faults(&sim).fail_next(
        Some(CtiMethod::GetAgentSnapshot),
        3,
        SimFaults::server_error(500),
    );
    until(&mut events, &mut v, |e| {
        matches!(
            e,
            AgentEvent::Health(HealthEvent::LoopError {
                task: "snapshot",
                ..
            })
        )
    })
    .await;
    session
        .agent()
        .set_state_by_name("Break")
        .await
        .expect("break");
    until(&mut events, &mut v, agent_state("Break")).await;
}

#[tokio::test(start_paused = true)]
async fn a_per_contact_subscription_sees_only_its_contact_and_ends_after_destroyed() {
    let (sim, clock) = sim(1);
    let (session, _events) = session(&sim, &clock, "agent1").await;
    let chat = sim
        .control()
        .enqueue(ContactSpec::chat("Ana"))
        .expect("chat");
    let mut only_chat = session.subscribe().contact(chat.clone());
    let handle = loop {
        if let Some(handle) = session.contact(&chat) {
            break handle;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    handle.accept().await.expect("accept");
    let mut kinds = Vec::new();
    while let Some(event) = only_chat.recv().await {
        assert_eq!(event.contact_id, chat);
        match event.kind {
            K::Connected => handle.hang_up().await.expect("end"),
            K::Ended => handle.clear().await.expect("clear"),
            _ => {}
        }
        if event.kind.is_lifecycle() {
            kinds.push(event.kind);
        }
    }
    // Subscribed before the next poll, so it sees the whole lifecycle, and the stream ends
    // by itself after Destroyed.
    assert_eq!(
        kinds,
        [
            K::Init,
            K::Connecting,
            K::Connected,
            K::Ended,
            K::Acw,
            K::Destroyed
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_configuration_merges_every_page_of_every_list() {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
    let sim = SimInstance::builder()
        .agents(3)
        .max_page_size(1)
        .clock(Arc::clone(&clock))
        .build()
        .expect("simulator");
    let (session, _events) = session(&sim, &clock, "agent2").await;
    let configuration = session.configuration().expect("complete configuration");
    let states = configuration.agent_states.as_ref().expect("states");
    assert!(
        states.len() >= 3,
        "one page per state, all kept: {states:?}"
    );
    let queues = configuration
        .routing_profile
        .queues
        .as_ref()
        .expect("queues");
    assert!(
        queues.len() >= 2,
        "basic queue and the personal queue: {queues:?}"
    );
    assert_eq!(
        configuration.agent_id(),
        sim.agent_id("agent2"),
        "agent id derived from the personal queue"
    );
    assert!(!configuration
        .permissions
        .as_ref()
        .expect("permissions")
        .is_empty());
}

fn resumed(cause: ResumeCause) -> impl Fn(&AgentEvent) -> bool {
    move |e| matches!(e, AgentEvent::Health(HealthEvent::Transport(TransportEvent::Resumed { cause: c })) if *c == cause)
}

#[tokio::test(start_paused = true)]
async fn a_host_that_slept_resumes_its_connections() {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_700_000_000_000)));
    let sim = SimInstance::builder()
        .agents(1)
        .clock(clock.clone())
        .build()
        .expect("valid simulator");
    let (session, mut events) = AgentSession::builder(sim.client("agent1").expect("agent"))
        .clock(clock.clone())
        .connect()
        .await
        .expect("session connects");
    let mut v = LifecycleValidator::default();
    // Let the session's tasks start (virtual time), then move the wall clock a minute while
    // no timer ran: what closing a laptop lid does.
    tokio::time::sleep(Duration::from_millis(1)).await;
    clock.advance(Duration::from_secs(60));
    until(&mut events, &mut v, resumed(ResumeCause::ClockJump)).await;
    sim.control()
        .enqueue(ContactSpec::voice("+15555550123"))
        .expect("enqueued");
    until(&mut events, &mut v, contact_event(K::Init)).await;
    assert!(v.violations().is_empty());
    session.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_long_poll_past_its_deadline_resumes_and_polls_again_at_once() {
    let (sim, session, mut events, mut v) = one_agent().await;
    sim.faults().stall_long_polls(true);
    until(&mut events, &mut v, resumed(ResumeCause::LongPollOverrun)).await;
    sim.faults().stall_long_polls(false);
    sim.control()
        .enqueue(ContactSpec::voice("+15555550123"))
        .expect("enqueued");
    until(&mut events, &mut v, contact_event(K::Init)).await;
    session.shutdown().await;
}
