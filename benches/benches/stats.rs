//! Benchmarks of call-quality monitoring: one MOS computation, one second of a call through the
//! 1 s sampler (the plain tick and the 30 s flush tick apart), and the JSON the sinks make of
//! a flush (CTI metrics request, CQM `/softphonemetrics` body, Elasticsearch `_bulk` NDJSON,
//! the quality summary).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connect_core::api::{add_authentication, CtiMethod, CtiRequest};
use connect_core::model::Timestamp;
use connect_core::time::SplitMix64;
use connect_softphone::sinks::{bulk_body, cqm};
use connect_softphone::stats::{
    cti, CallContext, CallSampler, Enrichment, JitterBufferCounters, MosInputs, QualitySummary,
    Record, SamplerConfig, StatsSnapshot, StreamCounters, StreamSample,
};
use criterion::{criterion_group, criterion_main, Criterion};

/// Talking entry of the benched call.
const T0_MS: i64 = 1_714_557_600_000;
/// Ticks per 30 s window: the last one flushes.
const TICKS_PER_WINDOW: u64 = 30;

/// The cumulative counters of a call, advanced one second at a time like a real call: 50
/// packets each way with an occasional loss, speech levels with pauses, a jitter buffer
/// holding ~40 ms, an RTT around 90 ms.
struct CallCounters {
    second: u64,
    snapshot: StatsSnapshot,
    rng: SplitMix64,
}

impl CallCounters {
    fn new() -> Self {
        Self {
            second: 0,
            snapshot: StatsSnapshot::default(),
            rng: SplitMix64::new(42),
        }
    }

    /// A speech level: pauses about a quarter of the time, else 0.02–0.32 linear.
    fn level(&mut self) -> f64 {
        if self.rng.next_f64() < 0.25 {
            0.0005
        } else {
            0.02 + 0.3 * self.rng.next_f64()
        }
    }

    /// The snapshot read at the next second.
    fn next(&mut self) -> StatsSnapshot {
        self.second += 1;
        let lost_in = u64::from(self.rng.next_f64() < 0.1);
        let lost_out = i64::from(self.rng.next_f64() < 0.05);
        let input_level = self.level();
        let output_level = self.level();
        let jitter_in = 0.002 + 0.01 * self.rng.next_f64();
        let jitter_out = 0.002 + 0.008 * self.rng.next_f64();
        let rtt = 0.08 + 0.02 * self.rng.next_f64();
        let s = &mut self.snapshot;
        s.timestamp = Timestamp::from_millis(T0_MS).add_millis(1000 * self.second as i64);
        s.input = StreamCounters {
            ssrc: Some(0x1234_5678),
            packets: s.input.packets + 50 - lost_in,
            bytes: s.input.bytes + 50 * 80,
            packets_lost: s.input.packets_lost + lost_in as i64,
            jitter_secs: Some(jitter_in),
            audio_level: Some(input_level),
        };
        s.output = StreamCounters {
            ssrc: Some(0x8765_4321),
            packets: s.output.packets + 50,
            bytes: s.output.bytes + 50 * 80,
            packets_lost: s.output.packets_lost + lost_out,
            jitter_secs: Some(jitter_out),
            audio_level: Some(output_level),
        };
        let jb = &s.jitter_buffer;
        s.jitter_buffer = JitterBufferCounters {
            delay_secs: jb.delay_secs + 48_000.0 * (0.035 + 0.01 * self.rng.next_f64()),
            emitted_count: jb.emitted_count + 48_000,
            concealed_samples: jb.concealed_samples + 960 * lost_in,
            concealment_events: jb.concealment_events + lost_in,
            target_delay_ms: 40,
            ..jb.clone()
        };
        s.round_trip_time_secs = Some(rtt);
        s.clone()
    }
}

fn call() -> Arc<CallContext> {
    let mut enrichment = Enrichment::new("jdoe").with_call_config(
        r#"{"signalingEndpoint":"wss://rtc.connect-telecom.us-east-1.amazonaws.com/LilyRTC",
            "iceServers":[{"urls":["turn:turnnlb-d76454ac48d20c1e.elb.us-east-1.amazonaws.com:3478?transport=udp"],
            "username":"1700003600:u","credential":"c"}]}"#,
    );
    enrichment.contact_queue = Some("BasicQueue".into());
    enrichment.agent_routing_profile = Some("Basic Routing Profile".into());
    Arc::new(CallContext::new(
        "3f6c1a2e-0000-4000-8000-000000000001",
        "0532c53a-4fae-4d5a-a42f-8028f4063bda",
        enrichment,
    ))
}

/// A sampler `ticks` seconds into its call, and the counters to go on with.
fn sampler_after(ticks: u64) -> (CallSampler, CallCounters) {
    let mut sampler = CallSampler::new(
        call(),
        SamplerConfig::default(),
        Timestamp::from_millis(T0_MS),
    );
    let mut counters = CallCounters::new();
    for _ in 0..ticks {
        let snapshot = counters.next();
        sampler.tick(snapshot.timestamp, snapshot);
    }
    (sampler, counters)
}

