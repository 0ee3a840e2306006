//! The CTI API: the 37 client methods, their typed requests and responses, the error type and
//! its wire mapping, and [`CtiApi`], the backend trait a session is given.
//!
//! Everything here is pure (no I/O): the HTTP transport and the simulated instance implement
//! [`CtiApi`] on top of it.
//!
//! ```
//! use connect_core::api::{CtiMethod, CtiRequest, GetAgentStatesRequest};
//!
//! let req = GetAgentStatesRequest::page(None, 500);
//! assert_eq!(GetAgentStatesRequest::METHOD.target(), "AmazonConnectCTIService.GetAgentStates");
//! assert_eq!(serde_json::Value::Object(req.to_body().unwrap()), serde_json::json!({"maxResults": 500}));
//! ```

mod cti;
mod error;
mod method;
mod operations;
mod pagination;
mod request;
mod requests;
mod wire_error;

pub use cti::{dispatch, CtiApi};
pub use error::{AuthErrorKind, CtiError, CtiExceptionKind, RetryStatus, TransportErrorKind};
pub use method::{CtiMethod, TARGET_PREFIX};
pub use pagination::{CtiApiExt, LIST_PAGE_SIZE, MAX_LIST_PAGES};
pub use request::{add_authentication, parse_response_for, wire_body, CtiRequest, Empty};
pub use requests::*;
pub use wire_error::ERROR_NAMESPACE;
