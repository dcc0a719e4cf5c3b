//! [`Timeout`]: a future with a deadline; [`timeout`], [`timeout_at`].

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::error::Elapsed;
use super::sleep::{Sleep, deadline_after};

/// Requires `future` to complete before `duration` has elapsed.
///
/// The output is `Ok(output)` if the future completed in time and
/// `Err(Elapsed)` otherwise; then the inner future is dropped (cancelled)
/// with the `Timeout`. The inner future is polled *first* on every poll, so
/// a future that is ready wins even against a zero or past deadline.
///
/// ```
/// use mini_runtime::time::{sleep, timeout, Duration};
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// rt.block_on(async {
///     let slow = sleep(Duration::from_secs(3600));
///     assert!(timeout(Duration::from_millis(5), slow).await.is_err());
///     assert_eq!(timeout(Duration::from_secs(5), async { 7 }).await, Ok(7));
/// });
/// ```
///
/// # Panics
///
/// Here, at the call: outside a runtime, or when the runtime's timers are
/// disabled (as for [`sleep`](super::sleep)).
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    let deadline = deadline_after(Instant::now(), duration);
    Timeout::new("time::timeout", future.into_future(), deadline)
}

/// Requires `future` to complete before `deadline`; see [`timeout`].
///
/// # Panics
///
/// Outside a runtime, or when the runtime's timers are disabled.
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout::new("time::timeout_at", future.into_future(), deadline)
}

/// The future returned by [`timeout`] and [`timeout_at`].
///
/// `Unpin` exactly when the inner future is.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Timeout<F> {
    /// Structurally pinned: see [`Timeout::project`].
    value: F,
    /// Not pinned: `Sleep` is `Unpin` (checked below).
    delay: Sleep,
}

/// The projection in [`Timeout::project`] hands out `&mut Sleep` from a
/// pinned `Timeout`, which is only sound while `Sleep: Unpin`.
const _: () = {
    const fn assert_unpin<T: Unpin>() {}
    assert_unpin::<Sleep>();
};

impl<F> Timeout<F> {
    #[track_caller]
    fn new(what: &str, value: F, deadline: Instant) -> Timeout<F> {
        Timeout {
            value,
            delay: Sleep::new(what, deadline),
        }
    }

    /// The inner future.
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The inner future, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// Takes the inner future out, dropping the timer.
    pub fn into_inner(self) -> F {
        self.value
    }

    /// *Pin projection*: from a pinned `Timeout`, a pinned inner future
    /// (it may be `!Unpin`, like any `async` block) and the timer.
    ///
    /// This is what the `pin-project` crates generate; here it is written
    /// out once, by hand, to show the rules it relies on.
    fn project(self: Pin<&mut Self>) -> (Pin<&mut F>, &mut Sleep) {
        // SAFETY: we never move out of the pinned `self`, only borrow its
        // fields, and `value` is treated as structurally pinned:
        // * `Timeout` has no `Drop` impl, so nothing moves `value` between
        //   now and its drop in place;
        // * `Timeout` is `Unpin` only through the auto trait, i.e. only when
        //   `F: Unpin` (`Sleep` is `Unpin`), so `get_mut` and `into_inner`
        //   can reach a pinned `value` only if moving it is allowed anyway;
        // * it is not `#[repr(packed)]`, so the field is never moved to be
        //   aligned.
        // `delay` is not pinned and may be handed out as `&mut`, because
        // `Sleep: Unpin` (asserted at compile time above).
        unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.value), &mut this.delay)
        }
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (value, delay) = self.project();
        // The inner future first: work that is done is never thrown away
        // because the clock also ran out.
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(delay).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: fmt::Debug> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("value", &self.value)
            .field("delay", &self.delay)
            .finish()
    }
}
