//! [`DashboardError`]: what the receiver refuses, and why it could not start.

/// Why a batch was refused or the receiver could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DashboardError {
    /// The path names no batch route.
    #[error("no batch route at {0} (expected …/softphonemetrics, …/callreport or …/apimetrics)")]
    UnknownRoute(String),
    /// The body is not the route's JSON shape.
    #[error("malformed {route} body: {reason}")]
    Malformed {
        /// The route's name.
        route: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The body is larger than the receiver accepts.
    #[error("body larger than {limit} bytes")]
    TooLarge {
        /// The bound, bytes.
        limit: usize,
    },
    /// The body could not be read.
    #[error("cannot read the body: {0}")]
    Body(String),
    /// The listening socket could not be opened.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

impl DashboardError {
    /// Whether the sender is at fault (a 4xx answer).
    ///
    /// ```
    /// use connect_examples::dashboard::DashboardError;
    /// assert!(DashboardError::TooLarge { limit: 1 }.is_client_error());
    /// ```
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Io(_))
    }

    /// The HTTP status that answers it: 404, 400, 413, or 500.
    ///
    /// ```
    /// use connect_examples::dashboard::DashboardError;
    /// assert_eq!(DashboardError::TooLarge { limit: 1 }.status(), 413);
    /// assert_eq!(DashboardError::UnknownRoute("/x".into()).status(), 404);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownRoute(_) => 404,
            Self::Malformed { .. } | Self::Body(_) => 400,
            Self::TooLarge { .. } => 413,
            Self::Io(_) => 500,
        }
    }
}
