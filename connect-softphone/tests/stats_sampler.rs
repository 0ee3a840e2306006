//! The 1 s sampler, its summaries and reports, and the exact wire shapes of the CTI encoder.

use std::sync::Arc;

use connect_core::api::CtiRequest;
use connect_core::model::Timestamp;
use connect_softphone::stats::*;
use serde_json::json;

const T0: i64 = 1_700_000_000_000;

fn call() -> Arc<CallContext> {
    let mut e = Enrichment::new("jdoe");
    e.contact_queue = Some("BasicQueue".into());
    Arc::new(CallContext::new(
        "3f6c1a2e-0000-4000-8000-000000000001",
        "ac-1",
        e,
    ))
}

/// A snapshot at second `s` with the given cumulative counters.
fn snap(s: i64, rx: u64, rx_lost: i64, tx: u64, tx_lost: i64) -> StatsSnapshot {
    StatsSnapshot {
        timestamp: Timestamp::from_millis(T0 + 1000 * s),
        input: StreamCounters {
            packets: rx,
            packets_lost: rx_lost,
            jitter_secs: Some(0.010),
            audio_level: Some(0.0368),
            ..Default::default()
        },
        output: StreamCounters {
            packets: tx,
            packets_lost: tx_lost,
            jitter_secs: Some(0.010),
            audio_level: Some(0.101),
            ..Default::default()
        },
        jitter_buffer: JitterBufferCounters {
            delay_secs: 0.0425 * 48_000.0 * s as f64,
            emitted_count: 48_000 * s as u64,
            ..Default::default()
        },
        round_trip_time_secs: Some(0.1),
        ..Default::default()
    }
}

fn at(s: i64) -> Timestamp {
    Timestamp::from_millis(T0 + 1000 * s)
}

/// (previous cumulative, current cumulative) → the delta of the record.
#[test]
fn deltas_are_clamped_and_the_first_tick_passes_through() {
    /// Cumulative (packets received, packets lost).
    type Cumulative = (u64, i64);
    // (prev rx, prev lost) → (cur rx, cur lost) → (Δrx, Δlost)
    let cases: [(Option<Cumulative>, Cumulative, (u64, u64)); 5] = [
        (None, (50, 1), (50, 1)),
        (None, (50, -2), (50, 0)),
        (Some((50, 1)), (100, 3), (50, 2)),
        (Some((100, 3)), (100, 2), (0, 0)),
        (Some((100, 3)), (20, 0), (0, 0)),
    ];
    for (prev, cur, expected) in cases {
        let prev = prev.map(|(rx, lost)| snap(1, rx, lost, 0, 0));
        let cur = snap(2, cur.0, cur.1, 0, 0);
        let [input, _] = derive_samples(prev.as_ref(), &cur, JitterBufferMetric::PerInterval);
        assert_eq!(
            (input.packets_count, input.packets_lost),
            expected,
            "{prev:?}"
        );
    }
}

#[test]
fn units_cross_fill_and_jitter_buffer_metrics() {
    let prev = snap(1, 50, 0, 50, 0);
    let cur = snap(2, 100, 0, 100, 0);
    let [input, output] = derive_samples(Some(&prev), &cur, JitterBufferMetric::PerInterval);
    assert_eq!(input.audio_level, Some(1205)); // ⌊0.0368 × 32768⌋
    assert_eq!(output.audio_level, Some(3309));
    assert_eq!(input.round_trip_time_millis, Some(100));
    assert_eq!(output.round_trip_time_millis, Some(100));
    assert_eq!(input.jitter_buffer_millis, Some(42));
    assert_eq!(output.jitter_buffer_millis, Some(42));
    assert_eq!(input.jitter_millis, Some(10));
    let [compat, _] = derive_samples(Some(&prev), &cur, JitterBufferMetric::CumulativeCompat);
    // The cumulative ⌊Σ delay (s) × 1000⌋.
    let cumulative = (cur.jitter_buffer.delay_secs * 1000.0).floor() as u64;
    assert_eq!(compat.jitter_buffer_millis, Some(cumulative));
    assert!((4_079_999..=4_080_000).contains(&cumulative));
    // Nothing played out: null, not zero.
    let [stalled, _] = derive_samples(Some(&cur), &cur, JitterBufferMetric::PerInterval);
    assert_eq!(stalled.jitter_buffer_millis, None);
    // A muted microphone reads 0.
    let muted = StatsSnapshot {
        muted: true,
        ..cur.clone()
    };
    let [_, mic] = derive_samples(Some(&prev), &muted, JitterBufferMetric::PerInterval);
    assert_eq!(mic.audio_level, Some(0));
}

