//! The softphone attached to an agent session: [`SoftphoneManager`] follows the session's
//! contacts, starts a call session when a softphone voice contact rings or dials (spec §2.1),
//! runs the session machine ([`crate::session::SoftphoneMachine`]) against a
//! [`MediaEngine`](crate::media::MediaEngine) and the `aws/softphone` signaling channel, and
//! reports [`SoftphoneEvent`]s ending with each call's report.
//!
//! - data: [`CallInfo`], [`DtmfMode`], [`SoftphoneEvent`];
//! - pure rules: the session trigger (`trigger`), the conversions between the wire and media
//!   types (`convert`);
//! - the driver: one task per manager (`driver`, `actions`, `peers`, `quality` for the 1 s
//!   call-quality sampling into the [`StatsHub`](crate::sinks::StatsHub), `warm` for TURN
//!   credentials fetched ahead of a call and idle peer connections let go) and the cheap
//!   handle ([`SoftphoneManager`]).

mod actions;
mod builder;
mod calls;
pub(crate) mod convert;
mod driver;
mod error;
mod event;
mod handle;
mod peers;
mod quality;
mod recordings;
mod sink;
mod trigger;
mod types;
mod warm;

pub use builder::SoftphoneManagerBuilder;
pub use error::SoftphoneManagerError;
pub use event::{SoftphoneEvent, SoftphoneEvents};
pub use handle::{CallSummary, SoftphoneManager};
pub use recordings::CallRecordings;
pub use types::{CallInfo, DtmfMode, SinkFactory, SourceFactory};
