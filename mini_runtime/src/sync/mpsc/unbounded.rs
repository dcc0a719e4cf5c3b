//! The unbounded channel's handles: [`UnboundedSender`] and
//! [`UnboundedReceiver`].
//!
//! The same [`Chan`] as the bounded channel, created without capacity
//! bookkeeping, so sending never waits (and memory is the only limit).

use std::fmt;
use std::task::{Context, Poll};

use super::chan::{Chan, ClosedFuture};
use super::error::{SendError, TryRecvError};
use crate::sync::Arc;

/// Sends values to the associated [`UnboundedReceiver`]; created by
/// [`unbounded_channel`](super::unbounded_channel).
///
/// `send` is a plain function: an unbounded channel never makes a sender
/// wait, so it can be used from synchronous code as well.
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

/// Receives values from the associated [`UnboundedSender`]s; created by
/// [`unbounded_channel`](super::unbounded_channel).
///
/// Dropping the receiver closes the channel: sends fail from then on, and
/// any messages still buffered are dropped.
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
}

/// Creates the two handles of a new unbounded channel.
pub(super) fn new<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Arc::new(Chan::new(None));
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { chan },
    )
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting, waking the receiver if it waits.
    ///
    /// # Errors
    ///
    /// [`SendError`] carrying the value back if the receiver has been dropped
    /// or [closed](UnboundedReceiver::close).
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.send_unbounded(value)
    }

    /// Returns `true` if the receiver has been dropped or
    /// [closed](UnboundedReceiver::close): every send will fail from now on.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Waits until the receiver is dropped or
    /// [closed](UnboundedReceiver::close).
    pub async fn closed(&self) {
        ClosedFuture::new(&self.chan).await;
    }

    /// Returns `true` if both senders belong to the same channel.
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next message, waiting while the buffer is empty.
    ///
    /// Returns `None` once the buffer is empty and no message can arrive any
    /// more: every sender has been dropped, or
    /// [`close`](UnboundedReceiver::close) was called.
    ///
    /// **Cancel-safe**: dropping the future before it completes never loses
    /// a message; the next `recv` gets it.
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
    /// is empty. Returns `None` at the end of the stream.
    ///
    /// # Panics
    ///
    /// When called on a thread that drives a mini_runtime runtime (see
    /// [`block_on`](fn@crate::block_on)): blocking it would stall its tasks.
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::block_on(self.recv())
    }

    /// The poll-level version of [`recv`](UnboundedReceiver::recv). Returns
    /// `Pending` and registers `cx`'s waker when the buffer is empty; only
    /// the waker from the most recent call is woken.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Closes the channel without dropping the receiver: every later send
    /// fails, while the messages already buffered can still be received.
    pub fn close(&mut self) {
        self.chan.close();
    }

    /// Returns `true` if no more messages can arrive:
    /// [`close`](UnboundedReceiver::close) was called or every sender has
    /// been dropped. (Buffered messages may still be waiting.)
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
}

impl<T> Drop for UnboundedReceiver<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver();
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("chan", &self.chan)
            .finish()
    }
}
