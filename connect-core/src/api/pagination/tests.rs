//! The pagination helpers against a scripted in-memory `CtiApi`.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::*;
use crate::api::requests::*;
use crate::api::{CtiExceptionKind, CtiRequest};
use crate::model::{AgentStateType, EndpointType};

/// Serves `pages` pages (tokens `t1`, `t2`, …); optionally answers page `loop_at` with a token
/// seen before, or fails page `fail_at`.
#[derive(Debug, Default)]
struct Scripted {
    pages: usize,
    loop_at: Option<usize>,
    fail_at: Option<usize>,
    calls: Mutex<Vec<Call>>,
}

#[derive(Clone, Debug, PartialEq)]
struct Call {
    method: CtiMethod,
    token: Option<String>,
    max_results: Option<i32>,
    scope: Option<String>,
}

impl Scripted {
    fn new(pages: usize) -> Self {
        Self {
            pages,
            ..Self::default()
        }
    }

    fn page<R: CtiRequest>(
        &self,
        token: Option<String>,
        max_results: Option<i32>,
        scope: Option<String>,
    ) -> Result<(usize, Option<String>), CtiError> {
        let index = match token.as_deref() {
            None => 0,
            Some(t) => t
                .strip_prefix('t')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| CtiError::InvalidRequest(format!("unknown token {t}")))?,
        };
        self.calls.lock().expect("lock").push(Call {
            method: R::METHOD,
            token,
            max_results,
            scope,
        });
        if self.fail_at == Some(index) {
            return Err(CtiError::Service {
                code: CtiExceptionKind::InternalServiceException,
                message: "boom".into(),
                status: 500,
            });
        }
        let next = if self.loop_at == Some(index) {
            Some("t1".to_owned())
        } else if index + 1 < self.pages {
            Some(format!("t{}", index + 1))
        } else if index % 2 == 0 {
            None
        } else {
            Some(String::new()) // an empty token also ends the list
        };
        Ok((index, next))
    }

    fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("lock").clone()
    }
}

#[async_trait]
impl CtiApi for Scripted {
    async fn get_agent_states(
        &self,
        req: GetAgentStatesRequest,
    ) -> Result<GetAgentStatesResponse, CtiError> {
        let (i, next) =
            self.page::<GetAgentStatesRequest>(req.next_token, req.max_results, None)?;
        Ok(GetAgentStatesResponse {
            states: vec![AgentState::new(AgentStateType::Routable, format!("S{i}"))],
            next_token: next,
            ..Default::default()
        })
    }

    async fn get_agent_permissions(
        &self,
        req: GetAgentPermissionsRequest,
    ) -> Result<GetAgentPermissionsResponse, CtiError> {
        let (i, next) =
            self.page::<GetAgentPermissionsRequest>(req.next_token, req.max_results, None)?;
        Ok(GetAgentPermissionsResponse {
            permissions: vec![format!("p{i}a"), format!("p{i}b")],
            next_token: next,
            ..Default::default()
        })
    }

    async fn get_dialable_country_codes(
        &self,
        req: GetDialableCountryCodesRequest,
    ) -> Result<GetDialableCountryCodesResponse, CtiError> {
        let (i, next) =
            self.page::<GetDialableCountryCodesRequest>(req.next_token, req.max_results, None)?;
        Ok(GetDialableCountryCodesResponse {
            country_codes: vec![format!("c{i}")],
            next_token: next,
            ..Default::default()
        })
    }

    async fn get_routing_profile_queues(
        &self,
        req: GetRoutingProfileQueuesRequest,
    ) -> Result<GetRoutingProfileQueuesResponse, CtiError> {
        let (i, next) = self.page::<GetRoutingProfileQueuesRequest>(
            req.next_token,
            req.max_results,
            Some(req.routing_profile_arn),
        )?;
        Ok(GetRoutingProfileQueuesResponse {
            queues: vec![Queue::new(format!("arn:q{i}"), format!("Q{i}"))],
            next_token: next,
            ..Default::default()
        })
    }

    async fn get_endpoints(
        &self,
        req: GetEndpointsRequest,
    ) -> Result<GetEndpointsResponse, CtiError> {
        let (i, next) = self.page::<GetEndpointsRequest>(
            req.next_token,
            req.max_results,
            Some(req.queue_arns.join(",")),
        )?;
        let mut endpoint = Endpoint::new(EndpointType::Agent);
        endpoint.name = Some(format!("E{i}"));
        Ok(GetEndpointsResponse {
            endpoints: vec![endpoint],
            next_token: next,
            ..Default::default()
        })
    }
}

fn tokens(calls: &[Call]) -> Vec<Option<&str>> {
    calls.iter().map(|c| c.token.as_deref()).collect()
}

