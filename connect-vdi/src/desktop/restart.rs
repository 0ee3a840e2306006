//! Automatic ICE restart of a redirected peer, as the in-desktop WebRTC engine does it: when
//! the peer's configuration carries a credential provider, ICE `disconnected` or `failed` for
//! the grace period (3 s) fetches fresh TURN credentials on the desktop (where CTI is) and
//! asks the engine for an ICE-restart offer (`createOffer{iceRestart, iceServers}`). The peer
//! reports `IceRestartStarted`, then `IceRestartOffer` (to send in the signalling `invite`;
//! its answer goes to `apply_answer`) or `IceRestartFailed`, retried with backoff until the
//! recovery window ends — the [`RestartPolicy`] machine, told the time.

use std::sync::{Arc, Weak};
use std::time::Instant;

use connect_core::time::Jitter;
use connect_softphone::media::{
    CredentialProvider, IceState, IceTimings, MediaEvent, MediaEvents, RestartAction, RestartPolicy,
};
use tokio::sync::broadcast;
use tracing::{info, warn};

use super::peer::RedirectedPeer;

fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Runs until the peer closes or is dropped.
pub(super) async fn supervise(
    peer: Weak<RedirectedPeer>,
    mut events: MediaEvents,
    credentials: Arc<dyn CredentialProvider>,
    timings: IceTimings,
    emit: broadcast::Sender<MediaEvent>,
) {
    let mut policy = RestartPolicy::new(timings);
    let jitter = Jitter::seeded(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()),
    );
    loop {
        let deadline = policy.deadline();
        let due = async {
            if let Some(deadline) = deadline {
                tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
            }
        };
        tokio::select! {
            event = events.recv() => match event {
                Some(MediaEvent::IceStateChanged(IceState::Closed)) | None => return,
                Some(MediaEvent::IceStateChanged(state)) => policy.on_ice(state, now()),
                Some(_) => {}
            },
            () = due, if deadline.is_some() => match policy.poll(now()) {
                Some(RestartAction::Restart(attempt)) => {
                    let _ = emit.send(MediaEvent::IceRestartStarted { attempt });
                    let Some(peer) = peer.upgrade() else { return };
                    let result = match credentials.fresh_ice_servers().await {
                        Ok(servers) => peer.offer(true, Some(servers)).await.map_err(|e| e.to_string()),
                        Err(error) => Err(error.to_string()),
                    };
                    drop(peer);
                    let ok = result.is_ok();
                    match result {
                        Ok(offer) => {
                            info!(target: "connect_vdi", attempt, "ICE restart offer ready on the endpoint");
                            let _ = emit.send(MediaEvent::IceRestartOffer(offer));
                        }
                        Err(reason) => {
                            warn!(target: "connect_vdi", attempt, %reason, "ICE restart attempt failed");
                            let _ = emit.send(MediaEvent::IceRestartFailed { attempt, reason, final_attempt: false });
                        }
                    }
                    policy.on_attempt_result(ok, now(), jitter.next_unit());
                }
                Some(RestartAction::GiveUp(attempt)) => {
                    warn!(target: "connect_vdi", attempt, "ICE recovery window over");
                    let _ = emit.send(MediaEvent::IceRestartFailed {
                        attempt,
                        reason: "recovery window over".into(),
                        final_attempt: true,
                    });
                }
                None => {}
            },
        }
    }
}
