//! [`MeetingStats`]: the media counters of a session, per remote tile, summed over the peers a
//! session went through (a re-join replaces the peer).

use std::collections::BTreeMap;

use super::event::TileId;
use super::plan::Tile;
use crate::meeting::join::CONTENT_SUFFIX;
use crate::meeting::media::{MeetingMediaStats, RemoteVideoStats};

/// What was received on one remote video tile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileStats {
    /// The tile.
    pub tile: TileId,
    /// The attendee sending it.
    pub attendee_id: String,
    /// Whether it is a content share.
    pub is_content: bool,
    /// The meeting-wide stream id it carries (as in the low-level media events).
    pub stream_id: u32,
    /// Complete VP8 frames received.
    pub frames: u64,
    /// Of which keyframes.
    pub keyframes: u64,
    /// Frames lost to missing packets or malformed data.
    pub dropped_frames: u64,
    /// Picture size of the last keyframe.
    pub dimensions: Option<(u16, u16)>,
}

/// A snapshot of a session's media counters.
///
/// ```
/// use connect_video::meeting::session::{MeetingStats, TileId};
/// let stats = MeetingStats::default();
/// assert!(stats.tile(TileId(1)).is_none());
/// assert_eq!(stats.local_video_frames_sent, 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeetingStats {
    /// Audio packets sent.
    pub audio_packets_sent: u64,
    /// Audio packets received.
    pub audio_packets_received: u64,
    /// Camera frames sent.
    pub local_video_frames_sent: u64,
    /// The remote video tiles shown now, in tile order.
    pub tiles: Vec<TileStats>,
}

impl MeetingStats {
    /// The counters of one tile, while it is shown.
    pub fn tile(&self, tile: TileId) -> Option<&TileStats> {
        self.tiles.iter().find(|t| t.tile == tile)
    }
}

/// The session's view of the media counters and the bound tiles.
pub(super) fn snapshot(media: &MeetingMediaStats, tiles: &BTreeMap<u32, Tile>) -> MeetingStats {
    let mut shown: Vec<TileStats> = tiles
        .iter()
        .map(|(&stream_id, tile)| {
            let video = media
                .remote_video
                .iter()
                .find(|v| v.stream_id == stream_id)
                .copied()
                .unwrap_or_default();
            TileStats {
                tile: tile.id,
                attendee_id: tile.attendee_id.clone(),
                is_content: tile.attendee_id.ends_with(CONTENT_SUFFIX),
                stream_id,
                frames: video.frames,
                keyframes: video.keyframes,
                dropped_frames: video.dropped_frames,
                dimensions: video.dimensions,
            }
        })
        .collect();
    shown.sort_by_key(|t| t.tile);
    MeetingStats {
        audio_packets_sent: media.audio_packets_sent,
        audio_packets_received: media.audio_packets_received,
        local_video_frames_sent: media.video_frames_sent,
        tiles: shown,
    }
}

/// The counters of two peers, one after the other.
pub(super) fn combine(before: &MeetingMediaStats, now: &MeetingMediaStats) -> MeetingMediaStats {
    let mut remote: BTreeMap<u32, RemoteVideoStats> = before
        .remote_video
        .iter()
        .map(|v| (v.stream_id, *v))
        .collect();
    for video in &now.remote_video {
        let total = remote.entry(video.stream_id).or_insert(RemoteVideoStats {
            stream_id: video.stream_id,
            ..RemoteVideoStats::default()
        });
        total.frames += video.frames;
        total.keyframes += video.keyframes;
        total.dropped_frames += video.dropped_frames;
        total.lost_packets += video.lost_packets;
        total.dimensions = video.dimensions.or(total.dimensions);
    }
    MeetingMediaStats {
        audio_packets_sent: before.audio_packets_sent + now.audio_packets_sent,
        audio_packets_received: before.audio_packets_received + now.audio_packets_received,
        video_frames_sent: before.video_frames_sent + now.video_frames_sent,
        keyframe_requests: before.keyframe_requests + now.keyframe_requests,
        remote_video: remote.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(stream_id: u32, frames: u64, dimensions: Option<(u16, u16)>) -> RemoteVideoStats {
        RemoteVideoStats {
            stream_id,
            frames,
            keyframes: 1,
            dimensions,
            ..RemoteVideoStats::default()
        }
    }

    #[test]
    fn peers_add_up_and_tiles_pick_their_stream() {
        let old = MeetingMediaStats {
            audio_packets_received: 100,
            video_frames_sent: 30,
            remote_video: vec![video(4, 50, Some((160, 120))), video(5, 7, None)],
            ..MeetingMediaStats::default()
        };
        let new = MeetingMediaStats {
            audio_packets_received: 20,
            remote_video: vec![video(4, 10, None), video(9, 3, Some((320, 240)))],
            ..MeetingMediaStats::default()
        };
        let total = combine(&old, &new);
        assert_eq!(total.audio_packets_received, 120);
        assert_eq!(total.video_frames_sent, 30);
        assert_eq!(total.remote_video[0], {
            let mut v = video(4, 60, Some((160, 120)));
            v.keyframes = 2;
            v
        });
        let tiles = BTreeMap::from([
            (
                9,
                Tile {
                    id: TileId(2),
                    attendee_id: "b#content".into(),
                },
            ),
            (
                4,
                Tile {
                    id: TileId(1),
                    attendee_id: "a".into(),
                },
            ),
            (
                8,
                Tile {
                    id: TileId(3),
                    attendee_id: "c".into(),
                },
            ),
        ]);
        let stats = snapshot(&total, &tiles);
        assert_eq!(stats.tiles.len(), 3);
        assert_eq!(stats.tiles[0].frames, 60);
        let content = stats.tile(TileId(2)).expect("content tile");
        assert!(content.is_content);
        assert_eq!(content.dimensions, Some((320, 240)));
        assert_eq!(stats.tile(TileId(3)).expect("no frames yet").frames, 0);
        assert_eq!(stats.local_video_frames_sent, 30);
    }
}
