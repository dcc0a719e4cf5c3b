//! The bounded channel's handles: [`Sender`] and [`Receiver`].
//!
//! Thin wrappers around the shared [`Chan`]; see `chan.rs` for the logic.

use std::fmt;
use std::task::{Context, Poll};

use super::chan::{Chan, ClosedFuture, SendFuture};
use super::error::{SendError, TryRecvError, TrySendError};
use crate::sync::Arc;

/// Sends values to the associated [`Receiver`]; created by
/// [`channel`](super::channel).
///
/// Clone it to get more producers. When every sender has been dropped, the
/// receiver sees the end of the stream (`recv` returns `None`) once it has
/// received the buffered messages.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// Receives values from the associated [`Sender`]s; created by
/// [`channel`](super::channel).
///
/// Dropping the receiver closes the channel: sends fail from then on, and
/// any messages still buffered are dropped.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

/// Creates the two handles of a new bounded channel.
pub(super) fn new<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan::new(Some(capacity)));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for a free slot if the buffer is full.
    ///
    /// Senders that have to wait are served first come, first served: the
    /// slot freed by a `recv` goes to the sender that has waited longest.
    ///
    /// **Cancellation**: if this future is dropped before it completes, the
    /// value is dropped with it and was not sent. Its place in line (or a
    /// slot it had just been given) passes to the next waiting sender, so
    /// nothing else is held up.
    ///
    /// # Errors
    ///
    /// [`SendError`] carrying the value back if the receiver has been dropped
    /// or [closed](Receiver::close), including while this send was waiting.
    ///
    /// ```
    /// use mini_runtime::sync::mpsc;
    ///
    /// mini_runtime::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send("first").await.unwrap(); // fills the only slot
    ///     assert_eq!(rx.recv().await, Some("first"));
    ///     tx.send("second").await.unwrap();
    ///     drop(rx);
    ///     assert_eq!(tx.send("third").await.unwrap_err().0, "third");
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        SendFuture::new(&self.chan, value).await
    }

    /// Sends `value` if there is a free slot right now, without waiting.
    ///
    /// # Errors
    ///
    /// * [`TrySendError::Full`]: no free slot (a full buffer, or other
    ///   senders already waiting in line, which `try_send` does not jump).
    /// * [`TrySendError::Closed`]: the receiver was dropped or closed.
    ///
    /// Both give the value back.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(value)
    }

    /// Sends `value` from synchronous code, blocking the thread while the
    /// buffer is full.
    ///
    /// # Errors
    ///
    /// [`SendError`] if the receiver was dropped or closed.
    ///
    /// # Panics
    ///
    /// When called on a thread that drives a mini_runtime runtime (see
    /// [`block_on`](fn@crate::block_on)): blocking it would stall its tasks.
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::block_on(self.send(value))
    }

    /// Returns `true` if the receiver has been dropped or
    /// [closed](Receiver::close): every send will fail from now on.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Waits until the receiver is dropped or [closed](Receiver::close).
    pub async fn closed(&self) {
        ClosedFuture::new(&self.chan).await;
    }

    /// The number of messages that can be sent right now without waiting:
    /// the free slots. Goes down with each send and up with each receive.
    pub fn capacity(&self) -> usize {
        self.chan.capacity()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.chan.max_capacity()
    }

    /// Returns `true` if both senders belong to the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.chan).finish()
    }
}

impl<T> Receiver<T> {
    /// Receives the next message, waiting while the buffer is empty.
    ///
    /// Returns `None` once the buffer is empty and no message can arrive any
    /// more: every sender has been dropped, or [`close`](Receiver::close)
    /// was called.
    ///
    /// **Cancel-safe**: if the future is dropped before it completes (say,
    /// in a `select!` where another branch won), no message is lost; the
    /// next `recv` gets it.
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Receives a message if one is buffered, without waiting.
    ///
    /// # Errors
    ///
    /// * [`TryRecvError::Empty`]: nothing buffered, but senders may send.
    /// * [`TryRecvError::Disconnected`]: nothing buffered and nothing will
    ///   ever be sent again.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Receives from synchronous code, blocking the thread while the buffer
    /// is empty. Returns `None` at the end of the stream, like
    /// [`recv`](Receiver::recv).
    ///
    /// # Panics
    ///
    /// When called on a thread that drives a mini_runtime runtime (see
    /// [`block_on`](fn@crate::block_on)): blocking it would stall its tasks.
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::block_on(self.recv())
    }

    /// The poll-level version of [`recv`](Receiver::recv), for hand-written
    /// futures. Returns `Pending` and registers `cx`'s waker when the buffer
    /// is empty; only the waker from the most recent call is woken.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Closes the channel without dropping the receiver: every later send
    /// fails (senders waiting for space are woken and fail too), while the
    /// messages already buffered can still be received. `recv` returns
    /// `None` after them.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Returns `true` if no more messages can arrive: [`close`](Receiver::close)
    /// was called or every sender has been dropped. (Buffered messages may
    /// still be waiting to be received.)
    pub fn is_closed(&self) -> bool {
        self.chan.no_more_sends()
    }

    /// The number of messages buffered right now.
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Returns `true` if no message is buffered right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of free slots right now (see [`Sender::capacity`]).
    pub fn capacity(&self) -> usize {
        self.chan.capacity()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.chan.max_capacity()
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("chan", &self.chan)
            .finish()
    }
}
