//! The configuration refresh (spec §4.2): configuration plus the four lists, every 30 s.

use std::sync::Arc;

use super::auth_watch::until_auth_usable;
use super::shared::Shared;
use crate::api::{CtiApiExt, CtiError, CtiMethod, GetAgentConfigurationRequest};
use crate::events::{AgentEvent, HealthEvent};
use crate::model::AgentConfiguration;

/// Fetches the configuration and merges the four paginated lists into it. A failed list keeps
/// the previous complete one (R6); with no previous one the whole fetch fails.
pub(crate) async fn fetch_configuration(shared: &Shared) -> Result<AgentConfiguration, CtiError> {
    let api = &*shared.api;
    let response = shared
        .call(
            CtiMethod::GetAgentConfiguration,
            api.get_agent_configuration(GetAgentConfigurationRequest::default()),
        )
        .await?;
    let mut configuration = response.configuration;
    let profile_arn = configuration
        .routing_profile
        .routing_profile_arn
        .clone()
        .unwrap_or_default();
    let (states, permissions, countries, queues) = futures::join!(
        shared.call(CtiMethod::GetAgentStates, api.all_agent_states()),
        shared.call(CtiMethod::GetAgentPermissions, api.all_permissions()),
        shared.call(
            CtiMethod::GetDialableCountryCodes,
            api.all_dialable_countries()
        ),
        shared.call(
            CtiMethod::GetRoutingProfileQueues,
            api.all_routing_profile_queues(&profile_arn)
        ),
    );
    let previous = shared.state().configuration.clone();
    let previous = previous.as_deref();
    configuration.agent_states = Some(keep_previous(
        states,
        previous.and_then(|p| p.agent_states.clone()),
    )?);
    configuration.permissions = Some(keep_previous(
        permissions,
        previous.and_then(|p| p.permissions.clone()),
    )?);
    configuration.dialable_countries = Some(keep_previous(
        countries,
        previous.and_then(|p| p.dialable_countries.clone()),
    )?);
    configuration.routing_profile.queues = Some(keep_previous(
        queues,
        previous.and_then(|p| p.routing_profile.queues.clone()),
    )?);
    Ok(configuration)
}

fn keep_previous<T>(fresh: Result<T, CtiError>, previous: Option<T>) -> Result<T, CtiError> {
    match (fresh, previous) {
        (Ok(list), _) => Ok(list),
        (Err(error), Some(previous)) => {
            tracing::warn!(error = %error, "list refresh failed; keeping the previous list");
            Ok(previous)
        }
        (Err(error), None) => Err(error),
    }
}

/// Fetches, stores and (when it changed) announces the configuration.
pub(crate) async fn refresh_configuration(shared: &Shared) -> Result<(), CtiError> {
    let configuration = Arc::new(fetch_configuration(shared).await?);
    let changed = {
        let mut state = shared.state();
        let changed = state.configuration.as_deref() != Some(&*configuration);
        state.configuration = Some(Arc::clone(&configuration));
        changed
    };
    // Before the first snapshot the configuration goes out inside `Init` instead.
    if changed && shared.snapshot().is_some() {
        shared
            .bus
            .publish(vec![AgentEvent::ConfigurationChanged(configuration)]);
    }
    Ok(())
}

/// The refresh loop: never ends on error (R11).
pub(crate) async fn run_configuration_loop(shared: Arc<Shared>) {
    loop {
        shared
            .clock
            .sleep(shared.settings.configuration_interval)
            .await;
        until_auth_usable(shared.auth_states.as_ref()).await;
        if let Err(error) = refresh_configuration(&shared).await {
            shared.health(HealthEvent::LoopError {
                task: "configuration",
                message: error.to_string(),
            });
        }
    }
}
