//! Lesson 20, `pinning_select`: `pin!` + `select!` over `&mut` futures.
//!
//! # The concept
//!
//! `select!` normally *consumes* its futures and drops the losers. To race
//! two futures repeatedly until *both* finish, keep them outside the loop
//! and select over mutable references. Polling through `&mut` requires the
//! futures to be pinned in place first (`std::pin::pin!`), because an
//! async fn's future may hold references into itself:
//!
//! ```ignore
//! let mut a = pin!(work("a", 0.5));
//! let mut b = pin!(work("b", 1.0));
//! let (mut a_done, mut b_done) = (false, false);
//! loop {
//!     tokio::select! {
//!         out = &mut a, if !a_done => { a_done = true; println!("{out}") }
//!         out = &mut b, if !b_done => { b_done = true; println!("{out}") }
//!         else => break,
//!     }
//! }
//! ```
//!
//! With `futures::select!` the `if !done` guards are not needed: a `Fuse`d
//! future remembers that it finished and is skipped, and `complete =>`
//! runs when all are done.
//!
//! # What to look for
//!
//! Each output exactly once: `a` after about 0.5 s, `b` after about 1 s.
//! Polling a finished future again would be a bug (it may panic); fusing
//! or the guards prevent it.
//!
//! # Runtime differences
//!
//! None.

use std::pin::pin;
use std::time::Duration;

use futures::FutureExt as _;

use crate::check::equal;
use crate::ctx::Ctx;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 20;
/// Lesson name.
pub const NAME: &str = "pinning_select";
/// What it teaches.
pub const TEACHES: &str =
    "pin! + select! over &mut futures: two pinned futures raced in a loop until both finish";
/// The invariant.
pub const INVARIANT: &str = "both outputs seen once";

async fn work<R: Rt>(name: &'static str, d: Duration) -> &'static str {
    R::sleep(d).await;
    name
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    cx.block_on::<R, _>(async {
        let mut a = pin!(work::<R>("a", cx.secs(0.5)).fuse());
        let mut b = pin!(work::<R>("b", cx.secs(1.0)).fuse());
        loop {
            futures::select! {
                out = a => rec.mark(out, "output", None, format!("{out} finished")),
                out = b => rec.mark(out, "output", None, format!("{out} finished")),
                complete => break,
            }
        }
        rec.say("main", "both finished");
    })
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let outputs: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.kind == "output")
        .map(|e| e.task.as_str())
        .collect();
    equal("outputs", outputs, vec!["a", "b"])?;
    Ok("a and b each seen once (a first: the shorter sleep)".to_string())
}
