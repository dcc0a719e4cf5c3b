//! mini_runtime: an async runtime written to be read.
//!
//! A small, complete async runtime (a single-threaded executor, a
//! work-stealing multi-threaded executor, timers, a blocking thread pool,
//! channels) with a Tokio-shaped API, so a program
//! moves between mini_runtime and Tokio by changing one `use` line, and a
//! reader can study each idea here, then find it again in Tokio.
//!
//! ```
//! use mini_runtime::runtime::Builder;
//!
//! let rt = Builder::new_current_thread().enable_all().build().unwrap();
//! let answer = rt.block_on(async {
//!     let task = mini_runtime::spawn(async { 6 * 7 });
//!     mini_runtime::task::yield_now().await;
//!     task.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```
//!
//! # Reading order
//!
//! Each module opens with a doc comment that teaches its idea: the problem,
//! the design, the invariants, and how Tokio does it differently.
//!
//! 1. [`park`]: putting a thread to sleep without losing a wake-up (and
//!    spinning briefly first, so a quick wake-up costs no system call).
//! 2. [`block_on()`]: the smallest executor (one future, one thread).
//! 3. `sync` (the private half): the one switch between std, parking_lot
//!    and loom primitives, which makes model checking possible.
//! 4. [`task`]: what a spawned task is: `task/state.rs` (the state word),
//!    `task/harness.rs` (one allocation; poll, complete, cancel),
//!    `task/waker.rs` (a hand-written `RawWakerVTable`), `task/join.rs`,
//!    `task/list.rs` (every live task, in shards, for shutdown).
//! 5. `context`: the thread-local "current runtime" behind `spawn`.
//! 6. `scheduler/current_thread.rs`: run queues, the inject queue
//!    (`scheduler/inject.rs`), parking on the driver, fairness.
//! 7. `scheduler/multi_thread/`: work stealing: `queue.rs` (the lock-free
//!    local ring thieves steal half of), `idle.rs` (who searches, who
//!    sleeps, whom to wake), `worker.rs` (the run loop, the LIFO slot).
//! 8. [`runtime`]: `Builder`, `Runtime`, `Handle`, metrics, the driver.
//! 9. [`time`]: the timer driver (in shards) and `sleep`, `timeout`,
//!    `interval`; `blocking.rs`: the blocking thread pool behind
//!    `spawn_blocking`.
//! 10. [`sync`] (the public half): `oneshot` and `mpsc`, lessons in waker
//!     registration.
//! 11. [`select!`], [`join!`], [`main`], [`test`]: the macros.
//!
//! # Map
//!
//! | module | what it holds |
//! |---|---|
//! | [`park`] | `Parker` / `Unparker` |
//! | [`task`] | `spawn`, `yield_now`, `JoinHandle`, `AbortHandle`, `JoinError`, `Id` |
//! | [`runtime`] | `Builder`, `Runtime`, `Handle`, `EnterGuard`, `RuntimeMetrics` |
//! | [`time`] | timers |
//! | [`sync`] | `oneshot`, `mpsc` |
//!
//! # Testing
//!
//! Unit and integration tests run with `cargo test -p mini_runtime`; every
//! test that waits has a time limit. loom models of the lock-free pieces:
//! `RUSTFLAGS="--cfg loom" cargo test -p mini_runtime --release loom`.

// Lets the proc macros name `::mini_runtime` from inside this crate too.
extern crate self as mini_runtime;

/// Records a trace event (feature `trace`); expands to nothing otherwise.
#[cfg(all(feature = "trace", not(loom)))]
macro_rules! trace_event {
    ($kind:expr) => {
        crate::trace::record(None, $kind)
    };
}
#[cfg(not(all(feature = "trace", not(loom))))]
macro_rules! trace_event {
    ($kind:expr) => {};
}

/// Runs `$body`, recording it as a timed event `$kind { task, duration_ns }`
/// (or `$kind { duration_ns }` without a task) when tracing; just `$body`
/// otherwise.
#[cfg(all(feature = "trace", not(loom)))]
macro_rules! trace_timed {
    ($kind:ident, task = $task:expr, $body:expr) => {{
        let start = crate::trace::now();
        let task = start.map(|_| $task);
        let out = $body;
        if let (Some(start), Some(task)) = (start, task) {
            let duration_ns = crate::trace::since(start);
            crate::trace::record(
                Some(start),
                crate::trace::EventKind::$kind { task, duration_ns },
            );
        }
        out
    }};
    ($kind:ident, $body:expr) => {{
        let start = crate::trace::now();
        let out = $body;
        if let Some(start) = start {
            let duration_ns = crate::trace::since(start);
            crate::trace::record(Some(start), crate::trace::EventKind::$kind { duration_ns });
        }
        out
    }};
}
#[cfg(not(all(feature = "trace", not(loom))))]
macro_rules! trace_timed {
    ($kind:ident, task = $task:expr, $body:expr) => {
        $body
    };
    ($kind:ident, $body:expr) => {
        $body
    };
}

pub mod fs;
pub mod park;
pub mod runtime;
pub mod sync;
pub mod task;
pub mod time;
#[cfg(all(feature = "trace", not(loom)))]
pub mod trace;

#[doc(hidden)]
pub mod macros_support;

mod block_on;
mod blocking;
mod context;
mod scheduler;

#[cfg(all(test, not(loom)))]
mod test_util;

pub use block_on::block_on;
pub use task::spawn;

pub use mini_runtime_macros::{join, main, select, test};
