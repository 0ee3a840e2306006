//! The inner steps of [`WsMachine`]: what it does after every input, in order.

use super::event::{ResumeCause, SocketId, WsEvent, WsOutput};
use super::frame::Frame;
use super::machine::{Socket, WsMachine, CLOSE_NORMAL, CLOSE_STALE};
use super::subscriptions::{millis, SubscriptionStep, Subscriptions};
use crate::model::Timestamp;

impl WsMachine {
    pub(super) fn drive(&mut self, now: Timestamp) {
        if self.stopped || !self.started {
            return;
        }
        if self.backoff_until.is_some_and(|at| at <= now) {
            self.backoff_until = None;
        }
        self.check_open_timeout(now);
        self.run_heartbeats(now);
        self.acquire_socket(now);
        self.poll_subscriptions(now);
        self.promote_if_ready(now);
    }

    pub(super) fn check_open_timeout(&mut self, now: Timestamp) {
        let timeout = millis(self.opts.timings.open_timeout);
        if let Some(c) = &self.candidate {
            if c.opened_at.is_none() && now.millis_since(c.created_at) >= timeout {
                let id = c.id;
                tracing::warn!(socket = id.0, "WebSocket did not open in time");
                self.candidate = None;
                self.out.push_back(WsOutput::Close {
                    socket: id,
                    code: CLOSE_STALE,
                });
                self.back_off(now);
            }
        }
    }

    pub(super) fn run_heartbeats(&mut self, now: Timestamp) {
        let period = millis(self.opts.timings.heartbeat);
        let mut stale = Vec::new();
        let mut beats = Vec::new();
        for s in self.sockets_mut() {
            if s.opened_at.is_none() || now < s.heartbeat_due {
                continue;
            }
            if s.heartbeat_outstanding {
                stale.push(s.id);
                continue;
            }
            s.heartbeat_outstanding = true;
            s.heartbeat_due = now.add_millis(period);
            beats.push(s.id);
        }
        for id in beats {
            self.send_frame(id, &Frame::heartbeat());
        }
        for id in stale {
            tracing::warn!(
                socket = id.0,
                "heartbeat unanswered: rebuilding the WebSocket"
            );
            self.out.push_back(WsOutput::Close {
                socket: id,
                code: CLOSE_STALE,
            });
            if self.candidate.as_ref().is_some_and(|c| c.id == id) {
                self.candidate = None;
                self.back_off(now);
            } else {
                self.primary = None;
                self.url = None;
                self.rebuild = Some(ResumeCause::MissedHeartbeat);
                self.connection_lost("heartbeat unanswered");
            }
        }
    }

    pub(super) fn acquire_socket(&mut self, now: Timestamp) {
        if self.candidate.is_some() || self.backoff_until.is_some() {
            return;
        }
        let needed = match &self.primary {
            None => true,
            Some(p) => {
                self.rebuild.is_some()
                    || p.opened_at
                        .is_some_and(|at| now.millis_since(at) >= p.lifetime_ms)
            }
        };
        if !needed {
            return;
        }
        let validity = millis(self.opts.timings.url_validity);
        if let Some((url, _)) = self
            .url
            .as_ref()
            .filter(|(_, fetched)| now.millis_since(*fetched) < validity)
        {
            self.next_id += 1;
            let id = SocketId(self.next_id);
            let url_text = url.url.clone();
            self.candidate = Some(Socket {
                id,
                created_at: now,
                opened_at: None,
                lifetime_ms: millis(url.lifetime),
                heartbeat_due: now,
                heartbeat_outstanding: false,
                subs: Subscriptions::default(),
            });
            self.out.push_back(WsOutput::Open {
                socket: id,
                url: url_text,
            });
        } else if !self.fetching {
            self.url = None;
            self.fetching = true;
            self.out.push_back(WsOutput::FetchUrl);
        }
    }

    pub(super) fn poll_subscriptions(&mut self, now: Timestamp) {
        let (desired, timings) = (&self.desired, &self.opts.timings);
        let mut steps = Vec::new();
        if let Some(p) = self.primary.as_mut().filter(|s| s.opened_at.is_some()) {
            steps.push((p.id, p.subs.poll(now, desired, timings), true));
        }
        if let Some(c) = self.candidate.as_mut().filter(|s| s.opened_at.is_some()) {
            steps.push((c.id, c.subs.poll(now, desired, timings), false));
        }
        for (id, step, primary) in steps {
            self.apply(now, id, step, primary);
        }
    }

    pub(super) fn apply(
        &mut self,
        now: Timestamp,
        socket: SocketId,
        step: SubscriptionStep,
        primary: bool,
    ) {
        if let Some(topics) = step.send {
            self.send_frame(socket, &Frame::subscribe(topics));
        }
        match step.event {
            // A replacement socket's confirmations are internal.
            Some(WsEvent::SubscriptionUpdate { .. }) if !primary => {}
            // A replacement that cannot subscribe is abandoned and retried after a backoff.
            Some(WsEvent::SubscriptionFailure { .. }) if !primary => {
                tracing::warn!(
                    socket = socket.0,
                    "replacement WebSocket could not subscribe"
                );
                self.candidate = None;
                self.out.push_back(WsOutput::Close {
                    socket,
                    code: CLOSE_NORMAL,
                });
                self.back_off(now);
            }
            Some(event) => self.out.push_back(WsOutput::Event(event)),
            None => {}
        }
    }

    pub(super) fn promote_if_ready(&mut self, now: Timestamp) {
        let Some(c) = self.candidate.as_ref().filter(|c| c.opened_at.is_some()) else {
            return;
        };
        if self.primary.is_some() && !c.subs.covers(&self.desired) {
            return;
        }
        let Some(candidate) = self.candidate.take() else {
            return;
        };
        self.url = None; // a URL serves one successful open
        if let Some(old) = self.primary.replace(candidate) {
            tracing::info!(old = old.id.0, "WebSocket replaced (make-before-break)");
            self.out.push_back(WsOutput::Close {
                socket: old.id,
                code: CLOSE_NORMAL,
            });
        }
        if self.lost || !self.ever_open {
            self.out
                .push_back(WsOutput::Event(WsEvent::ConnectionGained));
        }
        self.lost = false;
        self.ever_open = true;
        if let Some(cause) = self.rebuild.take() {
            self.out
                .push_back(WsOutput::Event(WsEvent::Resumed { cause }));
        }
        // A promoted replacement starts on the primary's subscriptions already confirmed.
        self.poll_subscriptions(now);
    }

    pub(super) fn back_off(&mut self, now: Timestamp) {
        let delay = self.opts.policy.next_delay();
        tracing::debug!(delay_ms = delay.as_millis() as u64, "WebSocket backing off");
        self.backoff_until = Some(now.add_millis(millis(delay)));
    }

    pub(super) fn connection_lost(&mut self, reason: &str) {
        if !self.lost && self.ever_open {
            self.out.push_back(WsOutput::Event(WsEvent::ConnectionLost {
                reason: reason.to_owned(),
            }));
        }
        self.lost = true;
    }

    pub(super) fn send_frame(&mut self, socket: SocketId, frame: &Frame) {
        self.out.push_back(WsOutput::Send {
            socket,
            text: frame.to_text(),
        });
    }

    pub(super) fn socket_mut(&mut self, id: SocketId) -> Option<&mut Socket> {
        self.sockets_mut().find(|s| s.id == id)
    }

    pub(super) fn sockets_mut(&mut self) -> impl Iterator<Item = &mut Socket> {
        self.primary.iter_mut().chain(self.candidate.iter_mut())
    }
}
