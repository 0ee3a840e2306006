//! Opus through libopus: 48 kHz mono, 20 ms frames, VoIP, in-band FEC, FEC decode and PLC.

use audiopus::coder::{Decoder, Encoder};
use audiopus::{Application, Channels, MutSignals, SampleRate};

use super::opus_config::{OpusConfig, OPUS_MAX_COMPLEXITY};
use super::opus_packet::has_fec;
use crate::audio::{AudioDecoder, AudioEncoder, AudioError, AudioFrame, FRAME_SAMPLES};

/// RTP clock rate of Opus.
pub const OPUS_CLOCK_RATE: u32 = 48_000;
/// Largest payload the encoder writes (RFC 6716 maximum for one frame is 1275 bytes).
const MAX_PAYLOAD: usize = 1_500;
/// Largest packet duration Opus allows: 120 ms at 48 kHz.
const MAX_DECODED: usize = 5_760;

fn codec_error(what: &str, error: audiopus::Error) -> AudioError {
    tracing::warn!(%error, "opus {what} failed");
    AudioError::Codec(format!("opus {what}: {error}"))
}

/// Encodes 20 ms frames with libopus.
///
/// ```
/// use connect_softphone::audio::{AudioEncoder, AudioFrame, OpusEncoder};
///
/// let mut encoder = OpusEncoder::new().expect("libopus");
/// encoder.set_expected_loss(10);
/// let payload = encoder.encode(&AudioFrame::silence(0)).expect("encode");
/// assert!(!payload.is_empty());
/// ```
pub struct OpusEncoder {
    inner: Encoder,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for OpusEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusEncoder").finish_non_exhaustive()
    }
}

impl OpusEncoder {
    /// An encoder with the default [`OpusConfig`].
    pub fn new() -> Result<Self, AudioError> {
        Self::with_config(OpusConfig::default())
    }

    /// An encoder with the given settings.
    pub fn with_config(config: OpusConfig) -> Result<Self, AudioError> {
        let mut inner = Encoder::new(SampleRate::Hz48000, Channels::Mono, Application::Voip)
            .map_err(|e| codec_error("encoder create", e))?;
        inner
            .set_inband_fec(true)
            .map_err(|e| codec_error("set FEC", e))?;
        inner
            .set_dtx(config.dtx)
            .map_err(|e| codec_error("set DTX", e))?;
        inner
            .set_packet_loss_perc(config.expected_loss_percent.min(100))
            .map_err(|e| codec_error("set expected loss", e))?;
        inner
            .set_complexity(config.complexity.min(OPUS_MAX_COMPLEXITY))
            .map_err(|e| codec_error("set complexity", e))?;
        Ok(Self {
            inner,
            buffer: vec![0; MAX_PAYLOAD],
        })
    }

    /// The complexity currently configured (0–10).
    pub fn complexity(&self) -> Result<u8, AudioError> {
        self.inner
            .complexity()
            .map_err(|e| codec_error("get complexity", e))
    }

    /// The expected loss currently configured, in percent.
    pub fn expected_loss(&self) -> Result<u8, AudioError> {
        self.inner
            .packet_loss_perc()
            .map_err(|e| codec_error("get expected loss", e))
    }
}

impl AudioEncoder for OpusEncoder {
    fn clock_rate(&self) -> u32 {
        OPUS_CLOCK_RATE
    }

    fn encode(&mut self, frame: &AudioFrame) -> Result<Vec<u8>, AudioError> {
        if frame.samples.len() != FRAME_SAMPLES {
            tracing::warn!(
                len = frame.samples.len(),
                "Opus encoder got a frame of the wrong size"
            );
            return Err(AudioError::Codec(format!(
                "frame has {} samples, expected {FRAME_SAMPLES}",
                frame.samples.len()
            )));
        }
        let len = self
            .inner
            .encode(&frame.samples, &mut self.buffer)
            .map_err(|e| codec_error("encode", e))?;
        Ok(self.buffer[..len].to_vec())
    }

