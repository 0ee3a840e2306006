//! [`FailoverMachine`]: the coordinator's state machine (spec §3.2). Sans-IO: it is told the
//! time and what happened, and returns [`Action`]s; it never sleeps, reads a clock or does I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use connect_core::model::Timestamp;
use connect_core::time::SplitMix64;

use super::{reconnect_delay, Action, FailoverState, Input, RegionView};
use crate::{
    Decision, DecisionSource, FailoverError, FailoverEvent, FailoverMode, InitiateReason,
    RegionHealth, RegionInfo,
};

/// Timers of the machine.
///
/// ```
/// use connect_failover::coordinator::MachineSettings;
/// let s = MachineSettings::default();
/// assert_eq!(s.initiate_timeout.as_secs(), 20);
/// assert!(s.pending_timeout.is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MachineSettings {
    /// How long pending may last before `PendingTimeout` is reported (default: none). The wait
    /// goes on regardless: work is never dropped.
    pub pending_timeout: Option<Duration>,
    /// How long one attempt to make the agent available in the new region may take (20 s).
    pub initiate_timeout: Duration,
    /// Seed of the jitter of re-attempts.
    pub seed: u64,
}

impl Default for MachineSettings {
    fn default() -> Self {
        Self {
            pending_timeout: None,
            initiate_timeout: Duration::from_secs(20),
            seed: 0x5eed,
        }
    }
}

/// The failover coordinator's state machine.
///
/// ```
/// use connect_core::model::Timestamp;
/// use connect_failover::coordinator::{Action, FailoverMachine, Input, MachineSettings};
/// use connect_failover::{Decision, DecisionSource, FailoverEvent, RegionInfo};
///
/// let regions = vec![RegionInfo::new("east", "arn:east"), RegionInfo::new("west", "arn:west")];
/// let mut m = FailoverMachine::new(regions, "east", MachineSettings::default()).unwrap();
/// let t = Timestamp::from_millis(0);
/// m.start(t);
/// let decide = |arn: &str| Input::Decision(Decision::new(arn, false, t, DecisionSource::Push));
/// m.handle(t, decide("arn:east")).unwrap();
/// assert_eq!(m.active_region(), Some("east"));
/// let actions = m.handle(t, decide("arn:west")).unwrap();
/// assert!(actions.iter().any(|a| matches!(a, Action::Emit(FailoverEvent::Detected { .. }))));
/// assert!(actions.iter().any(|a| matches!(a, Action::ActivateRegion { region, .. } if region == "west")));
/// ```
#[derive(Clone, Debug)]
pub struct FailoverMachine {
    regions: Vec<RegionInfo>,
    settings: MachineSettings,
    state: FailoverState,
    health: BTreeMap<String, RegionHealth>,
    views: BTreeMap<String, RegionView>,
    rng: SplitMix64,
}

impl FailoverMachine {
    /// A machine over `regions` (two or more, unique names and ARNs) starting in
    /// `Bootstrapping` with `primary` as the provisional region.
    pub fn new(
        regions: Vec<RegionInfo>,
        primary: &str,
        settings: MachineSettings,
    ) -> Result<Self, FailoverError> {
        if regions.len() < 2 {
            return Err(FailoverError::Config(
                "a failover coordinator needs two or more regions".into(),
            ));
        }
        let names: BTreeSet<&str> = regions.iter().map(|r| r.name.as_str()).collect();
        let arns: BTreeSet<&str> = regions.iter().map(|r| r.instance_arn.as_str()).collect();
        if names.len() != regions.len() || arns.len() != regions.len() {
            return Err(FailoverError::Config(
                "region names and instance ARNs must be unique".into(),
            ));
        }
        if !names.contains(primary) {
            return Err(FailoverError::UnknownRegion(primary.to_owned()));
        }
        Ok(Self {
            rng: SplitMix64::new(settings.seed),
            state: FailoverState::Bootstrapping {
                provisional: primary.to_owned(),
            },
            health: regions
                .iter()
                .map(|r| (r.name.clone(), RegionHealth::Healthy))
                .collect(),
            regions,
            settings,
            views: BTreeMap::new(),
        })
    }

