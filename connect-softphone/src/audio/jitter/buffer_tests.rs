//! Table-driven tests of the jitter buffer machine.

use super::*;

use ConcealReason::{Loss, Stretch, Underflow};

const SSRC: u32 = 0xA1;

#[derive(Clone, Copy, Debug)]
enum Step {
    /// A packet (ms, sequence) arrives; the expected outcome.
    Push(u64, u16, PushOutcome),
    /// A packet of another SSRC arrives.
    PushSsrc(u64, u32, u16, PushOutcome),
    /// A playout tick (ms) and what it must say.
    Pop(u64, Expect),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Buffering,
    Decode(u16),
    /// Decode, and it may be dropped to shrink the delay.
    Droppable(u16),
    /// FEC from the packet with this sequence number.
    Fec(u16),
    Conceal(ConcealReason),
}

use Expect::*;
use PushOutcome::{Accepted, Duplicate, Late, Resynced};
use Step::{Pop, Push, PushSsrc};

fn payload(seq: u16) -> Vec<u8> {
    seq.to_be_bytes().to_vec()
}

/// RTP timestamps that stay continuous across the sequence wrap of these tables.
fn timestamp(seq: u16) -> u32 {
    u32::from(seq.wrapping_sub(60_000)) * 960
}

fn seq_of(payload: &[u8]) -> u16 {
    u16::from_be_bytes([payload[0], payload[1]])
}

fn observe(playout: Playout) -> Expect {
    match playout {
        Playout::Buffering => Buffering,
        Playout::Decode {
            payload,
            sequence,
            droppable,
            ..
        } => {
            assert_eq!(seq_of(&payload), sequence);
            if droppable {
                Droppable(sequence)
            } else {
                Decode(sequence)
            }
        }
        Playout::DecodeFec { next_payload } => Fec(seq_of(&next_payload)),
        Playout::Conceal(reason) => Conceal(reason),
    }
}

fn run(name: &str, steps: &[Step]) -> JitterBuffer {
    let mut jb = JitterBuffer::new(JitterBufferConfig::new(48_000));
    for (i, step) in steps.iter().enumerate() {
        match *step {
            Push(ms, seq, expected) => {
                let got = jb.push(
                    Duration::from_millis(ms),
                    SSRC,
                    seq,
                    timestamp(seq),
                    payload(seq),
                );
                assert_eq!(got, expected, "{name}: step {i} push {seq}");
            }
            PushSsrc(ms, ssrc, seq, expected) => {
                let got = jb.push(
                    Duration::from_millis(ms),
                    ssrc,
                    seq,
                    timestamp(seq),
                    payload(seq),
                );
                assert_eq!(got, expected, "{name}: step {i} push {seq} from {ssrc:#x}");
            }
            Pop(ms, expected) => {
                let got = observe(jb.pop(Duration::from_millis(ms)));
                assert_eq!(got, expected, "{name}: step {i} pop at {ms} ms");
            }
        }
    }
    jb
}

