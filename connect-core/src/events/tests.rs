//! Transition tables and property tests of the snapshot diff.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::model::{
    AgentSnapshot, AgentState, AgentStateType, Connection, ConnectionStateType, ConnectionType,
    Contact, ContactStateType as S, ContactType, Timestamp,
};
use ContactEventKind as K;

#[test]
fn contact_transition_table() {
    // (old, new, ended before, expected events) — the full contact graph plus R1.
    let cases: Vec<(Option<S>, S, bool, Vec<K>)> = vec![
        (None, S::Connecting, false, vec![K::Init, K::Connecting]),
        (None, S::Incoming, false, vec![K::Init, K::Incoming]),
        (None, S::Connected, false, vec![K::Init, K::Connected]),
        (None, S::Init, false, vec![K::Init]),
        (None, S::Ended, false, vec![K::Init, K::Ended, K::Acw]),
        (None, S::Error, false, vec![K::Init, K::Error, K::Ended]),
        (None, S::Missed, false, vec![K::Init, K::Ended]),
        (None, S::Paused, false, vec![K::Init, K::Paused]),
        (Some(S::Init), S::Connecting, false, vec![K::Connecting]),
        (Some(S::Incoming), S::Connecting, false, vec![K::Connecting]),
        (Some(S::Connecting), S::Connected, false, vec![K::Connected]),
        (Some(S::Pending), S::Connected, false, vec![K::Connected]),
        (Some(S::Connected), S::Paused, false, vec![K::Paused]),
        (Some(S::Paused), S::Connected, false, vec![K::Connected]),
        (Some(S::Connected), S::Ended, false, vec![K::Ended, K::Acw]),
        (Some(S::Connecting), S::Ended, false, vec![K::Ended, K::Acw]),
        (
            Some(S::Connecting),
            S::Error,
            false,
            vec![K::Error, K::Missed, K::Ended],
        ),
        (
            Some(S::Incoming),
            S::Error,
            false,
            vec![K::Error, K::Missed, K::Ended],
        ),
        (
            Some(S::Connected),
            S::Error,
            false,
            vec![K::Error, K::Ended],
        ),
        (Some(S::Paused), S::Error, false, vec![K::Error, K::Ended]),
        (
            Some(S::Connecting),
            S::Missed,
            false,
            vec![K::Missed, K::Ended],
        ),
        (
            Some(S::Incoming),
            S::Rejected,
            false,
            vec![K::Missed, K::Ended],
        ),
        (Some(S::Connected), S::Missed, false, vec![K::Ended]),
        (Some(S::Connected), S::Rejected, false, vec![K::Ended]),
        (Some(S::Connected), S::Init, false, vec![K::Ended]),
        (Some(S::Ended), S::Error, true, vec![K::Error]),
        (Some(S::Error), S::Ended, true, vec![K::Acw]),
        (Some(S::Missed), S::Ended, true, vec![K::Acw]),
        (Some(S::Ended), S::Missed, true, vec![]),
        (Some(S::Missed), S::Rejected, true, vec![]),
        (Some(S::Ended), S::Ended, true, vec![]),
        (Some(S::Connected), S::Connected, false, vec![]),
        (Some(S::Connected), S::Other("later".into()), false, vec![]),
    ];
    for (old, new, ended_before, expected) in cases {
        assert_eq!(
            transition_events(old.as_ref(), &new, ended_before),
            expected,
            "{old:?} -> {new:?} (ended before: {ended_before})"
        );
    }
}

fn state(kind: AgentStateType, name: &str) -> AgentState {
    AgentState::new(kind, name)
}

fn snapshot(state: AgentState, contacts: Vec<Contact>, at: i64) -> Arc<AgentSnapshot> {
    let mut snap = AgentSnapshot::empty(state, Timestamp::from_millis(at));
    snap.contacts = contacts;
    Arc::new(snap)
}

fn voice(id: &str, kind: S, at: i64) -> Contact {
    let mut c = Contact::new(id, ContactType::Voice, kind, Timestamp::from_millis(at));
    c.connections.push(Connection::new(
        format!("{id}-agent"),
        ConnectionType::Agent,
        ConnectionStateType::Connecting,
        Timestamp::from_millis(at),
    ));
    c
}

