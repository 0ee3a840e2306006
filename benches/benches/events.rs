//! Benchmarks of the snapshot diff: on the fixtures, and on snapshots of 1 to 50 contacts.

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::sync::Arc;

use connect_benches::{fixture_snapshots, snapshot_with_contacts, FIXTURES};
use connect_core::events::{diff, DiffState};
use connect_core::model::{AgentSnapshot, ContactStateType};
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn state_after(snapshot: Arc<AgentSnapshot>) -> DiffState {
    diff(&DiffState::default(), snapshot).1
}

fn fixtures(c: &mut Criterion) {
    let snapshots: Vec<Arc<AgentSnapshot>> = fixture_snapshots()
        .into_iter()
        .map(|(_, s)| Arc::new(s))
        .collect();
    c.bench_function("events/fixtures_sequence_9", |b| {
        b.iter(|| {
            let mut state = DiffState::default();
            for snapshot in &snapshots {
                let (events, next) = diff(&state, Arc::clone(snapshot));
                black_box(events);
                state = next;
            }
        })
    });
    c.bench_function("events/parse_fixture_file", |b| {
        b.iter(|| {
            let all: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(black_box(FIXTURES)).unwrap_or_default();
            for json in all.into_values() {
                black_box(serde_json::from_value::<AgentSnapshot>(json).ok());
            }
        })
    });
}

fn contacts(c: &mut Criterion) {
    let mut group = c.benchmark_group("events/diff");
    for n in [1usize, 5, 10, 25, 50] {
        // Unchanged: the common case of a long poll returning the same picture.
        let before = state_after(snapshot_with_contacts(n, ContactStateType::Connected, 0));
        let same = snapshot_with_contacts(n, ContactStateType::Connected, 1);
        group.bench_with_input(BenchmarkId::new("unchanged", n), &n, |b, _| {
            b.iter(|| black_box(diff(&before, Arc::clone(&same))))
        });
        // Every contact changes state (connecting → connected).
        let ringing = state_after(snapshot_with_contacts(n, ContactStateType::Connecting, 0));
        let answered = snapshot_with_contacts(n, ContactStateType::Connected, 1);
        group.bench_with_input(BenchmarkId::new("all_transition", n), &n, |b, _| {
            b.iter(|| black_box(diff(&ringing, Arc::clone(&answered))))
        });
    }
    group.finish();
}

criterion_group!(benches, fixtures, contacts);
criterion_main!(benches);
