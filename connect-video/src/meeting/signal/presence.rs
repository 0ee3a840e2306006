//! Attendee presence and mute from `AUDIO_STREAM_ID_INFO` updates.
//!
//! An update with an attendee id announces (or refreshes) that attendee on its audio stream id;
//! with `dropped` it says the attendee's connection dropped. An update without an attendee id
//! changes the mute state of the attendee on that stream id, or, with no mute state, says that
//! attendee left.

use std::collections::HashMap;

use super::proto::SdkAudioStreamIdInfo;

/// A change of presence or mute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PresenceChange {
    /// An attendee arrived or left.
    Presence {
        /// The attendee.
        attendee_id: String,
        /// Its external user id, when known.
        external_user_id: Option<String>,
        /// Whether it is now present.
        present: bool,
    },
    /// An attendee's mute state changed.
    Mute {
        /// The attendee.
        attendee_id: String,
        /// Whether it is muted.
        muted: bool,
    },
}

#[derive(Clone, Debug)]
struct Present {
    attendee_id: String,
    external_user_id: Option<String>,
    muted: bool,
}

/// Who is present, by audio stream id.
///
/// ```
/// use connect_video::meeting::signal::{PresenceChange, PresenceTracker};
/// use connect_video::meeting::signal::proto::SdkAudioStreamIdInfo;
///
/// let mut presence = PresenceTracker::default();
/// let joined = SdkAudioStreamIdInfo { audio_stream_id: Some(1), attendee_id: Some("a".into()), ..Default::default() };
/// assert!(matches!(presence.apply(&[joined])[0], PresenceChange::Presence { present: true, .. }));
/// let left = SdkAudioStreamIdInfo { audio_stream_id: Some(1), ..Default::default() };
/// assert!(matches!(presence.apply(&[left])[0], PresenceChange::Presence { present: false, .. }));
/// ```
#[derive(Clone, Debug, Default)]
pub struct PresenceTracker {
    by_stream: HashMap<u32, Present>,
}

impl PresenceTracker {
    /// Applies one frame's updates and returns what changed, in order.
    pub fn apply(&mut self, streams: &[SdkAudioStreamIdInfo]) -> Vec<PresenceChange> {
        let mut changes = Vec::new();
        for info in streams {
            let Some(stream_id) = info.audio_stream_id else {
                tracing::debug!("audio stream id info without a stream id ignored");
                continue;
            };
            let attendee = info.attendee_id.as_deref().filter(|a| !a.is_empty());
            let dropped = info.dropped.unwrap_or(false);
            match attendee {
                Some(_) | None if dropped => self.remove(stream_id, &mut changes),
                Some(attendee_id) => self.announce(stream_id, attendee_id, info, &mut changes),
                None => match (info.muted, self.by_stream.get_mut(&stream_id)) {
                    (Some(muted), Some(present)) => {
                        if present.muted != muted {
                            present.muted = muted;
                            changes.push(PresenceChange::Mute {
                                attendee_id: present.attendee_id.clone(),
                                muted,
                            });
                        }
                    }
                    (None, Some(_)) => self.remove(stream_id, &mut changes),
                    (_, None) => {}
                },
            }
        }
        changes
    }

    /// The attendees present now.
    ///
    /// ```
    /// # use connect_video::meeting::signal::PresenceTracker;
    /// assert!(PresenceTracker::default().present().is_empty());
    /// ```
    pub fn present(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .by_stream
            .values()
            .map(|p| p.attendee_id.clone())
            .collect();
        ids.sort();
        ids
    }

    fn announce(
        &mut self,
        stream_id: u32,
        attendee_id: &str,
        info: &SdkAudioStreamIdInfo,
        changes: &mut Vec<PresenceChange>,
    ) {
        let muted = info.muted.unwrap_or(false);
        match self.by_stream.get_mut(&stream_id) {
            Some(present) if present.attendee_id == attendee_id => {
                if info.muted.is_some() && present.muted != muted {
                    present.muted = muted;
                    changes.push(PresenceChange::Mute {
                        attendee_id: attendee_id.to_owned(),
                        muted,
                    });
                }
            }
            _ => {
                self.remove(stream_id, changes);
                self.by_stream.insert(
                    stream_id,
                    Present {
                        attendee_id: attendee_id.to_owned(),
                        external_user_id: info.external_user_id.clone(),
                        muted,
                    },
                );
                changes.push(PresenceChange::Presence {
                    attendee_id: attendee_id.to_owned(),
                    external_user_id: info.external_user_id.clone(),
                    present: true,
                });
                if muted {
                    changes.push(PresenceChange::Mute {
                        attendee_id: attendee_id.to_owned(),
                        muted,
                    });
                }
            }
        }
    }

    fn remove(&mut self, stream_id: u32, changes: &mut Vec<PresenceChange>) {
        if let Some(gone) = self.by_stream.remove(&stream_id) {
            changes.push(PresenceChange::Presence {
                attendee_id: gone.attendee_id,
                external_user_id: gone.external_user_id,
                present: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(
        id: u32,
        attendee: Option<&str>,
        muted: Option<bool>,
        dropped: bool,
    ) -> SdkAudioStreamIdInfo {
        SdkAudioStreamIdInfo {
            audio_stream_id: Some(id),
            attendee_id: attendee.map(str::to_owned),
            muted,
            external_user_id: attendee.map(|a| format!("ext-{a}")),
            dropped: dropped.then_some(true),
        }
    }

    #[test]
    fn join_mute_unmute_leave_and_drop() {
        let mut p = PresenceTracker::default();
        let changes = p.apply(&[
            info(1, Some("a"), None, false),
            info(2, Some("b"), Some(true), false),
        ]);
        assert_eq!(changes.len(), 3);
        assert_eq!(p.present(), ["a", "b"]);
        assert_eq!(
            p.apply(&[info(1, None, Some(true), false)]),
            [PresenceChange::Mute {
                attendee_id: "a".into(),
                muted: true
            }]
        );
        assert!(
            p.apply(&[info(1, None, Some(true), false)]).is_empty(),
            "no change"
        );
        assert!(
            p.apply(&[info(1, Some("a"), None, false)]).is_empty(),
            "refresh"
        );
        assert_eq!(
            p.apply(&[info(1, None, None, false)]),
            [PresenceChange::Presence {
                attendee_id: "a".into(),
                external_user_id: Some("ext-a".into()),
                present: false
            }]
        );
        assert_eq!(
            p.apply(&[info(2, Some("b"), None, true)]),
            [PresenceChange::Presence {
                attendee_id: "b".into(),
                external_user_id: Some("ext-b".into()),
                present: false
            }]
        );
        assert!(p.present().is_empty());
        assert!(p
            .apply(&[info(9, None, None, false), SdkAudioStreamIdInfo::default()])
            .is_empty());
    }
}
