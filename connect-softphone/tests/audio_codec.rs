//! Codec round trips measured the way a user checks a call: does what comes out match what went
//! in?

use std::time::Duration;

use connect_softphone::audio::{
    audio_match_band, audio_match_db, codec_for, detect_tone, AudioCodec, AudioFrame, AudioSource,
    SpeechLikeSource, ToneSource, TELEPHONE_BAND,
};

async fn frames(mut source: impl AudioSource) -> Vec<AudioFrame> {
    let mut out = Vec::new();
    while let Some(frame) = source.next_frame().await.expect("source") {
        out.push(frame);
    }
    out
}

/// Encodes and decodes every frame; frames whose index is in `lost` are dropped on the way and
/// rebuilt with FEC from the next packet when it has any, else concealed.
fn round_trip(codec: AudioCodec, input: &[AudioFrame], lost: &[usize]) -> Vec<i16> {
    let mut encoder = codec.encoder().expect("encoder");
    let mut decoder = codec.decoder().expect("decoder");
    encoder.set_expected_loss(if lost.is_empty() { 0 } else { 10 });
    let payloads: Vec<Vec<u8>> = input
        .iter()
        .map(|f| encoder.encode(f).expect("encode"))
        .collect();
    let mut out = Vec::new();
    for (n, payload) in payloads.iter().enumerate() {
        if lost.contains(&n) {
            let rebuilt = payloads
                .get(n + 1)
                .filter(|_| !lost.contains(&(n + 1)))
                .and_then(|next| decoder.decode_fec(next).expect("fec"));
            out.extend(rebuilt.unwrap_or_else(|| decoder.conceal().expect("plc")));
        } else {
            out.extend(decoder.decode(payload).expect("decode"));
        }
    }
    out
}

fn flat(frames: &[AudioFrame]) -> Vec<i16> {
    frames
        .iter()
        .flat_map(|f| f.samples.iter().copied())
        .collect()
}

#[tokio::test]
async fn speech_survives_each_codec_and_unrelated_speech_does_not_match() {
    let input = frames(SpeechLikeSource::new(11).with_duration(Duration::from_secs(2))).await;
    let reference = flat(&input);
    let other =
        flat(&frames(SpeechLikeSource::new(12).with_duration(Duration::from_secs(2))).await);
    // (codec, lost frames, minimum SNR in dB)
    let cases: &[(AudioCodec, &[usize], f64)] = &[
        (AudioCodec::Opus, &[], 6.0),
        (AudioCodec::Pcmu, &[], 25.0),
        (AudioCodec::Opus, &[30, 50, 51, 80], 4.0),
        (AudioCodec::Pcmu, &[30, 50, 51, 80], 10.0),
    ];
    for &(codec, lost, min_snr) in cases {
        let decoded = round_trip(codec, &input, lost);
        let found =
            audio_match_band(&reference, &decoded, 48_000, Some(TELEPHONE_BAND)).expect("overlap");
        assert!(found.snr_db > min_snr, "{codec:?} lost {lost:?}: {found:?}");
        assert!((0..2_000).contains(&found.lag_samples), "{found:?}");
        if lost.is_empty() {
            // Same alignment, different band filters (Butterworth against a brick wall).
            let segmented = audio_match_db(&reference, &decoded);
            assert!(
                (segmented - found.snr_db).abs() < 2.0,
                "{segmented} vs {found:?}"
            );
            let unrelated = audio_match_db(&other, &decoded);
            assert!(unrelated < -6.0, "{codec:?} vs unrelated: {unrelated}");
        }
    }
}

#[tokio::test]
async fn a_tone_keeps_its_frequency_and_level_through_each_codec() {
    let input = frames(ToneSource::new(1_000.0, -16.0).with_duration(Duration::from_secs(1))).await;
    for name in ["opus", "PCMU"] {
        let codec = codec_for(name).expect("known codec");
        let decoded = round_trip(codec, &input, &[]);
        let found = detect_tone(&decoded[9_600..], 48_000, 1_000.0);
        assert!(found.is_present(-18.0), "{name}: {found:?}");
        assert!((found.level_dbfs + 16.0).abs() < 1.0, "{name}: {found:?}");
    }
}