    /// The actions of entering `Bootstrapping`: activate the provisional region.
    pub fn start(&mut self, _now: Timestamp) -> Vec<Action> {
        let provisional = self.active_region().unwrap_or_default().to_owned();
        vec![
            Action::info(format!("bootstrapping: provisional region {provisional}")),
            Action::ActivateRegion {
                region: provisional,
                attempt: 0,
            },
        ]
    }

    /// The current state.
    pub fn state(&self) -> &FailoverState {
        &self.state
    }

    /// The regions, as configured.
    pub fn regions(&self) -> &[RegionInfo] {
        &self.regions
    }

    /// The region whose new offers reach the app: the provisional region while bootstrapping,
    /// the active one, `to` once initiated; none while pending.
    pub fn surfaced_region(&self) -> Option<&str> {
        match &self.state {
            FailoverState::Bootstrapping { provisional } => Some(provisional),
            FailoverState::Active { region } => Some(region),
            FailoverState::Pending { .. } => None,
            FailoverState::Initiated { to, .. } => Some(to),
        }
    }

    /// The region the agent works in: provisional, active, `from` while pending, `to` once
    /// initiated.
    pub fn active_region(&self) -> Option<&str> {
        match &self.state {
            FailoverState::Pending { from, .. } => Some(from),
            _ => self.surfaced_region(),
        }
    }

    /// The last reported health of `region`.
    pub fn health(&self, region: &str) -> Option<RegionHealth> {
        self.health.get(region).copied()
    }

    /// The region whose instance is `instance_arn`.
    pub fn region_for_arn(&self, instance_arn: &str) -> Option<&RegionInfo> {
        self.regions.iter().find(|r| r.instance_arn == instance_arn)
    }

