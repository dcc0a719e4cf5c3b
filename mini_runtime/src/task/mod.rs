//! Tasks: spawned futures, their handles, and cooperative yielding.
//!
//! # The concept
//!
//! A *task* is a future handed to the runtime with [`spawn`]. The runtime
//! owns it, polls it whenever its waker fires, and stores its output for the
//! [`JoinHandle`]. Tasks are the unit of scheduling: an executor is, at its
//! heart, a loop that takes runnable tasks out of a queue and polls them.
//!
//! # Reading order
//!
//! 1. `state`: the atomic state word and its transitions (pure functions).
//! 2. `harness`: the single allocation holding a task, and poll / complete /
//!    cancel, all under `catch_unwind`.
//! 3. `waker`: our own `RawWakerVTable` pointing at that allocation.
//! 4. [`JoinHandle`], [`AbortHandle`], [`JoinError`]: the spawner's side.
//! 5. `list`: the runtime's list of live tasks, used at shutdown.
//!
//! One implementation serves every scheduler (current-thread, multi-thread,
//! and the blocking pool): task code only talks to a small `Schedule` trait.
//!
//! # How Tokio does it
//!
//! Same shape (`tokio/src/runtime/task/`: `state.rs`, `harness.rs`,
//! `raw.rs`, `waker.rs`, `join.rs`, `list.rs`); the differences are listed
//! in each module's docs.

mod error;
pub(crate) mod harness;
mod join;
mod join_set;
pub(crate) mod list;
pub(crate) mod state;
mod waker;
mod yield_now;

use std::fmt;
use std::future::Future;
use std::num::NonZeroU64;

pub use self::error::JoinError;
pub use self::join::{AbortHandle, JoinHandle};
pub use self::join_set::JoinSet;
pub use self::yield_now::yield_now;

use crate::sync::StaticAtomicU64;
use crate::sync::atomic::Ordering::Relaxed;

/// A task's id: unique among all tasks of the process, never reused.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        static NEXT: StaticAtomicU64 = StaticAtomicU64::new(1);
        let id = NEXT.fetch_add(1, Relaxed);
        Id(NonZeroU64::new(id).expect("task id counter overflowed"))
    }

    /// The id as a number.
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Runs a blocking closure on the current runtime's blocking pool and
/// returns a handle to its result.
///
/// Use it for code that blocks the thread (std file or network I/O, long
/// computations, blocking C calls): on a runtime thread it would stall every
/// other task. Threads start lazily up to `Builder::max_blocking_threads`;
/// jobs beyond that wait in a queue. A panic in the closure becomes a
/// [`JoinError`] with `is_panic()`. `abort()` only prevents a job that has
/// not started yet; a running closure cannot be interrupted.
///
/// ```
/// let rt = mini_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let primes = rt.block_on(async {
///     mini_runtime::task::spawn_blocking(|| (2..1000u32).filter(|n| (2..*n).all(|d| n % d != 0)).count())
///         .await
///         .unwrap()
/// });
/// assert_eq!(primes, 168);
/// ```
///
/// # Panics
///
/// When called outside a runtime.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match crate::context::with_current(|handle| handle.spawn_blocking(f)) {
        Ok(join) => join,
        Err(err) => panic!("`spawn_blocking` {err}"),
    }
}

/// Spawns a future as a new task on the current runtime.
///
/// The task starts running in the background right away (on the next turn
/// of the scheduler); the returned [`JoinHandle`] gives its output.
///
/// ```
/// let rt = mini_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let handle = mini_runtime::task::spawn(async { "done" });
///     assert_eq!(handle.await.unwrap(), "done");
/// });
/// ```
///
/// # Panics
///
/// When called outside a runtime (see [`Handle::current`](crate::runtime::Handle::current)).
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match crate::context::with_current(|handle| handle.spawn(future)) {
        Ok(join) => join,
        Err(err) => panic!("`spawn` {err}"),
    }
}

#[cfg(all(test, loom))]
mod loom_tests;
