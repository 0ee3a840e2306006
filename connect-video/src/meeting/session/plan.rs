//! The subscription plan of one attendee connection, sans-IO: which remote videos to receive
//! (from `INDEX`, within the subscription limit), what to send (audio, and the camera only once
//! it is on), the tiles each `SUBSCRIBE_ACK` binds, and whether a new `SUBSCRIBE` is due.

use std::collections::{BTreeMap, HashSet};

use super::event::{MeetingEvent, TileId};
use crate::meeting::join::CONTENT_SUFFIX;
use crate::meeting::signal::{
    IndexUpdate, MediaType, SendStream, StreamSource, Subscription, TrackMapping,
    DEFAULT_VIDEO_SUBSCRIPTION_LIMIT,
};

/// Track label of the microphone stream (the Chime SDK's).
const AUDIO_LABEL: &str = "AmazonChimeExpressAudio";
/// Track label of the camera stream.
const CAMERA_LABEL: &str = "camera";
/// Track label of a content share's video stream.
const CONTENT_LABEL: &str = "content";

/// A remote video stream to receive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Remote {
    pub(super) stream_id: u32,
    pub(super) attendee_id: String,
}

/// What one `SUBSCRIBE` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Wanted {
    pub(super) send: Vec<SendStream>,
    pub(super) receive: Vec<Remote>,
}

fn stream(stream_id: u32, media: MediaType, label: &str) -> SendStream {
    SendStream {
        stream_id,
        group_id: stream_id,
        media,
        track_label: label.to_owned(),
        max_bitrate_kbps: None,
    }
}

impl Wanted {
    /// A content share: its video, nothing received.
    pub(super) fn content_share() -> Self {
        Self {
            send: vec![stream(2, MediaType::Video, CONTENT_LABEL)],
            receive: Vec::new(),
        }
    }

    /// How many receive slots the offer needs.
    pub(super) fn slots(&self) -> usize {
        self.receive.len()
    }

    /// The `SUBSCRIBE` with this offer.
    pub(super) fn subscription(&self, sdp_offer: String) -> Subscription {
        Subscription {
            sdp_offer,
            send_streams: self.send.clone(),
            receive_stream_ids: self.receive.iter().map(|r| r.stream_id).collect(),
        }
    }
}

/// A bound tile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Tile {
    pub(super) id: TileId,
    pub(super) attendee_id: String,
}

/// The plan of an attendee connection.
#[derive(Debug)]
pub(super) struct Plan {
    self_id: String,
    self_content: String,
    limit: u32,
    /// The candidates of the last `INDEX`, in the order they are chosen.
    candidates: Vec<Remote>,
    index_at_capacity: bool,
    /// What was last reported.
    at_capacity: bool,
    camera: bool,
    applied: Option<Wanted>,
    failed: Option<Wanted>,
    tiles: BTreeMap<u32, Tile>,
    next_tile: u32,
}

impl Plan {
    /// The plan of `self_id`, receiving at most `limit` videos.
    pub(super) fn new(self_id: &str, limit: u32) -> Self {
        Self {
            self_id: self_id.to_owned(),
            self_content: format!("{self_id}{CONTENT_SUFFIX}"),
            limit: limit.min(DEFAULT_VIDEO_SUBSCRIPTION_LIMIT),
            candidates: Vec::new(),
            index_at_capacity: false,
            at_capacity: false,
            camera: false,
            applied: None,
            failed: None,
            tiles: BTreeMap::new(),
            next_tile: 1,
        }
    }

    /// A (re-)join's subscription limit.
    pub(super) fn set_limit(&mut self, limit: u32) -> Vec<MeetingEvent> {
        self.limit = limit.min(DEFAULT_VIDEO_SUBSCRIPTION_LIMIT);
        self.capacity()
    }

    /// A new `INDEX`: the remote videos on offer (neither this attendee's nor its content
    /// share's; one per sender group; content shares first, then by stream id).
    pub(super) fn on_index(&mut self, index: &IndexUpdate) -> Vec<MeetingEvent> {
        let mut groups = HashSet::new();
        let mut candidates: Vec<&StreamSource> = index
            .sources
            .iter()
            .filter(|s| s.media != Some(MediaType::Audio) && !s.attendee_id.is_empty())
            .filter(|s| s.attendee_id != self.self_id && s.attendee_id != self.self_content)
            .collect();
        candidates.sort_by_key(|s| (!s.attendee_id.ends_with(CONTENT_SUFFIX), s.stream_id));
        self.candidates = candidates
            .into_iter()
            .filter(|s| groups.insert((s.attendee_id.clone(), s.group_id)))
            .map(|s| Remote {
                stream_id: s.stream_id,
                attendee_id: s.attendee_id.clone(),
            })
            .collect();
        self.index_at_capacity = index.at_capacity;
        self.capacity()
    }

