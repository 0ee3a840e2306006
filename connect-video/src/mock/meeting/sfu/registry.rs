//! The meetings the SFU serves and their attendees' peers; what the forwarding loops look up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::attendee::Attendee;

type Meetings = HashMap<String, HashMap<String, Arc<Attendee>>>;

#[derive(Default)]
pub(super) struct Registry {
    meetings: Mutex<Meetings>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, Meetings> {
        self.meetings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn get(&self, meeting_id: &str, attendee_id: &str) -> Option<Arc<Attendee>> {
        self.lock().get(meeting_id)?.get(attendee_id).cloned()
    }

    /// Adds `attendee` unless one is there already; returns the one registered.
    pub(super) fn insert(&self, meeting_id: &str, attendee: Arc<Attendee>) -> Arc<Attendee> {
        let mut meetings = self.lock();
        let attendees = meetings.entry(meeting_id.to_owned()).or_default();
        Arc::clone(attendees.entry(attendee.id.clone()).or_insert(attendee))
    }

    pub(super) fn remove(&self, meeting_id: &str, attendee_id: &str) -> Option<Arc<Attendee>> {
        let mut meetings = self.lock();
        let attendees = meetings.get_mut(meeting_id)?;
        let removed = attendees.remove(attendee_id);
        if attendees.is_empty() {
            meetings.remove(meeting_id);
        }
        removed
    }

    pub(super) fn remove_meeting(&self, meeting_id: &str) -> Vec<Arc<Attendee>> {
        self.lock()
            .remove(meeting_id)
            .map(|attendees| attendees.into_values().collect())
            .unwrap_or_default()
    }

    /// Everyone in the meeting.
    pub(super) fn peers(&self, meeting_id: &str) -> Vec<Arc<Attendee>> {
        self.lock()
            .get(meeting_id)
            .map(|attendees| attendees.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Asks the sender of video stream `stream_id` for a keyframe.
    pub(super) async fn request_keyframe(&self, meeting_id: &str, stream_id: u32) {
        let sender = self
            .peers(meeting_id)
            .into_iter()
            .find(|peer| peer.video_stream_id() == Some(stream_id));
        if let Some(sender) = sender {
            sender.request_keyframe().await;
        }
    }
}