    /// When [`Input::Tick`] has something to do next.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        match &self.state {
            FailoverState::Pending {
                since,
                timed_out: false,
                ..
            } => self
                .settings
                .pending_timeout
                .map(|t| since.add_millis(millis(t))),
            FailoverState::Initiated {
                deadline, retry_at, ..
            } => Some(retry_at.unwrap_or(*deadline)),
            _ => None,
        }
    }

    /// Feeds one input; returns what to do. Only operator commands fail
    /// ([`FailoverError::NotPending`], [`FailoverError::AlreadyActive`],
    /// [`FailoverError::UnknownRegion`]); they then change nothing.
    pub fn handle(&mut self, now: Timestamp, input: Input) -> Result<Vec<Action>, FailoverError> {
        let mut out = Vec::new();
        match input {
            Input::Decision(decision) => self.on_decision(now, &decision, false, &mut out)?,
            Input::FailoverTo { region, mode } => {
                let arn = self
                    .region(&region)
                    .ok_or_else(|| FailoverError::UnknownRegion(region.clone()))?
                    .instance_arn
                    .clone();
                let decision = Decision::new(arn, mode.is_hard(), now, DecisionSource::Operator);
                self.on_decision(now, &decision, true, &mut out)?;
            }
            Input::Snapshot { region, view } => self.on_snapshot(now, region, view, &mut out),
            Input::Health { region, health } => self.on_health(now, region, health, &mut out),
            Input::StateRequested { region, state } => {
                self.on_state_requested(region, state, &mut out)
            }
            Input::ForceFailover { hang_up } => self.on_force(now, hang_up, &mut out)?,
            Input::Tick => self.on_tick(now, &mut out),
        }
        Ok(out)
    }

    fn region(&self, name: &str) -> Option<&RegionInfo> {
        self.regions.iter().find(|r| r.name == name)
    }

    fn on_decision(
        &mut self,
        now: Timestamp,
        decision: &Decision,
        operator: bool,
        out: &mut Vec<Action>,
    ) -> Result<(), FailoverError> {
        let Some(target) = self
            .region_for_arn(&decision.instance_arn)
            .map(|r| r.name.clone())
        else {
            out.push(Action::warn(format!(
                "decision names no configured instance ({}); ignored",
                decision.instance_arn
            )));
            return Ok(());
        };
        let mode = FailoverMode::from_terminate_flag(decision.terminate_active_contacts);
        out.push(Action::info(format!(
            "decision: {target} ({mode:?}) from {:?} in state {}",
            decision.source,
            self.state.name()
        )));
        match self.state.clone() {
            FailoverState::Bootstrapping { provisional } if provisional == target => {
                self.emit(
                    FailoverEvent::Initialized {
                        active_region: target.clone(),
                    },
                    out,
                );
                self.enter_active(target, out);
            }
            FailoverState::Bootstrapping { provisional } => {
                self.detect(now, provisional, target, mode, out);
            }
            FailoverState::Active { region } if region == target => {
                if operator {
                    return Err(FailoverError::AlreadyActive(region));
                }
                out.push(Action::info("duplicate decision ignored"));
            }
            FailoverState::Active { region } => self.detect(now, region, target, mode, out),
            FailoverState::Pending { from, to, .. } if target == to => {
                if mode.is_hard() {
                    out.push(Action::HardCleanup {
                        region: from.clone(),
                    });
                    self.initiate(now, from, to, InitiateReason::Hard, mode, out);
                } else {
                    out.push(Action::info("duplicate decision ignored"));
                }
            }
            FailoverState::Initiated {
                from,
                to,
                mode: current,
                ..
            } if target == to => {
                if mode.is_hard() && !current.is_hard() {
                    out.push(Action::HardCleanup { region: from });
                    if let FailoverState::Initiated { mode, .. } = &mut self.state {
                        *mode = FailoverMode::Hard;
                    }
                } else {
                    out.push(Action::info("duplicate decision ignored"));
                }
            }
            FailoverState::Pending { from, to, .. } | FailoverState::Initiated { from, to, .. } => {
                let was_initiated = matches!(self.state, FailoverState::Initiated { .. });
                self.cancel(&from, to, was_initiated, out);
                if target != from {
                    self.detect(now, from, target, mode, out);
                }
            }
        }
        Ok(())
    }

    fn emit(&self, event: FailoverEvent, out: &mut Vec<Action>) {
        out.push(Action::Emit(event));
    }

    fn enter_active(&mut self, region: String, out: &mut Vec<Action>) {
        out.push(Action::info(format!("state: active in {region}")));
        self.state = FailoverState::Active { region };
    }

    /// `Detected`: transient; goes on to `Pending` or `Initiated` at once.
    fn detect(
        &mut self,
        now: Timestamp,
        from: String,
        to: String,
        mode: FailoverMode,
        out: &mut Vec<Action>,
    ) {
        out.push(Action::info(format!(
            "state: detected {from} -> {to} ({mode:?})"
        )));
        self.emit(
            FailoverEvent::Detected {
                from: from.clone(),
                to: to.clone(),
                mode,
            },
            out,
        );
        if mode.is_hard() {
            out.push(Action::HardCleanup {
                region: from.clone(),
            });
            self.initiate(now, from, to, InitiateReason::Hard, mode, out);
            return;
        }
        let blocking = self
            .views
            .get(&from)
            .map(|v| v.blocking.clone())
            .unwrap_or_default();
        if blocking.is_empty() {
            self.initiate(now, from, to, InitiateReason::Drained, mode, out);
        } else if self.health(&from) == Some(RegionHealth::Impaired) {
            self.lose_blocking(&from, blocking, out);
            self.initiate(now, from, to, InitiateReason::FromRegionLost, mode, out);
        } else {
            out.push(Action::info(format!(
                "state: pending, {} blocking contact(s) in {from}",
                blocking.len()
            )));
            self.emit(
                FailoverEvent::Pending {
                    to: to.clone(),
                    blocking: blocking.iter().cloned().collect(),
                },
                out,
            );
            self.state = FailoverState::Pending {
                from,
                to,
                blocking,
                since: now,
                timed_out: false,
            };
        }
    }

    fn lose_blocking(&self, from: &str, blocking: BTreeSet<String>, out: &mut Vec<Action>) {
        out.push(Action::warn(format!(
            "{from} unreachable: {} blocking contact(s) considered lost",
            blocking.len()
        )));
        self.emit(
            FailoverEvent::ContactsLost {
                region: from.to_owned(),
                contacts: blocking.into_iter().collect(),
            },
            out,
        );
    }

    fn initiate(
        &mut self,
        now: Timestamp,
        from: String,
        to: String,
        reason: InitiateReason,
        mode: FailoverMode,
        out: &mut Vec<Action>,
    ) {
        out.push(Action::info(format!(
            "state: initiated {from} -> {to} ({})",
            reason.as_str()
        )));
        self.emit(
            FailoverEvent::Initiated {
                from: from.clone(),
                to: to.clone(),
                reason,
            },
            out,
        );
        let hard = mode.is_hard() || reason == InitiateReason::ForcedHangUp;
        self.emit(
            FailoverEvent::MediaHandover {
                from: from.clone(),
                to: to.clone(),
                hard,
            },
            out,
        );
        out.push(Action::ActivateRegion {
            region: to.clone(),
            attempt: 1,
        });
        self.state = FailoverState::Initiated {
            from,
            to,
            reason,
            mode,
            attempt: 1,
            requested: None,
            deadline: now.add_millis(millis(self.settings.initiate_timeout)),
            retry_at: None,
        };
    }

    /// Ends the failover to `to`: back to `Active{from}`.
    fn cancel(&mut self, from: &str, to: String, was_initiated: bool, out: &mut Vec<Action>) {
        out.push(Action::info(format!("state: cancelled failover to {to}")));
        self.emit(FailoverEvent::Cancelled { to: to.clone() }, out);
        if was_initiated {
            self.emit(
                FailoverEvent::MediaHandover {
                    from: to,
                    to: from.to_owned(),
                    hard: false,
                },
                out,
            );
        }
        out.push(Action::ActivateRegion {
            region: from.to_owned(),
            attempt: 0,
        });
        self.enter_active(from.to_owned(), out);
    }

    fn complete(&mut self, to: String, out: &mut Vec<Action>) {
        let active_ccp_url = self.region(&to).and_then(|r| r.ccp_url.clone());
        out.push(Action::info(format!("state: completed, active in {to}")));
        self.emit(
            FailoverEvent::Completed {
                active_region: to.clone(),
                active_ccp_url,
            },
            out,
        );
        self.enter_active(to, out);
    }

    fn on_snapshot(
        &mut self,
        now: Timestamp,
        region: String,
        view: RegionView,
        out: &mut Vec<Action>,
    ) {
        self.views.insert(region.clone(), view.clone());
        match &mut self.state {
            FailoverState::Pending {
                from, to, blocking, ..
            } if *from == region => {
                if *blocking != view.blocking {
                    out.push(Action::info(format!(
                        "{} blocking contact(s) left in {region}",
                        view.blocking.len()
                    )));
                    *blocking = view.blocking;
                }
                if blocking.is_empty() {
                    let (from, to) = (from.clone(), to.clone());
                    self.initiate(
                        now,
                        from,
                        to,
                        InitiateReason::Drained,
                        FailoverMode::Soft,
                        out,
                    );
                }
            }
            FailoverState::Initiated {
                to,
                requested: Some(requested),
                ..
            } if *to == region && view.selected_state.as_deref() == Some(requested.as_str()) => {
                let to = to.clone();
                self.complete(to, out);
            }
            _ => {}
        }
    }

    fn on_health(
        &mut self,
        now: Timestamp,
        region: String,
        health: RegionHealth,
        out: &mut Vec<Action>,
    ) {
        if self.health.insert(region.clone(), health) == Some(health) {
            return;
        }
        out.push(Action::info(format!("health: {region} {health:?}")));
        if health != RegionHealth::Impaired {
            return;
        }
        match self.state.clone() {
            FailoverState::Bootstrapping { provisional } if provisional == region => {
                let usable = self
                    .regions
                    .iter()
                    .find(|r| self.health(&r.name) != Some(RegionHealth::Impaired))
                    .map(|r| r.name.clone());
                if let Some(next) = usable {
                    out.push(Action::info(format!(
                        "bootstrapping: {region} impaired, provisional region {next}"
                    )));
                    out.push(Action::ActivateRegion {
                        region: next.clone(),
                        attempt: 0,
                    });
                    self.state = FailoverState::Bootstrapping { provisional: next };
                }
            }
            FailoverState::Pending {
                from, to, blocking, ..
            } if from == region => {
                self.lose_blocking(&from, blocking, out);
                self.initiate(
                    now,
                    from,
                    to,
                    InitiateReason::FromRegionLost,
                    FailoverMode::Soft,
                    out,
                );
            }
            _ => {}
        }
    }

    fn on_state_requested(&mut self, region: String, state: String, out: &mut Vec<Action>) {
        let FailoverState::Initiated { to, requested, .. } = &mut self.state else {
            return;
        };
        if *to != region {
            return;
        }
        out.push(Action::info(format!(
            "{region}: agent state {state} requested"
        )));
        *requested = Some(state.clone());
        let shown = self
            .views
            .get(&region)
            .and_then(|v| v.selected_state.as_deref());
        if shown == Some(state.as_str()) {
            self.complete(region, out);
        }
    }

    fn on_force(
        &mut self,
        now: Timestamp,
        hang_up: bool,
        out: &mut Vec<Action>,
    ) -> Result<(), FailoverError> {
        let FailoverState::Pending { from, to, .. } = self.state.clone() else {
            return Err(FailoverError::NotPending);
        };
        out.push(Action::info(format!(
            "forced failover (hang up: {hang_up})"
        )));
        if hang_up {
            out.push(Action::HardCleanup {
                region: from.clone(),
            });
            self.initiate(
                now,
                from,
                to,
                InitiateReason::ForcedHangUp,
                FailoverMode::Soft,
                out,
            );
        } else {
            self.initiate(
                now,
                from,
                to,
                InitiateReason::Forced,
                FailoverMode::Soft,
                out,
            );
        }
        Ok(())
    }

    fn on_tick(&mut self, now: Timestamp, out: &mut Vec<Action>) {
        let pending_timeout = self.settings.pending_timeout;
        let initiate_timeout = self.settings.initiate_timeout;
        let unit = self.rng.next_f64();
        match &mut self.state {
            FailoverState::Pending {
                to,
                since,
                timed_out,
                ..
            } if !*timed_out
                && pending_timeout.is_some_and(|t| now.millis_since(*since) >= millis(t)) =>
            {
                *timed_out = true;
                let to = to.clone();
                out.push(Action::warn(format!(
                    "pending longer than {pending_timeout:?}; still waiting"
                )));
                self.emit(FailoverEvent::PendingTimeout { to }, out);
            }
            FailoverState::Initiated {
                to,
                attempt,
                deadline,
                retry_at,
                ..
            } => {
                if let Some(at) = *retry_at {
                    if now >= at {
                        *attempt += 1;
                        *retry_at = None;
                        *deadline = now.add_millis(millis(initiate_timeout));
                        out.push(Action::info(format!("initiate attempt {attempt} in {to}")));
                        out.push(Action::ActivateRegion {
                            region: to.clone(),
                            attempt: *attempt,
                        });
                    }
                } else if now >= *deadline {
                    let delay = reconnect_delay(*attempt, unit);
                    *retry_at = Some(now.add_millis(millis(delay)));
                    out.push(Action::warn(format!(
                        "initiate attempt {attempt} in {to} timed out; retrying in {} ms",
                        delay.as_millis()
                    )));
                }
            }
            _ => {}
        }
    }
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
