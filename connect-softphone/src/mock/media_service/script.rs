//! What the simulated customer does on a call: what it plays, which codecs it accepts, when it
//! hangs up.

use std::path::PathBuf;
use std::time::Duration;

use crate::audio::{
    AudioError, AudioSource, SilenceSource, SpeechLikeSource, ToneSource, WavFileSource,
};
use crate::media::AudioCodec;

/// What the customer plays into the call.
///
/// ```
/// use connect_softphone::mock::media_service::CustomerAudio;
///
/// assert!(matches!(CustomerAudio::default(), CustomerAudio::Tone { .. }));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum CustomerAudio {
    /// A steady tone (a test prompt).
    Tone {
        /// Frequency in Hz.
        freq_hz: f64,
        /// Level in dBFS.
        level_dbfs: f64,
    },
    /// A speech-like signal (syllables of shaped noise), reproducible from its seed.
    SpeechLike {
        /// Seed.
        seed: u64,
    },
    /// A recorded prompt, looped.
    Wav(PathBuf),
    /// Digital silence.
    Silence,
    /// Whatever the customer hears, played back.
    Echo,
}

impl Default for CustomerAudio {
    fn default() -> Self {
        Self::Tone {
            freq_hz: 1_000.0,
            level_dbfs: -12.0,
        }
    }
}

impl CustomerAudio {
    /// The source for a non-echo script (`None` for [`CustomerAudio::Echo`]).
    pub(super) fn source(&self) -> Result<Option<Box<dyn AudioSource>>, AudioError> {
        Ok(Some(match self {
            Self::Tone {
                freq_hz,
                level_dbfs,
            } => Box::new(ToneSource::new(*freq_hz, *level_dbfs)),
            Self::SpeechLike { seed } => Box::new(SpeechLikeSource::new(*seed)),
            Self::Wav(path) => Box::new(WavFileSource::open(path)?.looping(true)),
            Self::Silence => Box::new(SilenceSource::new()),
            Self::Echo => return Ok(None),
        }))
    }
}

/// The customer's behaviour on one call.
///
/// ```
/// use std::time::Duration;
/// use connect_softphone::mock::media_service::{CustomerAudio, CustomerScript};
///
/// let script = CustomerScript::default()
///     .audio(CustomerAudio::Echo)
///     .hang_up_after(Duration::from_secs(3));
/// assert_eq!(script.hang_up_after, Some(Duration::from_secs(3)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerScript {
    /// What the customer plays.
    pub audio: CustomerAudio,
    /// The customer hangs up this long after media is up (`None`: never by itself).
    pub hang_up_after: Option<Duration>,
    /// Codecs the customer leg accepts, in order of preference.
    pub codecs: Vec<AudioCodec>,
}

impl Default for CustomerScript {
    fn default() -> Self {
        Self {
            audio: CustomerAudio::default(),
            hang_up_after: None,
            codecs: vec![AudioCodec::Opus, AudioCodec::Pcmu],
        }
    }
}

impl CustomerScript {
    /// Plays `audio`.
    pub fn audio(mut self, audio: CustomerAudio) -> Self {
        self.audio = audio;
        self
    }

    /// Hangs up `after` media is up.
    pub fn hang_up_after(mut self, after: Duration) -> Self {
        self.hang_up_after = Some(after);
        self
    }

    /// Accepts only these codecs.
    pub fn codecs(mut self, codecs: Vec<AudioCodec>) -> Self {
        self.codecs = codecs;
        self
    }
}
