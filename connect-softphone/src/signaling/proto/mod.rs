//! The wire protocol (data only, no I/O): JSON-RPC 2.0 messages of §4 in both directions, the
//! multiplexed envelope of §3.1, the direct URL of §3.2, `callConfigJson` decoding (§2.2) and
//! TURN credential resolution (§2.3).

mod call_config;
mod client;
mod credentials;
mod envelope;
mod ids;
mod jsonrpc;
mod server;
mod url;

pub use call_config::{decode_call_config, TransportChoice};
pub use client::{ClientRequest, IceCandidate, InviteParams, PeerConnectionRef};
pub use credentials::{
    api_ice_servers, is_connection_limit_breached, resolve_credentials, CredentialSource,
    ResolvedCredentials, CONNECTION_LIMIT_BREACHED,
};
pub use envelope::{
    client_fields, decode_client_content, decode_server_content, server_content, Envelope, Route,
    SOFTPHONE_TOPIC,
};
pub use ids::RequestIds;
pub use jsonrpc::{classify, error_response, request, result_response, Classified, RpcError};
pub use server::{AckResult, InviteResult, ServerMessage};
pub use url::{
    default_signaling_base, direct_url, encode_uri_component, resolve_endpoint, DirectAuth,
};

/// A message that is not what the protocol says: logged, counted and dropped; the call goes on.
///
/// ```
/// use connect_softphone::signaling::proto::ProtoError;
///
/// assert!(ProtoError::new("no id").to_string().contains("no id"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed signaling message: {reason}")]
pub struct ProtoError {
    /// What was wrong.
    pub reason: String,
}

impl ProtoError {
    /// An error with `reason`.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }
}
