//! Call-quality monitoring of the live calls: once per second the media counters of every
//! talking call are read (off the driver's loop), turned into a [`StatsSnapshot`] and fed to
//! the call's [`CallSampler`]; the samples, metrics batches, quality summaries and, at the
//! end of the call, the call and telemetry reports go to the [`StatsHub`].

use std::collections::HashMap;
use std::sync::Arc;

use connect_core::model::Timestamp;
use connect_core::session::AgentSession;

use super::driver::{Driver, Input};
use crate::media::{MediaError, MediaStats};
use crate::session::{EndReason, SessionReport};
use crate::sinks::StatsHub;
use crate::stats::{
    CallContext, CallEndInput, CallSampler, CallTimings, Enrichment, FailureFlags,
    JitterBufferCounters, SamplerConfig, StatsSnapshot, StreamCounters, TelemetryDetails,
};

/// Milliseconds between two readings of a call's counters.
const SAMPLE_INTERVAL_MS: i64 = 1_000;

/// Samples per 20 ms Opus frame at 48 kHz.
const SAMPLES_PER_FRAME: u64 = 960;

/// The samplers of the talking calls and where their output goes.
pub(super) struct Quality {
    hub: StatsHub,
    config: SamplerConfig,
    session: AgentSession,
    /// Samplers by agent connection id.
    samplers: HashMap<String, CallSampler>,
    next_reading: Option<Timestamp>,
    reading: bool,
}

/// One call's counters as read by the reading task.
pub(super) struct Reading {
    call: String,
    muted: bool,
    stats: Result<MediaStats, MediaError>,
}

impl Quality {
    pub(super) fn new(hub: StatsHub, config: SamplerConfig, session: AgentSession) -> Self {
        Self {
            hub,
            config,
            session,
            samplers: HashMap::new(),
            next_reading: None,
            reading: false,
        }
    }

    /// When the next reading is due (`None`: no call to sample, or a reading in flight).
    pub(super) fn due(&self) -> Option<Timestamp> {
        self.next_reading.filter(|_| !self.reading)
    }

    /// Who and what the records of a new call are about: the agent, the contact's queue, the
    /// routing profile and the call configuration (without its credentials).
    fn context(&self, contact_id: &str, connection_id: &str) -> CallContext {
        let configuration = self.session.configuration();
        let username = configuration
            .as_ref()
            .and_then(|c| c.username.clone())
            .unwrap_or_default();
        let mut enrichment = Enrichment::new(username);
        enrichment.agent_routing_profile = configuration
            .as_ref()
            .and_then(|c| c.routing_profile.name.clone());
        if let Some(contact) = self.session.snapshot().and_then(|s| {
            s.contacts
                .iter()
                .find(|c| c.contact_id == contact_id)
                .cloned()
        }) {
            enrichment.contact_queue = contact.queue.as_ref().and_then(|q| q.name.clone());
            let config = contact
                .connection(connection_id)
                .and_then(|c| c.softphone_media_info.as_ref())
                .and_then(|m| m.call_config()?.ok())
                .and_then(|config| serde_json::to_string(&config).ok());
            if let Some(config) = config {
                enrichment = enrichment.with_call_config(&config);
            }
        }
        CallContext::new(contact_id, connection_id, enrichment)
    }
}

impl Driver {
    /// Starts sampling a call that reached Talking.
    pub(super) fn start_sampling(&mut self, now: Timestamp, call: &str) {
        let Some(record) = self.calls.get(call) else {
            return;
        };
        let context = Arc::new(
            self.quality
                .context(&record.info.contact_id, &record.info.connection_id),
        );
        let sampler = CallSampler::new(context, self.quality.config.clone(), now);
        self.quality.samplers.insert(call.to_owned(), sampler);
        if self.quality.next_reading.is_none() {
            self.quality.next_reading = Some(now.add_millis(SAMPLE_INTERVAL_MS));
        }
    }

    /// Reads the counters of every sampled call on a task of its own; the result comes back
    /// as [`Input::Stats`].
    pub(super) fn read_stats(&mut self, now: Timestamp) {
        let peers: Vec<_> = self
            .quality
            .samplers
            .keys()
            .filter_map(|call| {
                let record = self.calls.get(call)?;
                let peer = record.pc.and_then(|pc| self.pcs.get(&pc))?.peer.clone()?;
                Some((call.clone(), record.muted, peer))
            })
            .collect();
        self.quality.next_reading = if self.quality.samplers.is_empty() {
            None
        } else {
            Some(now.add_millis(SAMPLE_INTERVAL_MS))
        };
        if peers.is_empty() {
            return;
        }
        self.quality.reading = true;
        let inputs = self.inputs.clone();
        tokio::spawn(async move {
            let mut readings = Vec::with_capacity(peers.len());
            for (call, muted, peer) in peers {
                let stats = peer.stats().await;
                readings.push(Reading { call, muted, stats });
            }
            let _ = inputs.send(Input::Stats { at: now, readings });
        });
    }

