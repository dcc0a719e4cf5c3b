//! Lesson 1, `block_on`: the smallest executor.
//!
//! # The concept
//!
//! `main` is an ordinary function; an `async fn` called from it only
//! *builds* a future, and nothing runs until something polls it. `block_on`
//! is that something: it polls the future on the calling thread, parks the
//! thread while the future is pending, and returns its output. In Tokio:
//!
//! ```ignore
//! fn main() {
//!     let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//!     println!("Hello from sync main");
//!     rt.block_on(hello());
//! }
//! ```
//!
//! mini_runtime also has a standalone `mini_runtime::block_on(fut)` with no
//! runtime at all (no spawning, no timers): the executor reduced to one
//! future, one thread and a parker (`mini_runtime/src/block_on.rs`);
//! `futures::executor::block_on` is the same idea.
//!
//! # What to look for
//!
//! The sync line comes first, the async line second: calling `hello()`
//! printed nothing; `block_on` ran it.
//!
//! # Runtime differences
//!
//! None in output. On the multi-thread flavours `block_on` still runs the
//! future on the calling thread (look at the thread column); the workers
//! only run spawned tasks.

use crate::check::equal;
use crate::ctx::{Ctx, Recorder};
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 1;
/// Lesson name.
pub const NAME: &str = "block_on";
/// What it teaches.
pub const TEACHES: &str = "the smallest executor: a sync main calls block_on on an async fn";
/// The invariant.
pub const INVARIANT: &str = "prints the sync line, then the async line";

async fn hello(rec: Recorder) {
    rec.mark("async", "line", None, "Hello from an async function");
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let rt = cx.runtime::<R>()?;
    let future = hello(rec.clone()); // builds the future; prints nothing yet
    rec.mark("sync", "line", None, "Hello from sync main");
    R::block_on(&rt, future);
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let order: Vec<&str> = r.events.iter().map(|e| e.task.as_str()).collect();
    equal("lines (by origin)", order, vec!["sync", "async"])?;
    Ok("the sync line came first, then the async line".to_string())
}