fn mos(c: &mut Criterion) {
    // The specification's table: both branches of the E-model.
    let inputs = [
        (0.0, 0.0, 0.0),
        (50.0, 10.0, 1.0),
        (150.0, 20.0, 2.0),
        (300.0, 40.0, 3.0),
    ]
    .map(|(latency_ms, jitter_ms, loss_pct)| MosInputs {
        latency_ms,
        jitter_ms,
        loss_pct,
    });
    let mut n = 0;
    c.bench_function("stats/mos", |b| {
        b.iter(|| {
            n = (n + 1) % inputs.len();
            black_box(black_box(&inputs[n]).mos())
        })
    });
}

/// Times `iters` ticks that do not close a window; the flush ticks between them run untimed.
fn plain_ticks(iters: u64) -> Duration {
    // Two minutes in, so every tick has a previous snapshot and a full history to grow.
    let (mut sampler, mut counters) = sampler_after(4 * TICKS_PER_WINDOW);
    let mut total = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let batch = left.min(TICKS_PER_WINDOW - 1);
        let snapshots: Vec<StatsSnapshot> = (0..batch).map(|_| counters.next()).collect();
        let start = Instant::now();
        for snapshot in snapshots {
            black_box(sampler.tick(snapshot.timestamp, snapshot));
        }
        total += start.elapsed();
        left -= batch;
        // Close the window outside the timed part (and any ticks short of it).
        while counters.second % TICKS_PER_WINDOW != 0 {
            let snapshot = counters.next();
            sampler.tick(snapshot.timestamp, snapshot);
        }
    }
    total
}

/// Times `iters` flush ticks, each after the 29 plain ticks of its window (untimed).
fn flush_ticks(iters: u64) -> Duration {
    let (mut sampler, mut counters) = sampler_after(4 * TICKS_PER_WINDOW);
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        for _ in 1..TICKS_PER_WINDOW {
            let snapshot = counters.next();
            sampler.tick(snapshot.timestamp, snapshot);
        }
        let snapshot = counters.next();
        let start = Instant::now();
        let out = sampler.tick(snapshot.timestamp, snapshot);
        total += start.elapsed();
        assert_eq!(out.records.len(), 2 * TICKS_PER_WINDOW as usize + 1);
    }
    total
}

fn sampler(c: &mut Criterion) {
    c.bench_function("stats/sampler/tick_1s", |b| b.iter_custom(plain_ticks));
    c.bench_function("stats/sampler/tick_flush_30s", |b| {
        b.iter_custom(flush_ticks)
    });
}

/// One flush: the window's 60 stream records and its quality summary.
fn one_flush() -> (Arc<CallContext>, Vec<StreamSample>, Arc<QualitySummary>) {
    let (mut sampler, mut counters) = sampler_after(4 * TICKS_PER_WINDOW + TICKS_PER_WINDOW - 1);
    let snapshot = counters.next();
    let out = sampler.tick(snapshot.timestamp, snapshot);
    let mut samples = Vec::new();
    let mut summary = None;
    for record in out.records {
        match record {
            Record::StreamSample { sample, .. } => samples.push(sample),
            Record::QualitySummary { summary: s, .. } => summary = Some(s),
            _ => {}
        }
    }
    let summary = summary.expect("a flush tick closes the window");
    (Arc::clone(sampler.call()), samples, summary)
}

fn sinks(c: &mut Criterion) {
    let (call, samples, summary) = one_flush();
    assert_eq!(samples.len(), 2 * TICKS_PER_WINDOW as usize);
    c.bench_function("stats/json/stream_sample", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&samples[0])).expect("serialises")))
    });
    c.bench_function("stats/json/quality_summary", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&*summary)).expect("serialises")))
    });
    // The CTI sink: the SendSoftphoneCallMetrics request of one contact's batch, as the CTI
    // client puts it on the wire.
    c.bench_function("stats/sink/cti_metrics_60", |b| {
        b.iter(|| {
            let request = cti::metrics_request(&call.contact_id, &samples);
            let mut body = request.to_body().expect("a valid request");
            add_authentication(&mut body, CtiMethod::SendSoftphoneCallMetrics, "token");
            black_box(serde_json::to_vec(&body).expect("serialises"))
        })
    });
    c.bench_function("stats/sink/cqm_softphonemetrics_60", |b| {
        b.iter(|| {
            let body = cqm::softphone_metrics_body(&call, &samples);
            black_box(serde_json::to_vec(&body).expect("serialises"))
        })
    });
    c.bench_function("stats/sink/es_bulk_60", |b| {
        b.iter(|| {
            let docs: Vec<_> = samples
                .iter()
                .map(|s| cqm::stream_document(&call, s, true))
                .collect();
            black_box(bulk_body(&docs))
        })
    });
    c.bench_function("stats/sink/es_bulk_summary", |b| {
        b.iter(|| black_box(bulk_body(&[cqm::summary_document(&call, &summary, true)])))
    });
}

criterion_group!(benches, mos, sampler, sinks);
criterion_main!(benches);