    /// The local camera is on or off.
    pub(super) fn set_camera(&mut self, on: bool) {
        self.camera = on;
    }

    /// What the next `SUBSCRIBE` would ask for.
    pub(super) fn wanted(&self) -> Wanted {
        let mut send = vec![stream(1, MediaType::Audio, AUDIO_LABEL)];
        if self.camera {
            send.push(stream(2, MediaType::Video, CAMERA_LABEL));
        }
        let receive = self
            .candidates
            .iter()
            .take(usize::try_from(self.limit).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        Wanted { send, receive }
    }

    /// The `SUBSCRIBE` due now, if any: the wanted one when it differs from the one applied
    /// and from the one that last failed.
    pub(super) fn due(&self) -> Option<Wanted> {
        let wanted = self.wanted();
        let done = self.applied.as_ref() == Some(&wanted) || self.failed.as_ref() == Some(&wanted);
        (!done).then_some(wanted)
    }

    /// A subscription failed; it is not tried again until something changes.
    pub(super) fn on_failed(&mut self, wanted: Wanted) {
        self.failed = Some(wanted);
    }

    /// The media was set up again (a fresh peer): the next subscription is due whatever it is.
    pub(super) fn renegotiate(&mut self) {
        self.applied = None;
        self.failed = None;
    }

    /// A `SUBSCRIBE_ACK` was applied: the tiles it removed, then the ones it added. A stream
    /// that stays bound keeps its tile.
    pub(super) fn on_applied(
        &mut self,
        wanted: Wanted,
        tracks: &[TrackMapping],
    ) -> Vec<MeetingEvent> {
        let bound: Vec<&Remote> = wanted
            .receive
            .iter()
            .filter(|r| tracks.iter().any(|t| t.stream_id == r.stream_id))
            .collect();
        let mut events = Vec::new();
        let gone: Vec<u32> = self
            .tiles
            .keys()
            .copied()
            .filter(|id| !bound.iter().any(|r| r.stream_id == *id))
            .collect();
        for stream_id in gone {
            if let Some(tile) = self.tiles.remove(&stream_id) {
                events.push(MeetingEvent::VideoTileRemoved {
                    tile: tile.id,
                    attendee_id: tile.attendee_id,
                });
            }
        }
        for remote in bound {
            if self.tiles.contains_key(&remote.stream_id) {
                continue;
            }
            let tile = TileId(self.next_tile);
            self.next_tile += 1;
            self.tiles.insert(
                remote.stream_id,
                Tile {
                    id: tile,
                    attendee_id: remote.attendee_id.clone(),
                },
            );
            events.push(MeetingEvent::VideoTileAdded {
                tile,
                attendee_id: remote.attendee_id.clone(),
                is_content: remote.attendee_id.ends_with(CONTENT_SUFFIX),
            });
        }
        self.applied = Some(wanted);
        self.failed = None;
        events
    }

    /// The tiles bound now, by stream id.
    pub(super) fn tiles(&self) -> &BTreeMap<u32, Tile> {
        &self.tiles
    }

    /// `AtCapacity` when the capacity state just became true.
    fn capacity(&mut self) -> Vec<MeetingEvent> {
        let now = self.index_at_capacity
            || self.candidates.len() > usize::try_from(self.limit).unwrap_or(usize::MAX);
        let became = now && !self.at_capacity;
        self.at_capacity = now;
        if became {
            vec![MeetingEvent::AtCapacity]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(stream_id: u32, group_id: u32, attendee: &str, media: MediaType) -> StreamSource {
        StreamSource {
            stream_id,
            group_id,
            attendee_id: attendee.to_owned(),
            external_user_id: None,
            media: Some(media),
            track_label: None,
            max_bitrate_kbps: None,
        }
    }

    fn index(sources: Vec<StreamSource>) -> IndexUpdate {
        IndexUpdate {
            sources,
            ..IndexUpdate::default()
        }
    }

    fn ids(wanted: &Wanted) -> Vec<u32> {
        wanted.receive.iter().map(|r| r.stream_id).collect()
    }

    fn tracks(ids: &[u32]) -> Vec<TrackMapping> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| TrackMapping {
                stream_id: *id,
                ssrc: 0,
                track_label: (i + 2).to_string(),
            })
            .collect()
    }

    #[test]
    fn audio_only_until_the_camera_is_on() {
        let mut plan = Plan::new("me", 25);
        let wanted = plan.due().expect("the first subscription is due");
        assert_eq!(wanted.send.len(), 1);
        assert_eq!(wanted.send[0].media, MediaType::Audio);
        assert!(wanted.receive.is_empty());
        assert!(plan.on_applied(wanted, &[]).is_empty());
        assert_eq!(plan.due(), None, "nothing changed");
        plan.set_camera(true);
        let wanted = plan.due().expect("camera on: due");
        assert_eq!(wanted.send[1].media, MediaType::Video);
        plan.on_applied(wanted, &[]);
        plan.set_camera(false);
        assert_eq!(plan.due().expect("camera off: due").send.len(), 1);
    }

    #[test]
    fn index_selection_skips_own_streams_and_audio_and_puts_content_first() {
        let mut plan = Plan::new("me", 25);
        plan.on_index(&index(vec![
            source(1, 1, "me", MediaType::Audio),
            source(2, 1, "me", MediaType::Video),
            source(3, 2, "other", MediaType::Audio),
            source(4, 2, "other", MediaType::Video),
            source(5, 2, "other", MediaType::Video),
            source(6, 3, "me#content", MediaType::Video),
            source(9, 4, "other#content", MediaType::Video),
        ]));
        assert_eq!(ids(&plan.wanted()), [9, 4], "one per group, content first");
    }

    #[test]
    fn the_limit_caps_receiving_and_at_capacity_is_reported_once() {
        let mut plan = Plan::new("me", 2);
        let three = index(vec![
            source(4, 1, "a", MediaType::Video),
            source(5, 2, "b", MediaType::Video),
            source(6, 3, "c", MediaType::Video),
        ]);
        assert_eq!(plan.on_index(&three), [MeetingEvent::AtCapacity]);
        assert_eq!(ids(&plan.wanted()), [4, 5]);
        assert!(plan.on_index(&three).is_empty(), "still at capacity");
        assert!(plan.set_limit(3).is_empty());
        assert_eq!(ids(&plan.wanted()), [4, 5, 6]);
        let full = IndexUpdate {
            at_capacity: true,
            ..three
        };
        assert_eq!(plan.on_index(&full), [MeetingEvent::AtCapacity]);
        let mut generous = Plan::new("me", 500);
        let many: Vec<StreamSource> = (0..30)
            .map(|i| source(i, i, &format!("a{i}"), MediaType::Video))
            .collect();
        assert_eq!(generous.on_index(&index(many)), [MeetingEvent::AtCapacity]);
        assert_eq!(generous.wanted().receive.len(), 25, "never more than 25");
    }

    #[test]
    fn tiles_follow_the_answers_and_keep_their_ids() {
        let mut plan = Plan::new("me", 25);
        plan.on_index(&index(vec![
            source(4, 1, "a", MediaType::Video),
            source(7, 2, "b#content", MediaType::Video),
        ]));
        let wanted = plan.due().expect("due");
        // The answer binds only stream 7 (and names one never asked for).
        let events = plan.on_applied(wanted, &tracks(&[7, 99]));
        assert_eq!(
            events,
            [MeetingEvent::VideoTileAdded {
                tile: TileId(1),
                attendee_id: "b#content".into(),
                is_content: true
            }]
        );
        let wanted = plan.wanted();
        let events = plan.on_applied(wanted.clone(), &tracks(&[4, 7]));
        assert_eq!(
            events,
            [MeetingEvent::VideoTileAdded {
                tile: TileId(2),
                attendee_id: "a".into(),
                is_content: false
            }]
        );
        // A fresh peer binds the same streams: same tiles, no event.
        plan.renegotiate();
        let again = plan.due().expect("due after renegotiation");
        assert_eq!(again, wanted);
        assert!(plan.on_applied(again, &tracks(&[7, 4])).is_empty());
        // The content share goes away.
        plan.on_index(&index(vec![source(4, 1, "a", MediaType::Video)]));
        let events = plan.on_applied(plan.wanted(), &tracks(&[4]));
        assert_eq!(
            events,
            [MeetingEvent::VideoTileRemoved {
                tile: TileId(1),
                attendee_id: "b#content".into()
            }]
        );
        assert_eq!(plan.tiles().len(), 1);
    }

    #[test]
    fn a_failed_subscription_waits_for_a_change() {
        let mut plan = Plan::new("me", 25);
        let wanted = plan.due().expect("due");
        plan.on_failed(wanted);
        assert_eq!(plan.due(), None);
        plan.set_camera(true);
        assert!(plan.due().is_some(), "a change makes it due again");
        plan.set_camera(false);
        assert_eq!(plan.due(), None, "back to the failed one");
        plan.renegotiate();
        assert!(plan.due().is_some());
    }

    #[test]
    fn content_share_subscription_sends_video_and_receives_nothing() {
        let wanted = Wanted::content_share();
        assert_eq!(wanted.slots(), 0);
        let subscription = wanted.subscription("v=0".into());
        assert_eq!(subscription.send_streams[0].media, MediaType::Video);
        assert!(subscription.receive_stream_ids.is_empty());
    }
}
