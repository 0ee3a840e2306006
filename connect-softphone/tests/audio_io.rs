//! WAV files, tones and sinks, end to end through the file system.

use std::path::PathBuf;
use std::time::Duration;

use connect_softphone::audio::{
    detect_tone, AudioSink, AudioSource, MemorySink, ToneSource, WavFileSink, WavFileSource,
};

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("connect-audio-{}-{name}.wav", std::process::id()))
}

/// Writes `seconds` of a `freq` Hz sine at amplitude 0.25 of full scale, in the given format,
/// the same on every channel.
fn write_tone_wav(
    path: &PathBuf,
    rate: u32,
    channels: u16,
    float: bool,
    bits: u16,
    freq: f64,
    seconds: f64,
) {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("create test WAV");
    let frames = (f64::from(rate) * seconds) as usize;
    for n in 0..frames {
        let v = 0.25 * (2.0 * std::f64::consts::PI * freq * n as f64 / f64::from(rate)).sin();
        for _ in 0..channels {
            if float {
                writer.write_sample(v as f32).expect("sample");
            } else {
                let full = f64::from(1i32 << (bits - 1));
                writer.write_sample((v * full) as i32).expect("sample");
            }
        }
    }
    writer.finalize().expect("finalize test WAV");
}

async fn drain(source: &mut impl AudioSource, max_frames: usize) -> Vec<i16> {
    let mut out = Vec::new();
    for _ in 0..max_frames {
        match source.next_frame().await.expect("read") {
            Some(frame) => out.extend(frame.samples),
            None => break,
        }
    }
    out
}

#[tokio::test]
async fn wav_files_of_any_format_play_at_48k_mono() {
    // (rate, channels, float, bits)
    let cases: &[(u32, u16, bool, u16)] = &[
        (48_000, 1, false, 16),
        (44_100, 2, false, 16),
        (8_000, 1, false, 16),
        (16_000, 2, true, 32),
        (22_050, 1, false, 24),
        (96_000, 6, true, 32),
    ];
    for &(rate, channels, float, bits) in cases {
        let path = temp_path(&format!("in-{rate}-{channels}-{bits}"));
        write_tone_wav(&path, rate, channels, float, bits, 1_000.0, 0.5);
        let mut source = WavFileSource::open(&path).expect("open");
        assert_eq!(source.info().native_rate, rate);
        assert_eq!(source.len_samples(), 24_000, "{rate} Hz");
        let samples = drain(&mut source, 100).await;
        assert_eq!(samples.len(), 25 * 960, "{rate} Hz: 25 frames");
        let found = detect_tone(&samples[2_400..21_600], 48_000, 1_000.0);
        assert!(
            (found.level_dbfs - 20.0 * 0.25f64.log10()).abs() < 0.3,
            "{rate}/{channels}: {found:?}"
        );
        std::fs::remove_file(&path).ok();
    }
}

#[tokio::test]
async fn looping_wav_repeats_and_bad_files_are_typed_errors() {
    let path = temp_path("loop");
    write_tone_wav(&path, 48_000, 1, false, 16, 500.0, 0.05);
    let mut source = WavFileSource::open(&path).expect("open").looping(true);
    let samples = drain(&mut source, 10).await;
    assert_eq!(samples.len(), 10 * 960);
    assert_eq!(samples[..2_400], samples[2_400..4_800]);
    std::fs::remove_file(&path).ok();

    let missing = WavFileSource::open(temp_path("missing")).expect_err("no such file");
    assert!(missing.to_string().contains("audio file error"));
    let garbage =
        WavFileSource::from_reader(&b"RIFF....not a wav"[..], "garbage").expect_err("bad header");
    assert!(matches!(
        garbage,
        connect_softphone::audio::AudioError::File(_)
    ));
}

#[tokio::test]
async fn a_recorded_wav_reads_back_identically() {
    let path = temp_path("sink");
    let mut tone = ToneSource::new(440.0, -12.0).with_duration(Duration::from_millis(300));
    let mut sink = WavFileSink::create(&path).expect("create");
    let memory = MemorySink::new();
    let mut memory_writer = memory.clone();
    while let Some(frame) = tone.next_frame().await.expect("tone") {
        sink.write_frame(&frame).await.expect("write");
        memory_writer.write_frame(&frame).await.expect("write");
    }
    sink.flush().await.expect("flush");
    drop(sink);
    let mut back = WavFileSource::open(&path).expect("open");
    let samples = drain(&mut back, 100).await;
    assert_eq!(samples, memory.samples());
    std::fs::remove_file(&path).ok();
}
