//! [`StatsEvent`]: what call-quality monitoring tells the app.

use std::sync::Arc;

use super::{QualitySummary, StreamSample};

/// A monitoring event. Delivered through a bounded broadcast; a lagging subscriber loses the
/// oldest events (counted in the monitoring health), never the call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StatsEvent {
    /// The two records of one second (off by default).
    Sample {
        /// The call's contact.
        contact_id: String,
        /// Input, then output.
        samples: Arc<[StreamSample; 2]>,
    },
    /// A window's quality (every 30 s and at call end).
    QualitySummary(Arc<QualitySummary>),
    /// No inbound packet for the threshold's seconds in a row (3 by default); feeds the
    /// media-health machine's `MediaDegraded`.
    NoInboundAudio {
        /// The call's contact.
        contact_id: String,
        /// The agent's connection.
        agent_connection_id: String,
        /// Seconds without a packet.
        seconds: u32,
    },
    /// The unmuted microphone has been at or below the low level for the threshold's seconds
    /// in a row (10 by default).
    SilentMicrophone {
        /// The call's contact.
        contact_id: String,
        /// The agent's connection.
        agent_connection_id: String,
        /// Seconds of silence.
        seconds: u32,
    },
    /// A sink's spool reached its bound during an outage and started dropping its oldest
    /// records (once per outage).
    SinkBackpressure {
        /// The sink's name.
        sink: String,
    },
}