fn names(events: &[AgentEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            AgentEvent::Contact(c) => match &c.kind {
                K::ConnectionStateChanged { .. } => format!("{}:conn", c.contact_id),
                kind => format!("{}:{kind:?}", c.contact_id),
            },
            AgentEvent::Refresh { changed, .. } => format!("Refresh({changed})"),
            AgentEvent::StateChange { old, new, .. } => format!("StateChange({old}->{new})"),
            AgentEvent::Routable(_) => "Routable".into(),
            AgentEvent::NotRoutable(_) => "NotRoutable".into(),
            AgentEvent::Offline(_) => "Offline".into(),
            AgentEvent::Error(_) => "AgentError".into(),
            AgentEvent::AfterCallWork(_) => "AgentAcw".into(),
            AgentEvent::EnqueuedNextState(_) => "Enqueued".into(),
            AgentEvent::ClearedNextState => "Cleared".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn batch_order_of_a_missed_call() {
    let available = state(AgentStateType::Routable, "Available");
    let ringing = state(AgentStateType::System, "PendingBusy");
    let missed = state(AgentStateType::Error, "MissedCallAgent");
    let (first, s1) = diff(&DiffState::default(), snapshot(available, vec![], 0));
    assert_eq!(
        names(&first),
        ["Routable", "StateChange(Init->Available)", "Refresh(true)"]
    );
    let (ring, s2) = diff(
        &s1,
        snapshot(ringing, vec![voice("a", S::Connecting, 1)], 1),
    );
    assert_eq!(
        names(&ring),
        [
            "StateChange(Available->PendingBusy)",
            "a:Init",
            "a:Connecting",
            "a:conn",
            "a:Refresh",
            "Refresh(true)"
        ]
    );
    let (miss, s3) = diff(
        &s2,
        snapshot(missed.clone(), vec![voice("a", S::Missed, 2)], 2),
    );
    assert_eq!(
        names(&miss),
        [
            "StateChange(PendingBusy->MissedCallAgent)",
            "AgentError",
            "a:Missed",
            "a:Ended",
            "a:Refresh",
            "Refresh(true)"
        ]
    );
    let (gone, s4) = diff(&s3, snapshot(missed.clone(), vec![], 3));
    assert_eq!(names(&gone), ["a:Destroyed", "Refresh(true)"]);
    let (same, _) = diff(&s4, snapshot(missed, vec![], 4));
    assert_eq!(names(&same), ["Refresh(false)"]);
}

#[test]
fn vanished_active_contact_gets_a_synthetic_ended() {
    let busy = state(AgentStateType::System, "Busy");
    let (_, s1) = diff(
        &DiffState::default(),
        snapshot(busy.clone(), vec![voice("a", S::Connected, 0)], 0),
    );
    let (events, _) = diff(&s1, snapshot(busy, vec![], 1));
    assert_eq!(names(&events), ["a:Ended", "a:Destroyed", "Refresh(true)"]);
    if let AgentEvent::Contact(destroyed) = &events[1] {
        assert_eq!(
            destroyed.contact.state.kind,
            S::Connected,
            "last known data"
        );
    }
}

#[test]
fn contacts_in_one_batch_go_added_known_removed() {
    let busy = state(AgentStateType::System, "Busy");
    let (_, s1) = diff(
        &DiffState::default(),
        snapshot(
            busy.clone(),
            vec![voice("known", S::Connected, 0), voice("gone", S::Ended, 0)],
            0,
        ),
    );
    let next = snapshot(
        busy,
        vec![voice("known", S::Ended, 5), voice("new", S::Connecting, 5)],
        5,
    );
    let (events, _) = diff(&s1, next);
    let order: Vec<String> = names(&events)
        .into_iter()
        .filter(|n| !n.ends_with(":conn"))
        .collect();
    assert_eq!(
        order,
        [
            "new:Init",
            "new:Connecting",
            "new:Refresh",
            "known:Ended",
            "known:Acw",
            "known:Refresh",
            "gone:Destroyed",
            "Refresh(true)"
        ]
    );
}

#[test]
fn next_state_events() {
    let busy = state(AgentStateType::System, "Busy");
    let mut with_next = AgentSnapshot::clone(&snapshot(busy.clone(), vec![], 1));
    with_next.next_state = Some(state(AgentStateType::Offline, "Offline"));
    let (_, s1) = diff(&DiffState::default(), snapshot(busy.clone(), vec![], 0));
    let (enq, s2) = diff(&s1, Arc::new(with_next));
    assert_eq!(names(&enq), ["Enqueued", "Refresh(true)"]);
    let (cleared, _) = diff(&s2, snapshot(busy, vec![], 2));
    assert_eq!(names(&cleared), ["Cleared", "Refresh(true)"]);
}

#[test]
fn agent_acw_and_routing_events() {
    let (_, s1) = diff(
        &DiffState::default(),
        snapshot(state(AgentStateType::System, "Busy"), vec![], 0),
    );
    let (acw, s2) = diff(
        &s1,
        snapshot(
            state(AgentStateType::NotRoutable, "AfterCallWork"),
            vec![],
            1,
        ),
    );
    assert_eq!(
        names(&acw),
        [
            "NotRoutable",
            "StateChange(Busy->AfterCallWork)",
            "AgentAcw",
            "Refresh(true)"
        ]
    );
    let (off, _) = diff(
        &s2,
        snapshot(state(AgentStateType::Offline, "Offline"), vec![], 2),
    );
    assert_eq!(
        names(&off),
        [
            "Offline",
            "StateChange(AfterCallWork->Offline)",
            "Refresh(true)"
        ]
    );
}

// ---- property test: random snapshot sequences keep R1 for every contact ----

const STATES: [S; 10] = [
    S::Init,
    S::Incoming,
    S::Pending,
    S::Connecting,
    S::Connected,
    S::Missed,
    S::Error,
    S::Ended,
    S::Rejected,
    S::Paused,
];

/// One step: for each of 4 contact slots, absent or present in one of the states.
fn step() -> impl Strategy<Value = Vec<Option<usize>>> {
    proptest::collection::vec(proptest::option::of(0..STATES.len()), 4)
}

/// Turns slot presence into contact ids: a slot that disappears and comes back is a new
/// contact (a new lifecycle), as a real id is never reused after `Destroyed`.
fn build_sequence(steps: &[Vec<Option<usize>>]) -> Vec<Arc<AgentSnapshot>> {
    let mut generation = [0u32; 4];
    let mut present = [false; 4];
    let mut out = Vec::new();
    for (t, slots) in steps.iter().enumerate() {
        let mut contacts = Vec::new();
        for (slot, state) in slots.iter().enumerate() {
            match state {
                Some(i) => {
                    if !present[slot] {
                        generation[slot] += 1;
                        present[slot] = true;
                    }
                    let id = format!("c{slot}-{}", generation[slot]);
                    contacts.push(voice(&id, STATES[*i].clone(), t as i64));
                }
                None => present[slot] = false,
            }
        }
        out.push(snapshot(
            state(AgentStateType::Routable, "Available"),
            contacts,
            t as i64,
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_contact_keeps_its_lifecycle_order(steps in proptest::collection::vec(step(), 1..12)) {
        let mut sequence = build_sequence(&steps);
        // End with an empty snapshot so that every contact must reach Destroyed.
        sequence.push(snapshot(state(AgentStateType::Routable, "Available"), vec![], 99));
        let mut diff_state = DiffState::default();
        let mut validator = LifecycleValidator::default();
        let mut lifecycles: HashMap<String, Vec<K>> = HashMap::new();
        for snap in sequence {
            let (events, next) = diff(&diff_state, snap);
            diff_state = next;
            prop_assert!(matches!(events.last(), Some(AgentEvent::Refresh { .. })), "batch ends with Refresh");
            for event in &events {
                validator.observe(event);
                if let AgentEvent::Contact(c) = event {
                    lifecycles.entry(c.contact_id.clone()).or_default().push(c.kind.clone());
                }
            }
        }
        prop_assert_eq!(validator.violations(), &[][..], "{:?}", lifecycles);
        // The sequence ends empty, so every lifecycle completed: each Init has its Ended and
        // its Destroyed, and Destroyed is each contact's last event.
        prop_assert_eq!(validator.open_contacts(), 0);
        for (id, kinds) in &lifecycles {
            let count = |k: K| kinds.iter().filter(|x| **x == k).count();
            prop_assert_eq!(count(K::Ended), count(K::Init), "{}: {:?}", id, kinds);
            prop_assert_eq!(count(K::Destroyed), count(K::Init), "{}: {:?}", id, kinds);
            prop_assert_eq!(kinds.last(), Some(&K::Destroyed), "{}", id);
        }
    }
}

#[test]
fn validator_flags_each_kind_of_disorder() {
    let contact = Arc::new(voice("x", S::Connected, 0));
    let event = |kind: K| {
        AgentEvent::Contact(ContactEvent {
            contact_id: "x".into(),
            kind,
            contact: Arc::clone(&contact),
        })
    };
    let cases: Vec<(Vec<K>, &str)> = vec![
        (vec![K::Connected], "event before Init"),
        (vec![K::Init, K::Init], "second Init"),
        (vec![K::Init, K::Acw], "Acw before Ended"),
        (vec![K::Init, K::Destroyed], "Destroyed before Ended"),
        (vec![K::Init, K::Ended, K::Ended], "second Ended"),
        (
            vec![K::Init, K::Ended, K::Connected],
            "entry event after Ended",
        ),
    ];
    for (sequence, reason) in cases {
        let mut validator = LifecycleValidator::default();
        for kind in sequence {
            validator.observe(&event(kind));
        }
        assert_eq!(
            validator.violations().first().map(|v| v.reason),
            Some(reason)
        );
    }
    let mut fine = LifecycleValidator::default();
    for kind in [
        K::Init,
        K::Connecting,
        K::Connected,
        K::Ended,
        K::Acw,
        K::Destroyed,
    ] {
        fine.observe(&event(kind));
    }
    assert!(fine.violations().is_empty());
    assert_eq!(fine.completed(), 1);
}

#[test]
fn a_contact_offered_again_under_its_id_starts_a_new_lifecycle() {
    let available = state(AgentStateType::Routable, "Available");
    let (_, s1) = diff(
        &DiffState::default(),
        snapshot(available.clone(), vec![voice("a", S::Connecting, 0)], 0),
    );
    let (_, s2) = diff(
        &s1,
        snapshot(available.clone(), vec![voice("a", S::Rejected, 1)], 1),
    );
    let (again, _) = diff(
        &s2,
        snapshot(available, vec![voice("a", S::Connecting, 2)], 2),
    );
    let lifecycle: Vec<String> = names(&again)
        .into_iter()
        .filter(|n| !n.ends_with(":conn"))
        .collect();
    assert_eq!(
        lifecycle,
        [
            "a:Destroyed",
            "a:Init",
            "a:Connecting",
            "a:Refresh",
            "Refresh(true)"
        ]
    );
}
