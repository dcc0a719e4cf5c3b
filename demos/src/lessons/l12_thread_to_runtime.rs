//! Lesson 12, `thread_to_runtime`: an OS thread feeds the runtime.
//!
//! # The concept
//!
//! Code outside the runtime (a plain `std::thread`, a callback from a C
//! library) can still hand work to it through a `Handle`, which is `Clone`
//! and `Send`. The main task takes `Handle::current()`, moves it into a
//! thread, and that thread spawns a task per message; the tasks send into
//! a channel that main reads:
//!
//! ```ignore
//! let handle = tokio::runtime::Handle::current();
//! std::thread::spawn(move || loop {
//!     let tx = tx.clone();
//!     handle.spawn(async move { tx.send(n).await.unwrap() });
//!     std::thread::sleep(Duration::from_secs(1));
//! });
//! while let Some(n) = rx.recv().await { println!("{n}") }
//! ```
//!
//! The thread also waits for each spawned task with `handle.block_on(task)`
//! (a non-runtime thread may block), which keeps the messages in order
//! even on a multi-thread runtime. The original never ends; main stops
//! after `--ticks N` (default 3).
//!
//! # What to look for
//!
//! The thread column: the feeder thread spawns, a runtime thread runs the
//! task that sends, main receives.
//!
//! # Runtime differences
//!
//! On the current-thread flavours the spawned tasks run on the thread in
//! `block_on` (main's); a `Handle::block_on` there only waits, it does not
//! drive the runtime (as Tokio documents).

use crate::check::exact_sequence;
use crate::ctx::Ctx;
use crate::report::{Error, Report};
use crate::rt::{Rt, RtHandle, RtReceiver, RtSender};

/// Lesson number.
pub const NUMBER: u32 = 12;
/// Lesson name.
pub const NAME: &str = "thread_to_runtime";
/// What it teaches.
pub const TEACHES: &str =
    "an OS thread feeds the runtime: Handle::current() moved into a std thread that spawns tasks";
/// The invariant.
pub const INVARIANT: &str = "messages 0..N-1 in order";

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let n = cx.opts().ticks;
    let period = cx.secs(1.0);
    let feeder = cx.block_on::<R, _>(async {
        let (tx, mut rx) = R::channel::<i64>(100);
        let handle = R::current_handle();
        let feeder_rec = rec.clone();
        let feeder = std::thread::Builder::new()
            .name("feeder".into())
            .spawn(move || {
                for i in 0..n as i64 {
                    let tx = tx.clone();
                    let task_rec = feeder_rec.clone();
                    feeder_rec.mark(
                        "feeder",
                        "spawn",
                        Some(i),
                        format!("thread spawns task {i}"),
                    );
                    let task = handle.spawn(async move {
                        task_rec.mark("task", "send", Some(i), format!("task {i} sends"));
                        let _ = tx.send(i).await;
                    });
                    let _ = handle.block_on(task);
                    std::thread::sleep(period);
                }
            })
            .map_err(|e| Error::io("could not start the feeder thread", e))?;
        let mut received = 0;
        while let Some(i) = rx.recv().await {
            rec.say_n("main", i, format!("main received {i}"));
            received += 1;
            if received == n {
                break;
            }
        }
        Ok::<_, Error>(feeder)
    })??;
    let _ = feeder.join();
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let n = r.options.ticks as i64;
    let expected: Vec<i64> = (0..n).collect();
    exact_sequence("messages received by main", &r.values("main"), &expected)?;
    Ok(format!("messages 0..{} in order", n - 1))
}
