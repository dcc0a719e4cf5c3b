//! Lesson 2, `runtime_builder`: building a runtime by hand.
//!
//! # The concept
//!
//! `#[tokio::main]` hides a `Builder`. Building it yourself exposes the
//! knobs:
//!
//! ```ignore
//! let rt = tokio::runtime::Builder::new_multi_thread()
//!     .worker_threads(4)
//!     .thread_name_fn(|| format!("my-pool-{}", NEXT.fetch_add(1, SeqCst)))
//!     .thread_stack_size(3 * 1024 * 1024)
//!     .global_queue_interval(61)   // local-queue ticks between global-queue checks
//!     .max_blocking_threads(512)   // cap of the spawn_blocking pool
//!     .enable_all()
//!     .build()?;
//! ```
//!
//! mini_runtime's `Builder` has the same methods with the same meaning.
//!
//! # What to look for
//!
//! One line, printed by a spawned task; the thread column shows the name
//! the builder gave. The lesson also asks a `spawn_blocking` closure for its
//! thread's name (figure `blocking_thread`).
//!
//! # Runtime differences
//!
//! On the current-thread flavours there are no worker threads: the task
//! runs on the thread calling `block_on` (here the caller's thread, so the
//! name check applies only to the blocking-pool thread), and
//! `worker_threads` is ignored, as Tokio documents. On the multi-thread
//! flavours the 4 workers are `my-pool-0..3` (`--workers` does not apply:
//! the lesson fixes 4), and blocking threads continue the numbering.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::check::{ensure, equal};
use crate::ctx::{Ctx, thread_name};
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::{Rt, RtBuilder};

/// Lesson number.
pub const NUMBER: u32 = 2;
/// Lesson name.
pub const NAME: &str = "runtime_builder";
/// What it teaches.
pub const TEACHES: &str = "building a runtime by hand: 4 workers named my-pool-N, stack size, global queue interval 61, 512 blocking threads";
/// The invariant.
pub const INVARIANT: &str = "prints one line; a worker thread carries the configured name";

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let next = Arc::new(AtomicUsize::new(0));
    let rt = R::builder(cx.flavor().threading())
        .worker_threads(4)
        .thread_name_fn(move || format!("my-pool-{}", next.fetch_add(1, Ordering::SeqCst)))
        .thread_stack_size(3 * 1024 * 1024)
        .global_queue_interval(61)
        .max_blocking_threads(512)
        .enable_all()
        .build()
        .map_err(|e| Error::io("could not build the runtime", e))?;
    cx.observe::<R>(&rt);

    let rec = cx.rec();
    let blocking_thread = R::block_on(&rt, async move {
        R::spawn(async move {
            rec.mark("task", "hello", None, "Hello from a runtime built by hand");
        })
        .await
        .map_err(failed)?;
        R::spawn_blocking(thread_name).await.map_err(failed)
    })?;
    cx.figure("blocking_thread", blocking_thread);
    cx.figure("configured_workers", 4);
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    equal("printed lines", r.events.len(), 1)?;
    let blocking = r.text("blocking_thread")?;
    ensure(blocking.starts_with("my-pool-"), || {
        format!("the blocking-pool thread is named `{blocking}`, expected `my-pool-N`")
    })?;
    let task_thread = &r.events[0].thread;
    if r.flavor.is_current_thread() {
        Ok(format!(
            "one line (on the caller's thread `{task_thread}`: current-thread has no workers); \
             blocking thread `{blocking}`"
        ))
    } else {
        ensure(task_thread.starts_with("my-pool-"), || {
            format!("the task ran on a worker named `{task_thread}`, expected `my-pool-N`")
        })?;
        Ok(format!(
            "one line, from worker `{task_thread}`; blocking thread `{blocking}`"
        ))
    }
}
