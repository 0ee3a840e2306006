//! Choosing a codec by its SDP name or static RTP payload type.

use crate::audio::{AudioDecoder, AudioEncoder, AudioError, OpusConfig, PcmuDecoder, PcmuEncoder};

/// The audio codecs the softphone speaks.
///
/// ```
/// use connect_softphone::audio::{codec_for, AudioCodec};
///
/// assert_eq!(codec_for("opus/48000/2"), Some(AudioCodec::Opus));
/// assert_eq!(codec_for("PCMU"), Some(AudioCodec::Pcmu));
/// assert_eq!(AudioCodec::from_payload_type(0), Some(AudioCodec::Pcmu));
/// assert_eq!(AudioCodec::Pcmu.clock_rate(), 8_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AudioCodec {
    /// Opus, 48 kHz, dynamic payload type (111 by convention).
    Opus,
    /// G.711 µ-law, 8 kHz, static payload type 0.
    Pcmu,
}

impl AudioCodec {
    /// The encoding name in SDP `a=rtpmap` lines.
    pub fn sdp_name(self) -> &'static str {
        match self {
            Self::Opus => "opus",
            Self::Pcmu => "PCMU",
        }
    }

    /// RTP clock rate, in Hz.
    pub fn clock_rate(self) -> u32 {
        match self {
            Self::Opus => 48_000,
            Self::Pcmu => 8_000,
        }
    }

    /// Channel count announced in SDP (Opus is always announced as 2, and sent mono).
    pub fn sdp_channels(self) -> u16 {
        match self {
            Self::Opus => 2,
            Self::Pcmu => 1,
        }
    }

    /// The payload type usually offered: 111 for Opus, 0 (static) for PCMU.
    pub fn default_payload_type(self) -> u8 {
        match self {
            Self::Opus => 111,
            Self::Pcmu => 0,
        }
    }

    /// The codec of a *static* payload type (only 0, PCMU); dynamic types need the SDP name.
    pub fn from_payload_type(payload_type: u8) -> Option<Self> {
        (payload_type == 0).then_some(Self::Pcmu)
    }

    /// A new encoder for this codec, with libopus's default settings for Opus.
    pub fn encoder(self) -> Result<Box<dyn AudioEncoder>, AudioError> {
        self.encoder_with(&OpusConfig::default())
    }

    /// A new encoder for this codec; `opus` sets up an Opus encoder (other codecs have no
    /// settings).
    #[cfg_attr(target_arch = "wasm32", allow(unused_variables))]
    pub fn encoder_with(self, opus: &OpusConfig) -> Result<Box<dyn AudioEncoder>, AudioError> {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Self::Opus => Ok(Box::new(crate::audio::OpusEncoder::with_config(*opus)?)),
            #[cfg(target_arch = "wasm32")]
            Self::Opus => Err(AudioError::Codec(
                "Opus is the browser's own in wasm builds".into(),
            )),
            Self::Pcmu => Ok(Box::new(PcmuEncoder::new())),
        }
    }

    /// A new decoder for this codec.
    pub fn decoder(self) -> Result<Box<dyn AudioDecoder>, AudioError> {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            Self::Opus => Ok(Box::new(crate::audio::OpusDecoder::new()?)),
            #[cfg(target_arch = "wasm32")]
            Self::Opus => Err(AudioError::Codec(
                "Opus is the browser's own in wasm builds".into(),
            )),
            Self::Pcmu => Ok(Box::new(PcmuDecoder::new())),
        }
    }
}

/// The codec named by an SDP encoding name (`opus`, `PCMU`), optionally followed by
/// `/clock-rate[/channels]`, case-insensitive; `None` for anything else.
pub fn codec_for(name: &str) -> Option<AudioCodec> {
    let mut parts = name.trim().split('/');
    let codec = match parts.next()?.to_ascii_lowercase().as_str() {
        "opus" => AudioCodec::Opus,
        "pcmu" => AudioCodec::Pcmu,
        _ => return None,
    };
    match parts.next() {
        Some(rate) if rate.parse::<u32>().ok() != Some(codec.clock_rate()) => None,
        _ => Some(codec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_table() {
        let cases: &[(&str, Option<AudioCodec>)] = &[
            ("opus", Some(AudioCodec::Opus)),
            ("OPUS/48000/2", Some(AudioCodec::Opus)),
            ("opus/8000", None),
            ("PCMU/8000", Some(AudioCodec::Pcmu)),
            ("pcmu", Some(AudioCodec::Pcmu)),
            ("PCMA/8000", None),
            ("telephone-event/8000", None),
            ("", None),
        ];
        for &(name, expected) in cases {
            assert_eq!(codec_for(name), expected, "{name:?}");
        }
    }

    #[test]
    fn every_codec_builds_a_working_pair() {
        for codec in [AudioCodec::Opus, AudioCodec::Pcmu] {
            let mut encoder = codec.encoder().expect("encoder");
            let mut decoder = codec.decoder().expect("decoder");
            assert_eq!(encoder.clock_rate(), codec.clock_rate());
            assert_eq!(decoder.clock_rate(), codec.clock_rate());
            let payload = encoder
                .encode(&crate::audio::AudioFrame::silence(0))
                .expect("encode");
            assert_eq!(decoder.decode(&payload).expect("decode").len(), 960);
            assert_eq!(codec_for(codec.sdp_name()), Some(codec));
        }
        assert_eq!(AudioCodec::from_payload_type(111), None);
    }
}
