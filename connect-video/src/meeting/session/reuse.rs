//! The session's audio source and sink and its video sources outlive the media peers that use
//! them: after a re-join the session builds a fresh peer, and hands it the same source. A peer
//! gets a handle; the peer before it was closed first, so peers take turns.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use connect_softphone::audio::{AudioError, AudioFrame, AudioSink, AudioSource, SourceInfo};
use tokio::sync::Mutex;

use crate::meeting::media::video::{EncodedFrame, VideoError, VideoSource, VideoSourceInfo};

/// A source or sink shared by successive peers.
pub(super) struct Reusable<T: ?Sized>(Arc<Mutex<Box<T>>>);

impl<T: ?Sized> Clone for Reusable<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: ?Sized> Reusable<T> {
    pub(super) fn new(inner: Box<T>) -> Self {
        Self(Arc::new(Mutex::new(inner)))
    }
}

#[async_trait]
impl AudioSink for Reusable<dyn AudioSink> {
    async fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        self.0.lock().await.write_frame(frame).await
    }

    async fn flush(&mut self) -> Result<(), AudioError> {
        self.0.lock().await.flush().await
    }
}

/// The microphone (or any audio source) of the session.
#[derive(Clone)]
pub(super) struct ReusableAudio {
    source: Reusable<dyn AudioSource>,
    info: SourceInfo,
}

impl ReusableAudio {
    pub(super) fn new(source: Box<dyn AudioSource>) -> Self {
        let info = source.info();
        Self {
            source: Reusable::new(source),
            info,
        }
    }
}

#[async_trait]
impl AudioSource for ReusableAudio {
    async fn next_frame(&mut self) -> Result<Option<AudioFrame>, AudioError> {
        self.source.0.lock().await.next_frame().await
    }

    fn info(&self) -> SourceInfo {
        self.info.clone()
    }
}

/// A camera or content source of the session.
#[derive(Clone)]
pub(super) struct ReusableVideo {
    source: Reusable<dyn VideoSource>,
    frame_duration: Duration,
    info: VideoSourceInfo,
    keyframe_wanted: bool,
}

impl ReusableVideo {
    pub(super) fn new(source: Box<dyn VideoSource>) -> Self {
        Self {
            frame_duration: source.frame_duration(),
            info: source.info(),
            source: Reusable::new(source),
            keyframe_wanted: false,
        }
    }

    /// A handle for a new peer; its first frame is a keyframe when the source can make one.
    pub(super) fn handle(&self) -> Box<dyn VideoSource> {
        Box::new(Self {
            keyframe_wanted: true,
            ..self.clone()
        })
    }
}

#[async_trait]
impl VideoSource for ReusableVideo {
    async fn next_frame(&mut self) -> Result<Option<EncodedFrame>, VideoError> {
        let mut source = self.source.0.lock().await;
        if std::mem::take(&mut self.keyframe_wanted) {
            source.request_keyframe();
        }
        source.next_frame().await
    }

    fn frame_duration(&self) -> Duration {
        self.frame_duration
    }

    fn request_keyframe(&mut self) {
        self.keyframe_wanted = true;
    }

    fn info(&self) -> VideoSourceInfo {
        self.info.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::media::video::TestPatternSource;

    #[tokio::test]
    async fn successive_handles_continue_one_source_and_start_on_a_keyframe() {
        let shared = ReusableVideo::new(Box::new(TestPatternSource::new()));
        let mut first = shared.handle();
        assert!(
            first
                .next_frame()
                .await
                .expect("frame")
                .expect("some")
                .keyframe
        );
        let second_frame = first.next_frame().await.expect("frame").expect("some");
        assert!(!second_frame.keyframe);
        drop(first);
        let mut next_peer = shared.handle();
        assert_eq!(next_peer.frame_duration(), shared.frame_duration());
        let frame = next_peer.next_frame().await.expect("frame").expect("some");
        assert!(frame.keyframe, "a fresh peer starts on a keyframe");
        assert!(frame.pts > second_frame.pts, "the same source goes on");
    }
}
