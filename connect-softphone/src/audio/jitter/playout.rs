//! A jitter buffer with its decoder: packets in, one 20 ms frame out per playout tick.

use std::time::Duration;

use super::{JitterBuffer, JitterBufferConfig, JitterBufferStats, Playout, PushOutcome};
use crate::audio::{level_dbov, AudioDecoder, AudioFrame, FRAME_SAMPLES};

/// Frames quieter than this may be dropped to shrink the delay, in dBov.
const SHRINK_BELOW_DBOV: f64 = -50.0;

/// A [`JitterBuffer`] driving an [`AudioDecoder`]: FEC for a single lost packet when the next
/// one is buffered, PLC otherwise, silence while filling, and quiet frames skipped to shrink the
/// delay. Decoder errors are logged and concealed; a tick always yields a frame.
///
/// ```
/// use std::time::Duration;
/// use connect_softphone::audio::{AudioEncoder, AudioFrame, JitterPlayout, PcmuDecoder, PcmuEncoder};
///
/// let mut encoder = PcmuEncoder::new();
/// let mut playout = JitterPlayout::new(Box::new(PcmuDecoder::new()));
/// let ms = |n: u64| Duration::from_millis(n);
/// for n in 0..10u16 {
///     let payload = encoder.encode(&AudioFrame::silence(0)).expect("encode");
///     playout.push(ms(20 * u64::from(n)), 7, n, u32::from(n) * 160, payload);
///     let frame = playout.tick(ms(20 * u64::from(n)));
///     assert_eq!(frame.samples.len(), 960);
/// }
/// assert!(playout.stats().jitter_buffer_emitted_count > 0);
/// ```
pub struct JitterPlayout {
    buffer: JitterBuffer,
    decoder: Box<dyn AudioDecoder>,
    next_timestamp: u64,
}

impl std::fmt::Debug for JitterPlayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JitterPlayout")
            .field("buffer", &self.buffer)
            .field("next_timestamp", &self.next_timestamp)
            .finish_non_exhaustive()
    }
}

impl JitterPlayout {
    /// A playout with the default buffer settings for the decoder's clock rate.
    pub fn new(decoder: Box<dyn AudioDecoder>) -> Self {
        let config = JitterBufferConfig::new(decoder.clock_rate());
        Self::with_config(decoder, config)
    }

    /// A playout with explicit buffer settings.
    pub fn with_config(decoder: Box<dyn AudioDecoder>, config: JitterBufferConfig) -> Self {
        Self {
            buffer: JitterBuffer::new(config),
            decoder,
            next_timestamp: 0,
        }
    }

    /// A packet arrived at `now`.
    pub fn push(
        &mut self,
        now: Duration,
        ssrc: u32,
        sequence: u16,
        rtp_timestamp: u32,
        payload: Vec<u8>,
    ) -> PushOutcome {
        self.buffer
            .push(now, ssrc, sequence, rtp_timestamp, payload)
    }

    /// The frame to play at the playout tick `now`.
    pub fn tick(&mut self, now: Duration) -> AudioFrame {
        let mut may_shrink = true;
        let samples = loop {
            match self.buffer.pop(now) {
                Playout::Buffering => break vec![0; FRAME_SAMPLES],
                Playout::Decode {
                    payload, droppable, ..
                } => match self.decoder.decode(&payload) {
                    Ok(samples)
                        if droppable && may_shrink && level_dbov(&samples) < SHRINK_BELOW_DBOV =>
                    {
                        self.buffer.shrink(now);
                        may_shrink = false;
                    }
                    Ok(samples) => break samples,
                    Err(error) => {
                        tracing::debug!(%error, "undecodable payload, concealed");
                        break self.conceal();
                    }
                },
                Playout::DecodeFec { next_payload } => match self.decoder.decode_fec(&next_payload)
                {
                    Ok(Some(samples)) => break samples,
                    Ok(None) => break self.conceal(),
                    Err(error) => {
                        tracing::debug!(%error, "FEC decode failed, concealed");
                        break self.conceal();
                    }
                },
                Playout::Conceal(_) => break self.conceal(),
            }
        };
        let frame = AudioFrame::from_samples(self.next_timestamp, samples);
        self.next_timestamp += FRAME_SAMPLES as u64;
        frame
    }

    /// The buffer's counters.
    pub fn stats(&self) -> JitterBufferStats {
        self.buffer.stats()
    }

    /// The buffer itself.
    pub fn buffer(&self) -> &JitterBuffer {
        &self.buffer
    }

    fn conceal(&mut self) -> Vec<i16> {
        self.decoder.conceal().unwrap_or_else(|error| {
            tracing::debug!(%error, "concealment failed, silence played");
            vec![0; FRAME_SAMPLES]
        })
    }
}