    fn set_expected_loss(&mut self, percent: u8) {
        if let Err(error) = self.inner.set_packet_loss_perc(percent.min(100)) {
            tracing::warn!(%error, percent, "opus: could not set the expected loss");
        }
    }
}

/// Decodes Opus payloads with libopus, rebuilds a lost frame from the next packet's FEC data,
/// and conceals other losses with libopus PLC.
///
/// ```
/// use connect_softphone::audio::{AudioDecoder, AudioEncoder, AudioFrame, OpusDecoder, OpusEncoder};
///
/// let mut encoder = OpusEncoder::new().expect("libopus");
/// let mut decoder = OpusDecoder::new().expect("libopus");
/// let payload = encoder.encode(&AudioFrame::silence(0)).expect("encode");
/// assert_eq!(decoder.decode(&payload).expect("decode").len(), 960);
/// assert_eq!(decoder.conceal().expect("plc").len(), 960);
/// ```
pub struct OpusDecoder {
    inner: Decoder,
    buffer: Vec<i16>,
    /// Duration of the last decoded packet, used for concealed frames.
    last_samples: usize,
}

impl std::fmt::Debug for OpusDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpusDecoder")
            .field("last_samples", &self.last_samples)
            .finish_non_exhaustive()
    }
}

impl OpusDecoder {
    /// A new decoder (48 kHz, mono).
    pub fn new() -> Result<Self, AudioError> {
        let inner = Decoder::new(SampleRate::Hz48000, Channels::Mono)
            .map_err(|e| codec_error("decoder create", e))?;
        Ok(Self {
            inner,
            buffer: vec![0; MAX_DECODED],
            last_samples: FRAME_SAMPLES,
        })
    }

    fn run(
        &mut self,
        payload: Option<&[u8]>,
        samples: usize,
        fec: bool,
    ) -> Result<Vec<i16>, AudioError> {
        let packet = payload
            .map(audiopus::packet::Packet::try_from)
            .transpose()
            .map_err(|e| codec_error("packet", e))?;
        let out = MutSignals::try_from(&mut self.buffer[..samples])
            .map_err(|e| codec_error("buffer", e))?;
        let n = self
            .inner
            .decode(packet, out, fec)
            .map_err(|e| codec_error("decode", e))?;
        Ok(self.buffer[..n.min(samples)].to_vec())
    }
}

impl AudioDecoder for OpusDecoder {
    fn clock_rate(&self) -> u32 {
        OPUS_CLOCK_RATE
    }

    fn decode(&mut self, payload: &[u8]) -> Result<Vec<i16>, AudioError> {
        if payload.is_empty() {
            tracing::debug!("empty Opus payload");
            return Err(AudioError::Codec("empty Opus payload".into()));
        }
        let samples = self.run(Some(payload), MAX_DECODED, false)?;
        if !samples.is_empty() {
            self.last_samples = samples.len();
        }
        Ok(samples)
    }

    fn decode_fec(&mut self, next_payload: &[u8]) -> Result<Option<Vec<i16>>, AudioError> {
        if !has_fec(next_payload) {
            return Ok(None);
        }
        self.run(Some(next_payload), FRAME_SAMPLES, true).map(Some)
    }

