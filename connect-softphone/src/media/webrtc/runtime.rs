//! The async runtime a peer connection's driver runs on: webrtc-rs's default (tokio), plus
//! follow-up passes of the driver loop after every wake-up.
//!
//! Why: the webrtc-rs 0.21 driver drains its parts once per loop pass, in a fixed order (the
//! TURN relayer's output, then the core's output, then the relayer's input into the core), and
//! a pass runs only when something wakes the loop (a socket, a timer, an application write).
//! A packet the core emits on a relayed candidate pair is handed to the relayer after the
//! relayer was drained, so it leaves on the *next* pass; a packet read through the relay
//! reaches the core after the core was drained, so its answer waits a pass too. On a
//! relay-only call every ICE and DTLS hop therefore waited for an unrelated wake-up, in
//! practice the next 20 ms RTP write, and outbound audio left one packet late.
//!
//! This runtime gives each wake-up [`FOLLOW_UP_PASSES`] immediate extra passes, which carry a
//! packet through the relayer, the core and back out to the socket at once. Only the driver's own
//! timer is affected (recognised by the task it runs in); every other sleep, such as the
//! bounded wait in `close()`, is the plain runtime's.

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use webrtc::runtime::{
    default_runtime, AsyncInterval, AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, JoinHandle,
    Runtime,
};

use super::shared::lock;
use crate::media::MediaError;

/// Extra passes after each wake-up. The longest chain on a relayed pair is a packet read
/// through the relay that changes state: the pass after the wake-up hands it to the core,
/// which queues an event (the ICE pair selected); the next pass handles the event, which
/// queues output (the first DTLS flight); the next moves the output into the relayer; the
/// last sends it.
pub(super) const FOLLOW_UP_PASSES: u8 = 3;

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What wakes one driver: follow-up passes still owed, and nudges from the peer.
#[derive(Debug, Default)]
struct Wakes {
    follow_ups: AtomicU8,
    nudged: AtomicBool,
    timer: Mutex<Option<Waker>>,
}

impl Wakes {
    fn rearm(&self) {
        self.follow_ups.store(FOLLOW_UP_PASSES, Ordering::Release);
    }

    /// Takes one owed follow-up pass, if any.
    fn take_follow_up(&self) -> bool {
        self.follow_ups
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
    }

    fn nudge(&self) {
        self.nudged.store(true, Ordering::Release);
        if let Some(waker) = lock(&self.timer).take() {
            waker.wake();
        }
    }
}

thread_local! {
    /// The passes of the driver task this thread is polling right now, if any.
    static POLLING: RefCell<Option<Arc<Wakes>>> = const { RefCell::new(None) };
}

/// The runtime of one peer connection: webrtc-rs's tokio runtime whose driver gets immediate
/// follow-up passes after every wake-up (see the module documentation), so relayed ICE, DTLS
/// and RTP hops never wait for an unrelated wake-up. Give each peer connection its own.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use connect_softphone::media::DriverRuntime;
/// let runtime: Arc<dyn webrtc::runtime::Runtime> = Arc::new(DriverRuntime::new()?);
/// // PeerConnectionBuilder::new().with_runtime(runtime) ...
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DriverRuntime {
    inner: Arc<dyn Runtime>,
    wakes: Arc<Wakes>,
}

impl DriverRuntime {
    /// Wraps webrtc-rs's default runtime.
    pub fn new() -> Result<Self, MediaError> {
        let inner = default_runtime()
            .ok_or_else(|| MediaError::Setup("no async runtime for the peer connection".into()))?;
        Ok(Self {
            inner,
            wakes: Arc::new(Wakes::default()),
        })
    }

    /// Wakes the driver for a pass now. For changes the driver is not told about, such as
    /// remote candidates added to the ICE agent (webrtc-rs wakes it only for TCP ones).
    pub fn nudge(&self) {
        self.wakes.nudge();
    }

