//! The shared state behind every mpsc handle, and every operation on it.
//!
//! All the locking in the mpsc module happens in this file; the public
//! handles in `bounded.rs` and `unbounded.rs` are thin wrappers that call
//! into a [`Chan`]. Read the [module docs](super) first for the big picture;
//! this file is the code that keeps its invariants.
//!
//! Every method has the same shape:
//!
//! ```text
//! let mut state = self.state.lock();   // 1. lock
//! ... check / change the state ...     // 2. decide, under the lock
//! let waker = state.slot.take();       //    (take the waker of whoever must hear about it)
//! drop(state);                         // 3. unlock
//! wake(waker);                         // 4. wake, outside the lock
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::error::{SendError, TryRecvError, TrySendError};
use super::wait_list::WaitList;
use crate::sync::Mutex;

/// The channel: one mutex around all of its state.
pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
}

/// Everything the handles share.
struct State<T> {
    /// Messages sent but not yet received, oldest first.
    buffer: VecDeque<T>,
    /// Capacity bookkeeping; `None` for an unbounded channel.
    slots: Option<Slots>,
    /// How many sender handles exist. At zero (and with an empty buffer) the
    /// receiver sees the end of the stream.
    senders: usize,
    /// Set by `Receiver::close` or by dropping the receiver; never cleared.
    /// From then on every send fails.
    closed: bool,
    /// The receiver's task, if it is waiting in `poll_recv`.
    receiver_waker: Option<Waker>,
    /// Senders waiting in `closed().await` for `closed` to become true.
    closed_waiters: WaitList,
}

/// The capacity of a bounded channel, handed out like a fair semaphore.
///
/// Invariants (checked by [`Slots::check`] in debug builds):
///
/// * `free + granted.len() + buffer.len() == max`: every slot is either free,
///   promised to a waiting sender, or holding a message.
/// * `free > 0` implies `waiting` is empty: a slot is only ever put back in
///   the free pool when nobody is waiting for one. So a newcomer can take a
///   free slot without checking the line: if there were a line, there would
///   be no free slot. This is what makes waiting senders first-come,
///   first-served.
/// * Once the channel is closed, `waiting` and `granted` are empty.
#[derive(Debug)]
struct Slots {
    /// The capacity the channel was created with.
    max: usize,
    /// Slots nobody holds or has been promised.
    free: usize,
    /// Senders waiting for a slot, first come first served.
    waiting: WaitList,
    /// Tickets of senders that were handed a slot (and woken) but have not
    /// yet been polled to put their message in it.
    granted: Vec<u64>,
}

impl Slots {
    /// A slot became available (a message was received, or a granted sender
    /// gave up): hand it to the first sender in line, or put it back in the
    /// free pool if nobody waits. Returns the waker to wake after unlocking.
    fn release(&mut self) -> Option<Waker> {
        match self.waiting.pop_front() {
            Some((ticket, waker)) => {
                self.granted.push(ticket);
                Some(waker)
            }
            None => {
                self.free += 1;
                None
            }
        }
    }

    /// If `ticket` was granted a slot, takes that grant and returns `true`.
    fn take_grant(&mut self, ticket: u64) -> bool {
        match self.granted.iter().position(|&t| t == ticket) {
            Some(index) => {
                self.granted.swap_remove(index);
                true
            }
            None => false,
        }
    }

    /// The channel closed: send everybody in line away (their sends will
    /// fail) and return promised slots to the pool. Returns the wakers.
    fn dissolve(&mut self) -> Vec<Waker> {
        self.free += self.granted.len();
        self.granted.clear();
        self.waiting.take_all()
    }

    /// Asserts the invariants listed on [`Slots`] (debug builds only).
    fn check(&self, buffered: usize) {
        debug_assert_eq!(self.free + self.granted.len() + buffered, self.max);
        debug_assert!(self.free == 0 || self.waiting.is_empty());
    }
}

