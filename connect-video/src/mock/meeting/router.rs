//! The seam between the simulated meeting service's signalling and its media: the signalling
//! server hands each `SUBSCRIBE` to a [`MediaRouter`], which answers the attendee's offer and
//! forwards media between attendees.

use async_trait::async_trait;

/// What a stream carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamMedia {
    /// Opus audio.
    Audio,
    /// VP8 video (camera or content).
    Video,
}

/// One stream an attendee sends, as its `SUBSCRIBE` frame's `send_streams` describe it, with the
/// meeting-wide stream id the service assigned to it (the id other attendees see in `INDEX`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentStream {
    /// Meeting-wide stream id (unique within the meeting).
    pub stream_id: u32,
    /// Group id (one per attendee connection).
    pub group_id: u32,
    /// Audio or video.
    pub media: StreamMedia,
}

/// One `SUBSCRIBE` from an attendee, as the signalling server passes it to the media router.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeRequest {
    /// Meeting id.
    pub meeting_id: String,
    /// The subscribing attendee (`<id>#content` for a content-share connection).
    pub attendee_id: String,
    /// The attendee's SDP offer, exactly as received.
    pub offer_sdp: String,
    /// What the attendee sends.
    pub send_streams: Vec<SentStream>,
    /// Meeting-wide stream ids (from `INDEX`) the attendee wants to receive.
    pub receive_stream_ids: Vec<u32>,
}

/// The router's answer to a [`SubscribeRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeAnswer {
    /// The SDP answer.
    pub answer_sdp: String,
    /// Which received stream each receiving transceiver carries: `(mid, stream_id)`.
    pub tracks: Vec<(String, u32)>,
}

/// Why a router could not serve a subscription.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouterError {
    /// The offer could not be parsed or applied.
    #[error("bad offer: {0}")]
    BadOffer(String),
    /// The router failed internally (peer connection, TURN, ...).
    #[error("media router failed: {0}")]
    Failed(String),
}

/// The media half of the simulated meeting service.
///
/// ```ignore
/// let answer = router.subscribe(request).await?;
/// ```
#[async_trait]
pub trait MediaRouter: Send + Sync + 'static {
    /// Answers an attendee's (re-)subscription: applies the offer, starts forwarding what the
    /// attendee sends to the attendees that receive it, and binds the requested streams.
    async fn subscribe(&self, request: SubscribeRequest) -> Result<SubscribeAnswer, RouterError>;

    /// The attendee left (or was removed): close its peer and stop forwarding its streams.
    async fn leave(&self, meeting_id: &str, attendee_id: &str);

    /// The meeting ended: close every peer of it.
    async fn end_meeting(&self, meeting_id: &str);
}
