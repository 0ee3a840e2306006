//! The agent's desired state, tracked by name and type (never by ARN), and its mapping onto a
//! region's selectable states (spec §3.8).

use connect_core::model::{AgentState, AgentStateType};
use serde::{Deserialize, Serialize};

/// The state the agent wants to be in, by name and type.
///
/// ```
/// use connect_core::model::AgentStateType;
/// use connect_failover::DesiredState;
/// let d = DesiredState::new("Available", AgentStateType::Routable);
/// assert_eq!(d.name, "Available");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredState {
    /// The state's name (`Available`, `Break`, …).
    pub name: String,
    /// Its type.
    pub kind: AgentStateType,
}

impl DesiredState {
    /// A desired state.
    pub fn new(name: impl Into<String>, kind: AgentStateType) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }

    /// The desired state matching a selectable `state` of some region.
    pub fn of(state: &AgentState) -> Self {
        Self::new(state.name.clone(), state.kind.clone())
    }
}

/// How a desired state maps onto one region's states.
#[derive(Clone, Debug, PartialEq)]
pub enum StateMapping {
    /// A state with the same name and type.
    Exact(AgentState),
    /// No such state: the first `routable` state of the region.
    Fallback(AgentState),
    /// Neither: the agent stays offline in that region.
    Failed,
}

impl StateMapping {
    /// The state to request, if any.
    pub fn state(&self) -> Option<&AgentState> {
        match self {
            Self::Exact(s) | Self::Fallback(s) => Some(s),
            Self::Failed => None,
        }
    }
}

/// Maps `desired` onto `states` (a region's `agentStates`): same name and type, else the first
/// `routable` state, else [`StateMapping::Failed`].
///
/// ```
/// use connect_core::model::{AgentState, AgentStateType as T};
/// use connect_failover::{map_desired_state, DesiredState, coordinator::StateMapping};
///
/// let states = vec![AgentState::new(T::Routable, "Ready"), AgentState::new(T::Offline, "Offline")];
/// let mapped = map_desired_state(&DesiredState::new("Available", T::Routable), &states);
/// assert_eq!(mapped, StateMapping::Fallback(AgentState::new(T::Routable, "Ready")));
/// ```
pub fn map_desired_state(desired: &DesiredState, states: &[AgentState]) -> StateMapping {
    if let Some(state) = states
        .iter()
        .find(|s| s.name == desired.name && s.kind == desired.kind)
    {
        return StateMapping::Exact(state.clone());
    }
    match states.iter().find(|s| s.kind == AgentStateType::Routable) {
        Some(state) => StateMapping::Fallback(state.clone()),
        None => StateMapping::Failed,
    }
}
