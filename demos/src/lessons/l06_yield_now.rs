//! Lesson 6, `yield_now`: cooperative hand-over.
//!
//! # The concept
//!
//! Executors do not preempt: a task keeps its thread until it returns
//! `Pending`. `yield_now().await` returns `Pending` once after waking its
//! own task, so the scheduler runs the other runnable tasks before coming
//! back. Two tasks print ten lines each and yield after every line:
//!
//! ```ignore
//! async fn ticker() { for i in 0..10 { println!("tick {i}"); tokio::task::yield_now().await; } }
//! ```
//!
//! # What to look for
//!
//! On one thread the two tasks take turns instead of printing ten lines in
//! a row (compare lesson 5).
//!
//! # Runtime differences
//!
//! The *pattern* of turns differs, and both are correct:
//!
//! * mini_runtime's current-thread run queue is plain FIFO: a yielded task
//!   goes to the back, so the order alternates strictly: tick0 tock0 tick1
//!   tock1 ...
//! * Tokio's current-thread scheduler *defers* yielded tasks: they are
//!   woken only after the scheduler has polled its driver (I/O and timers),
//!   and the deferred list is drained after the other task's turn. The
//!   result is tick0 tock0 tock1 tick1 tick2 tock2 ...: pairs.
//!
//! On the multi-thread flavours the tasks may run in parallel on two
//! workers, so only each task's own order is checked there.

use crate::check::{ensure, exact_sequence, max_run};
use crate::ctx::{Ctx, Recorder};
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 6;
/// Lesson name.
pub const NAME: &str = "yield_now";
/// What it teaches.
pub const TEACHES: &str =
    "cooperative hand-over: two tasks print 10 lines each and yield_now after each";
/// The invariant.
pub const INVARIANT: &str = "per-task order; on a single thread the two tasks interleave (never one task's 10 lines in a row)";

async fn ticker<R: Rt>(rec: Recorder, name: &'static str) {
    for i in 0..10 {
        rec.say_n(name, i, format!("{name} {i}"));
        R::yield_now().await;
    }
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    cx.run::<R, _>(async {
        let tick = R::spawn(ticker::<R>(rec.clone(), "tick"));
        let tock = R::spawn(ticker::<R>(rec.clone(), "tock"));
        let (tick, tock) = futures::join!(tick, tock);
        tick.map_err(failed)?;
        tock.map_err(failed)
    })
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let expected: Vec<i64> = (0..10).collect();
    exact_sequence("tick", &r.values("tick"), &expected)?;
    exact_sequence("tock", &r.values("tock"), &expected)?;
    let order: Vec<&str> = r.events.iter().map(|e| e.task.as_str()).collect();
    let run = max_run(&order);
    let pattern: String = order
        .iter()
        .map(|t| if *t == "tick" { 'i' } else { 'o' })
        .collect();
    if r.flavor.is_current_thread() {
        ensure(run < 10, || {
            format!(
                "on one thread the tasks must interleave, but one printed {run} lines in a row ({pattern})"
            )
        })?;
        Ok(format!(
            "per-task order kept; interleaved, longest run {run} (i = tick, o = tock: {pattern})"
        ))
    } else {
        Ok(format!(
            "per-task order kept (multi-thread: interleaving not required; pattern {pattern})"
        ))
    }
}
