//! Multi-producer, single-consumer channels: a queue of messages between
//! tasks, with *backpressure* when it is bounded.
//!
//! # The problem
//!
//! Many tasks (the producers) send messages to one task (the consumer).
//! The consumer must sleep while the queue is empty and wake when a message
//! arrives, or when it is clear that none ever will (every producer is gone),
//! so that a `while let Some(msg) = rx.recv().await` loop ends. With a
//! **bounded** queue there is a second kind of sleeper: a producer that finds
//! the queue full must wait until the consumer makes room. That waiting is
//! the point: it slows fast producers down to the consumer's pace instead of
//! letting the queue eat all the memory (*backpressure*).
//!
//! # The design
//!
//! One `Mutex` protects all of the channel's state (see `chan.rs`):
//!
//! ```text
//!  Sender ─┐ (clones)                                      ┌─ Receiver
//!  Sender ─┼─▶ Arc<Chan { Mutex<State {                    │
//!  Sender ─┘        buffer:          VecDeque<T>,    ◀─────┘  messages, oldest first
//!                   senders:         usize,                   handles alive
//!                   closed:          bool,                    receiver closed/dropped
//!                   receiver_waker:  Option<Waker>,           the consumer, if waiting
//!                   closed_waiters:  WaitList,                `closed().await`ers
//!                   slots: Option<Slots {                     None = unbounded
//!                       max, free,                            capacity bookkeeping
//!                       waiting:     WaitList,                senders waiting for space (FIFO)
//!                       granted:     Vec<ticket> }> }> }>     slots promised, not yet used
//! ```
//!
//! Who waits for what, and who wakes them:
//!
//! | waiting                    | for                                  | woken by                                          |
//! |----------------------------|--------------------------------------|---------------------------------------------------|
//! | the receiver in `recv`     | a message, or "no more messages"     | a send; the last sender's drop                    |
//! | a sender in `send`         | a free slot                          | a `recv` (or a cancelled sender) handing it a slot; closing |
//! | a sender in `closed()`     | the receiver to go away              | `close()`; dropping the receiver                  |
//!
//! Each of them does the same dance, the lesson of this module: **lock;
//! check the condition; if it does not hold, store the waker (skipping the
//! clone when [`Waker::will_wake`](std::task::Waker::will_wake) says it is
//! the same task) and return `Pending`; unlock**. The other side: **lock;
//! change the condition; take the waker out; unlock; then wake it**. Because
//! the check and the store happen under the same lock that the waking side
//! needs, a wake-up can never fall into the gap between them.
//!
//! ## Fair capacity: slots are handed over, not dropped in a pool
//!
//! When `recv` takes a message out of a full channel, the freed slot is not
//! simply put back for anyone to grab. If senders are waiting, the slot is
//! *granted* to the one at the front of the line (its ticket moves to
//! `granted`), and only that sender is woken. A sender that comes along in
//! the meantime finds `free == 0` and queues behind. That is how "a sender
//! that started waiting first gets the next free slot first" is kept.
//!
//! ## Cancellation
//!
//! A future can be dropped at any `Pending`, e.g. when it loses a `select!`.
//!
//! * A dropped `send` future leaves the line. If it had already been granted
//!   a slot, it passes that slot on to the next sender in line (or back to
//!   the free pool), so no capacity leaks and nobody behind it is stuck.
//! * A dropped `recv` future loses nothing: a message leaves the buffer only
//!   in the poll that returns it. `recv` is *cancel-safe*.
//!
//! ## Closing
//!
//! [`Receiver::close`] (or dropping the receiver) sets `closed`: every send
//! fails from then on and returns its value in the error; senders waiting in
//! line are woken to fail. Messages already buffered can still be received
//! after `close` (dropping the receiver drops them instead). `recv` returns
//! `None` once the buffer is empty and nothing more can arrive.
//!
//! # Invariants
//!
//! * Every message sent successfully is received exactly once, or dropped
//!   exactly once with the channel; it is never lost by a cancelled future.
//! * Per sender, messages arrive in the order they were sent.
//! * `free + granted + buffered == max_capacity`, and `free > 0` only when no
//!   sender is waiting (checked with `debug_assert!` after every change).
//! * Waiting senders are served in the order they started waiting.
//! * Wakers are woken, and user values dropped, only after unlocking.
//!
//! # How Tokio does it differently
//!
//! `tokio::sync::mpsc` takes no lock on the message path.
//!
//! * **Buffer**: a linked list of fixed-size *blocks* of slots. A sender
//!   claims a slot index with one atomic `fetch_add` on the tail, writes its
//!   value, and sets a "ready" bit; the single receiver walks the list from
//!   the head and recycles drained blocks. No `VecDeque`, no mutex.
//! * **Capacity**: a separate *semaphore* with one permit per slot. `send` is
//!   `reserve().await` (acquire a permit) followed by writing the value. The
//!   semaphore's waiters form an *intrusive* linked list: the list nodes live
//!   inside the pinned `Acquire` futures themselves, so waiting allocates
//!   nothing and leaving the line is O(1), at the cost of `unsafe` code. The
//!   permit API is public (`reserve`, `Permit`, `OwnedPermit`), and a permit
//!   obtained before `close` can still send after it; here, a send that has
//!   not yet stored its value when the channel closes fails instead.
//! * **Receiver waker**: an `AtomicWaker`, a lock-free one-waker register.
//! * **Unbounded**: the semaphore is replaced by an atomic message counter.
//! * **Fairness across tasks**: `recv` spends the task's cooperative
//!   *budget*, so a task that always has messages still yields now and then.