/// Stores `waker` in `slot`, unless the stored one would wake the same task.
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

impl<T> State<T> {
    /// Takes the oldest message, freeing its slot. Returns the message and
    /// the waker of the sender that was handed the slot, if any.
    fn pop(&mut self) -> Option<(T, Option<Waker>)> {
        let value = self.buffer.pop_front()?;
        let sender_waker = match &mut self.slots {
            Some(slots) => {
                let waker = slots.release();
                slots.check(self.buffer.len());
                waker
            }
            None => None,
        };
        Some((value, sender_waker))
    }

    /// True once nothing more can ever arrive: the receiver closed the
    /// channel, or every sender is gone. (Buffered messages may remain.)
    fn no_more_sends(&self) -> bool {
        self.closed || self.senders == 0
    }
}

impl<T> Chan<T> {
    /// A channel with one sender; `capacity: None` makes it unbounded.
    pub(super) fn new(capacity: Option<usize>) -> Chan<T> {
        Chan {
            state: Mutex::new(State {
                buffer: VecDeque::new(),
                slots: capacity.map(|max| Slots {
                    max,
                    free: max,
                    waiting: WaitList::default(),
                    granted: Vec::new(),
                }),
                senders: 1,
                closed: false,
                receiver_waker: None,
                closed_waiters: WaitList::default(),
            }),
        }
    }

    // ----- senders --------------------------------------------------------

    /// A sender handle was cloned.
    pub(super) fn add_sender(&self) {
        self.state.lock().senders += 1;
    }

    /// A sender handle was dropped. The last one wakes the receiver, which
    /// will see the end of the stream once the buffer is drained.
    pub(super) fn drop_sender(&self) {
        let mut state = self.state.lock();
        state.senders -= 1;
        let waker = if state.senders == 0 {
            state.receiver_waker.take()
        } else {
            None
        };
        drop(state);
        wake(waker);
    }

    /// Sends without any capacity check (unbounded channels).
    pub(super) fn send_unbounded(&self, value: T) -> Result<(), SendError<T>> {
        let mut state = self.state.lock();
        if state.closed {
            return Err(SendError(value));
        }
        state.buffer.push_back(value);
        let waker = state.receiver_waker.take();
        drop(state);
        wake(waker);
        Ok(())
    }

