//! Table-driven tests of every transition of the failover machine, on a manual clock.

use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::{Clock, ManualClock};

use super::*;
use crate::{
    Decision, DecisionSource, FailoverError, FailoverEvent, FailoverMode, InitiateReason,
    RegionHealth, RegionInfo,
};

const E: &str = "east";
const W: &str = "west";

/// A machine over east (primary) and west, and a manual clock.
struct Rig {
    machine: FailoverMachine,
    clock: ManualClock,
}

fn arn(region: &str) -> String {
    format!("arn:{region}")
}

impl Rig {
    fn new(settings: MachineSettings) -> Self {
        let regions = vec![
            RegionInfo::new(E, arn(E)).ccp_url("https://east"),
            RegionInfo::new(W, arn(W)),
        ];
        let clock = ManualClock::new(Timestamp::from_millis(1_000_000));
        let mut machine = FailoverMachine::new(regions, E, settings).expect("valid");
        machine.start(clock.now());
        Self { machine, clock }
    }

    fn default() -> Self {
        Self::new(MachineSettings::default())
    }

    fn input(&mut self, input: Input) -> Vec<Action> {
        self.machine
            .handle(self.clock.now(), input)
            .expect("input accepted")
    }

    fn decide(&mut self, region: &str, hard: bool) -> Vec<Action> {
        let decision = Decision::new(arn(region), hard, self.clock.now(), DecisionSource::Push);
        self.input(Input::Decision(decision))
    }

    fn snapshot(&mut self, region: &str, blocking: &[&str], selected: &str) -> Vec<Action> {
        let view = RegionView::new(blocking.iter().copied(), Some(selected));
        self.input(Input::Snapshot {
            region: region.into(),
            view,
        })
    }

    fn health(&mut self, region: &str, health: RegionHealth) -> Vec<Action> {
        self.input(Input::Health {
            region: region.into(),
            health,
        })
    }

    fn requested(&mut self, region: &str, state: &str) -> Vec<Action> {
        self.input(Input::StateRequested {
            region: region.into(),
            state: state.into(),
        })
    }

    fn tick_after(&mut self, by: Duration) -> Vec<Action> {
        self.clock.advance(by);
        self.input(Input::Tick)
    }

    /// Active in east with an idle agent.
    fn active_east() -> Self {
        let mut rig = Self::default();
        rig.snapshot(E, &[], "Available");
        rig.decide(E, false);
        rig
    }

    /// Active in east, with a blocking call, and pending towards west.
    fn pending_west() -> Self {
        let mut rig = Self::active_east();
        rig.snapshot(E, &["call"], "Available");
        rig.decide(W, false);
        assert_eq!(rig.machine.state().name(), "pending");
        rig
    }

    /// Initiated towards west (idle agent).
    fn initiated_west() -> Self {
        let mut rig = Self::active_east();
        rig.decide(W, false);
        assert_eq!(rig.machine.state().name(), "initiated");
        rig
    }
}

/// The failover events among `actions`, by name.
fn events(actions: &[Action]) -> Vec<&'static str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(e.name()),
            _ => None,
        })
        .collect()
}

fn activates(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ActivateRegion { region, .. } => Some(region.as_str()),
            _ => None,
        })
        .collect()
}

