//! Lesson 18, `tracing_spans`: `#[instrument]` on an async fn.
//!
//! # The concept
//!
//! A span is a period of time with a name and fields. `#[instrument]` on an
//! `async fn` wraps its future so the span is *entered on every poll* and
//! exited when the poll returns. With `FmtSpan::ENTER | FmtSpan::CLOSE` the
//! fmt subscriber prints each enter and, when the span closes, how long it
//! was busy (inside polls) and idle (between polls):
//!
//! ```ignore
//! #[tracing::instrument]
//! async fn hello_world(nap: Duration) {
//!     tracing::info!("sleeping");
//!     tokio::time::sleep(nap).await;   // 1 s
//! }
//! ```
//!
//! # What to look for
//!
//! Two polls, so two `enter` lines for them: the first poll runs up to the
//! sleep and returns `Pending`; the timer wakes the task and the second
//! poll finishes. (The lesson counts the polls itself with a small
//! wrapper.) Then a third `enter`: since tracing 0.1.38 the `Instrumented`
//! wrapper also enters the span while it *drops* the finished future, so
//! that anything logged by destructors is attributed to the span. One
//! `close` line with `time.busy` (microseconds) and `time.idle` (about 1 s:
//! the sleep). This is the "async is mostly waiting" picture in numbers.
//!
//! # Runtime differences
//!
//! None expected: both runtimes poll the sleeping future exactly twice.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tracing_subscriber::fmt::format::FmtSpan;

use crate::check::{ensure, equal, parse_tracing_duration_ms, within};
use crate::ctx::Ctx;
use crate::lessons::capture::Capture;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 18;
/// Lesson name.
pub const NAME: &str = "tracing_spans";
/// What it teaches.
pub const TEACHES: &str =
    "#[instrument] on an async fn that sleeps 1 s: span enter/close with busy/idle time";
/// The invariant.
pub const INVARIANT: &str = "2 enters (one per poll), 1 close, idle close to 1 s";

pin_project_lite::pin_project! {
    /// Counts the polls of the future it wraps.
    struct CountPolls<F> {
        #[pin]
        inner: F,
        polls: Arc<AtomicUsize>,
    }
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        this.polls.fetch_add(1, Ordering::SeqCst);
        this.inner.poll(cx)
    }
}

/// The instrumented async fn: one span, entered on each poll.
#[tracing::instrument(skip_all, fields(nap_ms = nap.as_millis() as u64))]
async fn hello_world<R: Rt>(nap: Duration) {
    tracing::info!("sleeping");
    R::sleep(nap).await;
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_target(false)
        .with_span_events(FmtSpan::ENTER | FmtSpan::CLOSE)
        .finish();
    let nap = cx.secs(1.0);
    cx.figure("nap_ms", nap.as_secs_f64() * 1e3);
    let rt = cx.runtime::<R>()?;
    let polls = Arc::new(AtomicUsize::new(0));
    let future = CountPolls {
        inner: hello_world::<R>(nap),
        polls: polls.clone(),
    };
    tracing::subscriber::with_default(subscriber, || R::block_on(&rt, future));
    drop(rt);
    cx.figure("polls", polls.load(Ordering::SeqCst));
    let rec = cx.rec();
    for line in capture.lines() {
        rec.mark("log", "line", None, line);
    }
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let lines: Vec<&str> = r.events_of("log").map(|e| e.text.as_str()).collect();
    let enters = lines
        .iter()
        .filter(|l| l.trim_end().ends_with(": enter"))
        .count();
    let closes: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains(": close "))
        .collect();
    let polls = r.int("polls")? as usize;
    equal("polls of the instrumented future", polls, 2)?;
    // One enter per poll, plus (tracing >= 0.1.38) one while dropping.
    ensure(enters == polls || enters == polls + 1, || {
        format!(
            "expected one span enter per poll ({polls}), plus at most one for the drop; saw {enters}"
        )
    })?;
    equal("span closes", closes.len(), 1)?;
    let field = |name: &str| -> Result<f64, String> {
        let start = closes[0]
            .find(&format!("{name}="))
            .ok_or_else(|| format!("no {name} in `{}`", closes[0]))?
            + name.len()
            + 1;
        let value = closes[0][start..].split_whitespace().next().unwrap_or("");
        parse_tracing_duration_ms(value).ok_or_else(|| format!("cannot parse {name}={value}"))
    };
    let idle = field("time.idle")?;
    let busy = field("time.busy")?;
    let nap = r.num("nap_ms")?;
    within(
        "idle time (ms)",
        idle,
        nap * 0.99 - 0.5,
        nap + r.options.slack_ms(),
    )?;
    Ok(format!(
        "2 polls, {enters} enters (one per poll{}), 1 close; idle {idle:.1} ms (sleep {nap:.0} ms), busy {busy:.3} ms",
        if enters > polls {
            " + one for the drop"
        } else {
            ""
        }
    ))
}
