//! Waiting on an event stream for the first event a test is after: the [`first_event!`] macro
//! and what one receive of a stream can give ([`Received`]).
//!
//! [`first_event!`]: crate::first_event!

use tokio::sync::broadcast::error::RecvError;

/// Waits on an event stream for the first event `pick` maps to `Some(found)` and returns
/// `found`, skipping the events before it; under the [`HANG_GUARD`](crate::HANG_GUARD).
///
/// `first_event!(events, pick)` or `first_event!(events, pick, what)`:
///
/// - `events` is a place (a variable or a field, also through `&mut`) whose
///   `recv(&mut self)` is async and returns a [`Received`]: `Option<E>`, as the SDK's event
///   streams and tokio's mpsc receivers do, or a tokio broadcast receiver's `Result`, whose
///   lagged receives are skipped. The events after the one found stay in the stream.
/// - `pick` is an `FnMut(&E) -> Option<T>`.
/// - `what` (a `&str`, `String` or `&String`) names what the test waits for in the panic
///   messages; without it they name the stream.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use connect_testkit::first_event;
///
/// #[derive(Debug)]
/// enum Event {
///     Ringing,
///     Connected { codec: &'static str },
/// }
///
/// let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
/// tx.send(Event::Ringing).expect("receiver alive");
/// tx.send(Event::Connected { codec: "opus" }).expect("receiver alive");
/// let codec = first_event!(
///     events,
///     |e| match e {
///         Event::Connected { codec } => Some(*codec),
///         _ => None,
///     },
///     "Connected"
/// );
/// assert_eq!(codec, "opus");
/// # }
/// ```
///
/// # Panics
///
/// When the stream ends first, or when no event matches within the hang guard.
#[macro_export]
macro_rules! first_event {
    ($events:expr, $pick:expr $(,)?) => {
        $crate::first_event!(
            $events,
            $pick,
            ::core::concat!("a matching event on `", ::core::stringify!($events), "`")
        )
    };
    ($events:expr, $pick:expr, $what:expr $(,)?) => {{
        let what: &::core::primitive::str = &$what;
        $crate::within(what, async {
            let mut received = $events.recv().await;
            let mut pick = $crate::__private::picker(&received, $pick);
            loop {
                match $crate::Received::into_next(received) {
                    $crate::Next::Event(event) => {
                        if let ::core::option::Option::Some(found) = pick(&event) {
                            break found;
                        }
                    }
                    $crate::Next::Lagged => {}
                    $crate::Next::Ended => {
                        ::std::panic!("{}: the event stream ended first", what)
                    }
                }
                received = $events.recv().await;
            }
        })
        .await
    }};
}

/// What one receive of an event stream gave, as [`first_event!`](crate::first_event!) reads it.
///
/// ```
/// use connect_testkit::{Next, Received};
///
/// assert!(matches!(Some(3).into_next(), Next::Event(3)));
/// assert!(matches!(None::<i32>.into_next(), Next::Ended));
/// ```
pub trait Received {
    /// The stream's event.
    type Event;

    /// The event, a skipped receive, or the end of the stream.
    fn into_next(self) -> Next<Self::Event>;
}

/// One receive of an event stream, as [`Received::into_next`] classifies it.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<E> {
    /// An event.
    Event(E),
    /// A broadcast receiver fell behind and lost events; the next receive goes on.
    Lagged,
    /// The stream ended: every sender is gone.
    Ended,
}

/// `Option<E>`: the SDK's event streams and tokio's mpsc receivers (`None` ends the stream).
impl<E> Received for Option<E> {
    type Event = E;

    fn into_next(self) -> Next<E> {
        self.map_or(Next::Ended, Next::Event)
    }
}

/// A tokio broadcast receiver's receive.
impl<E> Received for Result<E, RecvError> {
    type Event = E;

    fn into_next(self) -> Next<E> {
        match self {
            Ok(event) => Next::Event(event),
            Err(RecvError::Lagged(_)) => Next::Lagged,
            Err(RecvError::Closed) => Next::Ended,
        }
    }
}

/// `pick`, typed after the stream's first receive, so that the closure's argument type is
/// known where [`first_event!`](crate::first_event!) writes it.
pub fn picker<R: Received, T>(
    _first: &R,
    pick: impl FnMut(&R::Event) -> Option<T>,
) -> impl FnMut(&R::Event) -> Option<T> {
    pick
}