#[test]
fn flushes_every_30_s_with_a_summary_and_counts_read_errors() {
    let mut sampler = CallSampler::new(call(), SamplerConfig::default(), at(0));
    let mut batches = Vec::new();
    let mut summaries = Vec::new();
    for s in 1..=65 {
        let out = if s == 10 {
            sampler.read_failed(at(s))
        } else {
            let rx = 50 * s as u64;
            // 1 packet lost in every 50 inbound, 1 in 100 outbound.
            sampler.tick(at(s), snap(s, rx, s, rx, s / 2))
        };
        let stream: Vec<_> = out
            .records
            .iter()
            .filter(|r| r.kind() == RecordKind::StreamSample)
            .collect();
        if !stream.is_empty() {
            batches.push((s, stream.len()));
        }
        for e in out.events {
            if let StatsEvent::QualitySummary(summary) = e {
                summaries.push(summary);
            }
        }
    }
    assert_eq!(batches, [(30, 58), (60, 60)]);
    assert_eq!(sampler.stats_errors(), 1);
    assert_eq!(summaries.len(), 2);
    let second = &summaries[1];
    assert_eq!(second.window_start, at(30));
    assert_eq!(second.window_end, at(60));
    assert_eq!(second.audio_input.packets, 1500);
    assert_eq!(second.audio_input.lost, 30);
    assert!((second.audio_input.loss_pct - 100.0 * 30.0 / 1530.0).abs() < 1e-9);
    assert_eq!(second.audio_output.lost, 15);
    assert!((second.audio_output.loss_pct - 1.0).abs() < 1e-9);
    assert_eq!(second.rtt_ms_mean, Some(100.0));
    assert_eq!(second.audio_input.jitter_ms, Some(10.0));
    let jb = second.audio_input.jitter_buffer_ms.expect("played out");
    assert!((jb - 42.5).abs() < 1e-6);
    // RTT 100 ms, jitter 10 ms: input loss 1.96 % is worse than output loss 1 %.
    let expected_input = MosInputs {
        latency_ms: 50.0,
        jitter_ms: 10.0,
        loss_pct: second.audio_input.loss_pct,
    }
    .mos();
    assert_eq!(second.mos_input, Some(expected_input));
    assert_eq!(second.mos, second.mos_input);
    assert_eq!(second.mos_direction, Some(StreamDirection::AudioInput));
    assert_eq!(second.grade, Grade::Degraded);
    let crossed: Vec<_> = second
        .breaches
        .iter()
        .map(|b| (b.metric, b.direction))
        .collect();
    assert_eq!(
        crossed,
        [
            (QualityMetric::Loss, Some(StreamDirection::AudioInput)),
            (QualityMetric::Loss, Some(StreamDirection::AudioOutput)),
        ]
    );

    let end = sampler.finish(at(66), CallEndInput::default());
    let kinds: Vec<RecordKind> = end.records.iter().map(Record::kind).collect();
    let mut expected = vec![RecordKind::CallReport];
    expected.extend([RecordKind::StreamSample; 10]);
    expected.extend([RecordKind::QualitySummary, RecordKind::TelemetryReport]);
    assert_eq!(kinds, expected);
    let telemetry = &end.telemetry;
    let per_second = &telemetry.softphone_stream_per_second_statistics;
    assert_eq!(per_second.audio_input.packets_count.len(), 64);
    assert!(per_second.audio_input.round_trip_time_millis.is_none());
    assert_eq!(
        per_second
            .audio_output
            .round_trip_time_millis
            .as_ref()
            .map(Vec::len),
        Some(64)
    );
    assert_eq!(telemetry.stats_errors, 1);
    assert_eq!(telemetry.quality_summary.as_ref(), end.summary.as_deref());
}

