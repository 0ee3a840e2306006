//! The supervisor of one peer: turns transport signals into media events, starts a receive
//! loop per remote track, and restarts ICE with fresh credentials when the policy says so.

use std::sync::Arc;
use std::time::Instant;

use super::shared::now;

use connect_core::time::Jitter;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tracing::{info, warn};

use super::core::Core;
use super::handler::Signal;
use super::receive;
use super::shared::lock;
use crate::audio::AudioSink;
use crate::media::{CodecFactory, IceState, MediaEvent, RestartAction, RestartPolicy};

pub(super) struct Supervisor {
    pub(super) core: Arc<Core>,
    pub(super) codecs: Arc<dyn CodecFactory>,
    pub(super) sink: Arc<tokio::sync::Mutex<Box<dyn AudioSink>>>,
    pub(super) signals_tx: mpsc::UnboundedSender<Signal>,
}

#[derive(Default)]
struct Link {
    ice: Option<IceState>,
    transport_connected: bool,
    up: bool,
}

impl Supervisor {
    /// Runs until the peer's signal channel closes; owns the receive loops.
    pub(super) async fn run(self, mut signals: mpsc::UnboundedReceiver<Signal>) {
        let shared = Arc::clone(&self.core.shared);
        let mut policy = RestartPolicy::new(self.core.config.timings);
        let jitter = Jitter::seeded(
            u64::from(std::process::id())
                ^ now().saturating_duration_since(shared.created).as_nanos() as u64,
        );
        let mut link = Link::default();
        let mut receivers = JoinSet::new();
        let mut restarting = JoinSet::new();
        loop {
            let deadline = policy
                .deadline()
                .filter(|_| self.core.config.credentials.is_some() && restarting.is_empty());
            let signal = tokio::select! {
                signal = signals.recv() => match signal {
                    Some(signal) => signal,
                    None => break,
                },
                () = sleep_until(deadline), if deadline.is_some() => {
                    match policy.poll(now()) {
                        Some(RestartAction::Restart(attempt)) => {
                            shared.emit(MediaEvent::IceRestartStarted { attempt });
                            restarting.spawn(self.attempt(attempt));
                        }
                        Some(RestartAction::GiveUp(attempt)) => {
                            warn!(attempt, "ICE recovery window over");
                            shared.emit(MediaEvent::IceRestartFailed {
                                attempt,
                                reason: "recovery window over".into(),
                                final_attempt: true,
                            });
                        }
                        None => {}
                    }
                    continue;
                }
                Some(_) = restarting.join_next(), if !restarting.is_empty() => continue,
            };
            match signal {
                Signal::Ice(state) => {
                    *lock(&shared.ice_state) = Some(state);
                    shared.emit(MediaEvent::IceStateChanged(state));
                    match state {
                        IceState::Disconnected => shared.emit(MediaEvent::Disconnected),
                        IceState::Failed => shared.emit(MediaEvent::Failed),
                        _ => {}
                    }
                    policy.on_ice(state, now());
                    link.ice = Some(state);
                }
                Signal::Transport { connected, failed } => {
                    link.transport_connected = connected;
                    if failed {
                        shared.emit(MediaEvent::Failed);
                    }
                }
                Signal::Track(track) => {
                    receivers.spawn(receive::run(
                        Arc::clone(&shared),
                        track,
                        Arc::clone(&self.codecs),
                        Arc::clone(&self.sink),
                    ));
                }
                Signal::RestartDone(attempt, result) => {
                    let ok = result.is_ok();
                    match result {
                        Ok(offer) => {
                            info!(attempt, "ICE restart offer ready");
                            shared.emit(MediaEvent::IceRestartOffer(offer));
                        }
                        Err(reason) => {
                            warn!(attempt, %reason, "ICE restart attempt failed");
                            shared.emit(MediaEvent::IceRestartFailed {
                                attempt,
                                reason,
                                final_attempt: false,
                            });
                        }
                    }
                    policy.on_attempt_result(ok, now(), jitter.next_unit());
                }
            }
            let up = link.transport_connected && link.ice.is_some_and(IceState::is_connected);
            if up && !link.up {
                shared.emit(MediaEvent::Connected);
            }
            if up != link.up {
                shared.transport_up.send_replace(up);
            }
            link.up = up;
        }
        receivers.shutdown().await;
        restarting.shutdown().await;
    }

    /// One restart attempt: fresh credentials, then a restart offer.
    fn attempt(&self, attempt: u32) -> impl std::future::Future<Output = ()> + Send + 'static {
        let core = Arc::clone(&self.core);
        let done = self.signals_tx.clone();
        async move {
            let result = match core.config.credentials.as_ref() {
                Some(provider) => match provider.fresh_ice_servers().await {
                    Ok(servers) => core.restart(servers).await.map_err(|e| e.to_string()),
                    Err(error) => Err(error.to_string()),
                },
                None => Err("no credential provider".to_owned()),
            };
            let _ = done.send(Signal::RestartDone(attempt, result));
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(deadline) = deadline {
        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
    }
}
