//! What an [`AuthProvider`](super::AuthProvider) hands out, and how it fails.

use crate::api::{AuthErrorKind, CtiError, CtiExceptionKind, TransportErrorKind};
use crate::model::{Sensitive, Timestamp};

/// An agent access token (the `X-Amz-Bearer` value and `authentication.authToken`) and its
/// expiry. `Debug` never shows the token.
///
/// ```
/// use connect_core::auth::AccessToken;
/// use connect_core::model::Timestamp;
///
/// let token = AccessToken::new("secret").expiring_at(Timestamp::from_millis(1_000));
/// assert!(!format!("{token:?}").contains("secret"));
/// assert!(token.is_expired(Timestamp::from_millis(1_000)));
/// assert!(!token.is_expired(Timestamp::from_millis(999)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    /// The token itself.
    pub value: Sensitive,
    /// When it stops working, if known.
    pub expires_at: Option<Timestamp>,
}

impl AccessToken {
    /// A token without a known expiry.
    ///
    /// ```
    /// # use connect_core::auth::AccessToken;
    /// assert_eq!(AccessToken::new("t").expires_at, None);
    /// ```
    pub fn new(value: impl Into<Sensitive>) -> Self {
        Self {
            value: value.into(),
            expires_at: None,
        }
    }

    /// The same token with an expiry.
    ///
    /// ```
    /// # use connect_core::{auth::AccessToken, model::Timestamp};
    /// let t = AccessToken::new("t").expiring_at(Timestamp::from_millis(5));
    /// assert_eq!(t.expires_at, Some(Timestamp::from_millis(5)));
    /// ```
    pub fn expiring_at(mut self, expires_at: Timestamp) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// True when the expiry is known and `now` has reached it.
    ///
    /// ```
    /// # use connect_core::{auth::AccessToken, model::Timestamp};
    /// assert!(!AccessToken::new("t").is_expired(Timestamp::from_millis(i64::MAX)));
    /// ```
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }
}

/// Why no token could be had. Messages never contain tokens or cookies.
///
/// ```
/// use connect_core::auth::AuthError;
///
/// let err = AuthError::SessionEnded { message: "authorize answered 401".into() };
/// assert!(err.is_terminal() && !err.is_retryable());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The login session is gone (the authorize endpoint answered 401, or the refresh token
    /// expired or was refused): a new login is needed.
    #[error("login session ended: {message}")]
    SessionEnded {
        /// What said so.
        message: String,
    },
    /// The identity is known but not allowed (403).
    #[error("access denied: {message}")]
    Denied {
        /// What said so.
        message: String,
    },
    /// This provider cannot get a new token (a static token).
    #[error("this auth provider cannot refresh its token")]
    RefreshUnsupported,
    /// No usable HTTP response.
    #[error("transport error ({kind}) while getting a token: {message}")]
    Transport {
        /// What went wrong.
        kind: TransportErrorKind,
        /// A description.
        message: String,
    },
    /// Another non-2xx answer.
    #[error("token service answered HTTP {status}: {message}")]
    Service {
        /// The HTTP status.
        status: u16,
        /// The server's message, if any.
        message: String,
    },
    /// A 2xx answer without a usable token.
    #[error("invalid token response: {0}")]
    InvalidResponse(String),
}

impl AuthError {
    /// Transient: a transport failure, 429 or 5xx; worth retrying later.
    ///
    /// ```
    /// # use connect_core::auth::AuthError;
    /// assert!(AuthError::Service { status: 503, message: String::new() }.is_retryable());
    /// assert!(!AuthError::Service { status: 400, message: String::new() }.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Service { status, .. } => *status == 429 || (500..600).contains(status),
            _ => false,
        }
    }

    /// Retrying soon will not help: the session ended, access is denied, or the provider
    /// cannot refresh.
    ///
    /// ```
    /// # use connect_core::auth::AuthError;
    /// assert!(AuthError::RefreshUnsupported.is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::SessionEnded { .. } | Self::Denied { .. } | Self::RefreshUnsupported
        )
    }

    /// The error a CTI call reports when it could not get a token: session ended and
    /// refresh failures are `Auth(Unauthorized)`, denial `Auth(AccessDenied)`, transport
    /// failures stay transport failures.
    ///
    /// ```
    /// # use connect_core::{api::AuthErrorKind, auth::AuthError};
    /// let err = AuthError::Denied { message: "no".into() }.to_cti_error();
    /// assert_eq!(err.auth_kind(), Some(AuthErrorKind::AccessDenied));
    /// ```
    pub fn to_cti_error(&self) -> CtiError {
        match self {
            Self::Transport { kind, message } => CtiError::transport(*kind, message.clone()),
            Self::Denied { message } => CtiError::Auth {
                kind: AuthErrorKind::AccessDenied,
                message: message.clone(),
            },
            other => CtiError::Auth {
                kind: AuthErrorKind::Unauthorized,
                message: other.to_string(),
            },
        }
    }

    /// Reads the failure of a `getNewAuthToken` call: 401 or `RefreshTokenExpiredException`
    /// end the session, 403 is a denial.
    ///
    /// ```
    /// # use connect_core::{api::CtiError, auth::AuthError};
    /// let cti = CtiError::from_wire(401, b"", None);
    /// assert!(matches!(AuthError::from_cti(&cti), AuthError::SessionEnded { .. }));
    /// ```
    pub fn from_cti(error: &CtiError) -> Self {
        match error {
            CtiError::Auth {
                kind: AuthErrorKind::Unauthorized,
                message,
            } => Self::SessionEnded {
                message: message.clone(),
            },
            CtiError::Auth {
                kind: AuthErrorKind::AccessDenied,
                message,
            } => Self::Denied {
                message: message.clone(),
            },
            CtiError::Service {
                code: CtiExceptionKind::RefreshTokenExpiredException,
                message,
                ..
            } => Self::SessionEnded {
                message: message.clone(),
            },
            CtiError::Service {
                message, status, ..
            } => Self::Service {
                status: *status,
                message: message.clone(),
            },
            CtiError::Transport { kind, message } => Self::Transport {
                kind: *kind,
                message: message.clone(),
            },
            other => Self::InvalidResponse(other.to_string()),
        }
    }
}
