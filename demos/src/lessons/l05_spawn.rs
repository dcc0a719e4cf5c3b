//! Lesson 5, `spawn`: spawned tasks run on their own.
//!
//! # The concept
//!
//! `spawn` hands a future to the runtime, which polls it independently of
//! the code that spawned it; the `JoinHandle` is only needed to wait for
//! the result. Two tasks print `tick 0..9` and `tock 0..9` without awaiting
//! anything in between:
//!
//! ```ignore
//! let tick = tokio::spawn(async { for i in 0..10 { println!("tick {i}") } });
//! let tock = tokio::spawn(async { for i in 0..10 { println!("tock {i}") } });
//! let _ = tokio::join!(tick, tock);
//! ```
//!
//! # What to look for
//!
//! Each task's lines stay in their own order. A task that never awaits
//! runs its whole loop in one poll, so on one thread the output is all
//! ticks, then all tocks.
//!
//! # Runtime differences
//!
//! On the multi-thread flavours the two tasks may run at the same time on
//! two workers and their lines mix freely (look at the thread column).
//! Only the per-task order is an invariant.

use crate::check::exact_sequence;
use crate::ctx::{Ctx, Recorder};
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 5;
/// Lesson name.
pub const NAME: &str = "spawn";
/// What it teaches.
pub const TEACHES: &str =
    "spawned tasks run on their own: tick/tock 0..9 without awaits, joined by handles";
/// The invariant.
pub const INVARIANT: &str = "each task's lines in its own order";

async fn counter(rec: Recorder, name: &'static str) {
    for i in 0..10 {
        rec.say_n(name, i, format!("{name} {i}"));
    }
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    cx.run::<R, _>(async {
        let tick = R::spawn(counter(rec.clone(), "tick"));
        let tock = R::spawn(counter(rec.clone(), "tock"));
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
    Ok("tick 0..9 and tock 0..9, each in order".to_string())
}
