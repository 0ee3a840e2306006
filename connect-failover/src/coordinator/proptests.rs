//! Property: whatever decisions, snapshots, health changes and commands arrive, in any order,
//! the machine never emits a failover sequence out of order, and it settles on the last
//! decision.

use connect_core::model::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::{Decision, DecisionSource, FailoverEvent, RegionHealth, RegionInfo};

const REGIONS: [&str; 3] = ["east", "west", "south"];

#[derive(Clone, Debug)]
enum Step {
    Decide(usize, bool),
    Snapshot(usize, bool, bool),
    Health(usize, u8),
    Requested(usize),
    Force(bool),
    Wait(u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..3usize, any::<bool>()).prop_map(|(r, hard)| Step::Decide(r, hard)),
        (0..3usize, any::<bool>(), any::<bool>()).prop_map(|(r, b, a)| Step::Snapshot(r, b, a)),
        (0..3usize, 0..3u8).prop_map(|(r, h)| Step::Health(r, h)),
        (0..3usize).prop_map(Step::Requested),
        any::<bool>().prop_map(Step::Force),
        (0..30_000u16).prop_map(Step::Wait),
    ]
}

/// Checks the event grammar: `Detected` → [`Pending`] → [`Initiated`] → `Completed` |
/// `Cancelled`, one failover at a time; `PendingTimeout` only while pending.
#[derive(Default)]
struct Grammar {
    last: Option<&'static str>,
    open: bool,
}

impl Grammar {
    fn observe(&mut self, event: &FailoverEvent) -> Result<(), String> {
        let name = event.name();
        let ok = match name {
            "detected" => !self.open,
            "pending" => self.open && self.last == Some("detected"),
            "initiated" => self.open && matches!(self.last, Some("detected" | "pending")),
            "completed" => self.open && self.last == Some("initiated"),
            "cancelled" => self.open,
            "pending_timeout" => self.open && self.last == Some("pending"),
            "initialized" => !self.open,
            _ => return Ok(()),
        };
        if !ok {
            return Err(format!(
                "{name} after {:?} (open: {})",
                self.last, self.open
            ));
        }
        if name != "pending_timeout" && name != "initialized" {
            self.open = !matches!(name, "completed" | "cancelled");
            self.last = Some(name);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn failover_sequences_are_never_out_of_order(steps in proptest::collection::vec(step(), 1..60)) {
        let regions: Vec<RegionInfo> =
            REGIONS.iter().map(|r| RegionInfo::new(*r, format!("arn:{r}"))).collect();
        let settings = MachineSettings {
            pending_timeout: Some(std::time::Duration::from_secs(20)),
            ..MachineSettings::default()
        };
        let mut machine = FailoverMachine::new(regions, "east", settings).expect("valid");
        let mut now = Timestamp::from_millis(0);
        let mut grammar = Grammar::default();
        let mut last_decision = None;
        machine.start(now);
        for step in steps {
            let input = match step {
                Step::Decide(r, hard) => {
                    last_decision = Some(r);
                    let d = Decision::new(format!("arn:{}", REGIONS[r]), hard, now, DecisionSource::Push);
                    Input::Decision(d)
                }
                Step::Snapshot(r, blocking, available) => Input::Snapshot {
                    region: REGIONS[r].into(),
                    view: RegionView::new(
                        if blocking { vec!["c"] } else { vec![] },
                        Some(if available { "Available" } else { "Offline" }),
                    ),
                },
                Step::Health(r, h) => Input::Health {
                    region: REGIONS[r].into(),
                    health: [RegionHealth::Healthy, RegionHealth::Degraded, RegionHealth::Impaired][h as usize],
                },
                Step::Requested(r) => Input::StateRequested { region: REGIONS[r].into(), state: "Available".into() },
                Step::Force(hang_up) => Input::ForceFailover { hang_up },
                Step::Wait(ms) => {
                    now = now.add_millis(i64::from(ms));
                    Input::Tick
                }
            };
            // Commands may be refused (e.g. forcing outside pending); that changes nothing.
            if let Ok(actions) = machine.handle(now, input) {
                for action in &actions {
                    if let Action::Emit(event) = action {
                        grammar.observe(event).map_err(TestCaseError::fail)?;
                    }
                }
            }
        }
        // Settle: every region drains and shows the requested state.
        let Some(target) = last_decision else { return Ok(()) };
        for region in REGIONS {
            let actions = machine
                .handle(now, Input::Health { region: region.into(), health: RegionHealth::Healthy })
                .expect("health is accepted");
            for action in &actions {
                if let Action::Emit(event) = action {
                    grammar.observe(event).map_err(TestCaseError::fail)?;
                }
            }
        }
        for _ in 0..2 {
            for region in REGIONS {
                for input in [
                    Input::Snapshot { region: region.into(), view: RegionView::new(Vec::<String>::new(), Some("Available")) },
                    Input::StateRequested { region: region.into(), state: "Available".into() },
                ] {
                    for action in machine.handle(now, input).expect("accepted") {
                        if let Action::Emit(event) = &action {
                            grammar.observe(event).map_err(TestCaseError::fail)?;
                        }
                    }
                }
            }
        }
        prop_assert!(!grammar.open, "a failover is still open: {:?}", machine.state());
        prop_assert_eq!(machine.active_region(), Some(REGIONS[target]));
    }
}
