//! The codec traits the media engine uses to carry frames over RTP.

use super::{AudioError, AudioFrame};

/// Turns 20 ms frames into RTP payloads (Opus at 48 kHz, or PCMU at 8 kHz after resampling).
pub trait AudioEncoder: Send {
    /// RTP clock rate of the payloads, in Hz (48 000 for Opus, 8 000 for PCMU).
    fn clock_rate(&self) -> u32;
    /// Encodes one frame into one RTP payload.
    fn encode(&mut self, frame: &AudioFrame) -> Result<Vec<u8>, AudioError>;
    /// Tells the encoder the packet loss the far end reports (0–100 %), for in-band FEC.
    fn set_expected_loss(&mut self, _percent: u8) {}
}

/// Turns RTP payloads back into 20 ms frames, concealing what is missing.
pub trait AudioDecoder: Send {
    /// RTP clock rate of the payloads, in Hz.
    fn clock_rate(&self) -> u32;
    /// Decodes one payload into 48 kHz samples (960 for 20 ms).
    fn decode(&mut self, payload: &[u8]) -> Result<Vec<i16>, AudioError>;
    /// Rebuilds a lost frame from the FEC data carried in the *next* payload, when the codec has
    /// any; `None` when it has not, in which case the caller uses [`AudioDecoder::conceal`].
    fn decode_fec(&mut self, next_payload: &[u8]) -> Result<Option<Vec<i16>>, AudioError>;
    /// Packet-loss concealment: one frame made up without data.
    fn conceal(&mut self) -> Result<Vec<i16>, AudioError>;
}
