//! What a redirected peer sends: a capture on the endpoint's selected microphone, or silence.
//! Redirected media never captures in the desktop, so a desktop-side source handed to
//! `replace_source` only says which of the two it wants: a silence source (an idle persistent
//! peer connection between calls) becomes `replaceTrack{trackId: null}`, any other source the
//! endpoint's selected microphone (a fresh `getUserMedia` and `replaceTrack`).

use std::sync::atomic::Ordering;
use std::sync::PoisonError;

use connect_softphone::audio::AudioSource;
use connect_softphone::media::MediaError;

use super::link::Link;
use super::peer::{RedirectedPeer, Sending};
use super::redirected::Inner;
use crate::protocol::{
    AudioConstraints, CloseParams, GetUserMediaParams, GetUserMediaResult, ReplaceTrackParams,
    Request,
};
use crate::VdiError;

/// The name [`SilenceSource`](connect_softphone::audio::SilenceSource) reports.
const SILENCE: &str = "silence";

impl RedirectedPeer {
    /// `getUserMedia` on the endpoint's selected microphone.
    pub(super) async fn capture(inner: &Inner, link: &Link) -> Result<Sending, VdiError> {
        let device_id = inner
            .selected_input
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let gum = Request::GetUserMedia(GetUserMediaParams {
            audio: AudioConstraints {
                device_id,
                ..AudioConstraints::default()
            },
            video: None,
        });
        let stream: GetUserMediaResult =
            link.call(&gum, inner.config.get_user_media_timeout).await?;
        let track_id = stream
            .tracks
            .first()
            .map(|t| t.track_id.clone())
            .ok_or_else(|| VdiError::Protocol("getUserMedia returned no track".into()))?;
        Ok(Sending {
            stream_id: stream.stream_id,
            track_id,
        })
    }

    /// Whether a desktop-side source stands for silence rather than the microphone.
    pub(super) fn is_silence(source: &dyn AudioSource) -> bool {
        source.info().name == SILENCE
    }

    /// `replace_source` over the protocol (see the module documentation): silence, or the
    /// endpoint's selected microphone; the mute state is kept.
    pub(super) async fn switch_source(&self, silence: bool) -> Result<(), MediaError> {
        self.ensure_open()?;
        if !self.capabilities.replace_track {
            return Err(MediaError::InvalidState(
                "the endpoint engine does not support replaceTrack",
            ));
        }
        let failed = |e: VdiError| MediaError::Setup(format!("replaceTrack: {e}"));
        let next = if silence {
            None
        } else {
            Some(
                Self::capture(&self.inner, &self.link)
                    .await
                    .map_err(failed)?,
            )
        };
        let replace = Request::ReplaceTrack(ReplaceTrackParams {
            pc_id: self.pc_id.clone(),
            track_id: next.as_ref().map(|s| s.track_id.clone()),
        });
        self.request(replace).await.map_err(failed)?;
        let previous = std::mem::replace(
            &mut *self.sending.lock().unwrap_or_else(PoisonError::into_inner),
            next,
        );
        if let Some(previous) = previous {
            let close = Request::Close(CloseParams {
                stream_id: Some(previous.stream_id),
                ..Default::default()
            });
            if let Err(error) = self.request(close).await {
                tracing::debug!(target: "connect_vdi", %error, "closing the replaced stream failed");
            }
        }
        self.send_mute(self.muted.load(Ordering::Relaxed));
        Ok(())
    }
}