    /// Whether the calling code runs inside this runtime's driver task.
    fn in_driver(&self) -> bool {
        POLLING.with(|polling| {
            polling
                .borrow()
                .as_ref()
                .is_some_and(|wakes| Arc::ptr_eq(wakes, &self.wakes))
        })
    }

    fn mark(&self, future: BoxFuture) -> BoxFuture {
        Box::pin(Marked {
            wakes: Arc::clone(&self.wakes),
            future,
        })
    }
}

/// A spawned future that, while polled, marks its thread as running this driver.
struct Marked {
    wakes: Arc<Wakes>,
    future: BoxFuture,
}

impl Future for Marked {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        /// Restores the previous mark even if the poll panics.
        struct Restore(Option<Arc<Wakes>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                POLLING.with(|polling| *polling.borrow_mut() = self.0.take());
            }
        }
        let previous = POLLING.with(|polling| polling.replace(Some(Arc::clone(&self.wakes))));
        let _restore = Restore(previous);
        self.future.as_mut().poll(cx)
    }
}

/// The driver's timer for one pass: an owed follow-up (ready at once), or the real deadline
/// cut short by a nudge. Any wake-up other than a completed follow-up re-arms the follow-ups.
struct PassTimer {
    sleep: Option<BoxFuture>,
    fired: bool,
    wakes: Arc<Wakes>,
}

