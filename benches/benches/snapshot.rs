//! Benchmarks of parsing one agent snapshot as the long poll receives it: each real payload of
//! `shared/fixtures` wrapped in its `GetAgentSnapshot` response body and parsed from bytes
//! into connect-core's model by the CTI client's own parser.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use connect_benches::FIXTURES;
use connect_core::api::{CtiRequest, GetAgentSnapshotRequest};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Map, Value};

/// Every fixture snapshot as the body of a `GetAgentSnapshot` response, with its name.
fn response_bodies() -> Vec<(String, Vec<u8>)> {
    let all: Map<String, Value> = serde_json::from_str(FIXTURES).expect("fixture file is JSON");
    all.into_iter()
        .map(|(name, snapshot)| {
            let body = json!({ "snapshot": snapshot, "nextToken": "bm90LWEtcmVhbC10b2tlbg==" });
            (name, serde_json::to_vec(&body).expect("serialises"))
        })
        .collect()
}

fn parse(c: &mut Criterion) {
    let bodies = response_bodies();
    assert_eq!(bodies.len(), 9, "the fixture file holds nine snapshots");
    let mut group = c.benchmark_group("snapshot/parse_response");
    for (name, body) in &bodies {
        let parsed = GetAgentSnapshotRequest::parse_response(body).expect("fixture parses");
        black_box(parsed);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), body, |b, body| {
            b.iter(|| black_box(GetAgentSnapshotRequest::parse_response(black_box(body))))
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
