//! Lesson 23, `select_timeout`: `select!` as a timeout, and `timeout()`.
//!
//! # The concept
//!
//! A timeout is a race between the work and a timer. Written with
//! `select!`, whichever finishes first wins and the other is dropped
//! (cancelled); `time::timeout(d, fut)` packages the same race and returns
//! `Err(Elapsed)` when the timer wins:
//!
//! ```ignore
//! tokio::select! {
//!     _ = work() => println!("work finished"),               // 2 s
//!     _ = sleep(Duration::from_secs(1)) => println!("timeout"),
//! }
//! match tokio::time::timeout(Duration::from_secs(1), work()).await {
//!     Ok(_) => println!("work finished"),
//!     Err(_) => println!("timed out"),
//! }
//! ```
//!
//! # What to look for
//!
//! Both races end after about 1 s with the timeout, not after 2 s.
//!
//! # Runtime differences
//!
//! None.

use std::time::{Duration, Instant};

use futures::FutureExt as _;

use crate::check::{equal, within};
use crate::ctx::Ctx;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 23;
/// Lesson name.
pub const NAME: &str = "select_timeout";
/// What it teaches.
pub const TEACHES: &str =
    "select! as a timeout: 2 s of work raced against a 1 s timer, then the runtime's timeout()";
/// The invariant.
pub const INVARIANT: &str = "the timeout wins at ~1 s";

async fn work<R: Rt>(d: Duration) -> &'static str {
    R::sleep(d).await;
    "work finished"
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let (work_time, limit) = (cx.secs(2.0), cx.secs(1.0));
    cx.figure("limit_ms", limit.as_secs_f64() * 1e3);
    cx.figure("work_ms", work_time.as_secs_f64() * 1e3);
    cx.block_on::<R, _>(async {
        let start = Instant::now();
        let outcome = futures::select! {
            done = work::<R>(work_time).fuse() => done,
            () = R::sleep(limit).fuse() => "timeout",
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        rec.mark(
            "select",
            outcome,
            None,
            format!("select!: {outcome} after {ms:.0} ms"),
        );
        cx.figure("select_ms", ms);

        let start = Instant::now();
        // `Err(Elapsed)` when the timer wins.
        let outcome = R::timeout(limit, work::<R>(work_time))
            .await
            .unwrap_or("timeout");
        let ms = start.elapsed().as_secs_f64() * 1e3;
        rec.mark(
            "timeout()",
            outcome,
            None,
            format!("timeout(): {outcome} after {ms:.0} ms"),
        );
        cx.figure("timeout_ms", ms);
    })
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let limit = r.num("limit_ms")?;
    let work = r.num("work_ms")?;
    let kinds: Vec<&str> = r.events.iter().map(|e| e.kind.as_str()).collect();
    equal(
        "outcomes (select!, timeout())",
        kinds,
        vec!["timeout", "timeout"],
    )?;
    let upper = (limit + r.options.slack_ms()).min(work);
    let select_ms = r.num("select_ms")?;
    let timeout_ms = r.num("timeout_ms")?;
    within("select! timeout after (ms)", select_ms, limit - 0.1, upper)?;
    within("timeout() after (ms)", timeout_ms, limit - 0.1, upper)?;
    Ok(format!(
        "the timeout won both races: select! after {select_ms:.1} ms, timeout() after {timeout_ms:.1} ms (limit {limit:.0}, work {work:.0})"
    ))
}
