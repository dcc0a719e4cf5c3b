//! A channel for sending a single value from one task to another.
//!
//! # The problem
//!
//! One task computes a value, another one `.await`s it: the reply to a
//! request, the result of a job handed to a thread, a "shutdown finished"
//! signal. The receiving task must not spin while it waits; it should go to
//! sleep and be woken exactly when there is something to see. "Something"
//! means one of two events: *the value arrived*, or *the sender is gone and
//! no value will ever arrive* (otherwise a dropped sender would leave the
//! receiver waiting forever).
//!
//! # The design: one mutex, two waker slots
//!
//! [`channel`] allocates one shared `State` behind a mutex:
//!
//! ```text
//!   Sender ──┐                                   ┌── Receiver
//!            ▼                                   ▼
//!        Arc<Mutex<State { value:           Option<T>,
//!                          sender_done:     bool,       // sent or dropped
//!                          receiver_closed: bool,       // dropped or close()d
//!                          receiver_waker:  Option<Waker>,
//!                          sender_waker:    Option<Waker> }>>   // for `closed()`
//! ```
//!
//! Every operation follows the pattern that all async primitives repeat, the
//! core lesson of this module:
//!
//! * **Waiting side** (polling the [`Receiver`], or [`Sender::closed`]):
//!   lock, check the condition; if it holds, return `Ready`. Otherwise store
//!   the waker from the `Context` (replacing an older one unless
//!   [`Waker::will_wake`] says it is the same task, which saves a clone),
//!   unlock and return `Pending`. Checking and storing under *one* lock is
//!   what makes it impossible to miss an event: the other side cannot change
//!   the condition in between.
//! * **Signalling side** ([`Sender::send`], dropping the `Sender`, dropping
//!   or closing the `Receiver`): lock, change the condition, *take* the
//!   waker out of its slot, unlock, and only then call `wake()`. Waking after
//!   unlocking means the woken task (possibly on another thread, polling
//!   right away) never has to wait for our lock.
//!
//! # Invariants
//!
//! * The value is dropped exactly once: it is either returned to the caller
//!   of `send` (receiver already gone), taken by the receiver, or dropped by
//!   whichever of the receiver's drop and the last `Arc` drops it first.
//! * User values (`T`) are never dropped while the lock is held: a value's
//!   `Drop` may run arbitrary code, including code that uses this channel.
//! * Once `sender_done` or `receiver_closed` is set it is never cleared, and
//!   each flag is set by one handle only, so "ready" stays ready.
//! * A stored waker is always the one from the *most recent* poll, so the
//!   task that is actually waiting is the one that gets woken.
//!
//! # How Tokio does it differently
//!
//! `tokio::sync::oneshot` has no mutex. Its state is a single atomic word
//! with flag bits (receiver waker stored, sender waker stored, value sent,
//! closed); the value and the two wakers live in `UnsafeCell`s, and the
//! flags decide which side may touch which cell at any moment. Setting
//! "value sent" with one atomic operation both publishes the value and tells
//! the sender whether a receiver waker is waiting to be woken. That makes it
//! faster and allocation-light, but every step needs a careful ordering
//! argument; the mutex here keeps the logic visible. Tokio also charges each
//! poll to the task's cooperative *budget*, and polling its `Receiver` again
//! after it completed panics, where ours returns `Err(RecvError)`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::sync::{Arc, Mutex};

use self::error::{RecvError, TryRecvError};

/// Creates a new one-shot channel for sending a single value.
///
/// The [`Sender`] sends one value with [`Sender::send`]; the [`Receiver`] is
/// a future that resolves to it, or to [`RecvError`] if the sender is dropped
/// without sending.
///
/// ```
/// use mini_runtime::sync::oneshot;
///
/// let (tx, rx) = oneshot::channel();
/// std::thread::spawn(move || {
///     // Some slow work on another thread...
///     tx.send(6 * 7).unwrap();
/// });
/// let answer = mini_runtime::block_on(rx);
/// assert_eq!(answer, Ok(42));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            value: None,
            sender_done: false,
            receiver_closed: false,
            receiver_waker: None,
            sender_waker: None,
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// Sends a value to the associated [`Receiver`].
///
/// Created by [`channel`]. Dropping the sender without sending makes the
/// receiver resolve to [`RecvError`].
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives the value from the associated [`Sender`].
///
/// Created by [`channel`]. The receiver is itself a future: `.await` it to
/// get `Ok(value)`, or `Err(RecvError)` if the sender was dropped without
/// sending (or the receiver was [`close`](Receiver::close)d before a value
/// arrived). Dropping the receiver makes a later [`Sender::send`] fail.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

