//! Lesson 17, `tracing_json`: the same events as JSON.
//!
//! # The concept
//!
//! Logs meant for machines (a log collector, `jq`) are better as one JSON
//! object per line. Only the subscriber changes; the code that emits the
//! events (lesson 16's `info!`, `warn!`, `error!`) stays the same:
//!
//! ```ignore
//! tracing_subscriber::fmt().json().with_thread_ids(true).init();
//! ```
//!
//! # What to look for
//!
//! Three lines, each a JSON object with `timestamp`, `level`, `fields`
//! (`message`), `threadId`.
//!
//! # Runtime differences
//!
//! None; see lesson 16 about spawned tasks and thread-local subscribers.

use serde_json::Value;

use crate::check::{ensure, equal};
use crate::ctx::Ctx;
use crate::lessons::capture::Capture;
use crate::lessons::l16_tracing_log::emit_events;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 17;
/// Lesson name.
pub const NAME: &str = "tracing_json";
/// What it teaches.
pub const TEACHES: &str =
    "JSON structured logs: the same events through the fmt subscriber's JSON format";
/// The invariant.
pub const INVARIANT: &str = "3 JSON objects that parse";

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_writer(move || writer.clone())
        .with_thread_ids(true)
        .with_thread_names(true)
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
    let mut levels = Vec::new();
    for line in &lines {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| format!("a log line is not JSON ({e}): `{line}`"))?;
        ensure(value.is_object(), || format!("not a JSON object: `{line}`"))?;
        let message = value.pointer("/fields/message").and_then(Value::as_str);
        ensure(message.is_some(), || {
            format!("no fields.message in `{line}`")
        })?;
        levels.push(value["level"].as_str().unwrap_or("?").to_string());
    }
    equal(
        "levels",
        levels,
        vec!["INFO".to_string(), "WARN".into(), "ERROR".into()],
    )?;
    Ok("3 JSON objects that parse, levels INFO, WARN, ERROR".to_string())
}