#[test]
fn playout_decisions_table() {
    let cases: &[(&str, &[Step])] = &[
        (
            // Steady arrivals bring the target to 20 ms, below the 40 ms start: frames with a
            // successor buffered may be dropped (if quiet) to shrink the delay.
            "in order, after the 40 ms start delay",
            &[
                Push(0, 10, Resynced),
                Pop(0, Buffering),
                Push(20, 11, Accepted),
                Pop(20, Buffering),
                Push(40, 12, Accepted),
                Pop(40, Droppable(10)),
                Pop(60, Droppable(11)),
                Pop(80, Decode(12)),
            ],
        ),
        (
            "reordered packets play in order",
            &[
                Push(0, 0, Resynced),
                Push(20, 2, Accepted),
                Push(30, 1, Accepted),
                Pop(40, Decode(0)),
                Pop(60, Decode(1)),
                Pop(80, Decode(2)),
            ],
        ),
        (
            "a single loss is rebuilt from the next packet, two are concealed then rebuilt",
            &[
                Push(0, 0, Resynced),
                Push(20, 2, Accepted),
                Push(25, 5, Accepted),
                Pop(40, Decode(0)),
                Pop(60, Fec(2)),
                Pop(80, Decode(2)),
                Pop(100, Conceal(Loss)),
                Pop(120, Fec(5)),
                Pop(140, Decode(5)),
            ],
        ),
        (
            "duplicates, buffered or already played",
            &[
                Push(0, 0, Resynced),
                Push(1, 0, Duplicate),
                Push(2, 1, Accepted),
                Pop(40, Decode(0)),
                Push(41, 0, Duplicate),
            ],
        ),
        (
            "a packet after its playout time is late",
            &[
                Push(0, 0, Resynced),
                Push(20, 2, Accepted),
                Pop(40, Decode(0)),
                Pop(60, Fec(2)),
                Push(61, 1, Late),
            ],
        ),
        (
            "an empty buffer is an underflow; the schedule slips and the packet still plays",
            &[
                Push(0, 0, Resynced),
                Pop(40, Decode(0)),
                Pop(60, Conceal(Underflow)),
                Push(65, 1, Accepted),
                Pop(80, Decode(1)),
            ],
        ),
        (
            "sequence numbers wrap",
            &[
                Push(0, 65_534, Resynced),
                Push(20, 65_535, Accepted),
                Push(40, 0, Accepted),
                Push(41, 1, Accepted),
                Pop(40, Decode(65_534)),
                Pop(60, Decode(65_535)),
                Pop(80, Decode(0)),
                Pop(100, Decode(1)),
            ],
        ),
        (
            "a jump of 100 is the same stream",
            &[
                Push(0, 0, Resynced),
                Push(20, 100, Accepted),
                Push(40, 0, Duplicate),
            ],
        ),
        (
            "a jump of more than 100 resynchronises and buffers again at the target delay",
            &[
                Push(0, 0, Resynced),
                Pop(40, Decode(0)),
                Push(60, 301, Resynced),
                Pop(60, Buffering),
                Pop(80, Decode(301)),
            ],
        ),
        (
            "a new SSRC resynchronises",
            &[
                Push(0, 0, Resynced),
                Pop(40, Decode(0)),
                PushSsrc(45, 0xB2, 1, Resynced),
                Pop(60, Buffering),
                Pop(85, Decode(1)),
            ],
        ),
    ];
    for (name, steps) in cases {
        run(name, steps);
    }
}

#[test]
fn counters_follow_the_decisions() {
    let jb = run(
        "counters",
        &[
            Push(0, 0, Resynced),
            Push(20, 2, Accepted),
            Push(21, 2, Duplicate),
            Pop(40, Decode(0)),
            Pop(60, Fec(2)),
            Push(61, 1, Late),
            Pop(80, Decode(2)),
            Pop(100, Conceal(Underflow)),
            Pop(120, Conceal(Underflow)),
        ],
    );
    let stats = jb.stats();
    assert_eq!(stats.jitter_buffer_emitted_count, 2 * 960);
    // Packet 0 waited 40 ms, packet 2 waited 60 ms.
    assert!((stats.jitter_buffer_delay - (0.040 + 0.060) * 960.0).abs() < 1e-9);
    assert_eq!(stats.concealed_samples, 3 * 960);
    assert_eq!(stats.concealment_events, 2);
    assert_eq!(stats.fec_frames, 1);
    assert_eq!((stats.late, stats.duplicates, stats.underflow), (1, 1, 2));
    assert_eq!(stats.packets_received, 2);
    let json = serde_json::to_value(&stats).expect("serialises");
    for key in [
        "jitterBufferDelay",
        "jitterBufferEmittedCount",
        "concealedSamples",
        "concealmentEvents",
        "late",
        "duplicates",
        "overflow",
        "underflow",
        "targetDelayMs",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
}

#[test]
fn overflow_drops_the_oldest_beyond_200_ms_plus_5_frames() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::new(48_000));
    for seq in 0..20u16 {
        jb.push(
            Duration::ZERO,
            SSRC,
            seq,
            u32::from(seq) * 960,
            payload(seq),
        );
    }
    assert_eq!(jb.len(), 15);
    assert_eq!(jb.stats().overflow, 5);
    // Twenty packets at once look like 14 ms of jitter: the delay first grows to the new target.
    let decisions: Vec<Expect> = (0..3)
        .map(|n| observe(jb.pop(Duration::from_millis(40 + 20 * n))))
        .collect();
    assert_eq!(decisions, [Conceal(Stretch), Conceal(Stretch), Decode(5)]);
}

