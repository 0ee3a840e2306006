//! [`SfuRouter`]: the [`MediaRouter`] of the simulated meeting service.

use std::sync::Arc;

use async_trait::async_trait;
use tracing::info;

use super::attendee::Attendee;
use super::registry::Registry;
use crate::mock::meeting::{MediaRouter, RouterError, SubscribeAnswer, SubscribeRequest};

/// What the SFU counted for one attendee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttendeeStats {
    /// Audio packets received from the attendee.
    pub audio_packets_in: u64,
    /// Video packets received from the attendee.
    pub video_packets_in: u64,
    /// Packets of the attendee forwarded to others (one per subscriber).
    pub packets_forwarded: u64,
    /// Audio packets forwarded to the attendee.
    pub audio_packets_out: u64,
    /// Video packets forwarded to the attendee.
    pub video_packets_out: u64,
    /// Keyframe requests sent to the attendee's video sender.
    pub keyframe_requests: u64,
}

/// A webrtc-rs SFU: one peer per attendee on 127.0.0.1, forwarding RTP between the attendees
/// of each meeting without transcoding. Cheap to clone.
///
/// ```no_run
/// # async fn run(offer_sdp: String) -> Result<(), Box<dyn std::error::Error>> {
/// use connect_video::mock::meeting::sfu::SfuRouter;
/// use connect_video::mock::meeting::{MediaRouter, SentStream, StreamMedia, SubscribeRequest};
///
/// let sfu = SfuRouter::new();
/// let answer = sfu
///     .subscribe(SubscribeRequest {
///         meeting_id: "m-1".into(),
///         attendee_id: "a-1".into(),
///         offer_sdp,
///         send_streams: vec![SentStream { stream_id: 1, group_id: 1, media: StreamMedia::Audio }],
///         receive_stream_ids: vec![],
///     })
///     .await?;
/// println!("{}", answer.answer_sdp);
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct SfuRouter {
    registry: Arc<Registry>,
}

impl std::fmt::Debug for SfuRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SfuRouter").finish_non_exhaustive()
    }
}

impl SfuRouter {
    /// An SFU serving no meeting yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The counts of one attendee, while it is in the meeting.
    pub fn stats(&self, meeting_id: &str, attendee_id: &str) -> Option<AttendeeStats> {
        Some(self.registry.get(meeting_id, attendee_id)?.stats())
    }

    /// The attendees with a peer in the meeting.
    pub fn attendees(&self, meeting_id: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .registry
            .peers(meeting_id)
            .iter()
            .map(|peer| peer.id.clone())
            .collect();
        ids.sort();
        ids
    }
}

#[async_trait]
impl MediaRouter for SfuRouter {
    async fn subscribe(&self, request: SubscribeRequest) -> Result<SubscribeAnswer, RouterError> {
        let attendee = match self.registry.get(&request.meeting_id, &request.attendee_id) {
            Some(attendee) => attendee,
            None => {
                let created = Attendee::create(
                    &request.meeting_id,
                    &request.attendee_id,
                    Arc::downgrade(&self.registry),
                )
                .await?;
                info!(meeting = %request.meeting_id, attendee = %request.attendee_id, "SFU peer created");
                self.registry.insert(&request.meeting_id, created)
            }
        };
        attendee.subscribe(request).await
    }

    async fn leave(&self, meeting_id: &str, attendee_id: &str) {
        if let Some(attendee) = self.registry.remove(meeting_id, attendee_id) {
            info!(meeting = %meeting_id, attendee = %attendee_id, "SFU peer closed");
            attendee.close().await;
        }
    }

    async fn end_meeting(&self, meeting_id: &str) {
        for attendee in self.registry.remove_meeting(meeting_id) {
            attendee.close().await;
        }
    }
}