    /// Feeds a reading to the samplers and their output to the hub. Stats errors never touch
    /// the call: a failed reading is counted and the sampler goes on.
    pub(super) fn stats_read(&mut self, at: Timestamp, readings: Vec<Reading>) {
        self.quality.reading = false;
        for reading in readings {
            let Some(sampler) = self.quality.samplers.get_mut(&reading.call) else {
                continue; // the call ended meanwhile
            };
            let output = match reading.stats {
                Ok(stats) => sampler.tick(at, stats_snapshot(&stats, reading.muted, at)),
                Err(error) => {
                    tracing::debug!(call = %reading.call, %error, "media stats unreadable");
                    self.quality.hub.count_stats_error();
                    sampler.read_failed(at)
                }
            };
            self.quality.hub.publish(output.events, output.records);
        }
    }

    /// Ends the sampling of a call: its reports, last batch and last summary go out.
    pub(super) fn finish_sampling(
        &mut self,
        now: Timestamp,
        call: &str,
        reason: EndReason,
        report: &SessionReport,
    ) {
        let Some(sampler) = self.quality.samplers.remove(call) else {
            return;
        };
        if self.quality.samplers.is_empty() {
            self.quality.next_reading = None;
        }
        let end = sampler.finish(now, call_end_input(reason, report));
        self.quality.hub.publish(end.events, end.records);
    }
}

/// The engine's counters as the sampler reads them: inbound is what the agent hears
/// (`audio_input`), outbound the microphone (`audio_output`).
pub(super) fn stats_snapshot(stats: &MediaStats, muted: bool, at: Timestamp) -> StatsSnapshot {
    StatsSnapshot {
        timestamp: at,
        muted,
        input: StreamCounters {
            ssrc: None,
            packets: stats.packets_received,
            bytes: stats.bytes_received,
            packets_lost: stats.packets_lost,
            jitter_secs: (stats.packets_received > 0).then_some(stats.jitter.as_secs_f64()),
            audio_level: Some(stats.audio_output_level),
        },
        output: StreamCounters {
            ssrc: None,
            packets: stats.packets_sent,
            bytes: stats.bytes_sent,
            packets_lost: stats.remote_packets_lost,
            // Zero until the far end's first receiver report.
            jitter_secs: (!stats.remote_jitter.is_zero())
                .then_some(stats.remote_jitter.as_secs_f64()),
            audio_level: Some(stats.audio_input_level),
        },
        jitter_buffer: stats.jitter_buffer.as_ref().map_or_else(
            || JitterBufferCounters {
                concealed_samples: stats.concealed_frames * SAMPLES_PER_FRAME,
                ..JitterBufferCounters::default()
            },
            |jb| JitterBufferCounters {
                delay_secs: jb.jitter_buffer_delay,
                emitted_count: jb.jitter_buffer_emitted_count,
                concealed_samples: jb.concealed_samples,
                concealment_events: jb.concealment_events,
                late: jb.late,
                duplicates: jb.duplicates,
                overflow: jb.overflow,
                underflow: jb.underflow,
                target_delay_ms: jb.target_delay_ms,
            },
        ),
        round_trip_time_secs: stats.round_trip_time.map(|rtt| rtt.as_secs_f64()),
        echo_return_loss_db: None,
        echo_return_loss_enhancement_db: None,
    }
}