#[tokio::test]
async fn each_list_follows_next_token_until_absent() {
    let api = Scripted::new(3);
    let states = api.all_agent_states().await.expect("states");
    let names: Vec<&str> = states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["S0", "S1", "S2"]);

    let permissions = api.all_permissions().await.expect("permissions");
    assert_eq!(permissions, ["p0a", "p0b", "p1a", "p1b", "p2a", "p2b"]);

    let countries = api.all_dialable_countries().await.expect("countries");
    assert_eq!(countries, ["c0", "c1", "c2"]);

    let calls = api.calls();
    assert_eq!(calls.len(), 9);
    for call in &calls {
        assert_eq!(call.max_results, Some(LIST_PAGE_SIZE), "{call:?}");
    }
    assert_eq!(
        tokens(&calls[..3]),
        [None, Some("t1"), Some("t2")],
        "first page without a token, then each returned token"
    );
}

#[tokio::test]
async fn routing_profile_queues_keep_every_page() {
    // Upstream's pager kept only the last page beyond 500 queues (§4.2); here all survive.
    let api = Scripted::new(4);
    let queues = api
        .all_routing_profile_queues("arn:rp")
        .await
        .expect("queues");
    let arns: Vec<&str> = queues.iter().filter_map(|q| q.queue_id()).collect();
    assert_eq!(arns, ["arn:q0", "arn:q1", "arn:q2", "arn:q3"]);
    for call in api.calls() {
        assert_eq!(call.method, CtiMethod::GetRoutingProfileQueues);
        assert_eq!(call.scope.as_deref(), Some("arn:rp"));
    }
}

#[tokio::test]
async fn endpoints_send_the_queue_arns_on_every_page() {
    let api = Scripted::new(2);
    let endpoints = api
        .all_endpoints(vec!["arn:a".into(), "arn:b".into()])
        .await
        .expect("endpoints");
    assert_eq!(endpoints.len(), 2);
    assert_eq!(endpoints[1].name.as_deref(), Some("E1"));
    let calls = api.calls();
    assert_eq!(tokens(&calls), [None, Some("t1")]);
    for call in calls {
        assert_eq!(call.scope.as_deref(), Some("arn:a,arn:b"));
    }
}

#[tokio::test]
async fn single_page_and_empty_token() {
    let api = Scripted::new(1);
    assert_eq!(api.all_dialable_countries().await.expect("one"), ["c0"]);
    // Page 1 is odd: it ends with `nextToken: ""`.
    let api = Scripted::new(2);
    assert_eq!(
        api.all_dialable_countries().await.expect("two"),
        ["c0", "c1"]
    );
    assert_eq!(api.calls().len(), 2);
}

#[tokio::test]
async fn repeated_token_is_a_pagination_loop() {
    let api = Scripted {
        pages: 10,
        loop_at: Some(3),
        ..Scripted::default()
    };
    let err = api.all_permissions().await.expect_err("loop");
    assert_eq!(
        err,
        CtiError::PaginationLoop {
            operation: CtiMethod::GetAgentPermissions
        }
    );
    assert_eq!(
        tokens(&api.calls()),
        [None, Some("t1"), Some("t2"), Some("t3")]
    );
}

#[tokio::test]
async fn first_token_repeated_immediately() {
    let api = Scripted {
        pages: 10,
        loop_at: Some(1),
        ..Scripted::default()
    };
    let err = api.all_agent_states().await.expect_err("loop");
    assert!(matches!(err, CtiError::PaginationLoop { .. }));
    assert_eq!(api.calls().len(), 2);
}

#[tokio::test]
async fn hundred_pages_is_the_cap() {
    let api = Scripted::new(MAX_LIST_PAGES);
    let all = api.all_dialable_countries().await.expect("100 pages fit");
    assert_eq!(all.len(), MAX_LIST_PAGES);

    let api = Scripted::new(MAX_LIST_PAGES + 1);
    let err = api
        .all_routing_profile_queues("arn:rp")
        .await
        .expect_err("101 pages do not");
    assert_eq!(
        err,
        CtiError::PaginationLoop {
            operation: CtiMethod::GetRoutingProfileQueues
        }
    );
    assert_eq!(
        api.calls().len(),
        MAX_LIST_PAGES,
        "the 101st page is never fetched"
    );
}

#[tokio::test]
async fn a_failed_page_fails_the_list() {
    let api = Scripted {
        pages: 5,
        fail_at: Some(2),
        ..Scripted::default()
    };
    let err = api
        .all_endpoints(vec!["arn:q".into()])
        .await
        .expect_err("fails");
    assert!(err.is_retryable());
    assert_eq!(api.calls().len(), 3);
}

#[tokio::test]
async fn helpers_work_through_arc_dyn() {
    let api: Arc<dyn CtiApi> = Arc::new(Scripted::new(2));
    assert_eq!(api.all_permissions().await.expect("arc").len(), 4);
    let dyn_ref: &dyn CtiApi = api.as_ref();
    assert_eq!(
        dyn_ref.all_dialable_countries().await.expect("dyn").len(),
        2
    );
}