    /// Sends if a slot is free right now (bounded channels).
    pub(super) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut state = self.state.lock();
        if state.closed {
            return Err(TrySendError::Closed(value));
        }
        let slots = state.slots.as_mut().expect("try_send on a bounded channel");
        // `free > 0` implies nobody is waiting, so this cannot jump the line.
        if slots.free == 0 {
            return Err(TrySendError::Full(value));
        }
        slots.free -= 1;
        state.buffer.push_back(value);
        let waker = state.receiver_waker.take();
        drop(state);
        wake(waker);
        Ok(())
    }

    /// Whether the receiver has closed the channel or been dropped.
    pub(super) fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// Free slots right now (bounded channels only).
    pub(super) fn capacity(&self) -> usize {
        let state = self.state.lock();
        state.slots.as_ref().expect("bounded channel").free
    }

    /// The capacity the bounded channel was created with.
    pub(super) fn max_capacity(&self) -> usize {
        let state = self.state.lock();
        state.slots.as_ref().expect("bounded channel").max
    }

    // ----- the receiver ---------------------------------------------------

    /// The heart of `recv`. Cancel-safe: a message leaves the buffer only in
    /// the same call that returns it, so dropping a pending `recv` future
    /// loses nothing (all it leaves behind is a stale waker).
    pub(super) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // exercise(mpsc): begin: take the oldest message (waking the sender it frees a slot for), or see the end, or store the waker
        // exercise(mpsc): stub: let _ = (cx, store_waker);
        // exercise(mpsc): stub: {todo}
        let mut state = self.state.lock();
        if let Some((value, sender_waker)) = state.pop() {
            drop(state);
            wake(sender_waker);
            return Poll::Ready(Some(value));
        }
        if state.no_more_sends() {
            return Poll::Ready(None);
        }
        // Empty, and senders may still send: wait. Whoever pushes a message,
        // drops the last sender, or closes takes this waker and wakes it.
        store_waker(&mut state.receiver_waker, cx.waker());
        Poll::Pending
        // exercise(mpsc): end
    }

    /// `recv` without waiting.
    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.state.lock();
        if let Some((value, sender_waker)) = state.pop() {
            drop(state);
            wake(sender_waker);
            return Ok(value);
        }
        if state.no_more_sends() {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Whether nothing can be sent any more (closed, or no senders left).
    pub(super) fn no_more_sends(&self) -> bool {
        self.state.lock().no_more_sends()
    }

    /// Number of buffered messages.
    pub(super) fn len(&self) -> usize {
        self.state.lock().buffer.len()
    }

    /// Stops all further sends; buffered messages can still be received.
    /// Wakes every waiting sender (their sends fail) and every `closed()`.
    pub(super) fn close(&self) {
        let mut state = self.state.lock();
        if state.closed {
            return;
        }
        state.closed = true;
        let mut wakers = state.closed_waiters.take_all();
        let buffered = state.buffer.len();
        if let Some(slots) = &mut state.slots {
            wakers.extend(slots.dissolve());
            slots.check(buffered);
        }
        drop(state);
        for waker in wakers {
            waker.wake();
        }
    }

    /// The receiver was dropped: close, then drop the messages nobody will
    /// read. They are moved out under the lock but dropped *after* unlocking,
    /// because a message's `Drop` may run any code, even code that uses this
    /// very channel (a message can contain a `Sender`).
    pub(super) fn drop_receiver(&self) {
        self.close();
        let mut state = self.state.lock();
        let unread = std::mem::take(&mut state.buffer);
        if let Some(slots) = &mut state.slots {
            slots.free += unread.len();
            slots.check(0);
        }
        let own_waker = state.receiver_waker.take();
        drop(state);
        drop(own_waker);
        drop(unread);
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // No `T: Debug` bound: describe the state, not the messages.
        let state = self.state.lock();
        let mut f = f.debug_struct("Chan");
        f.field("buffered", &state.buffer.len())
            .field("senders", &state.senders)
            .field("closed", &state.closed)
            .field("receiver_waiting", &state.receiver_waker.is_some());
        if let Some(slots) = &state.slots {
            f.field("max_capacity", &slots.max)
                .field("free", &slots.free)
                .field("waiting_senders", &slots.waiting.len())
                .field("granted", &slots.granted.len());
        }
        f.finish()
    }
}

// ----- the futures that wait in line -----------------------------------------

/// Where a [`SendFuture`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Not polled yet (or polled and finished at once).
    NotQueued,
    /// In the waiting line (or granted a slot) under this ticket.
    Waiting(u64),
    /// Returned `Ready`; holds no place and no slot.
    Done,
}

/// The future behind `Sender::send`: waits for a slot, then buffers the value.
///
/// Dropping it before it completes gives up its place: if it was still in
/// line it just leaves; if it had already been *granted* a slot, the slot is
/// passed on to the next sender in line (or back to the free pool). Either
/// way, no capacity is lost and nobody behind it waits forever.
pub(super) struct SendFuture<'a, T> {
    chan: &'a Chan<T>,
    /// The message; `None` once it has been buffered or handed back.
    value: Option<T>,
    place: Place,
}

impl<'a, T> SendFuture<'a, T> {
    /// A future that sends `value` on the bounded channel `chan`.
    pub(super) fn new(chan: &'a Chan<T>, value: T) -> Self {
        SendFuture {
            chan,
            value: Some(value),
            place: Place::NotQueued,
        }
    }
}