#[test]
fn mos_is_null_without_any_rtt_and_uses_the_last_known_one() {
    let mut sampler = CallSampler::new(
        call(),
        SamplerConfig {
            flush_interval: std::time::Duration::from_secs(2),
            ..SamplerConfig::default()
        },
        at(0),
    );
    let no_rtt = |s: i64| StatsSnapshot {
        round_trip_time_secs: None,
        ..snap(s, 50 * s as u64, 0, 50 * s as u64, 0)
    };
    let summary = |out: TickOutput| {
        out.events.into_iter().find_map(|e| match e {
            StatsEvent::QualitySummary(s) => Some(s),
            _ => None,
        })
    };
    sampler.tick(at(1), no_rtt(1));
    let first = summary(sampler.tick(at(2), no_rtt(2))).expect("window closed");
    assert_eq!((first.mos, first.mos_direction), (None, None));
    sampler.tick(at(3), snap(3, 150, 0, 150, 0));
    sampler.tick(at(4), snap(4, 200, 0, 200, 0));
    sampler.tick(at(5), no_rtt(5));
    let third = summary(sampler.tick(at(6), no_rtt(6))).expect("window closed");
    assert_eq!(third.rtt_ms_mean, None);
    let expected = MosInputs {
        latency_ms: 50.0,
        jitter_ms: 10.0,
        loss_pct: 0.0,
    }
    .mos();
    assert_eq!(third.mos, Some(expected));
}

#[test]
fn no_inbound_audio_after_three_silent_seconds() {
    let mut sampler = CallSampler::new(call(), SamplerConfig::default(), at(0));
    let mut fired = Vec::new();
    for s in 1..=8 {
        // Inbound packets stop after second 2.
        let rx = 50 * s.min(2) as u64;
        let out = sampler.tick(at(s), snap(s, rx, 0, 50 * s as u64, 0));
        for e in out.events {
            if let StatsEvent::NoInboundAudio { seconds, .. } = e {
                fired.push((s, seconds));
            }
        }
    }
    assert_eq!(fired, [(5, 3)]);
    let end = sampler.finish(at(9), CallEndInput::default());
    assert_eq!(end.telemetry.counters.consecutive_no_audio_input_packets, 6);
    assert_eq!(
        end.telemetry
            .counters
            .audio_input_connected_duration_seconds,
        7
    );
}

#[test]
fn history_keeps_the_newest_records() {
    let config = SamplerConfig {
        history_limit: 5,
        ..SamplerConfig::default()
    };
    let mut sampler = CallSampler::new(call(), config, at(0));
    for s in 1..=8 {
        sampler.tick(at(s), snap(s, 10 * s as u64 * s as u64, 0, 0, 0));
    }
    let end = sampler.finish(at(9), CallEndInput::default());
    let counts = &end
        .telemetry
        .softphone_stream_per_second_statistics
        .audio_input
        .packets_count;
    // Δ of 10·s²: 10·(2s − 1) for seconds 4..=8.
    assert_eq!(counts, &[70, 90, 110, 130, 150]);
}

/// §4.1: the metrics request, exactly as on the wire.
#[test]
fn golden_send_softphone_call_metrics() {
    let t = Timestamp::from_millis(1_700_000_001_000);
    let input = StreamSample {
        packets_count: 50,
        packets_lost: 1,
        audio_level: Some(1204),
        jitter_buffer_millis: Some(42),
        round_trip_time_millis: Some(88),
        jitter_millis: Some(7),
        ..StreamSample::new(StreamDirection::AudioInput, t)
    };
    let output = StreamSample {
        softphone_stream_type: StreamDirection::AudioOutput,
        packets_lost: 0,
        audio_level: Some(3310),
        ..input.clone()
    };
    let req = cti::metrics_request("3f6c1a2e-0000-4000-8000-000000000001", [&input, &output]);
    let mut body = req.to_body().expect("serialises");
    connect_core::api::add_authentication(
        &mut body,
        connect_core::api::CtiMethod::SendSoftphoneCallMetrics,
        "<token>",
    );
    let expected = json!({"authentication":{"authToken":"<token>"},"contactId":"3f6c1a2e-0000-4000-8000-000000000001","ccpVersion":"V2",
     "softphoneStreamStatistics":[
      {"timestamp":1700000001.0,"softphoneStreamType":"audio_input","packetCount":50,"packetsLost":1,
       "audioLevel":1204.0,"jitterBufferMillis":42,"roundTripTimeMillis":88},
      {"timestamp":1700000001.0,"softphoneStreamType":"audio_output","packetCount":50,"packetsLost":0,
       "audioLevel":3310.0,"jitterBufferMillis":42,"roundTripTimeMillis":88}]});
    assert_eq!(serde_json::Value::Object(body), expected);
}

