//! The jitter buffer under arbitrary input (property tests) and with real audio behind it.

use std::time::Duration;

use connect_core::time::SplitMix64;
use connect_softphone::audio::{
    audio_match_db, AudioCodec, AudioSource, JitterBuffer, JitterBufferConfig, JitterPlayout,
    Playout, SpeechLikeSource,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// A packet: time step (ms), SSRC choice, sequence offset from the running base.
    Push(u8, bool, i16),
    /// A playout tick after this many ms.
    Pop(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..40, proptest::bool::weighted(0.02), -150i16..150).prop_map(|(dt, other, d)| Op::Push(dt, other, d)),
        2 => (0u8..40).prop_map(Op::Pop),
    ]
}

proptest! {
    #[test]
    fn never_panics_and_counters_stay_consistent(ops in proptest::collection::vec(op(), 0..400)) {
        let mut jb = JitterBuffer::new(JitterBufferConfig::new(48_000));
        let mut now = Duration::ZERO;
        let mut base: u16 = 65_000;
        let (mut decoded, mut concealed) = (0u64, 0u64);
        for op in ops {
            match op {
                Op::Push(dt, other, offset) => {
                    now += Duration::from_millis(u64::from(dt));
                    base = base.wrapping_add(1);
                    let seq = base.wrapping_add(offset as u16);
                    let ssrc = if other { 2 } else { 1 };
                    jb.push(now, ssrc, seq, u32::from(seq) * 960, vec![0; 3]);
                }
                Op::Pop(dt) => {
                    now += Duration::from_millis(u64::from(dt));
                    match jb.pop(now) {
                        Playout::Decode { .. } => decoded += 1,
                        Playout::DecodeFec { .. } | Playout::Conceal(_) => concealed += 1,
                        Playout::Buffering => {}
                    }
                }
            }
            let s = jb.stats();
            prop_assert_eq!(s.jitter_buffer_emitted_count, decoded * 960);
            prop_assert_eq!(s.concealed_samples, concealed * 960);
            prop_assert!(s.concealment_events <= concealed);
            prop_assert!(s.fec_frames <= concealed);
            prop_assert!(s.jitter_buffer_delay >= 0.0);
            prop_assert!((20..=200).contains(&s.target_delay_ms) && s.target_delay_ms % 20 == 0);
            prop_assert!(jb.len() <= 15);
            prop_assert_eq!(
                s.packets_received,
                decoded + jb.len() as u64 + s.overflow + s.flushed,
                "every accepted packet is played, waiting, or dropped by overflow or resync"
            );
        }
    }
}

/// Speech through Opus, then a network that delays packets by 0–40 ms (so they reorder) and
/// loses 3 % of them, then the jitter buffer: what plays out still matches what was sent.
#[tokio::test]
async fn speech_survives_jitter_reordering_and_loss() {
    let mut source = SpeechLikeSource::new(5).with_duration(Duration::from_secs(3));
    let mut encoder = AudioCodec::Opus.encoder().expect("encoder");
    encoder.set_expected_loss(5);
    let mut sent = Vec::new();
    let mut packets = Vec::new();
    let mut rng = SplitMix64::new(99);
    let mut n = 0u64;
    while let Some(frame) = source.next_frame().await.expect("source") {
        sent.extend_from_slice(&frame.samples);
        let payload = encoder.encode(&frame).expect("encode");
        if rng.next_f64() >= 0.03 {
            let arrival = n * 20 + (rng.next_f64() * 40.0) as u64;
            packets.push((arrival, n as u16, (n * 960) as u32, payload));
        }
        n += 1;
    }
    packets.sort_by_key(|p| p.0);

    let mut playout = JitterPlayout::new(AudioCodec::Opus.decoder().expect("decoder"));
    let mut played = Vec::new();
    let mut arrivals = packets.into_iter().peekable();
    for tick in 0..(n + 20) {
        let now = tick * 20;
        while let Some((arrival, seq, ts, payload)) = arrivals.next_if(|p| p.0 <= now) {
            playout.push(Duration::from_millis(arrival), 0x5EED, seq, ts, payload);
        }
        played.extend(playout.tick(Duration::from_millis(now)).samples);
    }
    let stats = playout.stats();
    assert!(stats.concealment_events > 0);
    assert!(stats.target_delay_ms >= 40, "{stats:?}");
    let snr = audio_match_db(&sent, &played);
    assert!(snr > 3.0, "SNR {snr:.1} dB, {stats:?}");
}
