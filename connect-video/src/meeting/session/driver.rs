//! The task behind a `MeetingSession`: it feeds the signalling events, the media events, the
//! handle's commands and the subscription rounds into the [`Plan`], one `SUBSCRIBE` at a time.

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::Arc;

use futures::future::{FutureExt, OptionFuture};
use tokio::sync::{broadcast, mpsc, oneshot};
use tracing::{debug, info, warn};

use super::content::ContentSlot;
use super::error::MeetingError;
use super::event::{EventSender, MeetingEvent};
use super::link::{Link, Round};
use super::plan::Plan;
use super::reuse::ReusableVideo;
use super::stats::{snapshot, MeetingStats};
use crate::meeting::media::video::VideoSource;
use crate::meeting::media::MeetingMediaEvent;
use crate::meeting::signal::{MeetingStatus, SignalError, SignalingEvent};

type Reply<T> = oneshot::Sender<T>;

/// What a session handle asks of the driver.
pub(super) enum Command {
    StartVideo(Box<dyn VideoSource>, Reply<Result<(), MeetingError>>),
    StopVideo(Reply<()>),
    Mute(bool, Reply<Result<(), MeetingError>>),
    Stats(Reply<MeetingStats>),
    Leave(Reply<MeetingStatus>),
}

/// One turn of the loop.
enum Step {
    Command(Option<Command>),
    Signal(Option<SignalingEvent>),
    Media(Option<MeetingMediaEvent>),
    Round(Round),
}

pub(super) struct Driver {
    link: Link,
    plan: Plan,
    events: EventSender,
    commands: mpsc::UnboundedReceiver<Command>,
    media_out: broadcast::Sender<MeetingMediaEvent>,
    content: Arc<ContentSlot>,
    camera: Option<ReusableVideo>,
    muted: bool,
    /// Whether the signalling is joined (no subscription while it reconnects).
    joined: bool,
    /// Whether the current peer's event stream is still open.
    media_open: bool,
    /// The subscription in flight (one at a time).
    round: Option<Pin<Box<dyn Future<Output = Round> + Send>>>,
    leaving: Vec<Reply<MeetingStatus>>,
}

impl Driver {
    pub(super) fn new(
        link: Link,
        plan: Plan,
        events: EventSender,
        commands: mpsc::UnboundedReceiver<Command>,
        media_out: broadcast::Sender<MeetingMediaEvent>,
        content: Arc<ContentSlot>,
    ) -> Self {
        Self {
            link,
            plan,
            events,
            commands,
            media_out,
            content,
            camera: None,
            muted: false,
            joined: true,
            media_open: true,
            round: None,
            leaving: Vec::new(),
        }
    }

    /// The first subscription, after what arrived with the `JOIN_ACK` (`INDEX`, presence), so
    /// that it already asks for the remote videos on offer. On failure the session leaves.
    pub(super) async fn establish(&mut self) -> Result<(), MeetingError> {
        while let Some(Some(event)) = self.link.signals.recv().now_or_never() {
            if let ControlFlow::Break(status) = self.signal(event).await {
                self.link.close_peer().await;
                return Err(SignalError::Ended(status).into());
            }
        }
        let round = self.link.round(self.plan.wanted()).await;
        match round.result {
            Ok(ack) => {
                let added = self.plan.on_applied(round.wanted, &ack.tracks);
                self.emit_all(added);
                Ok(())
            }
            Err(error) => {
                let _ = self.link.client.leave().await;
                self.link.close_peer().await;
                Err(error)
            }
        }
    }

    pub(super) async fn run(mut self) {
        let status = loop {
            if self.round.is_none() && self.joined {
                if let Some(wanted) = self.plan.due() {
                    debug!(?wanted, "subscribing");
                    self.round = Some(Box::pin(self.link.round(wanted)));
                }
            }
            let round: OptionFuture<_> = self.round.as_mut().into();
            let step = tokio::select! {
                command = self.commands.recv() => Step::Command(command),
                signal = self.link.signals.recv() => Step::Signal(signal),
                media = self.link.media.recv(), if self.media_open => Step::Media(media),
                Some(done) = round => Step::Round(done),
            };
            let flow = match step {
                Step::Command(Some(command)) => self.command(command).await,
                // Every handle is gone: leave.
                Step::Command(None) => ControlFlow::Break(self.leave().await),
                Step::Signal(Some(event)) => self.signal(event).await,
                Step::Signal(None) => ControlFlow::Break(MeetingStatus::SignalingConnectionLost),
                Step::Media(Some(event)) => {
                    self.media(event);
                    ControlFlow::Continue(())
                }
                Step::Media(None) => {
                    self.media_open = false;
                    ControlFlow::Continue(())
                }
                Step::Round(done) => {
                    self.round = None;
                    self.round_done(done);
                    ControlFlow::Continue(())
                }
            };
            if let ControlFlow::Break(status) = flow {
                break status;
            }
        };
        self.finish(status).await;
    }

    async fn command(&mut self, command: Command) -> ControlFlow<MeetingStatus> {
        match command {
            Command::StartVideo(source, reply) => {
                let _ = reply.send(self.start_camera(source).await);
            }
            Command::StopVideo(reply) => {
                self.stop_camera();
                let _ = reply.send(());
            }
            Command::Mute(muted, reply) => {
                self.muted = muted;
                self.link.peer.set_muted(muted);
                let sent = self.link.client.audio_control(muted).await;
                let _ = reply.send(sent.map_err(MeetingError::from));
            }
            Command::Stats(reply) => {
                let _ = reply.send(snapshot(&self.link.stats(), self.plan.tiles()));
            }
            Command::Leave(reply) => {
                self.leaving.push(reply);
                return ControlFlow::Break(self.leave().await);
            }
        }
        ControlFlow::Continue(())
    }