mod bounded;
mod chan;
pub mod error;
mod unbounded;
mod wait_list;

pub use self::bounded::{Receiver, Sender};
pub use self::unbounded::{UnboundedReceiver, UnboundedSender};

/// Creates a bounded channel that buffers at most `capacity` messages.
///
/// When the buffer is full, [`Sender::send`] waits until the receiver makes
/// room (senders are served in the order they started waiting), and
/// [`Sender::try_send`] fails with [`TrySendError::Full`](error::TrySendError::Full).
///
/// ```
/// use mini_runtime::sync::mpsc;
///
/// let (tx, mut rx) = mpsc::channel(8);
/// let producers: Vec<_> = (0..2)
///     .map(|id| {
///         let tx = tx.clone();
///         std::thread::spawn(move || {
///             for i in 0..3 {
///                 tx.blocking_send((id, i)).unwrap();
///             }
///         })
///     })
///     .collect();
/// drop(tx); // only the producers' clones remain
///
/// let received = mini_runtime::block_on(async {
///     let mut received = Vec::new();
///     while let Some(message) = rx.recv().await {
///         received.push(message);
///     }
///     received // `recv` returned None: every sender is gone
/// });
/// for producer in producers {
///     producer.join().unwrap();
/// }
/// assert_eq!(received.len(), 6);
/// ```
///
/// # Panics
///
/// If `capacity` is 0. (Tokio has no rendezvous channel either; use a
/// capacity of 1 for the smallest hand-off, or a [`oneshot`](super::oneshot).)
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "mpsc bounded channel requires buffer > 0 (got `mpsc::channel(0)`); \
         use a capacity of at least 1, or `mpsc::unbounded_channel()`"
    );
    bounded::new(capacity)
}

