//! The lessons of the workshop "1 Hour Dive into Asynchronous Rust", each
//! written **once** and run on four runtime flavours: `mini-ct`, `mini-mt`
//! (mini_runtime's current-thread and work-stealing schedulers) and
//! `tokio-ct`, `tokio-mt`.
//!
//! # How one program runs on two runtimes
//!
//! Every lesson is a generic function `run<R: Rt>(cx: &Ctx)`, where
//! [`Rt`](rt::Rt) is a small facade trait: `R::spawn`, `R::sleep`,
//! `R::channel`, `R::JoinSet`, `R::Builder`, ... forward to the runtime's
//! own functions, and the associated types *are* the runtime's types (see
//! [`rt`]). `join!` and `select!` come from the `futures` crate, which works
//! on any executor. The lesson registry instantiates each lesson twice,
//! `run::<Mini>` and `run::<Tokio>`; the flavour (current-thread or
//! multi-thread) is a builder setting.
//!
//! # Observations and invariants
//!
//! A lesson prints through a [`Recorder`], which also keeps
//! each line as an [`Event`] (task, kind, value, thread name, time since
//! the start), and reports figures ("blocking_ms", "primes", ...). The
//! result is a serializable [`Report`]; [`Report::check`] tests the
//! lesson's invariant from `lessons.md` against it, per flavour where the
//! invariant says so (for example "on a single thread the two tasks
//! interleave" applies to the current-thread flavours only).
//!
//! ```no_run
//! use demos::{Flavor, Options};
//!
//! let report = demos::run_lesson("yield_now", Flavor::MiniCt, &Options::fast()).unwrap();
//! report.check().unwrap();
//! println!("{}", serde_json::to_string(&report).unwrap());
//! ```
//!
//! The `demos` binary wraps this: `demos list`, `demos run <lesson|all>
//! --runtime <flavour|all> [--fast] ...`.

pub mod check;
pub mod ctx;
pub mod datafile;
pub mod lessons;
pub mod memory;
pub mod report;
pub mod rt;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

pub use crate::ctx::{Ctx, Recorder};
pub use crate::lessons::{Lesson, lessons};
pub use crate::report::{Error, Event, FAST_TIME_SCALE, Flavor, Options, Report};

/// Runs one lesson on one flavour and returns what it observed. Call
/// [`Report::check`] on the result to test the lesson's invariant.
///
/// `name` is a lesson name (`yield_now`) or number (`6`).
///
/// # Errors
///
/// An unknown lesson (the error lists the names), a file that cannot be
/// read, a runtime that cannot be built, or a panic inside the lesson.
pub fn run_lesson(name: &str, flavor: Flavor, opts: &Options) -> Result<Report, Error> {
    run_lesson_with_metrics(name, flavor, opts).map(|(report, _)| report)
}

/// Like [`run_lesson`], and also returns the final metrics of each runtime
/// the lesson built (through [`Ctx::runtime`] or [`Ctx::observe`]), in the
/// order they were built. The comparisons tool reports them (polls,
/// steals, parks per worker); Tokio's stable API fills fewer fields.
///
/// # Errors
///
/// As [`run_lesson`].
pub fn run_lesson_with_metrics(
    name: &str,
    flavor: Flavor,
    opts: &Options,
) -> Result<(Report, Vec<rt::Metrics>), Error> {
    let lesson = lessons::find(name)?;
    let cx = Ctx::new(flavor, opts.clone());
    let start = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| (lesson.run)(flavor, &cx)));
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(err)) => return Err(err),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_string());
            return Err(Error::Panicked(msg));
        }
    }
    let (events, figures, notes) = cx.take();
    let metrics = cx.runtime_metrics();
    let report = Report {
        lesson: lesson.name.to_string(),
        number: lesson.number,
        flavor,
        options: opts.clone(),
        wall_ms,
        events,
        figures,
        notes,
    };
    Ok((report, metrics))
}