    async fn signal(&mut self, event: SignalingEvent) -> ControlFlow<MeetingStatus> {
        match event {
            SignalingEvent::JoinAck(ack) => {
                self.link.on_join_ack(&ack);
                let capacity = self.plan.set_limit(ack.video_subscription_limit);
                self.emit_all(capacity);
            }
            SignalingEvent::Reconnecting { status } => {
                self.joined = false;
                self.round = None;
                self.emit(MeetingEvent::Reconnecting { status });
            }
            SignalingEvent::Reconnected => {
                self.resume_media().await;
                self.emit(MeetingEvent::Reconnected);
            }
            SignalingEvent::Index(index) => {
                let capacity = self.plan.on_index(&index);
                self.emit_all(capacity);
            }
            SignalingEvent::Presence {
                attendee_id,
                external_user_id,
                present,
            } => self.emit(MeetingEvent::AttendeePresence {
                attendee_id,
                external_user_id,
                present,
            }),
            SignalingEvent::MuteChanged { attendee_id, muted } => {
                self.emit(MeetingEvent::MuteChanged { attendee_id, muted })
            }
            SignalingEvent::DataMessage(message) => {
                debug!(topic = %message.topic, "data message not handled by the session");
            }
            SignalingEvent::ServerError {
                status,
                description,
            } => info!(status, %description, "signalling error answer"),
            // Answered to the round that asked; logged by the signalling.
            SignalingEvent::SubscribeAck(_) | SignalingEvent::MalformedFrame(_) => {}
            SignalingEvent::Ended { status } => return ControlFlow::Break(status),
        }
        ControlFlow::Continue(())
    }

    /// After a re-join: a fresh peer (muted as before, the camera going on), and a fresh
    /// subscription.
    async fn resume_media(&mut self) {
        self.round = None;
        match self.link.renew_peer().await {
            Ok(()) => {
                self.media_open = true;
                self.link.peer.set_muted(self.muted);
                if let Some(camera) = &self.camera {
                    if let Err(error) = self.link.peer.start_local_video(camera.handle()).await {
                        warn!(%error, "the camera could not start again after the re-join");
                        self.camera = None;
                        self.plan.set_camera(false);
                        self.emit(MeetingEvent::LocalVideoStopped);
                    }
                }
            }
            Err(error) => warn!(%error, "the media could not be set up again after the re-join"),
        }
        self.plan.renegotiate();
        self.joined = true;
    }

    fn round_done(&mut self, round: Round) {
        if round.generation != self.link.generation() {
            debug!("a subscription for a replaced peer finished; ignored");
            return;
        }
        match round.result {
            Ok(ack) => {
                let tiles = self.plan.on_applied(round.wanted, &ack.tracks);
                self.emit_all(tiles);
            }
            Err(error) if error.is_retryable() => {
                // The signalling is reconnecting: subscribe again once it is back.
                debug!(%error, "subscription interrupted");
                self.joined = false;
            }
            Err(error) => {
                warn!(%error, "subscription failed; retried when the meeting changes");
                self.plan.on_failed(round.wanted);
            }
        }
    }

    fn media(&mut self, event: MeetingMediaEvent) {
        if event == MeetingMediaEvent::LocalVideoStopped
            && self.camera.is_some()
            && !self.link.peer.is_local_video_on()
        {
            info!("the camera source ended");
            self.camera = None;
            self.plan.set_camera(false);
            self.emit(MeetingEvent::LocalVideoStopped);
        }
        let _ = self.media_out.send(event);
    }

    async fn start_camera(&mut self, source: Box<dyn VideoSource>) -> Result<(), MeetingError> {
        let camera = ReusableVideo::new(source);
        self.link.peer.start_local_video(camera.handle()).await?;
        self.camera = Some(camera);
        self.plan.set_camera(true);
        self.emit(MeetingEvent::LocalVideoStarted);
        Ok(())
    }

    fn stop_camera(&mut self) {
        if self.camera.take().is_some() {
            self.link.peer.stop_local_video();
            self.plan.set_camera(false);
            self.emit(MeetingEvent::LocalVideoStopped);
        }
    }

    /// `LEAVE` of the content share and of the attendee; the status the session ends with.
    async fn leave(&mut self) -> MeetingStatus {
        self.content.stop().await;
        match self.link.client.leave().await {
            Ok(status) => status,
            Err(SignalError::Ended(status)) => status,
            Err(error) => {
                info!(%error, "LEAVE not acknowledged");
                MeetingStatus::Left
            }
        }
    }

    async fn finish(mut self, status: MeetingStatus) {
        info!(?status, "meeting session over");
        self.content.close().await;
        self.link.close_peer().await;
        self.emit(MeetingEvent::Left { status });
        for reply in self.leaving.drain(..) {
            let _ = reply.send(status);
        }
    }

    fn emit(&self, event: MeetingEvent) {
        let _ = self.events.send(event);
    }

    fn emit_all(&self, events: Vec<MeetingEvent>) {
        for event in events {
            self.emit(event);
        }
    }
}
