//! The agent's configuration and the paginated lists (`getAgentStates`,
//! `getAgentPermissions`, `getDialableCountryCodes`, `getRoutingProfileQueues`,
//! `getEndpoints`), plus the calls that only record what the client sent.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::{CtiError, CtiExceptionKind};
use crate::model::{
    AgentConfiguration, AgentState, Endpoint, EndpointType, Queue, RoutingProfile, Sensitive,
    Timestamp,
};

use super::super::journal::JournalEvent;
use super::directory::QuickTarget;
use super::{service_error, SimEngine};

/// One page of a list and the token of the next one (`None` on the last page).
///
/// ```
/// # use connect_core::mock::{Page, SimEngine, SimSpec};
/// # use connect_core::model::Timestamp;
/// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
/// let page: Page<String> = engine.agent_permissions(&engine.agent_ids()[0], None, None).unwrap();
/// assert_eq!(page.1, None);
/// ```
pub type Page<T> = (Vec<T>, Option<String>);

impl SimEngine {
    /// Cuts `items` into the page `next_token` names (`None`: the first), of at most
    /// `max_results` (and at most the instance's page size) entries.
    fn page<T: Clone>(
        &self,
        list: &str,
        items: &[T],
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<Page<T>, CtiError> {
        let start = match next_token {
            None => 0,
            Some(token) => token
                .strip_prefix("sim-page.")
                .and_then(|rest| rest.split_once('.'))
                .filter(|(name, _)| *name == list)
                .and_then(|(_, offset)| offset.parse::<usize>().ok())
                .filter(|offset| *offset <= items.len())
                .ok_or_else(|| {
                    service_error(CtiExceptionKind::PaginationException, "invalid nextToken")
                })?,
        };
        let size = max_results
            .map_or(self.max_page_size, |n| {
                usize::try_from(n.max(1)).unwrap_or(1)
            })
            .min(self.max_page_size);
        let end = start.saturating_add(size).min(items.len());
        let next = (end < items.len()).then(|| format!("sim-page.{list}.{end}"));
        Ok((items[start..end].to_vec(), next))
    }

    /// One page of the list `list` of agent `agent_id`, whose entries `entries` makes from the
    /// agent's index.
    fn agent_page<T: Clone>(
        &self,
        agent_id: &str,
        list: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
        entries: impl FnOnce(usize) -> Result<Vec<T>, CtiError>,
    ) -> Result<Page<T>, CtiError> {
        let a = self.agent_index(agent_id)?;
        self.page(list, &entries(a)?, next_token, max_results)
    }

    /// `getAgentConfiguration` (without the four lists the session merges in).
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let config = engine.configuration(&agent).unwrap();
    /// assert_eq!(config.username.as_deref(), Some("agent1"));
    /// assert_eq!(config.routing_profile.name.as_deref(), Some("Basic"));
    /// assert_eq!(config.region().as_deref(), Some("us-east-1"));
    /// ```
    pub fn configuration(&self, agent_id: &str) -> Result<AgentConfiguration, CtiError> {
        let agent = &self.agents[self.agent_index(agent_id)?];
        let profile = &self.dir.profiles[agent.profile];
        let concurrency: BTreeMap<String, i64> = profile
            .concurrency
            .iter()
            .map(|(c, n)| (c.as_str().to_owned(), i64::from(*n)))
            .collect();
        Ok(AgentConfiguration {
            name: agent.name.clone(),
            username: Some(agent.username.clone()),
            agent_arn: Some(agent.arn.clone()),
            softphone_enabled: agent.softphone,
            softphone_auto_accept: agent.auto_accept,
            extension: agent.extension.clone(),
            routing_profile: RoutingProfile {
                name: Some(profile.name.clone()),
                routing_profile_arn: Some(profile.arn.clone()),
                default_outbound_queue: Some(self.dir.queues[profile.default_outbound].wire()),
                channel_concurrency_map: Some(concurrency),
                queues: None,
                extra: Default::default(),
            },
            agent_preferences: Some(agent.preferences.clone()),
            agent_states: None,
            permissions: None,
            dialable_countries: None,
            extra: Default::default(),
        })
    }

    /// `updateAgentConfiguration`: softphone/deskphone, auto-accept, extension and preferences
    /// (a `locale` preference is mirrored into `LANGUAGE`). A deskphone needs an extension.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let mut config = engine.configuration(&agent).unwrap();
    /// config.softphone_auto_accept = true;
    /// engine.update_agent_configuration(&agent, &config, t0).unwrap();
    /// assert!(engine.configuration(&agent).unwrap().softphone_auto_accept);
    /// config.softphone_enabled = false;
    /// config.extension = None;
    /// assert!(engine.update_agent_configuration(&agent, &config, t0).is_err());
    /// ```
    pub fn update_agent_configuration(
        &mut self,
        agent_id: &str,
        config: &AgentConfiguration,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        self.agent_op(agent_id, now, |engine, a, now| {
            let extension = config.extension.clone().filter(|e| !e.trim().is_empty());
            if !config.softphone_enabled && extension.is_none() {
                return Err(service_error(
                    CtiExceptionKind::InvalidConfigurationException,
                    "a deskphone needs an extension",
                ));
            }
            let agent = &mut engine.agents[a];
            agent.softphone = config.softphone_enabled;
            agent.auto_accept = config.softphone_auto_accept;
            agent.extension = extension;
            if let Some(preferences) = &config.agent_preferences {
                for (key, value) in preferences {
                    agent.preferences.insert(key.clone(), value.clone());
                }
                if let Some(locale) = preferences.get("locale") {
                    agent
                        .preferences
                        .insert("LANGUAGE".to_owned(), locale.clone());
                }
            }
            let payload = serde_json::to_value(config).unwrap_or(Value::Null);
            engine.record_call(agent_id, "updateAgentConfiguration", payload, now)?;
            Ok(())
        })
    }

    /// `getAgentStates`, one page.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1).max_page_size(2), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let (first, next) = engine.agent_states(&agent, None, Some(500)).unwrap();
    /// assert_eq!(first.len(), 2);
    /// let (rest, end) = engine.agent_states(&agent, next.as_deref(), Some(500)).unwrap();
    /// assert_eq!((rest.len(), end), (1, None));
    /// ```
    pub fn agent_states(
        &self,
        agent_id: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<Page<AgentState>, CtiError> {
        self.agent_page(agent_id, "states", next_token, max_results, |_| {
            Ok(self
                .dir
                .states
                .iter()
                .map(|s| {
                    let mut state = AgentState::new(s.kind.clone(), s.name.clone());
                    state.agent_state_arn = Some(s.arn.clone());
                    state
                })
                .collect())
        })
    }

    /// `getAgentPermissions`, one page.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert_eq!(engine.agent_permissions(&agent, None, None).unwrap().0, ["outboundCall"]);
    /// ```
    pub fn agent_permissions(
        &self,
        agent_id: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<Page<String>, CtiError> {
        self.agent_page(agent_id, "permissions", next_token, max_results, |a| {
            Ok(self.agents[a].permissions.clone())
        })
    }

    /// `getDialableCountryCodes`, one page.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// assert_eq!(engine.dialable_countries(&agent, None, Some(1)).unwrap().0, ["us"]);
    /// ```
    pub fn dialable_countries(
        &self,
        agent_id: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<Page<String>, CtiError> {
        self.agent_page(agent_id, "countries", next_token, max_results, |a| {
            Ok(self.agents[a].dialable_countries.clone())
        })
    }

    /// `getRoutingProfileQueues`, one page: the profile's queues, and for the agent's own
    /// profile its personal queue `…/queue/agent/<agentId>` (last).
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let engine = SimEngine::new(&SimSpec::default().agents(1), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let profile = engine.configuration(&agent).unwrap().routing_profile.routing_profile_arn.unwrap();
    /// let (queues, _) = engine.routing_profile_queues(&agent, &profile, None, None).unwrap();
    /// assert!(queues.last().unwrap().queue_arn.as_deref().unwrap().ends_with(&format!("/queue/agent/{agent}")));
    /// ```
    pub fn routing_profile_queues(
        &self,
        agent_id: &str,
        routing_profile_arn: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<Page<Queue>, CtiError> {
        self.agent_page(agent_id, "queues", next_token, max_results, |a| {
            let p = self
                .dir
                .profiles
                .iter()
                .position(|p| p.arn == routing_profile_arn)
                .ok_or_else(|| {
                    service_error(
                        CtiExceptionKind::InvalidConfigurationException,
                        "unknown routing profile",
                    )
                })?;
            let mut queues: Vec<usize> = Vec::new();
            for entry in &self.dir.profiles[p].entries {
                if !queues.contains(&entry.queue) {
                    queues.push(entry.queue);
                }
            }
            if self.agents[a].profile == p {
                queues.push(self.agents[a].personal_queue);
            }
            Ok(queues.iter().map(|&q| self.dir.queues[q].wire()).collect())
        })
    }

    /// `getEndpoints`, one page: the quick connects (every queue, every other agent, the phone
    /// quick connects), whatever queues are asked for.
    ///
    /// ```
    /// # use connect_core::mock::{SimEngine, SimSpec};
    /// # use connect_core::model::{EndpointType, Timestamp};
    /// let engine = SimEngine::new(&SimSpec::default().agents(2), Timestamp::from_millis(0)).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// let (endpoints, _) = engine.endpoints(&agent, None, None).unwrap();
    /// let kinds: Vec<_> = endpoints.iter().map(|e| e.kind.clone()).collect();
    /// assert_eq!(kinds, [EndpointType::Queue, EndpointType::Agent]);
    /// ```
    pub fn endpoints(
        &self,
        agent_id: &str,
        next_token: Option<&str>,
        max_results: Option<i32>,
    ) -> Result<Page<Endpoint>, CtiError> {
        self.agent_page(agent_id, "endpoints", next_token, max_results, |a| {
            Ok(self
                .dir
                .quick_connects
                .iter()
                .filter(|qc| qc.target != QuickTarget::Agent(a))
                .map(|qc| {
                    let mut endpoint = match &qc.target {
                        QuickTarget::Queue(q) => {
                            let mut e = Endpoint::new(EndpointType::Queue);
                            e.queue = Some(self.dir.queues[*q].wire());
                            e
                        }
                        QuickTarget::Agent(t) => {
                            let mut e = Endpoint::new(EndpointType::Agent);
                            e.agent_login = Some(self.agents[*t].username.clone());
                            e
                        }
                        QuickTarget::Phone(number) => {
                            let mut e = Endpoint::new(EndpointType::PhoneNumber);
                            e.phone_number = Some(Sensitive::new(number.clone()));
                            e
                        }
                    };
                    endpoint.endpoint_arn = Some(qc.arn.clone());
                    endpoint.name = Some(qc.name.clone());
                    endpoint
                })
                .collect())
        })
    }

    /// Journals a call that only hands data to the service (`sendClientLogs`,
    /// `sendSoftphoneCallMetrics`, `sendSoftphoneCallReport`, `notifyContactIssue`, ...).
    ///
    /// ```
    /// # use connect_core::mock::{JournalEvent, SimEngine, SimSpec};
    /// # use connect_core::model::Timestamp;
    /// let t0 = Timestamp::from_millis(0);
    /// let mut engine = SimEngine::new(&SimSpec::default().agents(1), t0).unwrap();
    /// let agent = engine.agent_ids()[0].clone();
    /// engine.record_call(&agent, "sendClientLogs", serde_json::json!({"logEvents": []}), t0).unwrap();
    /// assert!(matches!(engine.journal().entries().last().unwrap().event, JournalEvent::Recorded { method: "sendClientLogs", .. }));
    /// ```
    pub fn record_call(
        &mut self,
        agent_id: &str,
        method: &'static str,
        payload: Value,
        now: Timestamp,
    ) -> Result<(), CtiError> {
        let a = self.agent_index(agent_id)?;
        let agent = self.agents[a].username.clone();
        self.record(
            now.max(self.now),
            JournalEvent::Recorded {
                agent,
                method,
                payload,
            },
        );
        Ok(())
    }

    /// Journals a fault injected into a call of agent `agent_id`.
    pub(crate) fn record_fault(&mut self, agent_id: &str, operation: &'static str, what: String) {
        let agent = self
            .agent_username(agent_id)
            .unwrap_or_else(|| agent_id.to_owned());
        let at = self.now;
        self.record(
            at,
            JournalEvent::Fault {
                agent,
                operation,
                what,
            },
        );
    }
}
