//! Where fresh TURN credentials come from when ICE must restart (spec §2.3, §5.5, R11).

use async_trait::async_trait;

use super::{IceServer, MediaError};

/// Supplies a fresh ICE server list (in the softphone: CTI `CreateTransport`).
///
/// ```
/// use async_trait::async_trait;
/// use connect_softphone::media::{CredentialProvider, IceServer, MediaError};
///
/// struct Fixed(Vec<IceServer>);
///
/// #[async_trait]
/// impl CredentialProvider for Fixed {
///     async fn fresh_ice_servers(&self) -> Result<Vec<IceServer>, MediaError> {
///         Ok(self.0.clone())
///     }
/// }
/// ```
#[async_trait]
pub trait CredentialProvider: Send + Sync {
    /// New credentials, fetched now (never a cached set).
    async fn fresh_ice_servers(&self) -> Result<Vec<IceServer>, MediaError>;
}
