//! [`MeetingSession`]: the handle of a joined meeting session.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::builder::MeetingSessionBuilder;
use super::content::ContentSlot;
use super::driver::Command;
use super::error::MeetingError;
use super::link::LinkOptions;
use super::stats::MeetingStats;
use crate::meeting::join::JoinInfo;
use crate::meeting::media::video::VideoSource;
use crate::meeting::media::{MeetingMediaEvent, MeetingMediaEvents};
use crate::meeting::signal::MeetingStatus;
use connect_core::task::TaskGuard;

struct Inner {
    join: JoinInfo,
    options: LinkOptions,
    commands: mpsc::UnboundedSender<Command>,
    media: broadcast::Sender<MeetingMediaEvent>,
    content: Arc<ContentSlot>,
    _task: TaskGuard,
}

/// A joined meeting session: one attendee's signalling and media, its camera (off until
/// started), its content share and the remote video tiles. Cheap to clone; dropping the last
/// clone stops it at once, [`leave`](Self::leave) leaves politely.
///
/// ```no_run
/// # async fn run(join: connect_video::meeting::join::JoinInfo) -> Result<(), connect_video::meeting::session::MeetingError> {
/// use connect_video::meeting::media::video::TestPatternSource;
/// use connect_video::meeting::session::{MeetingEvent, MeetingSession};
///
/// let (session, mut events) = MeetingSession::builder(join).connect().await?;
/// session.start_local_video(Box::new(TestPatternSource::new())).await?;
/// while let Some(event) = events.recv().await {
///     if let MeetingEvent::VideoTileAdded { tile, .. } = event {
///         let stats = session.stats().await?;
///         println!("{tile}: {:?}", stats.tile(tile));
///     }
/// }
/// session.leave().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MeetingSession {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MeetingSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeetingSession")
            .field("attendee_id", &self.inner.join.attendee_id)
            .field("over", &self.inner.commands.is_closed())
            .finish_non_exhaustive()
    }
}

impl MeetingSession {
    /// A builder for this attendee's join data.
    ///
    /// ```no_run
    /// # fn run(join: connect_video::meeting::join::JoinInfo) {
    /// let builder = connect_video::meeting::session::MeetingSession::builder(join);
    /// # }
    /// ```
    pub fn builder(join: JoinInfo) -> MeetingSessionBuilder {
        MeetingSessionBuilder::new(join)
    }

    pub(super) fn new(
        join: JoinInfo,
        options: LinkOptions,
        commands: mpsc::UnboundedSender<Command>,
        media: broadcast::Sender<MeetingMediaEvent>,
        content: Arc<ContentSlot>,
        task: TaskGuard,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                join,
                options,
                commands,
                media,
                content,
                _task: task,
            }),
        }
    }

    /// This session's attendee id.
    ///
    /// ```no_run
    /// # fn run(session: connect_video::meeting::session::MeetingSession) {
    /// println!("joined as {}", session.attendee_id());
    /// # }
    /// ```
    pub fn attendee_id(&self) -> &str {
        &self.inner.join.attendee_id
    }

    /// Starts sending the camera (or any video source), replacing a running one, and
    /// subscribes again with the video stream. Nothing is sent before this.
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) -> Result<(), Box<dyn std::error::Error>> {
    /// use connect_video::meeting::media::video::IvfSource;
    /// let camera = IvfSource::from_bytes(std::fs::read("camera.ivf")?)?;
    /// session.start_local_video(Box::new(camera.looped())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_local_video(
        &self,
        source: Box<dyn VideoSource>,
    ) -> Result<(), MeetingError> {
        self.call(|reply| Command::StartVideo(source, reply))
            .await?
    }

    /// Stops sending the camera and subscribes again without it. Does nothing when it is off.
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) -> Result<(), connect_video::meeting::session::MeetingError> {
    /// session.stop_local_video().await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop_local_video(&self) -> Result<(), MeetingError> {
        self.call(Command::StopVideo).await
    }

    /// Shares content: joins as `<attendee>#content`, sending `source` and receiving nothing.
    /// Completes once the share is subscribed; [`MeetingEvent::ContentShareStarted`]
    /// follows. Fails with [`MeetingError::ContentShareActive`] while a share runs.
    ///
    /// [`MeetingEvent::ContentShareStarted`]: super::MeetingEvent::ContentShareStarted
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) -> Result<(), connect_video::meeting::session::MeetingError> {
    /// use connect_video::meeting::media::video::TestPatternSource;
    /// session.start_content_share(Box::new(TestPatternSource::new())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_content_share(
        &self,
        source: Box<dyn VideoSource>,
    ) -> Result<(), MeetingError> {
        if self.inner.commands.is_closed() {
            return Err(MeetingError::Closed);
        }
        self.inner
            .content
            .start(&self.inner.join, &self.inner.options, source)
            .await
    }

    /// Stops the content share (`LEAVE` of the `#content` attendee); completes once it is
    /// closed. Does nothing when no share runs.
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) {
    /// session.stop_content_share().await;
    /// # }
    /// ```
    pub async fn stop_content_share(&self) {
        self.inner.content.stop().await;
    }

    /// Mutes or unmutes: the microphone sends silence, and the meeting is told
    /// (`AUDIO_CONTROL`; it is told again after a re-join). Every attendee, this one included,
    /// then sees [`MeetingEvent::MuteChanged`](super::MeetingEvent::MuteChanged).
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) -> Result<(), connect_video::meeting::session::MeetingError> {
    /// session.set_muted(true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_muted(&self, muted: bool) -> Result<(), MeetingError> {
        self.call(|reply| Command::Mute(muted, reply)).await?
    }

    /// The media counters: audio, the camera, and what each remote tile received.
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) -> Result<(), connect_video::meeting::session::MeetingError> {
    /// for tile in session.stats().await?.tiles {
    ///     println!("{}: {} frames, {} keyframes", tile.tile, tile.frames, tile.keyframes);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stats(&self) -> Result<MeetingStats, MeetingError> {
        self.call(Command::Stats).await
    }

    /// The low-level events of the session's media (each received video frame, audio
    /// arrival, connection state), across the peers a re-join replaces. Only events after the
    /// call are seen.
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) {
    /// use connect_video::meeting::media::MeetingMediaEvent;
    /// let mut media = session.media_events();
    /// while let Some(event) = media.recv().await {
    ///     if let MeetingMediaEvent::VideoFrameReceived { stream_id, frames, .. } = event {
    ///         println!("stream {stream_id}: {frames} frames");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn media_events(&self) -> MeetingMediaEvents {
        MeetingMediaEvents::new(self.inner.media.subscribe())
    }

    /// Leaves: the content share, then the attendee (`LEAVE` → `LEAVE_ACK`); returns the status
    /// the session ended with ([`MeetingStatus::Left`], or why it had ended already).
    ///
    /// ```no_run
    /// # async fn run(session: connect_video::meeting::session::MeetingSession) -> Result<(), connect_video::meeting::session::MeetingError> {
    /// let status = session.leave().await?;
    /// println!("left: {status:?}");
    /// # Ok(()) }
    /// ```
    pub async fn leave(&self) -> Result<MeetingStatus, MeetingError> {
        self.call(Command::Leave).await
    }

    async fn call<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, MeetingError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .commands
            .send(command(reply))
            .map_err(|_| MeetingError::Closed)?;
        answer.await.map_err(|_| MeetingError::Closed)
    }
}