/// What both halves point to.
struct Shared<T> {
    state: Mutex<State<T>>,
}

/// Everything the two halves share, protected by one mutex.
struct State<T> {
    /// The value, between `send` and the moment the receiver takes it.
    value: Option<T>,
    /// The sender has sent or has been dropped: no (further) value will come.
    sender_done: bool,
    /// The receiver has been dropped or closed: `send` will fail.
    receiver_closed: bool,
    /// The task waiting in `Receiver::poll`, if any.
    receiver_waker: Option<Waker>,
    /// The task waiting in `Sender::closed`, if any.
    sender_waker: Option<Waker>,
}

/// Stores `waker` in `slot`, unless the waker already there would wake the
/// same task (then we skip the clone, which may cost an atomic increment).
fn store_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(stored) if stored.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

/// Wakes `waker` if there is one. Call this *after* releasing the lock.
fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl<T> Sender<T> {
    /// Sends `value` to the receiver, consuming the sender.
    ///
    /// This never waits: the value is stored in the channel and the receiver
    /// (if it is waiting) is woken.
    ///
    /// # Errors
    ///
    /// Returns `Err(value)`, giving the value back, if the receiver has been
    /// dropped or [closed](Receiver::close): nobody could ever receive it.
    /// A successful `send` does not mean the receiver *will* read the value;
    /// it may still be dropped before doing so.
    pub fn send(self, value: T) -> Result<(), T> {
        // exercise(oneshot): begin: store the value under the lock, then wake the receiver after unlocking
        // exercise(oneshot): stub: let _ = (self, value);
        // exercise(oneshot): stub: {todo}
        let mut state = self.shared.state.lock();
        if state.receiver_closed {
            // Hand the value back; `self` is dropped below and marks us done.
            return Err(value);
        }
        state.value = Some(value);
        state.sender_done = true;
        let waker = state.receiver_waker.take();
        drop(state);
        wake(waker);
        Ok(())
        // exercise(oneshot): end
    }

    /// Returns `true` if the receiver has been dropped or
    /// [closed](Receiver::close), so that [`send`](Sender::send) would fail.
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().receiver_closed
    }

    /// Waits until the receiver is dropped or [closed](Receiver::close).
    ///
    /// Useful to stop computing a value that nobody wants any more, e.g. by
    /// racing the computation against `closed()`.
    ///
    /// ```
    /// use mini_runtime::sync::oneshot;
    ///
    /// let (mut tx, rx) = oneshot::channel::<u32>();
    /// std::thread::spawn(move || drop(rx));
    /// mini_runtime::block_on(tx.closed());
    /// assert!(tx.is_closed());
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await;
    }

    /// Polls whether the receiver has been dropped or closed; the poll-level
    /// version of [`closed`](Sender::closed).
    ///
    /// Returns `Pending` and registers `cx`'s waker otherwise. Only the waker
    /// from the most recent call is woken.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.shared.state.lock();
        if state.receiver_closed {
            return Poll::Ready(());
        }
        store_waker(&mut state.sender_waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        if state.sender_done {
            // `send` already did the work (and woke the receiver).
            return;
        }
        // Dropped without sending: tell the receiver no value will come.
        state.sender_done = true;
        let waker = state.receiver_waker.take();
        drop(state);
        wake(waker);
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it has arrived, without waiting.
    ///
    /// # Errors
    ///
    /// * [`TryRecvError::Empty`]: no value yet, but the sender may still send.
    /// * [`TryRecvError::Closed`]: no value will ever come (the sender was
    ///   dropped, the receiver was closed, or the value was already taken).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.state.lock();
        if let Some(value) = state.value.take() {
            return Ok(value);
        }
        if state.sender_done || state.receiver_closed {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Prevents the sender from sending: any later [`Sender::send`] fails and
    /// gives its value back, and [`Sender::closed`] resolves.
    ///
    /// A value sent *before* `close` stays in the channel; take it with
    /// [`try_recv`](Receiver::try_recv) (or by awaiting the receiver).
    pub fn close(&mut self) {
        let mut state = self.shared.state.lock();
        state.receiver_closed = true;
        let waker = state.sender_waker.take();
        drop(state);
        wake(waker);
    }

    /// Blocks the current thread until the value arrives (or the sender is
    /// dropped). For synchronous code, e.g. a plain thread that needs the
    /// result of async work.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender was dropped without sending.
    ///
    /// # Panics
    ///
    /// When called on a thread that drives a mini_runtime runtime (see
    /// [`block_on`](fn@crate::block_on)): blocking it would stall its tasks.
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::block_on(self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // exercise(oneshot): begin: under one lock: take the value, or see that none will come, or store the waker
        // exercise(oneshot): stub: let _ = (self, cx, RecvError(()));
        // exercise(oneshot): stub: {todo}
        let mut state = self.shared.state.lock();
        // 1. Check the condition under the lock.
        if let Some(value) = state.value.take() {
            return Poll::Ready(Ok(value));
        }
        if state.sender_done || state.receiver_closed {
            return Poll::Ready(Err(RecvError(())));
        }
        // 2. Not ready: leave our waker where the sender will find it. The
        //    sender cannot slip in between the check and this store, because
        //    it needs the lock we are holding.
        store_waker(&mut state.receiver_waker, cx.waker());
        Poll::Pending
        // exercise(oneshot): end
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        state.receiver_closed = true;
        // A value nobody will read: take it out and drop it after unlocking.
        let unread = state.value.take();
        let sender_waker = state.sender_waker.take();
        let own_waker = state.receiver_waker.take();
        drop(state);
        wake(sender_waker);
        drop(own_waker);
        drop(unread);
    }
}

impl<T> fmt::Debug for State<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No `T: Debug` bound: report whether there is a value, not the value.
        f.debug_struct("State")
            .field("has_value", &self.value.is_some())
            .field("sender_done", &self.sender_done)
            .field("receiver_closed", &self.receiver_closed)
            .field("receiver_waiting", &self.receiver_waker.is_some())
            .field("sender_waiting", &self.sender_waker.is_some())
            .finish()
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("state", &*self.shared.state.lock())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("state", &*self.shared.state.lock())
            .finish()
    }
}

