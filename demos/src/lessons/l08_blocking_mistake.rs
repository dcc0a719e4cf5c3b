//! Lesson 8, `blocking_mistake`: blocking inside async stalls the executor.
//!
//! # The concept
//!
//! Five futures run together with `join_all`, each sleeping 0, 0.5, 1, 1.5
//! and 2 s. First with `std::thread::sleep` (the mistake: it blocks the
//! thread, and the future cannot return `Pending` while it does), then with
//! the runtime's `sleep` (which registers a timer and returns `Pending`):
//!
//! ```ignore
//! async fn blocking(i: u64) { std::thread::sleep(Duration::from_millis(500 * i)); }
//! async fn nice(i: u64) { tokio::time::sleep(Duration::from_millis(500 * i)).await; }
//! join_all((0..5).map(blocking)).await;   // ~5 s: one after the other
//! join_all((0..5).map(nice)).await;       // ~2 s: all at once
//! ```
//!
//! # What to look for
//!
//! Blocking: each sleeper starts only after the previous one ended, and
//! the total is the sum (5 s). Async: all five start at once, and the total
//! is the longest (2 s).
//!
//! # Runtime differences
//!
//! None: `join_all` runs inside one task, so even on a multi-thread runtime
//! the blocking version is sequential (other tasks could still run on
//! other workers; on a current-thread runtime nothing else could).

use std::time::{Duration, Instant};

use futures::future::join_all;

use crate::check::{at_least, ensure, within};
use crate::ctx::{Ctx, Recorder};
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 8;
/// Lesson name.
pub const NAME: &str = "blocking_mistake";
/// What it teaches.
pub const TEACHES: &str = "blocking inside async stalls the executor: std::thread::sleep vs the runtime's sleep in join_all";
/// The invariant.
pub const INVARIANT: &str = "blocking: strictly sequential, ~5 s; async: all start at once, ~2 s";

const DELAYS: [f64; 5] = [0.0, 0.5, 1.0, 1.5, 2.0];

async fn blocking_sleeper(rec: Recorder, i: i64, d: Duration) {
    rec.mark(
        "blocking",
        "start",
        Some(i),
        format!(
            "blocking sleeper {i} starts ({:.0} ms)",
            d.as_secs_f64() * 1e3
        ),
    );
    std::thread::sleep(d); // the mistake: blocks the whole thread
    rec.mark(
        "blocking",
        "end",
        Some(i),
        format!("blocking sleeper {i} ends"),
    );
}

async fn async_sleeper<R: Rt>(rec: Recorder, i: i64, d: Duration) {
    rec.mark(
        "async",
        "start",
        Some(i),
        format!("async sleeper {i} starts ({:.0} ms)", d.as_secs_f64() * 1e3),
    );
    R::sleep(d).await;
    rec.mark("async", "end", Some(i), format!("async sleeper {i} ends"));
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let delays = DELAYS.map(|s| cx.secs(s));
    cx.block_on::<R, _>(async {
        let start = Instant::now();
        join_all((0..5).map(|i| blocking_sleeper(rec.clone(), i as i64, delays[i]))).await;
        let blocking_ms = start.elapsed().as_secs_f64() * 1e3;
        rec.say(
            "main",
            format!("blocking sleepers took {blocking_ms:.0} ms"),
        );
        cx.figure("blocking_ms", blocking_ms);

        let start = Instant::now();
        join_all((0..5).map(|i| async_sleeper::<R>(rec.clone(), i as i64, delays[i]))).await;
        let async_ms = start.elapsed().as_secs_f64() * 1e3;
        rec.say("main", format!("async sleepers took {async_ms:.0} ms"));
        cx.figure("async_ms", async_ms);
    })?;
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let o = &r.options;
    // Blocking: start0 end0 start1 end1 ... (strictly sequential).
    let blocking: Vec<(String, i64)> = r
        .events_of("blocking")
        .map(|e| (e.kind.clone(), e.value.unwrap_or(-1)))
        .collect();
    let expected: Vec<(String, i64)> = (0..5)
        .flat_map(|i| [("start".to_string(), i), ("end".to_string(), i)])
        .collect();
    ensure(blocking == expected, || {
        format!(
            "blocking sleepers should run one after the other: expected {expected:?}, saw {blocking:?}"
        )
    })?;
    // Async: all five start before any ends.
    let kinds: Vec<&str> = r.events_of("async").map(|e| e.kind.as_str()).collect();
    ensure(
        kinds.len() == 10 && kinds[..5].iter().all(|k| *k == "start"),
        || format!("async sleepers should all start at once: saw {kinds:?}"),
    )?;
    let sum = o.scaled_ms(DELAYS.iter().sum());
    let longest = o.scaled_ms(2.0);
    let blocking_ms = r.num("blocking_ms")?;
    let async_ms = r.num("async_ms")?;
    at_least("blocking total (ms)", blocking_ms, sum - 0.5)?;
    within(
        "async total (ms)",
        async_ms,
        longest - 0.5,
        longest + o.slack_ms(),
    )?;
    ensure(async_ms < blocking_ms, || {
        format!("async ({async_ms:.1} ms) should beat blocking ({blocking_ms:.1} ms)")
    })?;
    Ok(format!(
        "blocking: sequential, {blocking_ms:.0} ms (sum {sum:.0}); async: all started at once, {async_ms:.0} ms (longest {longest:.0})"
    ))
}