/// §4.2: the report request with the renames, and the same report un-renamed.
#[test]
fn golden_send_softphone_call_report() {
    let mut sampler = CallSampler::new(call(), SamplerConfig::default(), at(0));
    let last = StatsSnapshot {
        timestamp: Timestamp::from_millis(1_700_000_185_000),
        input: StreamCounters {
            packets: 9241,
            packets_lost: 12,
            audio_level: Some(0.0),
            ..Default::default()
        },
        output: StreamCounters {
            packets: 9240,
            packets_lost: 3,
            audio_level: Some(0.0),
            ..Default::default()
        },
        round_trip_time_secs: Some(0.25),
        ..Default::default()
    };
    sampler.tick(last.timestamp, last);
    let timings = CallTimings {
        call_start_time: Some(Timestamp::from_millis(1_700_000_000_120)),
        call_end_time: Some(Timestamp::from_millis(1_700_000_185_730)),
        gum_time_millis: Some(35),
        initialization_time_millis: Some(60),
        ice_collection_time_millis: Some(140),
        signalling_connect_time_millis: Some(2),
        handshaking_time_millis: Some(410),
        pre_talking_time_millis: Some(620),
        talking_time_millis: Some(184_900),
        cleanup_time_millis: Some(15),
    };
    let passed = Some(false);
    let flags = FailureFlags {
        ice_collection_failure: passed,
        signalling_connection_failure: passed,
        handshaking_failure: passed,
        gum_other_failure: passed,
        gum_timeout_failure: passed,
        create_offer_failure: passed,
        set_local_description_failure: passed,
        user_busy_failure: passed,
        invalid_remote_sdp_failure: passed,
        no_remote_ice_candidate_failure: passed,
        set_remote_description_failure: passed,
    };
    let end = sampler.finish(
        Timestamp::from_millis(1_700_000_185_730),
        CallEndInput {
            timings,
            flags,
            ..CallEndInput::default()
        },
    );
    let req = cti::report_request("3f6c1a2e-0000-4000-8000-000000000001", &end.report);
    let mut body = req.to_body().expect("serialises");
    connect_core::api::add_authentication(
        &mut body,
        connect_core::api::CtiMethod::SendSoftphoneCallReport,
        "<token>",
    );
    let expected = json!({"authentication":{"authToken":"<token>"},"contactId":"3f6c1a2e-0000-4000-8000-000000000001","ccpVersion":"V2",
     "report":{"callStartTime":1700000000.12,"callEndTime":1700000185.73,"gumTimeMillis":35,
      "initializationTimeMillis":60,"iceCollectionTimeMillis":140,"signallingConnectTimeMillis":2,
      "handshakeTimeMillis":410,"preTalkTimeMillis":620,"talkTimeMillis":184900,"cleanupTimeMillis":15,
      "iceCollectionFailure":false,"signallingConnectionFailure":false,"handshakeFailure":false,"gumOtherFailure":false,
      "gumTimeoutFailure":false,"createOfferFailure":false,"setLocalDescriptionFailure":false,"userBusyFailure":false,
      "invalidRemoteSDPFailure":false,"noRemoteIceCandidateFailure":false,"setRemoteDescriptionFailure":false,
      "softphoneStreamStatistics":[
       {"timestamp":1700000185.0,"softphoneStreamType":"audio_input","packetCount":9241,"packetsLost":12,"audioLevel":0.0},
       {"timestamp":1700000185.0,"softphoneStreamType":"audio_output","packetCount":9240,"packetsLost":3,"audioLevel":0.0}]}});
    assert_eq!(serde_json::Value::Object(body), expected);

    // The telemetry report keeps the un-renamed names and ISO times, and carries the extras.
    let telemetry = serde_json::to_value(&*end.telemetry).expect("serialises");
    assert_eq!(telemetry["talkingTimeMillis"], 184_900);
    assert_eq!(telemetry["handshakingFailure"], false);
    assert_eq!(telemetry["preTalkingTimeMillis"], 620);
    assert_eq!(telemetry["callEndTime"], "2023-11-14T22:16:25.730Z");
    assert_eq!(
        telemetry["softphoneStreamStatistics"][0]["packetsCount"],
        9241
    );
    assert!(telemetry.get("handshakeTimeMillis").is_none());
    for field in [
        "softphoneStreamPerSecondStatistics",
        "iceConnectionsLost",
        "isPCMv2Path",
        "firstRTPTimeMillis",
        "consecutiveNoAudioInputPackets",
        "audioInputConnectedDurationSeconds",
        "skewTimeMillis",
        "iceRestartAttempts",
        "sdkVersion",
        "statsErrors",
        "longestRuns",
        "qualitySummary",
        "rtcJsVersion",
    ] {
        assert!(telemetry.get(field).is_some(), "{field} missing");
    }
    assert_eq!(
        telemetry["softphoneStreamPerSecondStatistics"]["AUDIO_OUTPUT"]["roundTripTimeMillis"],
        json!([250])
    );
}

