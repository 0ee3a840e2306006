//! [`RouteError`] and the typed reasons that only logs and events see.

/// Why a redemption was refused. Customers only ever see [`RouteError::Invalid`]; the reason
/// goes to logs and [`RouteEvent::Rejected`](super::RouteEvent::Rejected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// Not exactly 8 digits after removing spaces and dashes.
    Malformed,
    /// No such reference.
    NotFound,
    /// Past its TTL.
    Expired,
    /// Already redeemed.
    Used,
    /// The email does not match the one it was created for.
    Mismatch,
    /// Too many failed attempts on it.
    Burned,
}

/// Errors of ad-hoc routes.
///
/// ```
/// use connect_video::route::RouteError;
///
/// assert_eq!(RouteError::Invalid.to_string(), "the reference or email is not valid");
/// assert!(RouteError::RateLimited.is_rate_limited());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// The one customer-facing refusal: not found, expired, used, mismatched or burned.
    #[error("the reference or email is not valid")]
    Invalid,
    /// Too many failures from this source: try again later.
    #[error("too many attempts; try again later")]
    RateLimited,
    /// The email given to create a route is not an address.
    #[error("invalid email address: {0}")]
    InvalidEmail(String),
    /// No free reference after the allowed number of draws.
    #[error("no free reference after {0} draws")]
    Exhausted(u32),
    /// The route store failed.
    #[error("route store failure: {0}")]
    Store(String),
    /// The operating system's random source failed.
    #[error("no OS randomness: {0}")]
    Random(String),
}

impl RouteError {
    /// Whether this is the customer-facing [`RouteError::Invalid`].
    ///
    /// ```
    /// # use connect_video::route::RouteError;
    /// assert!(RouteError::Invalid.is_invalid());
    /// ```
    pub fn is_invalid(&self) -> bool {
        matches!(self, Self::Invalid)
    }

    /// Whether the source is cooling down.
    ///
    /// ```
    /// # use connect_video::route::RouteError;
    /// assert!(!RouteError::Invalid.is_rate_limited());
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Self::RateLimited)
    }

    /// Whether trying again may succeed (store failures).
    ///
    /// ```
    /// # use connect_video::route::RouteError;
    /// assert!(RouteError::Store("timeout".into()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Store(_))
    }
}
