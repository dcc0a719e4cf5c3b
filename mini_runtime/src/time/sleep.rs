//! [`Sleep`]: a future that completes at a deadline; [`sleep`], [`sleep_until`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::driver::{self, TimerKey, TimerState};

/// How far in the future "never" is: a `sleep(Duration::MAX)` would
/// overflow `Instant`, so its deadline is capped to now + 30 years (a
/// timer that long never fires in practice). Tokio uses the same cap.
pub(crate) const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `now + duration`, capped at [`FAR_FUTURE`] instead of overflowing.
pub(crate) fn deadline_after(now: Instant, duration: Duration) -> Instant {
    now.checked_add(duration).unwrap_or_else(|| far_future(now))
}

/// A deadline that will not come: `now + FAR_FUTURE` (or as far as the
/// platform's `Instant` reaches).
pub(crate) fn far_future(now: Instant) -> Instant {
    now.checked_add(FAR_FUTURE)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365)))
        .unwrap_or(now)
}

/// Waits until `duration` has elapsed.
///
/// Equivalent to `sleep_until(Instant::now() + duration)`. The sleep does
/// nothing until it is awaited (or polled); it never completes before its
/// deadline, and it completes on the first turn of the timer driver at or
/// after it. A zero `duration` still yields once to the scheduler: the
/// sleep completes on the next timer turn, not on its first poll.
///
/// ```
/// use mini_runtime::time::{sleep, Duration, Instant};
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     sleep(Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
///
/// # Panics
///
/// Here, at the call (not at the first poll): when there is no current
/// runtime, or the runtime was built without timers (see
/// [`Builder::enable_time`](crate::runtime::Builder::enable_time)).
/// Polling the sleep after its runtime was dropped panics too.
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new("time::sleep", deadline_after(Instant::now(), duration))
}

/// Waits until `deadline` is reached.
///
/// A deadline in the past behaves like a zero [`sleep`]: not ready on the
/// first poll, ready on the next timer turn.
///
/// ```
/// use mini_runtime::time::{sleep_until, Duration, Instant};
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// rt.block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
///
/// # Panics
///
/// Like [`sleep`]: outside a runtime, or when its timers are disabled.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new("time::sleep_until", deadline)
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// It belongs to the runtime that was current when it was created, and may
/// be awaited anywhere afterwards (another task, thread or runtime): its
/// runtime's driver wakes whichever waker polled it last. Timers only fire
/// while some thread drives that runtime (inside `block_on`).
///
/// Dropping a `Sleep` removes its timer. A `Sleep` is `Unpin` (Tokio's is
/// not: its timer entry is an intrusive list node stored inside the
/// future); pin it anyway (`std::pin::pin!`) when you want your code to run
/// on Tokio too.
///
/// ```
/// use std::pin::pin;
/// use mini_runtime::time::{sleep, Duration, Instant};
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// rt.block_on(async {
///     let mut sleep = pin!(sleep(Duration::from_secs(3600)));
///     // Changed our mind: wake up much sooner.
///     sleep.as_mut().reset(Instant::now() + Duration::from_millis(1));
///     sleep.as_mut().await;
///     assert!(sleep.is_elapsed());
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    handle: driver::Handle,
    deadline: Instant,
    state: Registration,
}

/// Where a `Sleep` stands with the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Registration {
    /// Not in the driver's wheel (never polled, or `reset` found it fired).
    Unregistered,
    /// In the wheel under this key, until the driver fires it.
    Registered(TimerKey),
    /// Completed: returned `Ready`.
    Elapsed,
}

impl Sleep {
    /// Creates a sleep on the current runtime, panicking (at the caller)
    /// with a message naming `what` if there is none or it has no timers.
    #[track_caller]
    pub(crate) fn new(what: &str, deadline: Instant) -> Sleep {
        Sleep {
            handle: super::current_handle(what),
            deadline,
            state: Registration::Unregistered,
        }
    }

    /// The instant at which the sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the timer has fired (or the sleep has completed).
    ///
    /// A sleep is elapsed once the timer driver has fired it, which needs it
    /// to be registered (polled at least once): a sleep that was never
    /// polled is not elapsed, even if its deadline has passed (as in Tokio).
    pub fn is_elapsed(&self) -> bool {
        match self.state {
            Registration::Elapsed => true,
            Registration::Unregistered => false,
            Registration::Registered(key) => self.handle.has_fired(key),
        }
    }

    /// Moves the deadline to `deadline`, earlier or later, even if the sleep
    /// has already completed (it then waits again).
    ///
    /// If the sleep is waiting, its timer moves at once and keeps the waker
    /// of the task awaiting it: that task wakes at the new deadline without
    /// being polled in between.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.state = match this.state {
            Registration::Registered(key) => match this.handle.reregister(key, deadline) {
                Some(key) => Registration::Registered(key),
                // Already fired (its waker was woken and the owner will
                // poll soon) or shut down: register afresh on that poll.
                None => Registration::Unregistered,
            },
            Registration::Unregistered | Registration::Elapsed => Registration::Unregistered,
        };
        this.deadline = deadline;
    }

    /// Registers with the driver: the timer fires on a later timer turn.
    fn register(&mut self, cx: &mut Context<'_>) {
        match self.handle.register(self.deadline, cx.waker()) {
            Ok(key) => self.state = Registration::Registered(key),
            Err(driver::ShutdownError) => shutdown_panic(),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // exercise(sleep): begin: register with the driver on the first poll; Ready once the driver fired the timer
        // exercise(sleep): stub: let _ = (this, cx, Sleep::register, driver::Handle::poll_registered);
        // exercise(sleep): stub: let _ = (Registration::Elapsed, TimerState::Fired, shutdown_panic);
        // exercise(sleep): stub: {todo}
        match this.state {
            Registration::Elapsed => Poll::Ready(()),
            Registration::Unregistered => {
                // Even when the deadline has passed: a sleep only completes
                // when the driver fires it, so it always yields once.
                this.register(cx);
                Poll::Pending
            }
            Registration::Registered(key) => match this.handle.poll_registered(key, cx.waker()) {
                TimerState::Waiting => Poll::Pending,
                TimerState::Shutdown => shutdown_panic(),
                // Belt and braces: the driver only fires due timers, and
                // `Instant` is monotonic, so this check always holds. Were
                // it ever false, we would wait again rather than be early.
                TimerState::Fired if Instant::now() >= this.deadline => {
                    this.state = Registration::Elapsed;
                    Poll::Ready(())
                }
                TimerState::Fired => {
                    this.register(cx);
                    Poll::Pending
                }
            },
        }
        // exercise(sleep): end
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Registration::Registered(key) = self.state {
            self.handle.deregister(key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field(
                "registered",
                &matches!(self.state, Registration::Registered(_)),
            )
            .field("completed", &(self.state == Registration::Elapsed))
            .finish_non_exhaustive()
    }
}

/// The panic for a timer polled after its runtime was shut down.
#[track_caller]
fn shutdown_panic() -> ! {
    panic!("{}", super::SHUTDOWN_MESSAGE)
}