/// A setup failure still yields a report: flags set as evaluated, the rest null, no stats.
#[test]
fn setup_failure_report_has_tri_state_flags() {
    let sampler = CallSampler::new(call(), SamplerConfig::default(), at(0));
    let end = sampler.finish(
        at(1),
        CallEndInput {
            flags: FailureFlags {
                gum_timeout_failure: Some(false),
                user_busy_failure: Some(true),
                handshaking_failure: Some(true),
                ..FailureFlags::default()
            },
            ..CallEndInput::default()
        },
    );
    assert!(end.summary.is_none());
    assert!(end.report.softphone_stream_statistics.is_empty());
    let kinds: Vec<RecordKind> = end.records.iter().map(Record::kind).collect();
    assert_eq!(kinds, [RecordKind::CallReport, RecordKind::TelemetryReport]);
    let json = serde_json::to_value(&*end.report).expect("serialises");
    assert_eq!(json["userBusyFailure"], true);
    assert_eq!(json["gumTimeoutFailure"], false);
    assert!(json["iceCollectionFailure"].is_null());
    let cti = cti::cti_report(&end.report);
    assert_eq!(cti.user_busy_failure, Some(true));
    assert_eq!(cti.handshake_failure, Some(true));
    assert_eq!(cti.gum_timeout_failure, Some(false));
    assert_eq!(
        cti.ice_collection_failure, None,
        "never evaluated: omitted on the wire"
    );
}

/// The CQM bodies keep the un-renamed names and send null for unknown numbers.
#[test]
fn cqm_metrics_body_shape() {
    let sample = StreamSample {
        packets_count: 50,
        packets_lost: 1,
        audio_level: Some(1204),
        jitter_buffer_millis: Some(42),
        round_trip_time_millis: None,
        ..StreamSample::new(
            StreamDirection::AudioInput,
            Timestamp::from_millis(1_714_557_601_000),
        )
    };
    let body = connect_softphone::sinks::cqm::softphone_metrics_body(&call(), [&sample]);
    assert_eq!(
        body,
        json!({"agent":"jdoe","contactId":"3f6c1a2e-0000-4000-8000-000000000001","contactQueue":"BasicQueue",
            "agentRoutingProfile":null,"callConfigJson":null,"agentPrivateIp":null,
            "softphoneStreamStatistics":[{"softphoneStreamType":"audio_input","timestamp":"2024-05-01T10:00:01.000Z",
              "packetsLost":1,"packetsCount":50,"audioLevel":1204,"jitterBufferMillis":42,"roundTripTimeMillis":null,
              "jitterMillis":null}]})
    );
}