/// Errors returned by the one-shot channel.
pub mod error {
    use std::fmt;

    /// The error of awaiting a [`Receiver`](super::Receiver): the sender was
    /// dropped without sending a value (or the receiver was closed first).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    /// The error of [`Receiver::try_recv`](super::Receiver::try_recv).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TryRecvError {
        /// No value has been sent yet, but the sender still exists.
        Empty,
        /// No value will ever be received: the sender was dropped without
        /// sending, the receiver was closed, or the value was already taken.
        Closed,
    }

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::error::{RecvError, TryRecvError};
    use super::*;
    use crate::block_on;
    use crate::test_util::with_time_limit;
    use futures::FutureExt;
    use std::pin::pin;
    use std::sync::Arc as StdArc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::task::Wake;
    use std::thread;
    use std::time::Duration;

    const LIMIT: Duration = Duration::from_secs(20);

    /// A waker that counts how often it was woken.
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: StdArc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn counting_waker() -> (Waker, StdArc<CountingWaker>) {
        let counter = StdArc::new(CountingWaker(AtomicUsize::new(0)));
        (Waker::from(counter.clone()), counter)
    }

    impl CountingWaker {
        fn count(&self) -> usize {
            self.0.load(SeqCst)
        }
    }

    /// A value that counts how often it was dropped.
    #[derive(Debug)]
    struct DropCounter(StdArc<AtomicUsize>);

    impl Drop for DropCounter {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn drop_counter() -> (DropCounter, StdArc<AtomicUsize>) {
        let drops = StdArc::new(AtomicUsize::new(0));
        (DropCounter(drops.clone()), drops)
    }

    #[test]
    fn send_then_recv() {
        with_time_limit(LIMIT, || {
            let (tx, rx) = channel();
            tx.send("hello").unwrap();
            assert_eq!(block_on(rx), Ok("hello"));
        });
    }

    #[test]
    fn recv_waits_for_a_send_from_another_thread() {
        with_time_limit(LIMIT, || {
            let (tx, rx) = channel();
            let sender = thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                tx.send(7_u32).unwrap();
            });
            assert_eq!(block_on(rx), Ok(7));
            sender.join().unwrap();
        });
    }

    #[test]
    fn sender_dropped_from_another_thread_wakes_receiver_with_error() {
        with_time_limit(LIMIT, || {
            let (tx, rx) = channel::<u32>();
            let dropper = thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                drop(tx);
            });
            assert_eq!(block_on(rx), Err(RecvError(())));
            dropper.join().unwrap();
        });
    }

    #[test]
    fn send_after_receiver_dropped_returns_the_value() {
        let (tx, rx) = channel();
        assert!(!tx.is_closed());
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.send(5), Err(5));
    }

    #[test]
    fn sender_dropped_without_sending_gives_recv_error() {
        let (tx, rx) = channel::<u8>();
        drop(tx);
        assert_eq!(rx.now_or_never(), Some(Err(RecvError(()))));
    }

    #[test]
    fn try_recv_empty_then_value_then_closed() {
        let (tx, mut rx) = channel();
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        tx.send(1).unwrap();
        assert_eq!(rx.try_recv(), Ok(1));
        // The value was taken and the sender is gone: nothing more will come.
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    }

    #[test]
    fn try_recv_closed_when_sender_dropped() {
        let (tx, mut rx) = channel::<()>();
        drop(tx);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    }

    #[test]
    fn receiver_pending_until_send_and_woken_once() {
        let (tx, mut rx) = channel();
        let (waker, wakes) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
        assert_eq!(wakes.count(), 0);
        tx.send(3).unwrap();
        assert_eq!(wakes.count(), 1);
        assert_eq!(Pin::new(&mut rx).poll(&mut cx), Poll::Ready(Ok(3)));
    }

    #[test]
    fn only_the_latest_waker_is_woken() {
        let (tx, mut rx) = channel();
        let (first, first_wakes) = counting_waker();
        let (second, second_wakes) = counting_waker();
        assert!(
            Pin::new(&mut rx)
                .poll(&mut Context::from_waker(&first))
                .is_pending()
        );
        assert!(
            Pin::new(&mut rx)
                .poll(&mut Context::from_waker(&second))
                .is_pending()
        );
        tx.send(()).unwrap();
        assert_eq!(first_wakes.count(), 0);
        assert_eq!(second_wakes.count(), 1);
    }

    #[test]
    fn sender_drop_wakes_a_polled_receiver() {
        let (tx, mut rx) = channel::<u8>();
        let (waker, wakes) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut rx).poll(&mut cx).is_pending());
        drop(tx);
        assert_eq!(wakes.count(), 1);
        assert_eq!(
            Pin::new(&mut rx).poll(&mut cx),
            Poll::Ready(Err(RecvError(())))
        );
    }

    #[test]
    fn close_prevents_send_but_keeps_a_value_sent_before() {
        let (tx, mut rx) = channel();
        rx.close();
        assert!(tx.is_closed());
        assert_eq!(tx.send(1), Err(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

        let (tx, mut rx) = channel();
        tx.send(2).unwrap();
        rx.close();
        assert_eq!(rx.try_recv(), Ok(2));
    }

    #[test]
    fn awaiting_a_closed_receiver_without_value_errors() {
        with_time_limit(LIMIT, || {
            let (_tx, mut rx) = channel::<u8>();
            rx.close();
            assert_eq!(block_on(rx), Err(RecvError(())));
        });
    }

    #[test]
    fn value_dropped_once_when_received() {
        let (value, drops) = drop_counter();
        let (tx, rx) = channel();
        tx.send(value).unwrap();
        let received = rx.now_or_never().unwrap().unwrap();
        assert_eq!(drops.load(SeqCst), 0);
        drop(received);
        assert_eq!(drops.load(SeqCst), 1);
    }

    #[test]
    fn value_dropped_once_when_never_read() {
        // Receiver dropped after the send.
        let (value, drops) = drop_counter();
        let (tx, rx) = channel();
        tx.send(value).unwrap();
        assert_eq!(drops.load(SeqCst), 0);
        drop(rx);
        assert_eq!(drops.load(SeqCst), 1);

        // Receiver closed, then dropped, value still inside.
        let (value, drops) = drop_counter();
        let (tx, mut rx) = channel();
        tx.send(value).unwrap();
        rx.close();
        drop(rx);
        assert_eq!(drops.load(SeqCst), 1);
    }

    #[test]
    fn value_dropped_once_when_send_fails() {
        let (value, drops) = drop_counter();
        let (tx, rx) = channel();
        drop(rx);
        let returned = tx.send(value).unwrap_err();
        assert_eq!(drops.load(SeqCst), 0);
        drop(returned);
        assert_eq!(drops.load(SeqCst), 1);
    }

    #[test]
    fn value_dropped_once_across_threads() {
        with_time_limit(LIMIT, || {
            for _ in 0..200 {
                let (value, drops) = drop_counter();
                let (tx, rx) = channel();
                let sender = thread::spawn(move || {
                    let _ = tx.send(value);
                });
                drop(rx);
                sender.join().unwrap();
                assert_eq!(drops.load(SeqCst), 1);
            }
        });
    }

    #[test]
    fn closed_resolves_when_receiver_dropped_on_another_thread() {
        with_time_limit(LIMIT, || {
            let (mut tx, rx) = channel::<u8>();
            let dropper = thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                drop(rx);
            });
            block_on(tx.closed());
            assert!(tx.is_closed());
            dropper.join().unwrap();
        });
    }

    #[test]
    fn poll_closed_is_woken_by_close() {
        let (mut tx, mut rx) = channel::<u8>();
        let (waker, wakes) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(tx.poll_closed(&mut cx).is_pending());
        rx.close();
        assert_eq!(wakes.count(), 1);
        assert!(tx.poll_closed(&mut cx).is_ready());
        let mut closed = pin!(tx.closed());
        assert!(closed.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn blocking_recv_from_a_plain_thread() {
        with_time_limit(LIMIT, || {
            let (tx, rx) = channel();
            let receiver = thread::spawn(move || rx.blocking_recv());
            thread::sleep(Duration::from_millis(10));
            tx.send(String::from("done")).unwrap();
            assert_eq!(receiver.join().unwrap(), Ok(String::from("done")));
        });
    }

    #[test]
    fn many_round_trips_across_threads() {
        with_time_limit(LIMIT, || {
            for i in 0..1000_u32 {
                let (tx, rx) = channel();
                let sender = thread::spawn(move || tx.send(i).unwrap());
                assert_eq!(block_on(rx), Ok(i));
                sender.join().unwrap();
            }
        });
    }

    #[test]
    fn handles_are_send_sync_unpin_and_debug() {
        fn assert_send_sync<T: Send + Sync>() {}
        fn assert_unpin<T: Unpin>() {}
        assert_send_sync::<Sender<String>>();
        assert_send_sync::<Receiver<String>>();
        assert_unpin::<Receiver<std::marker::PhantomPinned>>();

        struct NotDebug;
        let (tx, rx) = channel::<NotDebug>();
        assert!(format!("{tx:?}").contains("Sender"));
        assert!(format!("{rx:?}").contains("Receiver"));
    }

    #[test]
    fn errors_display_and_are_errors() {
        fn assert_error<E: std::error::Error + Clone + Eq + Send + Sync + 'static>(_: &E) {}
        let recv = RecvError(());
        assert_error(&recv);
        assert_eq!(recv.to_string(), "channel closed");
        assert_error(&TryRecvError::Empty);
        assert_eq!(TryRecvError::Empty.to_string(), "channel empty");
        assert_eq!(TryRecvError::Closed.to_string(), "channel closed");
        assert_eq!(format!("{:?}", TryRecvError::Closed), "Closed");
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::error::RecvError;
    use super::*;
    use loom::sync::Arc as LoomArc;
    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use loom::thread;
    use std::pin::pin;
    use std::task::Wake;

    /// Drives `future` to completion on the current loom thread.
    ///
    /// (`loom::future::block_on` needs loom's `futures` feature, which this
    /// workspace does not enable; this is the same idea built on loom's
    /// `park`/`unpark`, so loom reports a lost wake-up as a deadlock.)
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unpark(thread::Thread);
        impl Wake for Unpark {
            fn wake(self: std::sync::Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(std::sync::Arc::new(Unpark(thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            thread::park();
        }
    }

    #[test]
    fn loom_oneshot_send_recv() {
        loom::model(|| {
            let (tx, rx) = channel();
            let sender = thread::spawn(move || tx.send(1_u8).unwrap());
            assert_eq!(block_on(rx), Ok(1));
            sender.join().unwrap();
        });
    }

    #[test]
    fn loom_oneshot_sender_dropped() {
        loom::model(|| {
            let (tx, rx) = channel::<u8>();
            let dropper = thread::spawn(move || drop(tx));
            assert_eq!(block_on(rx), Err(RecvError(())));
            dropper.join().unwrap();
        });
    }

    #[test]
    fn loom_oneshot_value_dropped_once_when_receiver_dropped() {
        struct Counted(LoomArc<AtomicUsize>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.0.fetch_add(1, SeqCst);
            }
        }
        loom::model(|| {
            let drops = LoomArc::new(AtomicUsize::new(0));
            let value = Counted(drops.clone());
            let (tx, rx) = channel();
            let sender = thread::spawn(move || {
                let _ = tx.send(value);
            });
            drop(rx);
            sender.join().unwrap();
            assert_eq!(drops.load(SeqCst), 1);
        });
    }

    #[test]
    fn loom_oneshot_closed_wakes_sender() {
        loom::model(|| {
            let (mut tx, rx) = channel::<u8>();
            let waiter = thread::spawn(move || {
                block_on(tx.closed());
                assert!(tx.is_closed());
            });
            drop(rx);
            waiter.join().unwrap();
        });
    }
}