#[test]
fn jitter_raises_the_target_at_once_and_it_falls_one_frame_per_second() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::new(48_000));
    let mut decisions = Vec::new();
    let mut targets = Vec::new();
    // 3 s of packets alternating 0 and 30 ms late, then 6 s of steady ones; a tick every 20 ms.
    for n in 0..450u64 {
        let wobble = if n < 150 && n % 2 == 1 { 30 } else { 0 };
        let seq = n as u16;
        jb.push(
            Duration::from_millis(n * 20 + wobble),
            SSRC,
            seq,
            (n * 960) as u32,
            payload(seq),
        );
        let now = Duration::from_millis(n * 20 + 35);
        let mut decision = observe(jb.pop(now));
        if let Droppable(_) = decision {
            // Every frame of this test is "quiet": the caller drops it and pops again.
            jb.shrink(now);
            decision = observe(jb.pop(now));
        }
        decisions.push(decision);
        targets.push(jb.stats().target_delay_ms);
    }
    let peak = *targets.iter().max().expect("targets");
    assert!(peak >= 80, "jitter of 15 ms must raise the target: {peak}");
    assert!(decisions.contains(&Conceal(Stretch)));
    assert_eq!(
        *targets.last().expect("targets"),
        20,
        "steady arrivals bring the target down"
    );
    let stats = jb.stats();
    assert!(stats.shrink_drops >= 2);
    // At most one shrink per second of the run (9 s).
    assert!(stats.shrink_drops <= 9, "{}", stats.shrink_drops);
    assert!(targets
        .iter()
        .all(|t| (20..=200).contains(t) && t % 20 == 0));
}

#[test]
fn a_silence_longer_than_the_maximum_delay_resumes_with_the_stream() {
    let mut jb = JitterBuffer::new(JitterBufferConfig::new(48_000));
    let mut decoded = Vec::new();
    // 1 s of packets, 1 s of nothing (a sender that dropped a stalled backlog: its sequence
    // numbers carry on where they stopped, its timestamps jump), then 1 s of packets again.
    for tick in 0..150u64 {
        let now = Duration::from_millis(tick * 20);
        let seq = match tick {
            0..50 => Some(tick as u16),
            100.. => Some((tick - 50) as u16),
            _ => None,
        };
        if let Some(seq) = seq {
            let pushed = jb.push(now, SSRC, seq, (tick * 960) as u32, payload(seq));
            let expected = if seq == 0 { Resynced } else { Accepted };
            assert_eq!(pushed, expected, "packet {seq}");
        }
        if let Playout::Decode { sequence, .. } = jb.pop(now) {
            decoded.push(sequence);
        }
    }
    let stats = jb.stats();
    assert_eq!(stats.late, 0, "{stats:?}");
    assert!(decoded.contains(&49), "{decoded:?}");
    // After the silence everything plays but the target delay's worth at the end.
    let resumed = decoded.iter().filter(|&&seq| seq >= 50).count();
    assert!(
        resumed >= 45,
        "{resumed} of 50 played after the silence: {decoded:?}"
    );
}
