//! Benchmarks of the media path, per unit of work: Opus encode (at complexity 10 and 5) and
//! decode of one 20 ms frame, a jitter-buffer insert + pop, RTP marshal and unmarshal, SRTP
//! protect and unprotect of a 1200-byte packet through webrtc-rs (AES-CM/HMAC-SHA1 and
//! AEAD-AES-128-GCM).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use connect_softphone::audio::{
    AudioDecoder, AudioEncoder, AudioFrame, AudioSource, JitterBuffer, JitterBufferConfig,
    OpusConfig, OpusDecoder, OpusEncoder, Playout, SpeechLikeSource, OPUS_MAX_COMPLEXITY,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rtc::rtp::{header::Header, packet::Packet};
use rtc::shared::marshal::{Marshal, Unmarshal};
use rtc::srtp::{context::Context, protection_profile::ProtectionProfile};

/// One second of speech-like audio, as 50 frames.
fn speech_frames() -> Vec<AudioFrame> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut source = SpeechLikeSource::new(7);
    runtime.block_on(async {
        let mut frames = Vec::new();
        while frames.len() < 50 {
            if let Ok(Some(frame)) = source.next_frame().await {
                frames.push(frame);
            }
        }
        frames
    })
}

fn opus(c: &mut Criterion) {
    let frames = speech_frames();
    let mut n = 0;
    for (name, complexity) in [
        ("opus/encode_20ms", OPUS_MAX_COMPLEXITY),
        ("opus/encode_20ms_complexity5", 5),
    ] {
        let config = OpusConfig {
            complexity,
            ..OpusConfig::default()
        };
        let mut encoder = OpusEncoder::with_config(config).expect("encoder");
        c.bench_function(name, |b| {
            b.iter(|| {
                n = (n + 1) % frames.len();
                black_box(encoder.encode(&frames[n]).expect("encodes"))
            })
        });
    }
    let mut encoder = OpusEncoder::new().expect("encoder");
    let packets: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| encoder.encode(f).expect("encodes"))
        .collect();
    let mut decoder = OpusDecoder::new().expect("decoder");
    c.bench_function("opus/decode_20ms", |b| {
        b.iter(|| {
            n = (n + 1) % packets.len();
            black_box(decoder.decode(&packets[n]).expect("decodes"))
        })
    });
}

fn jitter_buffer(c: &mut Criterion) {
    let mut buffer = JitterBuffer::new(JitterBufferConfig::new(48_000));
    let payload = vec![0u8; 80];
    let mut seq: u16 = 0;
    let mut now = Duration::ZERO;
    c.bench_function("jitter_buffer/push_pop", |b| {
        b.iter(|| {
            seq = seq.wrapping_add(1);
            now += Duration::from_millis(20);
            let ts = u32::from(seq).wrapping_mul(960);
            black_box(buffer.push(now, 0x1234, seq, ts, payload.clone()));
            let out: Playout = buffer.pop(now);
            black_box(out)
        })
    });
}

fn rtp_packet(seq: u16, payload: Bytes) -> Packet {
    Packet {
        header: Header {
            version: 2,
            sequence_number: seq,
            timestamp: u32::from(seq) * 960,
            ssrc: 0x1234_5678,
            payload_type: 111,
            ..Default::default()
        },
        payload,
    }
}

fn rtp(c: &mut Criterion) {
    let packet = rtp_packet(1, Bytes::from(vec![7u8; 160]));
    c.bench_function("rtp/marshal_160B", |b| {
        b.iter(|| black_box(packet.marshal().expect("marshals")))
    });
    let raw = packet.marshal().expect("marshals");
    c.bench_function("rtp/unmarshal_160B", |b| {
        b.iter(|| {
            let mut buf = raw.clone();
            black_box(Packet::unmarshal(&mut buf).expect("parses"))
        })
    });
}

const MASTER_KEY: [u8; 16] = [
    96, 180, 31, 4, 119, 137, 128, 252, 75, 194, 252, 44, 63, 56, 61, 55,
];
const MASTER_SALT: [u8; 14] = [247, 26, 49, 94, 99, 29, 79, 94, 5, 111, 252, 216, 62, 195];
const GCM_SALT: [u8; 12] = [247, 26, 49, 94, 99, 29, 79, 94, 5, 111, 252, 216];

fn context(profile: ProtectionProfile) -> Context {
    let provider = rtc::crypto::default_provider().expect("ring provider");
    let salt: &[u8] = match profile {
        ProtectionProfile::AeadAes128Gcm => &GCM_SALT,
        _ => &MASTER_SALT,
    };
    Context::new(&MASTER_KEY, salt, profile, None, None, provider.crypto()).expect("context")
}

fn srtp(c: &mut Criterion) {
    let payload = Bytes::from(vec![3u8; 1200]);
    for (name, profile) in [
        (
            "aes_cm_hmac_sha1_80",
            ProtectionProfile::Aes128CmHmacSha1_80,
        ),
        ("aead_aes_128_gcm", ProtectionProfile::AeadAes128Gcm),
    ] {
        let mut sender = context(profile);
        let mut seq: u16 = 0;
        c.bench_function(&format!("srtp/protect_1200B_{name}"), |b| {
            b.iter_batched(
                || {
                    seq = seq.wrapping_add(1);
                    rtp_packet(seq, payload.clone())
                        .marshal()
                        .expect("marshals")
                },
                |raw| black_box(sender.encrypt_rtp(&raw).expect("protects")),
                BatchSize::SmallInput,
            )
        });
        let mut sender = context(profile);
        let protected: Vec<_> = (1..=4096u16)
            .map(|seq| {
                let raw = rtp_packet(seq, payload.clone())
                    .marshal()
                    .expect("marshals");
                sender.encrypt_rtp(&raw).expect("protects")
            })
            .collect();
        // The replay window refuses a packet twice: each pass over the packets gets a fresh
        // receiving context, made outside the timed part.
        c.bench_function(&format!("srtp/unprotect_1200B_{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters as usize;
                while left > 0 {
                    let batch = left.min(protected.len());
                    let mut receiver = context(profile);
                    let start = Instant::now();
                    for packet in &protected[..batch] {
                        black_box(receiver.decrypt_rtp(packet).expect("unprotects"));
                    }
                    total += start.elapsed();
                    left -= batch;
                }
                total
            })
        });
    }
}

criterion_group!(benches, opus, jitter_buffer, rtp, srtp);
criterion_main!(benches);
