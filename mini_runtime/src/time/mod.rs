//! Time: [`sleep`], [`timeout`], [`interval`], and the timer driver behind
//! them.
//!
//! # The problem
//!
//! `sleep(d).await` must not block the thread (other tasks run on it), so
//! somebody else has to remember the deadline and wake the task when it
//! comes. And an executor with no task to run parks its thread: it must
//! park *no longer* than the earliest deadline, and a timer registered
//! while it sleeps, from another thread, with an earlier deadline, must
//! shorten that sleep.
//!
//! # The design
//!
//! ```text
//!  Sleep::poll ──register(deadline, waker)──▶ timer driver (driver.rs)
//!      ▲           (unpark if now earliest)     per shard (one per worker):
//!      │                                            TimerWheel<Waker> (wheel.rs)
//!      │                                             │
//!      │ wake()    scheduler idle: Driver::park      │ next_deadline()
//!      └────────── = park_timeout(next - now) ◀──────┘
//!                    then process(now): fire every deadline <= now
//!                  scheduler busy: park_timeout(0) every event_interval ticks
//! ```
//!
//! * **The timer driver** (`time/driver.rs`) keeps the waker of each
//!   timer's owner under a unique key (`deadline`, `seq`, ...), split into
//!   shards (one per worker, each behind its own mutex) so that workers do
//!   not queue on one lock. Each shard is a hierarchical timing wheel
//!   (`time/wheel.rs`): O(1) register and cancel, exact deadlines. The
//!   modules explain why a wheel, why shards, and how Tokio's wheel differs.
//! * **The scheduler drives it**: there is no timer thread. Whoever parks on
//!   the runtime's driver (`runtime::driver`) sleeps until the earliest
//!   deadline, then fires every due timer, i.e. wakes its waker. A busy
//!   scheduler looks at the timers every `event_interval` tasks
//!   ([`Builder::event_interval`](crate::runtime::Builder::event_interval))
//!   with a zero-length park.
//! * **A [`Sleep`] is a deadline plus a key** into that wheel. Its life:
//!
//!   ```text
//!   Unregistered ──first poll: register──▶ Registered(key) ──driver fires──▶
//!   (key gone from the wheel) ──next poll──▶ Ready (Elapsed)
//!   ```
//!
//!   A `Sleep` takes its runtime's timer handle when it is *created* (from
//!   the thread's current runtime, like `spawn`), so it may be polled
//!   anywhere later.
//! * [`Timeout`] is a future plus a `Sleep`; [`Interval`] is a `Sleep` that
//!   is reset one period later at every tick.
//!
//! # Invariants
//!
//! * **Never early.** The driver fires a timer only if `deadline <= now`,
//!   and `Sleep::poll` checks `Instant::now() >= deadline` again before
//!   returning `Ready`. Deadlines are exact `Instant`s, never rounded.
//! * **Never instant.** A sleep completes only when the driver fires it, so
//!   a zero-length (or already-past) sleep is `Pending` on its first poll
//!   and completes on the next timer turn: `sleep(Duration::ZERO).await`
//!   always gives the other tasks a turn, as in Tokio.
//! * **No leaks.** Dropping a `Sleep` (or a `Timeout`, an `Interval`)
//!   removes its timer; a runtime drop cancels its tasks, whose sleeps are
//!   dropped with them.
//! * **No lost wake-ups.** A registration that becomes the earliest one
//!   unparks the driver, which recomputes how long to sleep. Wakers are
//!   woken (and dropped) outside the driver's lock.
//! * **Shutdown is loud.** Dropping the runtime wakes every timer still
//!   registered; polling a timer of a dropped runtime panics with a message
//!   (as Tokio does), instead of never completing silently.
//!
//! # The clock
//!
//! [`Instant`] and [`Duration`] are std's (re-exported so that code can say
//! `mini_runtime::time::Instant` like `tokio::time::Instant`). mini_runtime
//! has no clock of its own: time cannot be paused or advanced by hand in
//! tests (Tokio can, with its `test-util` feature: `time::pause`,
//! `time::advance`), so tests here really wait.
//!
//! # How Tokio differs
//!
//! * Tokio's timing wheel (of the same shape as ours) rounds deadlines up to
//!   the next millisecond; ours keeps them exact (details in the driver and
//!   wheel modules).
//! * Tokio's `Sleep` holds its timer entry *inside* the future as a node of
//!   an intrusive list, so it is `!Unpin` and registration needs no
//!   allocation; ours is `Unpin` and stores a key.
//! * Polling a Tokio `Sleep` does not lock the driver (the entry's state is
//!   atomic); ours takes its shard's lock for an O(1) lookup.
//! * A Tokio sleep whose deadline is already a whole millisecond in the
//!   past is fired while it registers, so it can be ready on its *first*
//!   poll; ours always waits for the next timer turn.
//! * Tokio's cooperative budget can make a ready `Sleep` return `Pending`
//!   once a task has done a lot of work; mini_runtime has no budget.
//!
//! ```
//! use mini_runtime::time::{self, Duration, Instant};
//!
//! let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! rt.block_on(async {
//!     let start = Instant::now();
//!     time::sleep(Duration::from_millis(20)).await;
//!     assert!(start.elapsed() >= Duration::from_millis(20));
//!
//!     let slow = time::sleep(Duration::from_secs(3600));
//!     let result = time::timeout(Duration::from_millis(10), slow).await;
//!     assert!(result.is_err());
//! });
//! ```

pub(crate) mod driver;
pub mod error;
mod interval;
mod sleep;
mod timeout;
mod wheel;

pub use self::interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use self::sleep::{Sleep, sleep, sleep_until};
pub use self::timeout::{Timeout, timeout, timeout_at};

/// A span of time: std's `Duration`, re-exported.
pub use std::time::Duration;

/// A measurement of the monotonic clock: std's `Instant`, re-exported.
/// mini_runtime has no pausable or mock clock: every timer runs on real
/// time.
pub use std::time::Instant;

pub(crate) use self::driver::Handle;

/// The panic message of a timer polled after its runtime was shut down.
pub(crate) const SHUTDOWN_MESSAGE: &str = "A mini_runtime timer (`Sleep`, `Timeout` or `Interval`) was polled after \
     its runtime was shut down (the `Runtime` was dropped), so it can never fire. A timer belongs to \
     the runtime that was current when it was created: keep that runtime alive while its timers are \
     in use.";

/// The timer handle of the current runtime, for a timer being created by
/// the public function `what`.
///
/// # Panics
///
/// At the caller, if there is no current runtime or its timers are disabled.
#[track_caller]
pub(crate) fn current_handle(what: &str) -> Handle {
    match crate::context::with_current(|runtime| runtime.driver().time().cloned()) {
        Ok(Some(handle)) => handle,
        Ok(None) => panic!(
            "`{what}` was called on a mini_runtime runtime whose timers are disabled. Call \
             `enable_time()` or `enable_all()` on the runtime `Builder` (`#[mini_runtime::main]` \
             and `#[mini_runtime::test]` enable them for you)."
        ),
        Err(err) => panic!("`{what}` {err}"),
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
