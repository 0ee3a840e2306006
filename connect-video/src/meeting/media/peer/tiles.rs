//! Which remote stream each receive slot carries, from the answer's `(mid, stream_id)` track
//! mapping, and the tile changes a new mapping makes.

use std::collections::BTreeMap;

/// A change of the remote video the peer receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TileChange {
    /// A stream is now received on `mid`.
    Added { stream_id: u32, mid: String },
    /// A stream is no longer received.
    Removed { stream_id: u32 },
}

/// The current mapping of receive slots (mids) to stream ids.
#[derive(Debug, Default)]
pub(super) struct TileMap {
    by_mid: BTreeMap<String, u32>,
}

impl TileMap {
    /// The stream carried on `mid`.
    pub(super) fn stream_for(&self, mid: &str) -> Option<u32> {
        self.by_mid.get(mid).copied()
    }

    /// The mapping, by mid.
    pub(super) fn streams(&self) -> Vec<(String, u32)> {
        self.by_mid.iter().map(|(m, s)| (m.clone(), *s)).collect()
    }

    /// Replaces the mapping; returns what changed, removals first. A stream that moved to
    /// another slot is neither removed nor added. A stream listed twice keeps its first slot.
    pub(super) fn apply(&mut self, tracks: &[(String, u32)]) -> Vec<TileChange> {
        let mut next = BTreeMap::new();
        for (mid, stream_id) in tracks {
            if !next.values().any(|s| s == stream_id) {
                next.insert(mid.clone(), *stream_id);
            }
        }
        let had = |map: &BTreeMap<String, u32>, id: u32| map.values().any(|&s| s == id);
        let mut changes: Vec<TileChange> = self
            .by_mid
            .values()
            .filter(|&&id| !had(&next, id))
            .map(|&stream_id| TileChange::Removed { stream_id })
            .collect();
        changes.extend(next.iter().filter(|(_, &id)| !had(&self.by_mid, id)).map(
            |(mid, &stream_id)| TileChange::Added {
                stream_id,
                mid: mid.clone(),
            },
        ));
        self.by_mid = next;
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracks(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|(m, s)| ((*m).to_owned(), *s)).collect()
    }

    #[test]
    fn additions_removals_and_moves() {
        let mut tiles = TileMap::default();
        assert_eq!(
            tiles.apply(&tracks(&[("2", 10), ("3", 11)])),
            vec![
                TileChange::Added {
                    stream_id: 10,
                    mid: "2".into()
                },
                TileChange::Added {
                    stream_id: 11,
                    mid: "3".into()
                },
            ]
        );
        assert_eq!(tiles.stream_for("3"), Some(11));
        // 10 moves to slot 3, 11 leaves, 12 arrives on slot 2.
        assert_eq!(
            tiles.apply(&tracks(&[("3", 10), ("2", 12)])),
            vec![
                TileChange::Removed { stream_id: 11 },
                TileChange::Added {
                    stream_id: 12,
                    mid: "2".into()
                },
            ]
        );
        assert_eq!(tiles.stream_for("3"), Some(10));
        assert_eq!(
            tiles.apply(&[]),
            vec![
                TileChange::Removed { stream_id: 12 },
                TileChange::Removed { stream_id: 10 },
            ]
        );
        assert!(tiles.streams().is_empty());
    }

    #[test]
    fn a_stream_listed_twice_keeps_one_slot() {
        let mut tiles = TileMap::default();
        let changes = tiles.apply(&tracks(&[("2", 10), ("3", 10)]));
        assert_eq!(changes.len(), 1);
        assert_eq!(tiles.streams(), tracks(&[("2", 10)]));
    }
}