// The future never hands out a pinned reference to the value, so moving it
// after a poll is harmless: it is `Unpin` whatever `T` is.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        // exercise(mpsc): begin: a bounded send: take a free slot or wait in line (first come, first served), then buffer the value
        // exercise(mpsc): stub: let _ = (this, cx, Place::Waiting(0), Place::Done);
        // exercise(mpsc): stub: {todo}
        let mut state = this.chan.state.lock();

        if state.closed {
            // Closing dissolved the line, so there is no place to give up.
            this.place = Place::Done;
            let value = this
                .value
                .take()
                .expect("send future polled after completion");
            return Poll::Ready(Err(SendError(value)));
        }

        let slots = state.slots.as_mut().expect("send on a bounded channel");
        let have_slot = match this.place {
            Place::NotQueued => {
                if slots.free > 0 {
                    // A free slot means an empty line: take it.
                    slots.free -= 1;
                    true
                } else {
                    // Join the back of the line.
                    this.place = Place::Waiting(slots.waiting.push(cx.waker()));
                    false
                }
            }
            Place::Waiting(ticket) => {
                if slots.take_grant(ticket) {
                    true
                } else {
                    // Woken spuriously, or polled by a different task: keep
                    // our place, refresh the waker.
                    let in_line = slots.waiting.update(ticket, cx.waker());
                    debug_assert!(in_line, "a waiting sender lost its place");
                    false
                }
            }
            Place::Done => panic!("send future polled after completion"),
        };
        if !have_slot {
            return Poll::Pending;
        }

        this.place = Place::Done;
        let value = this.value.take().expect("value present until done");
        state.buffer.push_back(value);
        if let Some(slots) = &state.slots {
            slots.check(state.buffer.len());
        }
        let waker = state.receiver_waker.take();
        drop(state);
        wake(waker);
        Poll::Ready(Ok(()))
        // exercise(mpsc): end
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        let Place::Waiting(ticket) = self.place else {
            return; // holds nothing
        };
        let mut state = self.chan.state.lock();
        let buffered = state.buffer.len();
        let Some(slots) = &mut state.slots else {
            return;
        };
        let next = if slots.waiting.remove(ticket) {
            None // was still in line: just leave it
        } else if slots.take_grant(ticket) {
            slots.release() // had a slot: pass it on
        } else {
            None // the channel closed: the line is already gone
        };
        slots.check(buffered);
        drop(state);
        wake(next);
        // `self.value` (if still here) is dropped after this, unlocked.
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture")
            .field("place", &self.place)
            .field("has_value", &self.value.is_some())
            .finish()
    }
}

/// The future behind `closed()`: resolves once the receiver closes or drops.
pub(super) struct ClosedFuture<'a, T> {
    chan: &'a Chan<T>,
    /// Our ticket in `closed_waiters`, once we wait there.
    ticket: Option<u64>,
}

impl<'a, T> ClosedFuture<'a, T> {
    /// A future that waits until `chan` is closed.
    pub(super) fn new(chan: &'a Chan<T>) -> Self {
        ClosedFuture { chan, ticket: None }
    }
}

impl<T> Future for ClosedFuture<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.chan.state.lock();
        if state.closed {
            // `close` emptied `closed_waiters`; nothing to remove.
            this.ticket = None;
            return Poll::Ready(());
        }
        match this.ticket {
            Some(ticket) => {
                let in_line = state.closed_waiters.update(ticket, cx.waker());
                debug_assert!(in_line, "a closed() future lost its place");
            }
            None => this.ticket = Some(state.closed_waiters.push(cx.waker())),
        }
        Poll::Pending
    }
}

impl<T> Drop for ClosedFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            self.chan.state.lock().closed_waiters.remove(ticket);
        }
    }
}

impl<T> fmt::Debug for ClosedFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClosedFuture")
            .field("ticket", &self.ticket)
            .finish()
    }
}
