//! The receiving end of the stats sink's HTTP JSON batches and the quality report managers
//! read.
//!
//! [`DashboardServer`] accepts the call-quality-monitoring bodies that
//! `connect_softphone::sinks::HttpJsonSink` POSTs (`…/softphonemetrics`, `…/callreport`,
//! `…/apimetrics`), parses each into a typed [`Batch`], folds it into a [`Dashboard`] (per
//! call, per agent, queue and routing profile, per time bucket, per API), and renders the
//! [`Dashboard`] as one self-contained HTML page with inline SVG plots ([`render_html`]).
//!
//! Definitions (all per group of calls, over the per-second stream records):
//! - loss %: `audio_input` `100·Σlost ÷ (Σlost + Σreceived)`, `audio_output`
//!   `100·Σlost ÷ max(Σsent, 1)`;
//! - jitter: the mean of `jitterMillis` (RFC 3550) of the records that carry it;
//! - RTT: the mean of `roundTripTimeMillis` of the records that carry it;
//! - MOS: per call (or time bucket), the simplified E-model of each direction from the mean
//!   RTT ÷ 2, that direction's mean jitter and loss, the worse direction counting; a group's
//!   mean and minimum are taken over its calls;
//! - failed call: a call report with any failure flag true; short call: talk time under the
//!   configured limit (10 s by default).

mod aggregate;
mod api;
mod error;
mod html;
mod quality;
mod rows;
mod series;
mod server;
mod svg;

pub use aggregate::{CallRow, Dashboard, DashboardConfig, GroupBy, GroupRow, Totals};
pub use api::ApiRow;
pub use error::DashboardError;
pub use html::render_html;
pub use quality::QualityAccum;
pub use rows::{Batch, CallInfo, CallOutcome, Route};
pub use series::{Series, SeriesPoint};
pub use server::{DashboardServer, DashboardServerBuilder, Progress, DEFAULT_MAX_BODY_BYTES};