fn cleans(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::HardCleanup { region } => Some(region.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn construction_is_validated() {
    let one = vec![RegionInfo::new(E, "a")];
    assert!(matches!(
        FailoverMachine::new(one, E, MachineSettings::default()),
        Err(FailoverError::Config(_))
    ));
    let twins = vec![RegionInfo::new(E, "a"), RegionInfo::new(W, "a")];
    assert!(FailoverMachine::new(twins, E, MachineSettings::default()).is_err());
    let ok = vec![RegionInfo::new(E, "a"), RegionInfo::new(W, "b")];
    assert_eq!(
        FailoverMachine::new(ok, "north", MachineSettings::default()).err(),
        Some(FailoverError::UnknownRegion("north".into()))
    );
}

/// Every transition: (name, rig, input, expected state name, expected events, activations,
/// cleanups).
#[test]
fn transition_table() {
    type Case = (
        &'static str,
        fn() -> Rig,
        fn(&mut Rig) -> Vec<Action>,
        &'static str,
        Vec<&'static str>,
        Vec<&'static str>,
        Vec<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "bootstrapping: decision confirms the provisional region",
            Rig::default,
            |r| r.decide(E, false),
            "active",
            vec!["initialized"],
            vec![],
            vec![],
        ),
        (
            "bootstrapping: decision contradicts the provisional region",
            Rig::default,
            |r| r.decide(W, false),
            "initiated",
            vec!["detected", "initiated", "media_handover"],
            vec![W],
            vec![],
        ),
        (
            "bootstrapping: the provisional region is impaired",
            Rig::default,
            |r| r.health(E, RegionHealth::Impaired),
            "bootstrapping",
            vec![],
            vec![W],
            vec![],
        ),
        (
            "bootstrapping: another region's health changes",
            Rig::default,
            |r| r.health(W, RegionHealth::Degraded),
            "bootstrapping",
            vec![],
            vec![],
            vec![],
        ),
        (
            "active: duplicate decision",
            Rig::active_east,
            |r| r.decide(E, false),
            "active",
            vec![],
            vec![],
            vec![],
        ),
        (
            "active: soft decision, nothing blocking",
            Rig::active_east,
            |r| r.decide(W, false),
            "initiated",
            vec!["detected", "initiated", "media_handover"],
            vec![W],
            vec![],
        ),
        (
            "active: soft decision with a live call",
            || {
                let mut r = Rig::active_east();
                r.snapshot(E, &["call"], "Available");
                r
            },
            |r| r.decide(W, false),
            "pending",
            vec!["detected", "pending"],
            vec![],
            vec![],
        ),
        (
            "active: soft decision with a live call in an impaired region",
            || {
                let mut r = Rig::active_east();
                r.snapshot(E, &["call"], "Available");
                r.health(E, RegionHealth::Impaired);
                r
            },
            |r| r.decide(W, false),
            "initiated",
            vec!["detected", "contacts_lost", "initiated", "media_handover"],
            vec![W],
            vec![],
        ),
        (
            "active: hard decision",
            || {
                let mut r = Rig::active_east();
                r.snapshot(E, &["call"], "Available");
                r
            },
            |r| r.decide(W, true),
            "initiated",
            vec!["detected", "initiated", "media_handover"],
            vec![W],
            vec![E],
        ),
        (
            "active: decision for an unknown instance",
            Rig::active_east,
            |r| {
                let d = Decision::new("arn:nowhere", false, r.clock.now(), DecisionSource::Push);
                r.input(Input::Decision(d))
            },
            "active",
            vec![],
            vec![],
            vec![],
        ),
        (
            "pending: blocking contacts drain",
            Rig::pending_west,
            |r| r.snapshot(E, &[], "Available"),
            "initiated",
            vec!["initiated", "media_handover"],
            vec![W],
            vec![],
        ),
        (
            "pending: a blocking contact is still there",
            Rig::pending_west,
            |r| r.snapshot(E, &["call"], "Available"),
            "pending",
            vec![],
            vec![],
            vec![],
        ),
        (
            "pending: duplicate soft decision",
            Rig::pending_west,
            |r| r.decide(W, false),
            "pending",
            vec![],
            vec![],
            vec![],
        ),
        (
            "pending: same target turns hard",
            Rig::pending_west,
            |r| r.decide(W, true),
            "initiated",
            vec!["initiated", "media_handover"],
            vec![W],
            vec![E],
        ),
        (
            "pending: decision back to the old region",
            Rig::pending_west,
            |r| r.decide(E, false),
            "active",
            vec!["cancelled"],
            vec![E],
            vec![],
        ),
        (
            "pending: force_failover",
            Rig::pending_west,
            |r| r.input(Input::ForceFailover { hang_up: false }),
            "initiated",
            vec!["initiated", "media_handover"],
            vec![W],
            vec![],
        ),
        (
            "pending: force_failover_hang_up",
            Rig::pending_west,
            |r| r.input(Input::ForceFailover { hang_up: true }),
            "initiated",
            vec!["initiated", "media_handover"],
            vec![W],
            vec![E],
        ),
        (
            "pending: the old region becomes unreachable",
            Rig::pending_west,
            |r| r.health(E, RegionHealth::Impaired),
            "initiated",
            vec!["contacts_lost", "initiated", "media_handover"],
            vec![W],
            vec![],
        ),
        (
            "pending: the old region degrades",
            Rig::pending_west,
            |r| r.health(E, RegionHealth::Degraded),
            "pending",
            vec![],
            vec![],
            vec![],
        ),
        (
            "initiated: the new region shows the requested state",
            || {
                let mut r = Rig::initiated_west();
                r.requested(W, "Available");
                r
            },
            |r| r.snapshot(W, &[], "Available"),
            "active",
            vec!["completed"],
            vec![],
            vec![],
        ),
        (
            "initiated: a snapshot before the state was requested",
            Rig::initiated_west,
            |r| r.snapshot(W, &[], "Available"),
            "initiated",
            vec![],
            vec![],
            vec![],
        ),
        (
            "initiated: requested state already shown",
            || {
                let mut r = Rig::initiated_west();
                r.snapshot(W, &[], "Available");
                r
            },
            |r| r.requested(W, "Available"),
            "active",
            vec!["completed"],
            vec![],
            vec![],
        ),
        (
            "initiated: decision back to the old region",
            Rig::initiated_west,
            |r| r.decide(E, false),
            "active",
            vec!["cancelled", "media_handover"],
            vec![E],
            vec![],
        ),
        (
            "initiated: same target turns hard",
            Rig::initiated_west,
            |r| r.decide(W, true),
            "initiated",
            vec![],
            vec![],
            vec![E],
        ),
        (
            "initiated: duplicate decision",
            Rig::initiated_west,
            |r| r.decide(W, false),
            "initiated",
            vec![],
            vec![],
            vec![],
        ),
    ];
    for (name, rig, input, state, expected_events, activations, cleanups) in cases {
        let mut rig = rig();
        let actions = input(&mut rig);
        assert_eq!(rig.machine.state().name(), state, "{name}: state");
        assert_eq!(events(&actions), expected_events, "{name}: events");
        assert_eq!(activates(&actions), activations, "{name}: activations");
        assert_eq!(cleans(&actions), cleanups, "{name}: cleanups");
    }
}

#[test]
fn completed_reports_the_new_region_and_its_ccp_url() {
    let mut rig = Rig::default();
    rig.decide(W, false);
    rig.requested(W, "Available");
    let actions = rig.snapshot(W, &[], "Available");
    assert!(actions.contains(&Action::Emit(FailoverEvent::Completed {
        active_region: W.into(),
        active_ccp_url: None
    })));
    let actions = rig.decide(E, false);
    rig.requested(E, "Available");
    let done = rig.snapshot(E, &[], "Available");
    assert!(actions.contains(&Action::Emit(FailoverEvent::Detected {
        from: W.into(),
        to: E.into(),
        mode: FailoverMode::Soft
    })));
    assert!(done.contains(&Action::Emit(FailoverEvent::Completed {
        active_region: E.into(),
        active_ccp_url: Some("https://east".into())
    })));
}

#[test]
fn pending_timeout_is_reported_once_and_drops_nothing() {
    let mut rig = Rig::new(MachineSettings {
        pending_timeout: Some(Duration::from_secs(60)),
        ..MachineSettings::default()
    });
    rig.snapshot(E, &["call"], "Available");
    rig.decide(E, false);
    rig.decide(W, false);
    assert_eq!(
        rig.machine.next_deadline(),
        Some(rig.clock.now().add_millis(60_000))
    );
    assert!(events(&rig.tick_after(Duration::from_secs(59))).is_empty());
    assert_eq!(
        events(&rig.tick_after(Duration::from_secs(1))),
        ["pending_timeout"]
    );
    assert!(events(&rig.tick_after(Duration::from_secs(600))).is_empty());
    assert_eq!(rig.machine.state().name(), "pending");
    assert_eq!(rig.machine.next_deadline(), None);
}

#[test]
fn an_initiate_attempt_that_times_out_is_retried_with_backoff() {
    let mut rig = Rig::initiated_west();
    assert!(activates(&rig.tick_after(Duration::from_secs(19))).is_empty());
    let timed_out = rig.tick_after(Duration::from_secs(1));
    assert!(activates(&timed_out).is_empty(), "waits its backoff first");
    let retry_at = rig.machine.next_deadline().expect("a retry is scheduled");
    let wait = retry_at.millis_since(rig.clock.now());
    assert!(
        (0..=300).contains(&wait),
        "first reconnect delay is U[0, 300 ms]: {wait}"
    );
    let retried = rig.tick_after(Duration::from_millis(wait as u64));
    assert!(retried.contains(&Action::ActivateRegion {
        region: W.into(),
        attempt: 2
    }));
    match rig.machine.state() {
        FailoverState::Initiated { attempt, .. } => assert_eq!(*attempt, 2),
        other => panic!("still initiated, not {other:?}"),
    }
}

#[test]
fn operator_commands_are_validated() {
    let mut rig = Rig::active_east();
    let now = rig.clock.now();
    assert_eq!(
        rig.machine
            .handle(now, Input::ForceFailover { hang_up: false }),
        Err(FailoverError::NotPending)
    );
    let to_east = Input::FailoverTo {
        region: E.into(),
        mode: FailoverMode::Soft,
    };
    assert_eq!(
        rig.machine.handle(now, to_east),
        Err(FailoverError::AlreadyActive(E.into()))
    );
    let nowhere = Input::FailoverTo {
        region: "north".into(),
        mode: FailoverMode::Soft,
    };
    assert_eq!(
        rig.machine.handle(now, nowhere),
        Err(FailoverError::UnknownRegion("north".into()))
    );
    let actions = rig.input(Input::FailoverTo {
        region: W.into(),
        mode: FailoverMode::Hard,
    });
    assert_eq!(
        events(&actions),
        ["detected", "initiated", "media_handover"]
    );
    assert!(actions.contains(&Action::Emit(FailoverEvent::Initiated {
        from: E.into(),
        to: W.into(),
        reason: InitiateReason::Hard
    })));
}

#[test]
fn surfaced_and_active_regions_follow_the_state() {
    let mut rig = Rig::pending_west();
    assert_eq!(rig.machine.surfaced_region(), None);
    assert_eq!(rig.machine.active_region(), Some(E));
    rig.snapshot(E, &[], "Offline");
    assert_eq!(rig.machine.surfaced_region(), Some(W));
    assert_eq!(rig.machine.active_region(), Some(W));
}