impl Future for PassTimer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let ready = match this.sleep.as_mut() {
            None => true,
            Some(sleep) => {
                // Register before looking at the flag, so a nudge in between is not lost.
                *lock(&this.wakes.timer) = Some(cx.waker().clone());
                this.wakes.nudged.swap(false, Ordering::AcqRel)
                    || sleep.as_mut().poll(cx).is_ready()
            }
        };
        if ready {
            this.fired = true;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for PassTimer {
    fn drop(&mut self) {
        if self.sleep.is_some() {
            lock(&self.wakes.timer).take();
        }
        let follow_up_done = self.sleep.is_none() && self.fired;
        if !follow_up_done {
            self.wakes.rearm();
        }
    }
}

impl Runtime for DriverRuntime {
    fn spawn(&self, future: BoxFuture) -> Box<dyn JoinHandle> {
        self.inner.spawn(self.mark(future))
    }

    fn spawn_reactor(&self, reactor_pool_size: usize, future: BoxFuture) -> Box<dyn JoinHandle> {
        self.inner
            .spawn_reactor(reactor_pool_size, self.mark(future))
    }

    fn wrap_udp_socket(&self, socket: std::net::UdpSocket) -> io::Result<Arc<dyn AsyncUdpSocket>> {
        self.inner.wrap_udp_socket(socket)
    }

    fn wrap_tcp_listener(
        &self,
        listener: std::net::TcpListener,
    ) -> io::Result<Arc<dyn AsyncTcpListener>> {
        self.inner.wrap_tcp_listener(listener)
    }

    fn connect_tcp<'a>(
        &'a self,
        remote_addr: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = io::Result<Arc<dyn AsyncTcpStream>>> + Send + 'a>> {
        self.inner.connect_tcp(remote_addr)
    }

    fn resolve_host<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        self.inner.resolve_host(host)
    }

    fn now(&self) -> Instant {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture {
        if !self.in_driver() {
            return self.inner.sleep(duration);
        }
        let sleep = if self.wakes.take_follow_up() {
            None
        } else {
            Some(self.inner.sleep(duration))
        };
        Box::pin(PassTimer {
            sleep,
            fired: false,
            wakes: Arc::clone(&self.wakes),
        })
    }

    fn interval(&self, period: Duration) -> Box<dyn AsyncInterval> {
        self.inner.interval(period)
    }

    fn block_on(&self, future: Pin<Box<dyn Future<Output = ()> + '_>>) {
        self.inner.block_on(future);
    }

    fn yield_now(&self) -> BoxFuture {
        self.inner.yield_now()
    }

    fn name(&self) -> &'static str {
        self.inner.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> DriverRuntime {
        DriverRuntime::new().expect("tokio runtime compiled in")
    }

    /// Runs `body` as if inside the driver task of `runtime`.
    fn in_driver<T>(runtime: &DriverRuntime, body: impl FnOnce() -> T) -> T {
        let previous = POLLING.with(|p| p.replace(Some(Arc::clone(&runtime.wakes))));
        let out = body();
        POLLING.with(|p| *p.borrow_mut() = previous);
        out
    }

    fn poll_once(future: &mut BoxFuture) -> Poll<()> {
        let waker = futures::task::noop_waker();
        future.as_mut().poll(&mut Context::from_waker(&waker))
    }

    #[tokio::test(start_paused = true)]
    async fn every_wake_up_earns_immediate_follow_up_passes() {
        let runtime = runtime();
        let long = Duration::from_secs(3600);
        // A wake-up by something else (the timer is dropped pending) re-arms.
        let mut timer = in_driver(&runtime, || runtime.sleep(long));
        assert!(poll_once(&mut timer).is_pending(), "first pass sleeps");
        drop(timer);
        for pass in 0..FOLLOW_UP_PASSES {
            let mut timer = in_driver(&runtime, || runtime.sleep(long));
            assert!(
                poll_once(&mut timer).is_ready(),
                "follow-up {pass} is immediate"
            );
        }
        let mut timer = in_driver(&runtime, || runtime.sleep(long));
        assert!(poll_once(&mut timer).is_pending(), "then the real deadline");
        drop(timer);
        // A follow-up dropped before it fired (another wake-up won) re-arms in full.
        let timer = in_driver(&runtime, || runtime.sleep(long));
        drop(timer);
        let mut follow_ups = 0;
        loop {
            let mut timer = in_driver(&runtime, || runtime.sleep(long));
            if poll_once(&mut timer).is_pending() {
                break;
            }
            follow_ups += 1;
        }
        assert_eq!(follow_ups, FOLLOW_UP_PASSES);
    }

    #[tokio::test(start_paused = true)]
    async fn a_nudge_ends_the_pending_sleep_or_the_next_one() {
        let runtime = runtime();
        let long = Duration::from_secs(3600);
        let mut timer = in_driver(&runtime, || runtime.sleep(long));
        assert!(poll_once(&mut timer).is_pending());
        runtime.nudge();
        assert!(poll_once(&mut timer).is_ready(), "a sleeping driver wakes");
        drop(timer);
        while in_driver(&runtime, || runtime.wakes.take_follow_up()) {}
        runtime.nudge(); // while the driver is busy: its next sleep is cut short
        let mut timer = in_driver(&runtime, || runtime.sleep(long));
        assert!(poll_once(&mut timer).is_ready());
        drop(timer);
        while in_driver(&runtime, || runtime.wakes.take_follow_up()) {}
        let mut timer = in_driver(&runtime, || runtime.sleep(long));
        assert!(poll_once(&mut timer).is_pending(), "one nudge, one wake-up");
    }

    #[tokio::test(start_paused = true)]
    async fn sleeps_outside_the_driver_are_plain() {
        let runtime = runtime();
        runtime.wakes.rearm();
        let mut sleep = runtime.sleep(Duration::from_secs(1));
        assert!(poll_once(&mut sleep).is_pending());
        assert!(
            runtime.wakes.take_follow_up(),
            "outside sleeps take no follow-up"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn spawned_tasks_are_marked_as_the_driver() {
        let runtime = Arc::new(runtime());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let probe = Arc::clone(&runtime);
        let _task = runtime.spawn(Box::pin(async move {
            let _ = tx.send(probe.in_driver());
        }));
        assert!(rx.await.expect("task ran"));
        assert!(!runtime.in_driver());
    }
}