/// What the session measured, as the end-of-call reports carry it.
pub(super) fn call_end_input(reason: EndReason, report: &SessionReport) -> CallEndInput {
    let millis = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let f = &report.flags;
    CallEndInput {
        timings: CallTimings {
            call_start_time: report.call_start_time,
            call_end_time: report.call_end_time,
            gum_time_millis: millis(report.gum_time_millis),
            initialization_time_millis: millis(report.initialization_time_millis),
            ice_collection_time_millis: millis(report.ice_collection_time_millis),
            signalling_connect_time_millis: millis(report.signalling_connect_time_millis),
            handshaking_time_millis: millis(report.handshake_time_millis),
            pre_talking_time_millis: millis(report.pre_talk_time_millis),
            talking_time_millis: millis(report.talk_time_millis),
            cleanup_time_millis: millis(report.cleanup_time_millis),
        },
        flags: FailureFlags {
            ice_collection_failure: f.ice_collection_failure,
            signalling_connection_failure: f.signalling_connection_failure,
            handshaking_failure: f.handshake_failure,
            gum_other_failure: f.gum_other_failure,
            gum_timeout_failure: f.gum_timeout_failure,
            create_offer_failure: f.create_offer_failure,
            set_local_description_failure: f.set_local_description_failure,
            user_busy_failure: f.user_busy_failure,
            invalid_remote_sdp_failure: f.invalid_remote_sdp_failure,
            no_remote_ice_candidate_failure: f.no_remote_ice_candidate_failure,
            set_remote_description_failure: f.set_remote_description_failure,
        },
        details: TelemetryDetails {
            first_rtp_time_millis: millis(report.first_rtp_time_millis),
            is_connected: !reason.is_failure(),
            is_media_cluster_path: report.is_media_cluster_path.unwrap_or(false),
            is_persistent_peer_connection: report.persistent_connection,
            ice_credential_source: report.ice_credential_source.map(|s| s.as_str().to_owned()),
            is_contact_credentials_different_region: report.is_contact_credentials_different_region,
            ice_restart_attempts: report.ice_restarts.ice_restart_attempts,
            ice_restart_successes: report.ice_restarts.ice_restart_successes,
            ice_restart_invite_retries: report.ice_restarts.ice_restart_invite_retries,
            ice_restart_time_millis: millis(report.ice_restarts.ice_restart_time_millis),
            ice_restart_failed: report.ice_restarts.ice_restart_failed,
            end_reason: Some(end_reason_name(reason).to_owned()),
            accept_acknowledged: report.accept_acknowledged,
            bye_acknowledged: report.bye_acknowledged,
            ..TelemetryDetails::default()
        },
    }
}

/// `endReason` of the telemetry report: the failure reason's name, or how the call ended.
fn end_reason_name(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Failed(failure) => failure.as_str(),
        EndReason::LocalHangup => "local_hangup",
        EndReason::RemoteHangup => "remote_hangup",
        EndReason::HangupDuringSetup { .. } => "hangup_during_setup",
        EndReason::PeerConnectionClosed => "peer_connection_closed",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::session::FailureReason;

    #[test]
    fn engine_counters_map_to_the_two_directions() {
        let stats = MediaStats {
            packets_received: 50,
            bytes_received: 4_000,
            packets_lost: 2,
            jitter: Duration::from_millis(12),
            packets_sent: 49,
            remote_packets_lost: 1,
            round_trip_time: Some(Duration::from_millis(80)),
            concealed_frames: 3,
            audio_input_level: 0.25,
            audio_output_level: 0.5,
            ..MediaStats::default()
        };
        let at = Timestamp::from_millis(1_700_000_000_000);
        let s = stats_snapshot(&stats, true, at);
        assert!(s.muted);
        assert_eq!((s.input.packets, s.input.packets_lost), (50, 2));
        assert_eq!(s.input.jitter_secs, Some(0.012));
        assert_eq!(s.input.audio_level, Some(0.5));
        assert_eq!((s.output.packets, s.output.packets_lost), (49, 1));
        assert_eq!(s.output.jitter_secs, None, "no receiver report yet");
        assert_eq!(s.output.audio_level, Some(0.25));
        assert_eq!(s.jitter_buffer.concealed_samples, 3 * 960);
        assert_eq!(s.round_trip_time_secs, Some(0.08));
    }

    #[test]
    fn the_session_report_becomes_the_call_report_input() {
        let mut report = SessionReport {
            talk_time_millis: Some(5_000),
            pre_talk_time_millis: Some(-1),
            first_rtp_time_millis: Some(40),
            ..SessionReport::default()
        };
        report.flags.fail(FailureReason::UserBusy);
        let reason = EndReason::Failed(FailureReason::UserBusy);
        let input = call_end_input(reason, &report);
        assert_eq!(input.timings.talking_time_millis, Some(5_000));
        assert_eq!(
            input.timings.pre_talking_time_millis, None,
            "negative dropped"
        );
        assert_eq!(input.flags.user_busy_failure, Some(true));
        assert_eq!(input.details.first_rtp_time_millis, Some(40));
        assert!(!input.details.is_connected);
        assert_eq!(
            input.details.end_reason.as_deref(),
            Some(FailureReason::UserBusy.as_str())
        );
    }
}
