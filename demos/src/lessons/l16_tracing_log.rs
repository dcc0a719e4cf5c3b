//! Lesson 16, `tracing_log`: structured logging with `tracing` and the fmt
//! subscriber.
//!
//! # The concept
//!
//! `tracing` separates *emitting* events (`info!`, `warn!`, `error!`) from
//! *collecting* them (a subscriber). The fmt subscriber prints one line per
//! event, here with thread ids and names, which shows where async code
//! actually ran:
//!
//! ```ignore
//! tracing_subscriber::fmt().with_thread_ids(true).with_thread_names(true).init();
//! tracing::info!("Hello from the async main");
//! ```
//!
//! The demo installs its subscriber with `tracing::subscriber::with_default`
//! (for the duration of one closure, on this thread) instead of `init()`
//! (process-wide, once), so that several lessons can run in one process,
//! and captures the output in memory to check it.
//!
//! # What to look for
//!
//! Three lines: INFO and ERROR from the main task, WARN from a spawned
//! task. The thread ids/names tell them apart on multi-thread runtimes.
//!
//! # Runtime differences
//!
//! None in the events. A thread-local default subscriber is only seen on
//! its own thread: on a multi-thread runtime the spawned task runs on a
//! worker, so it carries the subscriber along with
//! `.with_current_subscriber()` (a `tracing::instrument::WithSubscriber`
//! adapter). On a current-thread runtime it would see it anyway.

use tracing::instrument::WithSubscriber as _;

use crate::check::{ensure, equal};
use crate::ctx::Ctx;
use crate::lessons::capture::Capture;
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 16;
/// Lesson name.
pub const NAME: &str = "tracing_log";
/// What it teaches.
pub const TEACHES: &str = "tracing + fmt subscriber: info/warn/error with thread ids";
/// The invariant.
pub const INVARIANT: &str = "3 events";

/// The three events, shared by lessons 16 and 17.
pub(crate) async fn emit_events<R: Rt>() -> Result<(), Error> {
    tracing::info!("Hello from the async main");
    R::spawn(async { tracing::warn!("A warning from a spawned task") }.with_current_subscriber())
        .await
        .map_err(failed)?;
    tracing::error!("An error (not really)");
    Ok(())
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_thread_ids(true)
        .with_thread_names(true)
        .with_target(false)
        .finish();
    let rt = cx.runtime::<R>()?;
    tracing::subscriber::with_default(subscriber, || R::block_on(&rt, emit_events::<R>()))?;
    drop(rt);
    let rec = cx.rec();
    for line in capture.lines() {
        rec.mark("log", "line", None, line);
    }
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let lines: Vec<&str> = r.events_of("log").map(|e| e.text.as_str()).collect();
    equal("log lines", lines.len(), 3)?;
    for (line, level) in lines.iter().zip(["INFO", "WARN", "ERROR"]) {
        ensure(line.contains(level) && line.contains("ThreadId("), || {
            format!("expected a {level} line with a thread id, saw `{line}`")
        })?;
    }
    Ok("3 events: INFO, WARN, ERROR, each with its thread id".to_string())
}
