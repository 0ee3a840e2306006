//! A session's content share: a second attendee connection (`<id>#content`, token
//! `<token>#content`) that sends one video stream and receives nothing, run by its own task.
//! It stops when asked (`LEAVE`), when its source ends, or when its connection ends.

use tokio::sync::{mpsc, oneshot, Mutex};
use tracing::{info, warn};

use super::error::MeetingError;
use super::event::{EventSender, MeetingEvent};
use super::link::{Link, LinkOptions, PeerKind};
use super::plan::Wanted;
use super::reuse::ReusableVideo;
use crate::meeting::join::JoinInfo;
use crate::meeting::media::video::VideoSource;
use crate::meeting::media::MeetingMediaEvent;
use crate::meeting::signal::SignalingEvent;
use connect_core::task::{spawn_abortable, TaskGuard};

/// A running content share.
struct ContentShare {
    stop: mpsc::UnboundedSender<oneshot::Sender<()>>,
    _task: TaskGuard,
}

struct SlotState {
    share: Option<ContentShare>,
    /// `None` once the session is over: no share starts any more.
    events: Option<EventSender>,
}

/// The session's content share, if any.
pub(super) struct ContentSlot {
    state: Mutex<SlotState>,
}

impl ContentSlot {
    pub(super) fn new(events: EventSender) -> Self {
        Self {
            state: Mutex::new(SlotState {
                share: None,
                events: Some(events),
            }),
        }
    }

    /// Joins as `<id>#content`, subscribes with the content video and starts its task.
    pub(super) async fn start(
        &self,
        info: &JoinInfo,
        options: &LinkOptions,
        source: Box<dyn VideoSource>,
    ) -> Result<(), MeetingError> {
        let mut state = self.state.lock().await;
        let Some(events) = state.events.clone() else {
            return Err(MeetingError::Closed);
        };
        if state.share.as_ref().is_some_and(|s| !s.stop.is_closed()) {
            return Err(MeetingError::ContentShareActive);
        }
        let kind = PeerKind::Content(ReusableVideo::new(source));
        let mut link = Link::open(info.content_share(), options, kind).await?;
        if let Err(error) = subscribe(&link).await {
            let _ = link.client.leave().await;
            link.close_peer().await;
            return Err(error);
        }
        let _ = events.send(MeetingEvent::ContentShareStarted);
        let (stop, stops) = mpsc::unbounded_channel();
        state.share = Some(ContentShare {
            stop,
            _task: TaskGuard::from(spawn_abortable(run(link, stops, events))),
        });
        Ok(())
    }

    /// Stops the share, if one runs; completes once its connection is closed.
    pub(super) async fn stop(&self) {
        let share = self.state.lock().await.share.take();
        if let Some(share) = share {
            let (done, finished) = oneshot::channel();
            if share.stop.send(done).is_ok() {
                let _ = finished.await;
            }
        }
    }

    /// The session is over: stops the share and refuses new ones.
    pub(super) async fn close(&self) {
        self.stop().await;
        self.state.lock().await.events = None;
    }
}

async fn subscribe(link: &Link) -> Result<(), MeetingError> {
    link.round(Wanted::content_share()).await.result.map(|_| ())
}

/// The share's task: re-subscribes after a re-join, stops when asked, when its source ends or
/// when its connection ends.
async fn run(
    mut link: Link,
    mut stops: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
    events: EventSender,
) {
    let mut asked = None;
    let leave = loop {
        tokio::select! {
            stop = stops.recv() => {
                asked = stop;
                break true;
            }
            signal = link.signals.recv() => match signal {
                Some(SignalingEvent::JoinAck(ack)) => link.on_join_ack(&ack),
                Some(SignalingEvent::Reconnected) => {
                    let resumed = match link.renew_peer().await {
                        Ok(()) => subscribe(&link).await,
                        Err(error) => Err(error),
                    };
                    if let Err(error) = resumed {
                        warn!(%error, "the content share could not resume after a re-join");
                        break true;
                    }
                }
                Some(SignalingEvent::Ended { status }) => {
                    info!(?status, "the content share connection ended");
                    break false;
                }
                None => break false,
                Some(_) => {}
            },
            media = link.media.recv() => match media {
                Some(MeetingMediaEvent::LocalVideoStopped) if !link.peer.is_local_video_on() => {
                    info!("the content source ended");
                    break true;
                }
                None => break true,
                Some(_) => {}
            },
        }
    };
    if leave {
        if let Err(error) = link.client.leave().await {
            info!(%error, "content share LEAVE");
        }
    }
    link.close_peer().await;
    let _ = events.send(MeetingEvent::ContentShareStopped);
    if let Some(done) = asked {
        let _ = done.send(());
    }
}
