//! The stats sink's batch bodies parsed into typed rows: [`Route`] from the path, [`Batch`]
//! from the body.

use connect_softphone::stats::{ApiLatencySample, CallReport, FailureFlags, StreamSample};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::DashboardError;

/// The three batch routes of the call-quality-monitoring solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `…/softphonemetrics`: one contact's per-second stream records.
    SoftphoneMetrics,
    /// `…/callreport`: one call's end-of-call report.
    CallReport,
    /// `…/apimetrics`: one agent's API latency samples.
    ApiMetrics,
}

impl Route {
    /// The route of a request path, taken from its last segment, so that the sink's base URL
    /// may carry a prefix (e.g. an API stage).
    ///
    /// ```
    /// use connect_examples::dashboard::Route;
    /// assert_eq!(Route::from_path("/prod/callreport"), Some(Route::CallReport));
    /// assert_eq!(Route::from_path("/softphonemetrics/"), Some(Route::SoftphoneMetrics));
    /// assert_eq!(Route::from_path("/"), None);
    /// ```
    pub fn from_path(path: &str) -> Option<Self> {
        match path.trim_end_matches('/').rsplit('/').next()? {
            "softphonemetrics" => Some(Self::SoftphoneMetrics),
            "callreport" => Some(Self::CallReport),
            "apimetrics" => Some(Self::ApiMetrics),
            _ => None,
        }
    }

    /// The route's name, as in the path.
    pub fn name(self) -> &'static str {
        match self {
            Self::SoftphoneMetrics => "softphonemetrics",
            Self::CallReport => "callreport",
            Self::ApiMetrics => "apimetrics",
        }
    }
}

/// Who and what a call is: the enrichment the sink puts next to its records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallInfo {
    /// The agent's username.
    pub agent: String,
    /// The contact.
    pub contact_id: String,
    /// The contact's queue name.
    #[serde(default)]
    pub contact_queue: Option<String>,
    /// The agent's routing-profile name.
    #[serde(default)]
    pub agent_routing_profile: Option<String>,
}

/// What a call report says about how the call went.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOutcome {
    /// Timings, failure flags and the last cumulative statistics.
    pub report: CallReport,
    /// Why the session ended, when the report says.
    pub end_reason: Option<String>,
}

impl CallOutcome {
    /// The wire names of the failure flags that are true, e.g. `handshakingFailure`.
    ///
    /// ```
    /// use connect_examples::dashboard::CallOutcome;
    /// use connect_softphone::stats::{CallReport, FailureFlags};
    ///
    /// let flags = FailureFlags { user_busy_failure: Some(true), gum_timeout_failure: Some(false), ..Default::default() };
    /// let outcome = CallOutcome { report: CallReport { flags, ..Default::default() }, end_reason: None };
    /// assert_eq!(outcome.failures(), ["userBusyFailure"]);
    /// ```
    pub fn failures(&self) -> Vec<String> {
        failure_names(&self.report.flags)
    }

    /// Whether any failure flag is true.
    pub fn failed(&self) -> bool {
        !self.failures().is_empty()
    }
}

fn failure_names(flags: &FailureFlags) -> Vec<String> {
    match serde_json::to_value(flags) {
        Ok(serde_json::Value::Object(fields)) => fields
            .into_iter()
            .filter(|(_, v)| v.as_bool() == Some(true))
            .map(|(name, _)| name)
            .collect(),
        _ => Vec::new(),
    }
}

/// One accepted batch body, typed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Batch {
    /// Per-second stream records of one call.
    Stream {
        /// The call.
        call: CallInfo,
        /// Its records, both directions.
        samples: Vec<StreamSample>,
    },
    /// The end-of-call report of one call.
    Report {
        /// The call.
        call: CallInfo,
        /// What the report says.
        outcome: Box<CallOutcome>,
    },
    /// API latency samples of one agent.
    Api {
        /// The agent's username.
        agent: String,
        /// The samples.
        samples: Vec<ApiLatencySample>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetricsBody {
    #[serde(flatten)]
    call: CallInfo,
    softphone_stream_statistics: Vec<StreamSample>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportFields {
    #[serde(flatten)]
    report: CallReport,
    #[serde(default)]
    end_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportBody {
    #[serde(flatten)]
    call: CallInfo,
    report: ReportFields,
}

#[derive(Deserialize)]
struct ApiBody {
    agent: String,
    #[serde(rename = "API_METRIC")]
    samples: Vec<ApiLatencySample>,
}

fn decode<T: DeserializeOwned>(route: Route, body: &[u8]) -> Result<T, DashboardError> {
    serde_json::from_slice(body).map_err(|e| DashboardError::Malformed {
        route: route.name(),
        reason: e.to_string(),
    })
}

fn check_call(route: Route, call: &CallInfo) -> Result<(), DashboardError> {
    let missing = if call.contact_id.is_empty() {
        "contactId"
    } else if call.agent.is_empty() {
        "agent"
    } else {
        return Ok(());
    };
    Err(DashboardError::Malformed {
        route: route.name(),
        reason: format!("{missing} is empty"),
    })
}

impl Batch {
    /// Parses the body POSTed at `path`.
    ///
    /// ```
    /// use connect_examples::dashboard::Batch;
    ///
    /// let body = br#"{"agent":"jdoe","contactId":"c-1","contactQueue":"BasicQueue","softphoneStreamStatistics":[
    ///   {"softphoneStreamType":"audio_input","timestamp":"2024-05-01T10:00:01.000Z","packetsLost":1,"packetsCount":49}]}"#;
    /// let Ok(Batch::Stream { call, samples }) = Batch::parse("/softphonemetrics", body) else { panic!() };
    /// assert_eq!((call.agent.as_str(), samples[0].packets_lost), ("jdoe", 1));
    /// assert!(Batch::parse("/softphonemetrics", b"{}").is_err());
    /// ```
    pub fn parse(path: &str, body: &[u8]) -> Result<Self, DashboardError> {
        let route =
            Route::from_path(path).ok_or_else(|| DashboardError::UnknownRoute(path.to_owned()))?;
        match route {
            Route::SoftphoneMetrics => {
                let body: MetricsBody = decode(route, body)?;
                check_call(route, &body.call)?;
                Ok(Self::Stream {
                    call: body.call,
                    samples: body.softphone_stream_statistics,
                })
            }
            Route::CallReport => {
                let body: ReportBody = decode(route, body)?;
                check_call(route, &body.call)?;
                Ok(Self::Report {
                    call: body.call,
                    outcome: Box::new(CallOutcome {
                        report: body.report.report,
                        end_reason: body.report.end_reason,
                    }),
                })
            }
            Route::ApiMetrics => {
                let body: ApiBody = decode(route, body)?;
                Ok(Self::Api {
                    agent: body.agent,
                    samples: body.samples,
                })
            }
        }
    }

    /// How many records it carries.
    pub fn records(&self) -> usize {
        match self {
            Self::Stream { samples, .. } => samples.len(),
            Self::Report { .. } => 1,
            Self::Api { samples, .. } => samples.len(),
        }
    }
}
