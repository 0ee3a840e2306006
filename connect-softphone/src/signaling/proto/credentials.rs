//! TURN credential resolution (§2.3), as pure functions.

use connect_core::model::{CreateTransportResponse, IceServer};

/// Where a call's ICE servers came from (`iceCredentialSource`).
///
/// ```
/// use connect_softphone::signaling::proto::CredentialSource;
///
/// assert_eq!(CredentialSource::ApiFetched.as_str(), "api-fetched");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// `CreateTransport` softphone.
    ApiFetched,
    /// `callConfigJson.iceServers`.
    ContactProvided,
}

impl CredentialSource {
    /// The report's string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiFetched => "api-fetched",
            Self::ContactProvided => "contact-provided",
        }
    }
}

/// The ICE servers chosen for an offer, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCredentials {
    /// The servers to put in the PC configuration.
    pub servers: Vec<IceServer>,
    /// `iceCredentialSource`.
    pub source: CredentialSource,
    /// `isContactCredentialsDifferentRegion`.
    pub is_contact_credentials_different_region: bool,
}

/// The first URL of a server list.
fn first_url(servers: &[IceServer]) -> Option<&str> {
    servers
        .iter()
        .flat_map(|s| s.urls.iter())
        .next()
        .map(String::as_str)
}

/// The cross-region check (v2 `credential_resolver`): with an API-fetched set (`None` when the
/// 1 s probe failed or timed out) whose first URL differs from the contact's, use the API set;
/// otherwise the contact's. An empty contact set falls back to the API set.
///
/// ```
/// use connect_core::model::IceServer;
/// use connect_softphone::signaling::proto::{resolve_credentials, CredentialSource};
///
/// let server = |url: &str| IceServer { urls: vec![url.into()], username: None, credential: None };
/// let contact = vec![server("turn:east.:3478")];
/// let api = vec![server("turn:west.:3478")];
/// let r = resolve_credentials(&contact, Some(&api));
/// assert_eq!(r.source, CredentialSource::ApiFetched);
/// assert!(r.is_contact_credentials_different_region);
/// let same = resolve_credentials(&contact, Some(&contact));
/// assert_eq!(same.source, CredentialSource::ContactProvided);
/// assert_eq!(resolve_credentials(&contact, None).servers, contact);
/// ```
pub fn resolve_credentials(
    contact: &[IceServer],
    api: Option<&[IceServer]>,
) -> ResolvedCredentials {
    let contact_set = || ResolvedCredentials {
        servers: contact.to_vec(),
        source: CredentialSource::ContactProvided,
        is_contact_credentials_different_region: false,
    };
    let Some(api) = api.filter(|api| first_url(api).is_some()) else {
        return contact_set();
    };
    match first_url(contact) {
        None => ResolvedCredentials {
            servers: api.to_vec(),
            source: CredentialSource::ApiFetched,
            is_contact_credentials_different_region: false,
        },
        Some(url) if Some(url) != first_url(api) => ResolvedCredentials {
            servers: api.to_vec(),
            source: CredentialSource::ApiFetched,
            is_contact_credentials_different_region: true,
        },
        Some(_) => contact_set(),
    }
}

/// The ICE servers of a `CreateTransport` softphone answer, used unchanged.
///
/// ```
/// use connect_core::model::CreateTransportResponse;
/// use connect_softphone::signaling::proto::api_ice_servers;
///
/// assert!(api_ice_servers(&CreateTransportResponse::default()).is_none());
/// ```
pub fn api_ice_servers(response: &CreateTransportResponse) -> Option<Vec<IceServer>> {
    response
        .softphone_transport
        .as_ref()
        .map(|t| t.softphone_media_connections.clone())
}

/// The marker of a `CreateTransport` failure that means another softphone is active.
pub const CONNECTION_LIMIT_BREACHED: &str = "SoftphoneConnectionLimitBreachedException";

/// A `CreateTransport` failure message that emits `MultipleSoftphoneActiveSessions`.
///
/// ```
/// use connect_softphone::signaling::proto::is_connection_limit_breached;
///
/// assert!(is_connection_limit_breached("x: SoftphoneConnectionLimitBreachedException: y"));
/// ```
pub fn is_connection_limit_breached(message: &str) -> bool {
    message.contains(CONNECTION_LIMIT_BREACHED)
}