    fn conceal(&mut self) -> Result<Vec<i16>, AudioError> {
        let samples = self.last_samples.min(MAX_DECODED);
        self.run(None, samples, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speech_frames(count: usize) -> Vec<AudioFrame> {
        // A voiced, pitch-varying signal: what SILK codes (and protects with LBRR).
        (0..count)
            .map(|f| {
                let samples = (0..FRAME_SAMPLES)
                    .map(|i| {
                        let t = (f * FRAME_SAMPLES + i) as f64 / 48_000.0;
                        let pitch = 140.0 + 30.0 * (2.0 * std::f64::consts::PI * 0.7 * t).sin();
                        let phase = 2.0 * std::f64::consts::PI * pitch * t;
                        let v =
                            phase.sin() + 0.5 * (2.0 * phase).sin() + 0.25 * (3.0 * phase).sin();
                        (6_000.0 * v) as i16
                    })
                    .collect();
                AudioFrame::from_samples((f * FRAME_SAMPLES) as u64, samples)
            })
            .collect()
    }

    #[test]
    fn fec_rebuilds_a_single_lost_frame_when_loss_is_expected() {
        let mut encoder = OpusEncoder::with_config(OpusConfig {
            expected_loss_percent: 20,
            ..OpusConfig::default()
        })
        .expect("encoder");
        assert_eq!(encoder.expected_loss().expect("ctl"), 20);
        let payloads: Vec<Vec<u8>> = speech_frames(50)
            .iter()
            .map(|f| encoder.encode(f).expect("encode"))
            .collect();
        assert!(
            payloads.iter().skip(5).any(|p| has_fec(p)),
            "no LBRR in any packet"
        );

        let mut decoder = OpusDecoder::new().expect("decoder");
        let mut rebuilt = 0;
        for (n, payload) in payloads.iter().enumerate() {
            if n % 10 == 5 {
                // Packet n is lost: rebuild it from n+1 when possible, else conceal.
                // libopus codes LBRR only for frames its voice detector found active.
                let next = &payloads[n + 1];
                let frame = match decoder.decode_fec(next).expect("fec") {
                    Some(frame) => {
                        assert!(has_fec(next));
                        rebuilt += 1;
                        frame
                    }
                    None => {
                        assert!(!has_fec(next));
                        decoder.conceal().expect("plc")
                    }
                };
                assert_eq!(frame.len(), FRAME_SAMPLES);
                continue;
            }
            assert_eq!(
                decoder.decode(payload).expect("decode").len(),
                FRAME_SAMPLES
            );
        }
        assert!(rebuilt >= 1, "no loss rebuilt from FEC");
    }

    #[test]
    fn complexity_is_applied_and_capped_and_every_level_decodes() {
        assert_eq!(
            OpusEncoder::new()
                .expect("encoder")
                .complexity()
                .expect("ctl"),
            OPUS_MAX_COMPLEXITY
        );
        for (asked, applied) in [(0, 0), (5, 5), (10, 10), (42, 10)] {
            let mut encoder = OpusEncoder::with_config(OpusConfig {
                complexity: asked,
                ..OpusConfig::default()
            })
            .expect("encoder");
            assert_eq!(encoder.complexity().expect("ctl"), applied);
            let mut decoder = OpusDecoder::new().expect("decoder");
            for frame in speech_frames(5) {
                let payload = encoder.encode(&frame).expect("encode");
                assert_eq!(
                    decoder.decode(&payload).expect("decode").len(),
                    FRAME_SAMPLES
                );
            }
        }
    }

    #[test]
    fn no_fec_without_expected_loss_and_plc_always_works() {
        let mut encoder = OpusEncoder::new().expect("encoder");
        let mut decoder = OpusDecoder::new().expect("decoder");
        for frame in speech_frames(10) {
            let payload = encoder.encode(&frame).expect("encode");
            assert!(!has_fec(&payload));
            assert_eq!(decoder.decode_fec(&payload).expect("fec"), None);
            decoder.decode(&payload).expect("decode");
        }
        for _ in 0..5 {
            assert_eq!(decoder.conceal().expect("plc").len(), FRAME_SAMPLES);
        }
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let mut decoder = OpusDecoder::new().expect("decoder");
        assert!(decoder.decode(&[]).is_err());
        // A code-3 packet that announces frames it does not carry.
        assert!(decoder.decode(&[0x0B, 0x85]).is_err());
        let mut encoder = OpusEncoder::new().expect("encoder");
        let short = AudioFrame {
            timestamp: 0,
            samples: vec![1; 100],
        };
        assert!(encoder.encode(&short).is_err());
        // The decoder keeps working after errors.
        let payload = encoder.encode(&AudioFrame::silence(0)).expect("encode");
        assert_eq!(
            decoder.decode(&payload).expect("decode").len(),
            FRAME_SAMPLES
        );
    }
}