/// Creates an unbounded channel: sending never waits, so
/// [`UnboundedSender::send`] is a plain (non-async) function.
///
/// Without backpressure, a producer that is faster than the consumer grows
/// the buffer without limit; prefer [`channel`] unless you know the rate is
/// bounded some other way.
///
/// ```
/// use mini_runtime::sync::mpsc;
///
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// std::thread::spawn(move || {
///     for word in ["never", "waits"] {
///         tx.send(word).unwrap();
///     }
/// });
/// mini_runtime::block_on(async {
///     assert_eq!(rx.recv().await, Some("never"));
///     assert_eq!(rx.recv().await, Some("waits"));
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    unbounded::new()
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::error::{SendError, TryRecvError, TrySendError};
    use super::*;
    use crate::block_on;
    use crate::test_util::with_time_limit;
    use futures::FutureExt;
    use std::collections::HashSet;
    use std::future::Future;
    use std::pin::{Pin, pin};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::task::{Context, Poll, Wake, Waker};
    use std::thread;
    use std::time::Duration;

    const LIMIT: Duration = Duration::from_secs(30);

    /// A waker that counts its wake-ups.
    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    impl CountingWaker {
        fn count(&self) -> usize {
            self.0.load(SeqCst)
        }
    }

    fn counting_waker() -> (Waker, Arc<CountingWaker>) {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        (Waker::from(counter.clone()), counter)
    }

    /// Polls `fut` once with `waker`.
    fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
        fut.poll(&mut Context::from_waker(waker))
    }

    /// A message that counts how often it was dropped.
    struct DropCounter(Arc<AtomicUsize>);

    impl Drop for DropCounter {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    #[test]
    fn messages_arrive_in_fifo_order() {
        with_time_limit(LIMIT, || {
            let (tx, mut rx) = channel(16);
            block_on(async {
                for i in 0..10 {
                    tx.send(i).await.unwrap();
                }
                drop(tx);
                let mut got = Vec::new();
                while let Some(i) = rx.recv().await {
                    got.push(i);
                }
                assert_eq!(got, (0..10).collect::<Vec<_>>());
            });
        });
    }

    #[test]
    fn send_on_a_full_channel_waits_for_a_recv() {
        let (tx, mut rx) = channel(1);
        tx.try_send(1).unwrap();
        assert_eq!(tx.capacity(), 0);

        let (waker, wakes) = counting_waker();
        let mut send = pin!(tx.send(2));
        assert!(poll_once(send.as_mut(), &waker).is_pending());
        assert!(poll_once(send.as_mut(), &waker).is_pending());
        assert_eq!(wakes.count(), 0, "nothing changed, nobody should wake us");

        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(wakes.count(), 1, "the recv must wake the waiting sender");
        assert_eq!(poll_once(send.as_mut(), &waker), Poll::Ready(Ok(())));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(tx.capacity(), 1);
    }

    #[test]
    fn recv_on_an_empty_channel_waits_for_a_send() {
        let (tx, mut rx) = channel(4);
        let (waker, wakes) = counting_waker();
        {
            let mut recv = pin!(rx.recv());
            assert!(poll_once(recv.as_mut(), &waker).is_pending());
            assert_eq!(wakes.count(), 0);
            tx.try_send(9).unwrap();
            assert_eq!(wakes.count(), 1);
            assert_eq!(poll_once(recv.as_mut(), &waker), Poll::Ready(Some(9)));
        }
        // A second recv future, then the last sender goes: woken with None.
        let mut recv = pin!(rx.recv());
        assert!(poll_once(recv.as_mut(), &waker).is_pending());
        drop(tx);
        assert_eq!(wakes.count(), 2);
        assert_eq!(poll_once(recv.as_mut(), &waker), Poll::Ready(None));
    }

    #[test]
    fn waiting_senders_are_served_in_order() {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).unwrap();
        let wakers: Vec<_> = (0..3).map(|_| counting_waker()).collect();
        let mut a = pin!(tx.send(1));
        let mut b = pin!(tx.send(2));
        let mut c = pin!(tx.send(3));
        assert!(poll_once(a.as_mut(), &wakers[0].0).is_pending());
        assert!(poll_once(b.as_mut(), &wakers[1].0).is_pending());
        assert!(poll_once(c.as_mut(), &wakers[2].0).is_pending());

        assert_eq!(rx.try_recv(), Ok(0));
        // Only the first in line was woken; the slot is reserved for it.
        assert_eq!(
            wakers.iter().map(|w| w.1.count()).collect::<Vec<_>>(),
            [1, 0, 0]
        );
        assert!(poll_once(c.as_mut(), &wakers[2].0).is_pending());
        assert!(poll_once(b.as_mut(), &wakers[1].0).is_pending());
        assert_eq!(tx.try_send(99), Err(TrySendError::Full(99)));
        assert!(poll_once(a.as_mut(), &wakers[0].0).is_ready());

        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(
            wakers.iter().map(|w| w.1.count()).collect::<Vec<_>>(),
            [1, 1, 0]
        );
        assert!(poll_once(c.as_mut(), &wakers[2].0).is_pending());
        assert!(poll_once(b.as_mut(), &wakers[1].0).is_ready());

        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(
            wakers.iter().map(|w| w.1.count()).collect::<Vec<_>>(),
            [1, 1, 1]
        );
        assert!(poll_once(c.as_mut(), &wakers[2].0).is_ready());
        assert_eq!(rx.try_recv(), Ok(3));
    }

    #[test]
    fn a_newcomer_cannot_jump_the_line() {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).unwrap();
        let (waker, _) = counting_waker();
        let mut first = pin!(tx.send(1));
        assert!(poll_once(first.as_mut(), &waker).is_pending());
        assert_eq!(rx.try_recv(), Ok(0)); // the slot is granted to `first`
        let mut newcomer = pin!(tx.send(2));
        assert!(poll_once(newcomer.as_mut(), &waker).is_pending());
        assert!(poll_once(first.as_mut(), &waker).is_ready());
        assert_eq!(rx.try_recv(), Ok(1));
        assert!(poll_once(newcomer.as_mut(), &waker).is_ready());
        assert_eq!(rx.try_recv(), Ok(2));
    }

    #[test]
    fn a_waiting_sender_keeps_its_place_when_polled_with_a_new_waker() {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).unwrap();
        let (old, old_wakes) = counting_waker();
        let (new, new_wakes) = counting_waker();
        let (other, other_wakes) = counting_waker();
        let mut first = pin!(tx.send(1));
        let mut second = pin!(tx.send(2));
        assert!(poll_once(first.as_mut(), &old).is_pending());
        assert!(poll_once(second.as_mut(), &other).is_pending());
        assert!(poll_once(first.as_mut(), &new).is_pending());
        assert_eq!(rx.try_recv(), Ok(0));
        assert_eq!((old_wakes.count(), new_wakes.count()), (0, 1));
        assert_eq!(other_wakes.count(), 0);
        assert!(poll_once(first.as_mut(), &new).is_ready());
    }

    #[test]
    fn dropping_a_waiting_send_gives_up_its_place() {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).unwrap();
        let (wa, a_wakes) = counting_waker();
        let (wb, b_wakes) = counting_waker();
        let mut a = Box::pin(tx.send(1));
        let mut b = pin!(tx.send(2));
        assert!(poll_once(a.as_mut(), &wa).is_pending());
        assert!(poll_once(b.as_mut(), &wb).is_pending());
        drop(a); // leaves the line before any slot was freed

        assert_eq!(rx.try_recv(), Ok(0));
        assert_eq!((a_wakes.count(), b_wakes.count()), (0, 1));
        assert!(poll_once(b.as_mut(), &wb).is_ready());
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(tx.capacity(), 1);
    }

    #[test]
    fn dropping_a_granted_send_passes_the_slot_on() {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).unwrap();
        let (wa, a_wakes) = counting_waker();
        let (wb, b_wakes) = counting_waker();
        let mut a = Box::pin(tx.send(1));
        let mut b = pin!(tx.send(2));
        assert!(poll_once(a.as_mut(), &wa).is_pending());
        assert!(poll_once(b.as_mut(), &wb).is_pending());

        assert_eq!(rx.try_recv(), Ok(0)); // slot granted to `a`, `a` woken
        assert_eq!((a_wakes.count(), b_wakes.count()), (1, 0));
        drop(a); // ... but `a` is cancelled before it uses the slot
        assert_eq!(b_wakes.count(), 1, "the slot must pass to `b`");
        assert!(poll_once(b.as_mut(), &wb).is_ready());
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(tx.capacity(), 1);
    }

    #[test]
    fn dropping_the_only_granted_send_returns_the_slot() {
        let (tx, mut rx) = channel(2);
        tx.try_send(0).unwrap();
        tx.try_send(1).unwrap();
        let (waker, _) = counting_waker();
        let mut a = Box::pin(tx.send(2));
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        assert_eq!(rx.try_recv(), Ok(0));
        assert_eq!(tx.capacity(), 0, "the freed slot is promised to `a`");
        drop(a);
        assert_eq!(tx.capacity(), 1);
        tx.try_send(3).unwrap();
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Ok(3));
    }

    #[test]
    fn cancelled_sends_never_leak_capacity() {
        with_time_limit(LIMIT, || {
            const PRODUCERS: usize = 4;
            const ROUNDS: usize = if cfg!(miri) { 20 } else { 2_000 };
            let (tx, mut rx) = channel::<usize>(2);
            let sent = Arc::new(AtomicUsize::new(0));
            let producers: Vec<_> = (0..PRODUCERS)
                .map(|p| {
                    let tx = tx.clone();
                    let sent = sent.clone();
                    thread::spawn(move || {
                        for i in 0..ROUNDS {
                            // Odd rounds: poll once, and cancel if not ready.
                            // Even rounds: really send.
                            if i % 2 == 1 {
                                if tx.send(p).now_or_never().is_some() {
                                    sent.fetch_add(1, SeqCst);
                                }
                            } else {
                                block_on(tx.send(p)).unwrap();
                                sent.fetch_add(1, SeqCst);
                            }
                        }
                    })
                })
                .collect();
            drop(tx);
            let mut received = 0;
            let mut last_capacity_check = None;
            while let Some(_p) = rx.blocking_recv() {
                received += 1;
                last_capacity_check = Some(rx.max_capacity());
            }
            for producer in producers {
                producer.join().unwrap();
            }
            assert_eq!(received, sent.load(SeqCst));
            assert!(received >= PRODUCERS * ROUNDS / 2);
            assert_eq!(last_capacity_check, Some(2));
            assert_eq!(rx.capacity(), 2, "every slot is free again");
        });
    }

    #[test]
    fn recv_returns_none_after_all_senders_dropped_and_buffer_drained() {
        with_time_limit(LIMIT, || {
            let (tx, mut rx) = channel(4);
            let tx2 = tx.clone();
            tx.try_send(1).unwrap();
            tx2.try_send(2).unwrap();
            drop(tx);
            assert!(!rx.is_closed());
            drop(tx2);
            assert!(rx.is_closed());
            assert_eq!(rx.len(), 2);
            block_on(async {
                assert_eq!(rx.recv().await, Some(1));
                assert_eq!(rx.recv().await, Some(2));
                assert_eq!(rx.recv().await, None);
                assert_eq!(rx.recv().await, None);
            });
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        });
    }

    #[test]
    fn close_stops_sends_but_keeps_buffered_messages() {
        with_time_limit(LIMIT, || {
            let (tx, mut rx) = channel(4);
            tx.try_send(1).unwrap();
            tx.try_send(2).unwrap();
            assert!(!tx.is_closed());
            rx.close();
            assert!(tx.is_closed());
            assert!(rx.is_closed());
            assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
            assert_eq!(block_on(tx.send(4)), Err(SendError(4)));
            block_on(async {
                assert_eq!(rx.recv().await, Some(1));
                assert_eq!(rx.recv().await, Some(2));
                assert_eq!(rx.recv().await, None, "closed and drained, senders alive");
            });
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        });
    }

    #[test]
    fn close_fails_waiting_senders() {
        let (tx, mut rx) = channel(1);
        tx.try_send(1).unwrap();
        let (wa, a_wakes) = counting_waker();
        let (wb, b_wakes) = counting_waker();
        let mut a = pin!(tx.send(2));
        let mut b = pin!(tx.send(3));
        assert!(poll_once(a.as_mut(), &wa).is_pending());
        assert!(poll_once(b.as_mut(), &wb).is_pending());
        rx.close();
        assert_eq!((a_wakes.count(), b_wakes.count()), (1, 1));
        assert_eq!(poll_once(a.as_mut(), &wa), Poll::Ready(Err(SendError(2))));
        assert_eq!(poll_once(b.as_mut(), &wb), Poll::Ready(Err(SendError(3))));
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    fn dropping_the_receiver_fails_sends_and_drops_buffered_messages_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = channel(4);
        for _ in 0..3 {
            tx.try_send(DropCounter(drops.clone())).unwrap();
        }
        drop(rx);
        assert_eq!(drops.load(SeqCst), 3);
        assert!(tx.is_closed());
        let err = tx.try_send(DropCounter(drops.clone())).unwrap_err();
        assert!(matches!(err, TrySendError::Closed(_)));
        drop(err);
        assert_eq!(drops.load(SeqCst), 4);
        assert_eq!(tx.capacity(), 4);
    }

    #[test]
    fn messages_are_dropped_once_in_every_path() {
        with_time_limit(LIMIT, || {
            let drops = Arc::new(AtomicUsize::new(0));
            let counted = || DropCounter(drops.clone());
            let (tx, mut rx) = channel(2);
            tx.try_send(counted()).unwrap(); // received and dropped
            tx.try_send(counted()).unwrap(); // left in the buffer
            drop(block_on(rx.recv()));
            assert_eq!(drops.load(SeqCst), 1);
            // A cancelled send drops its value with the future.
            tx.try_send(counted()).unwrap();
            let cancelled = tx.send(counted()).now_or_never();
            assert!(cancelled.is_none());
            assert_eq!(drops.load(SeqCst), 2);
            // Both handles dropped with messages inside: dropped with the channel.
            drop(tx);
            drop(rx);
            assert_eq!(drops.load(SeqCst), 4);

            // Unbounded: never-received messages go with the last handle.
            let (utx, urx) = unbounded_channel();
            utx.send(counted()).unwrap();
            utx.send(counted()).unwrap();
            drop(urx);
            assert_eq!(drops.load(SeqCst), 6);
            drop(utx.send(counted()).unwrap_err());
            assert_eq!(drops.load(SeqCst), 7);
        });
    }

    #[test]
    fn recv_is_cancel_safe() {
        with_time_limit(LIMIT, || {
            let (tx, mut rx) = channel(1);
            let (waker, wakes) = counting_waker();
            {
                let mut recv = pin!(rx.recv());
                assert!(poll_once(recv.as_mut(), &waker).is_pending());
            } // dropped while pending
            tx.try_send(5).unwrap();
            assert_eq!(wakes.count(), 1, "the stale waker may be woken, harmlessly");
            assert_eq!(block_on(rx.recv()), Some(5), "the message was not lost");

            // Same with select: the recv loses the race but keeps the message.
            let (tx, mut rx) = unbounded_channel::<u8>();
            block_on(async {
                let recv = pin!(rx.recv());
                let ready = pin!(async {});
                match futures::future::select(recv, ready).await {
                    futures::future::Either::Right(_) => {}
                    futures::future::Either::Left(_) => panic!("nothing was sent yet"),
                }
            });
            tx.send(6).unwrap();
            assert_eq!(block_on(rx.recv()), Some(6));
        });
    }

    #[test]
    fn try_send_reports_full_and_closed() {
        let (tx, rx) = channel(2);
        assert_eq!(tx.max_capacity(), 2);
        assert_eq!(tx.capacity(), 2);
        tx.try_send('a').unwrap();
        assert_eq!(tx.capacity(), 1);
        tx.try_send('b').unwrap();
        assert_eq!(tx.capacity(), 0);
        assert_eq!(rx.capacity(), 0);
        assert_eq!(rx.max_capacity(), 2);
        let full = tx.try_send('c').unwrap_err();
        assert_eq!(full, TrySendError::Full('c'));
        assert_eq!(full.into_inner(), 'c');
        drop(rx);
        assert_eq!(tx.try_send('d'), Err(TrySendError::Closed('d')));
    }

    #[test]
    fn try_recv_reports_empty_and_disconnected() {
        let (tx, mut rx) = channel(2);
        assert!(rx.is_empty());
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        tx.try_send(1).unwrap();
        assert_eq!(rx.len(), 1);
        drop(tx);
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }

    #[test]
    #[should_panic(expected = "mpsc bounded channel requires buffer > 0")]
    fn zero_capacity_panics() {
        let _ = channel::<()>(0);
    }

    #[test]
    fn unbounded_send_recv_and_end_of_stream() {
        with_time_limit(LIMIT, || {
            let (tx, mut rx) = unbounded_channel();
            let tx2 = tx.clone();
            assert!(tx.same_channel(&tx2));
            assert!(!tx.same_channel(&unbounded_channel().0));
            for i in 0..1000 {
                tx.send(i).unwrap();
            }
            assert_eq!(rx.len(), 1000);
            drop(tx);
            tx2.send(1000).unwrap();
            drop(tx2);
            let got: Vec<_> = std::iter::from_fn(|| rx.blocking_recv()).collect();
            assert_eq!(got, (0..=1000).collect::<Vec<_>>());
            assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        });
    }

    #[test]
    fn unbounded_send_fails_after_close_or_drop() {
        let (tx, mut rx) = unbounded_channel();
        assert!(!tx.is_closed());
        tx.send(1).unwrap();
        rx.close();
        assert!(tx.is_closed());
        assert_eq!(tx.send(2), Err(SendError(2)));
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));

        let (tx, rx) = unbounded_channel();
        drop(rx);
        assert_eq!(tx.send(3).unwrap_err().0, 3);
    }

    #[test]
    fn unbounded_poll_recv_wakes_on_send() {
        let (tx, mut rx) = unbounded_channel();
        let (waker, wakes) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(rx.poll_recv(&mut cx).is_pending());
        tx.send("x").unwrap();
        assert_eq!(wakes.count(), 1);
        assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some("x")));
    }

    /// `P` producer threads send `N` messages each; every message arrives
    /// exactly once and each producer's messages arrive in order.
    fn check_cross_thread_delivery(
        spawn_producer: impl Fn(usize) -> thread::JoinHandle<()>,
        mut recv: impl FnMut() -> Option<(usize, usize)>,
        producers: usize,
        per_producer: usize,
    ) {
        let handles: Vec<_> = (0..producers).map(spawn_producer).collect();
        let mut next = vec![0; producers];
        let mut seen = HashSet::new();
        while let Some((p, i)) = recv() {
            assert_eq!(i, next[p], "producer {p}'s messages out of order");
            next[p] += 1;
            assert!(seen.insert((p, i)), "duplicate message");
        }
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(next, vec![per_producer; producers]);
    }

    #[test]
    fn bounded_cross_thread_producers() {
        with_time_limit(LIMIT, || {
            const N: usize = if cfg!(miri) { 50 } else { 10_000 };
            let (tx, mut rx) = channel(16);
            let txs: Vec<_> = (0..4).map(|_| tx.clone()).collect();
            drop(tx); // only the producers' senders remain
            let txs = std::sync::Mutex::new(txs);
            check_cross_thread_delivery(
                |p| {
                    let tx = txs.lock().unwrap().pop().unwrap();
                    thread::spawn(move || {
                        block_on(async {
                            for i in 0..N {
                                tx.send((p, i)).await.unwrap();
                            }
                        })
                    })
                },
                || block_on(rx.recv()),
                4,
                N,
            );
        });
    }

    #[test]
    fn bounded_cross_thread_blocking_send_and_recv() {
        with_time_limit(LIMIT, || {
            const N: usize = if cfg!(miri) { 50 } else { 10_000 };
            let (tx, mut rx) = channel(1);
            let txs: Vec<_> = (0..4).map(|_| tx.clone()).collect();
            drop(tx);
            let txs = std::sync::Mutex::new(txs);
            check_cross_thread_delivery(
                |p| {
                    let tx = txs.lock().unwrap().pop().unwrap();
                    thread::spawn(move || {
                        for i in 0..N {
                            tx.blocking_send((p, i)).unwrap();
                        }
                    })
                },
                || rx.blocking_recv(),
                4,
                N,
            );
        });
    }

    #[test]
    fn unbounded_cross_thread_producers() {
        with_time_limit(LIMIT, || {
            const N: usize = if cfg!(miri) { 50 } else { 10_000 };
            let (tx, mut rx) = unbounded_channel();
            let txs: Vec<_> = (0..4).map(|_| tx.clone()).collect();
            drop(tx);
            let txs = std::sync::Mutex::new(txs);
            check_cross_thread_delivery(
                |p| {
                    let tx = txs.lock().unwrap().pop().unwrap();
                    thread::spawn(move || {
                        for i in 0..N {
                            tx.send((p, i)).unwrap();
                        }
                    })
                },
                || block_on(rx.recv()),
                4,
                N,
            );
        });
    }

    #[test]
    fn closed_resolves_when_the_receiver_goes() {
        with_time_limit(LIMIT, || {
            let (tx, rx) = channel::<u8>(1);
            let dropper = thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                drop(rx);
            });
            block_on(tx.closed());
            assert!(tx.is_closed());
            dropper.join().unwrap();

            let (tx, mut rx) = unbounded_channel::<u8>();
            let (waker, wakes) = counting_waker();
            let mut closed = pin!(tx.closed());
            let mut dropped_early = Box::pin(tx.closed());
            assert!(poll_once(closed.as_mut(), &waker).is_pending());
            assert!(poll_once(dropped_early.as_mut(), &waker).is_pending());
            drop(dropped_early);
            rx.close();
            assert_eq!(wakes.count(), 1);
            assert!(poll_once(closed.as_mut(), &waker).is_ready());
        });
    }

    #[test]
    fn handles_are_send_sync_and_debug_without_t_debug() {
        fn assert_send_sync<T: Send + Sync>() {}
        fn assert_send<T: Send>(_: &T) {}
        assert_send_sync::<Sender<String>>();
        assert_send_sync::<Receiver<String>>();
        assert_send_sync::<UnboundedSender<String>>();
        assert_send_sync::<UnboundedReceiver<String>>();

        struct NotDebug;
        let (tx, mut rx) = channel::<NotDebug>(1);
        assert_send(&tx.send(NotDebug));
        assert_send(&rx.recv());
        assert!(format!("{tx:?}").contains("max_capacity: 1"));
        assert!(format!("{rx:?}").starts_with("Receiver"));
        let (utx, urx) = unbounded_channel::<NotDebug>();
        assert!(format!("{utx:?}").starts_with("UnboundedSender"));
        assert!(format!("{urx:?}").starts_with("UnboundedReceiver"));
        assert!(tx.same_channel(&tx.clone()));
    }

    #[test]
    fn errors_display_and_debug_without_t_debug() {
        struct NotDebug;
        fn assert_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
        let send = SendError(NotDebug);
        assert_error(&send);
        assert_eq!(send.to_string(), "channel closed");
        assert_eq!(format!("{send:?}"), "SendError { .. }");
        let full = TrySendError::Full(NotDebug);
        assert_error(&full);
        assert_eq!(full.to_string(), "no available capacity");
        assert_eq!(format!("{full:?}"), "Full(..)");
        let closed: TrySendError<NotDebug> = SendError(NotDebug).into();
        assert_eq!(closed.to_string(), "channel closed");
        assert_eq!(format!("{closed:?}"), "Closed(..)");
        assert_error(&TryRecvError::Empty);
        assert_eq!(
            TryRecvError::Empty.to_string(),
            "receiving on an empty channel"
        );
        assert_eq!(
            TryRecvError::Disconnected.to_string(),
            "receiving on a closed channel"
        );
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::error::SendError;
    use super::*;
    use loom::thread;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Wake, Waker};

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
    fn loom_mpsc_two_senders_one_receiver() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            let tx2 = tx.clone();
            let t1 = thread::spawn(move || block_on(tx.send(1)).unwrap());
            let t2 = thread::spawn(move || block_on(tx2.send(2)).unwrap());
            let a = block_on(rx.recv()).unwrap();
            let b = block_on(rx.recv()).unwrap();
            assert_eq!(a + b, 3);
            assert_eq!(block_on(rx.recv()), None);
            t1.join().unwrap();
            t2.join().unwrap();
        });
    }

    #[test]
    fn loom_mpsc_backpressure_keeps_order() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            let producer = thread::spawn(move || {
                block_on(async {
                    tx.send(1).await.unwrap();
                    tx.send(2).await.unwrap();
                })
            });
            assert_eq!(block_on(rx.recv()), Some(1));
            assert_eq!(block_on(rx.recv()), Some(2));
            assert_eq!(block_on(rx.recv()), None);
            producer.join().unwrap();
        });
    }

    #[test]
    fn loom_mpsc_unbounded_end_of_stream() {
        loom::model(|| {
            let (tx, mut rx) = unbounded_channel();
            let producer = thread::spawn(move || tx.send(7).unwrap());
            assert_eq!(block_on(rx.recv()), Some(7));
            assert_eq!(block_on(rx.recv()), None);
            producer.join().unwrap();
        });
    }

    #[test]
    fn loom_mpsc_close_wakes_waiting_sender() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            tx.try_send(1).unwrap();
            let sender = thread::spawn(move || block_on(tx.send(2)));
            rx.close();
            assert_eq!(sender.join().unwrap(), Err(SendError(2)));
            assert_eq!(rx.try_recv(), Ok(1));
        });
    }

    #[test]
    fn loom_mpsc_cancelled_send_passes_its_slot_on() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            tx.try_send(1).unwrap();
            let tx2 = tx.clone();
            let other = thread::spawn(move || block_on(tx2.send(2)).unwrap());
            {
                // Join the line (before or after `other`), let a recv grant
                // the slot to whoever is first, then give up.
                let mut cancelled = pin!(tx.send(3));
                let _ = cancelled
                    .as_mut()
                    .poll(&mut Context::from_waker(Waker::noop()));
                assert_eq!(rx.try_recv(), Ok(1));
            }
            assert_eq!(block_on(rx.recv()), Some(2));
            other.join().unwrap();
        });
    }
}
