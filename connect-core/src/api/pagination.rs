//! Whole lists from paginated methods (§4.2, R6): pages of [`LIST_PAGE_SIZE`] followed until
//! `nextToken` is absent, each list accumulated on its own, loops cut short.

use std::collections::HashSet;
use std::future::Future;

use async_trait::async_trait;

use super::requests::{
    GetAgentPermissionsRequest, GetAgentStatesRequest, GetDialableCountryCodesRequest,
    GetEndpointsRequest, GetRoutingProfileQueuesRequest,
};
use super::{CtiApi, CtiError, CtiMethod};
use crate::model::{AgentState, Endpoint, Queue};

/// `maxResults` of every page the helpers fetch.
pub const LIST_PAGE_SIZE: i32 = 500;

/// Most pages one list may take; a 100th page that still has a `nextToken` is a
/// [`CtiError::PaginationLoop`].
pub const MAX_LIST_PAGES: usize = 100;

/// Whole lists, for every [`CtiApi`] (including `Arc<dyn CtiApi>` and `dyn CtiApi`).
///
/// Each helper requests pages of [`LIST_PAGE_SIZE`] and follows `nextToken` until it is absent
/// (or empty). A token seen before, or more than [`MAX_LIST_PAGES`] pages, ends it with
/// [`CtiError::PaginationLoop`]; any failed page fails the whole list (the caller keeps its
/// previous complete list, R6).
///
/// ```
/// use connect_core::api::*;
///
/// #[derive(Debug)]
/// struct TwoPages;
///
/// #[async_trait::async_trait]
/// impl CtiApi for TwoPages {
///     async fn get_agent_permissions(&self, req: GetAgentPermissionsRequest)
///         -> Result<GetAgentPermissionsResponse, CtiError> {
///         assert_eq!(req.max_results, Some(500));
///         Ok(match req.next_token.as_deref() {
///             None => GetAgentPermissionsResponse { permissions: vec!["outboundCall".into()],
///                 next_token: Some("p2".into()), ..Default::default() },
///             _ => GetAgentPermissionsResponse { permissions: vec!["voiceId".into()], ..Default::default() },
///         })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// assert_eq!(TwoPages.all_permissions().await.unwrap(), ["outboundCall", "voiceId"]);
/// # }
/// ```
#[cfg_attr(not(target_arch = "wasm32"), async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait(?Send))]
pub trait CtiApiExt: CtiApi {
    /// Every selectable agent state (`getAgentStates`).
    async fn all_agent_states(&self) -> Result<Vec<AgentState>, CtiError> {
        paginate(CtiMethod::GetAgentStates, |token| async move {
            let page = self
                .get_agent_states(GetAgentStatesRequest::page(token, LIST_PAGE_SIZE))
                .await?;
            Ok((page.states, page.next_token))
        })
        .await
    }

    /// Every permission of the agent (`getAgentPermissions`).
    async fn all_permissions(&self) -> Result<Vec<String>, CtiError> {
        paginate(CtiMethod::GetAgentPermissions, |token| async move {
            let page = self
                .get_agent_permissions(GetAgentPermissionsRequest::page(token, LIST_PAGE_SIZE))
                .await?;
            Ok((page.permissions, page.next_token))
        })
        .await
    }

    /// Every dialable country code (`getDialableCountryCodes`).
    async fn all_dialable_countries(&self) -> Result<Vec<String>, CtiError> {
        paginate(CtiMethod::GetDialableCountryCodes, |token| async move {
            let req = GetDialableCountryCodesRequest::page(token, LIST_PAGE_SIZE);
            let page = self.get_dialable_country_codes(req).await?;
            Ok((page.country_codes, page.next_token))
        })
        .await
    }

    /// Every queue of the routing profile `routing_profile_arn` (`getRoutingProfileQueues`),
    /// including the agent's personal queue.
    async fn all_routing_profile_queues(
        &self,
        routing_profile_arn: &str,
    ) -> Result<Vec<Queue>, CtiError> {
        paginate(CtiMethod::GetRoutingProfileQueues, |token| async move {
            let req =
                GetRoutingProfileQueuesRequest::page(routing_profile_arn, token, LIST_PAGE_SIZE);
            let page = self.get_routing_profile_queues(req).await?;
            Ok((page.queues, page.next_token))
        })
        .await
    }

    /// Every quick connect of `queue_arns` (`getEndpoints`).
    async fn all_endpoints(&self, queue_arns: Vec<String>) -> Result<Vec<Endpoint>, CtiError> {
        let queue_arns = &queue_arns;
        paginate(CtiMethod::GetEndpoints, |token| async move {
            let req = GetEndpointsRequest::page(queue_arns.clone(), token, LIST_PAGE_SIZE);
            let page = self.get_endpoints(req).await?;
            Ok((page.endpoints, page.next_token))
        })
        .await
    }
}

impl<T: CtiApi + ?Sized> CtiApiExt for T {}

/// Follows `nextToken` from the first page until it is absent; see [`CtiApiExt`].
async fn paginate<T, F, Fut>(method: CtiMethod, mut fetch: F) -> Result<Vec<T>, CtiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), CtiError>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut token = None;
    for _ in 0..MAX_LIST_PAGES {
        let (page, next) = fetch(token.take()).await?;
        items.extend(page);
        match next.filter(|t| !t.is_empty()) {
            None => return Ok(items),
            Some(next) if !seen.insert(next.clone()) => {
                tracing::warn!(operation = %method, "pagination returned a token seen before");
                return Err(CtiError::PaginationLoop { operation: method });
            }
            Some(next) => token = Some(next),
        }
    }
    tracing::warn!(operation = %method, pages = MAX_LIST_PAGES, "pagination exceeded the page cap");
    Err(CtiError::PaginationLoop { operation: method })
}

#[cfg(test)]
mod tests;
