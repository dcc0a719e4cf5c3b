//! What a lesson gets to work with: [`Ctx`] (flavour, options, figures) and
//! [`Recorder`] (prints a line and keeps it as an [`Event`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::report::{Error, Event, Flavor, Options};
use crate::rt::{Metrics, Rt, RtBuilder, RtHandle};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Prints a line on stdout, ignoring errors (a closed pipe, as in
/// `demos run all | head`, must not panic inside a task).
pub fn print_line(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// The name of the calling OS thread (`<unnamed>` if it has none).
pub fn thread_name() -> String {
    std::thread::current()
        .name()
        .unwrap_or("<unnamed>")
        .to_string()
}

/// Prints lines the way the workshop's programs do, and records each one as
/// an [`Event`] with the task, the thread and the time since the start.
///
/// Cheap to clone (one `Arc`); clones share the log.
#[derive(Clone, Debug)]
pub struct Recorder {
    inner: Arc<RecorderInner>,
}

#[derive(Debug)]
struct RecorderInner {
    start: Instant,
    echo: bool,
    events: Mutex<Vec<Event>>,
}

impl Recorder {
    /// A recorder whose clock starts now; `echo` prints each event at once.
    pub fn new(echo: bool) -> Recorder {
        Recorder {
            inner: Arc::new(RecorderInner {
                start: Instant::now(),
                echo,
                events: Mutex::new(Vec::new()),
            }),
        }
    }

    /// When the lesson started.
    pub fn start(&self) -> Instant {
        self.inner.start
    }

    /// Milliseconds since the start.
    pub fn now_ms(&self) -> f64 {
        self.inner.start.elapsed().as_secs_f64() * 1e3
    }

    /// Prints `text` for `task` (kind "say", no value).
    pub fn say(&self, task: &str, text: impl Into<String>) {
        self.record(task, "say", None, text.into());
    }

    /// Prints `text` for `task` with a number (kind = the task's name).
    pub fn say_n(&self, task: &str, value: i64, text: impl Into<String>) {
        self.record(task, task, Some(value), text.into());
    }

    /// Prints `text` with a task, a kind and an optional number.
    pub fn mark(&self, task: &str, kind: &str, value: Option<i64>, text: impl Into<String>) {
        self.record(task, kind, value, text.into());
    }

    fn record(&self, task: &str, kind: &str, value: Option<i64>, text: String) {
        let thread = thread_name();
        // Timestamp, log and print under one lock, so the log's order, the
        // timestamps and the printed order agree.
        let mut events = lock(&self.inner.events);
        let event = Event {
            t_ms: self.now_ms(),
            task: task.to_string(),
            kind: kind.to_string(),
            value,
            thread,
            text,
        };
        if self.inner.echo {
            print_line(&event.display_line());
        }
        events.push(event);
    }

    /// Everything recorded so far.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.inner.events).clone()
    }
}

/// The context a lesson runs in: flavour, options, the recorder, and the
/// figures it reports.
#[derive(Debug)]
pub struct Ctx {
    flavor: Flavor,
    opts: Options,
    rec: Recorder,
    figures: Mutex<BTreeMap<String, Value>>,
    notes: Mutex<Vec<String>>,
    /// Handles of the runtimes this run built (see [`Ctx::observe`]).
    observed: Mutex<Vec<ObservedRuntime>>,
}

/// A handle kept on a runtime the lesson built, to read its metrics after
/// the lesson (a handle keeps the counters alive after shutdown).
#[derive(Debug)]
enum ObservedRuntime {
    Mini(mini_runtime::runtime::Handle),
    Tokio(tokio::runtime::Handle),
}

impl Ctx {
    /// A context for one run.
    pub fn new(flavor: Flavor, opts: Options) -> Ctx {
        let rec = Recorder::new(opts.echo);
        Ctx {
            flavor,
            opts,
            rec,
            figures: Mutex::new(BTreeMap::new()),
            notes: Mutex::new(Vec::new()),
            observed: Mutex::new(Vec::new()),
        }
    }

    /// The flavour this run uses.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The options of this run.
    pub fn opts(&self) -> &Options {
        &self.opts
    }

    /// A handle on the recorder (clone it into tasks).
    pub fn rec(&self) -> Recorder {
        self.rec.clone()
    }

    /// `secs` seconds of the original program, scaled by `--fast`.
    pub fn secs(&self, secs: f64) -> Duration {
        self.opts.secs(secs)
    }

    /// Builds the runtime of this run's flavour: current-thread, or
    /// multi-thread with `--workers` workers; timers enabled.
    pub fn runtime<R: Rt>(&self) -> Result<R::Runtime, Error> {
        let rt = R::builder(self.flavor.threading())
            .worker_threads(self.opts.workers.max(1))
            .enable_all()
            .build()
            .map_err(|e| Error::io(format!("could not build the {} runtime", self.flavor), e))?;
        self.observe::<R>(&rt);
        Ok(rt)
    }

    /// Keeps a handle on `rt` so that [`runtime_metrics`](Self::runtime_metrics)
    /// can read its counters after the lesson. [`runtime`](Self::runtime)
    /// does this for every runtime it builds; a lesson that builds its own
    /// runtime may call it. Lessons never read these metrics themselves: the
    /// comparisons tool does, through [`crate::run_lesson_with_metrics`].
    pub fn observe<R: Rt>(&self, rt: &R::Runtime) {
        let any: &dyn std::any::Any = rt;
        let observed = if let Some(rt) = any.downcast_ref::<mini_runtime::runtime::Runtime>() {
            ObservedRuntime::Mini(rt.handle().clone())
        } else if let Some(rt) = any.downcast_ref::<tokio::runtime::Runtime>() {
            ObservedRuntime::Tokio(rt.handle().clone())
        } else {
            return;
        };
        lock(&self.observed).push(observed);
    }

    /// Metrics of every runtime [observed](Self::observe) so far, in the
    /// order they were built (final counts once the runtimes are dropped).
    pub fn runtime_metrics(&self) -> Vec<Metrics> {
        lock(&self.observed)
            .iter()
            .map(|h| match h {
                ObservedRuntime::Mini(h) => RtHandle::<crate::rt::Mini>::metrics(h),
                ObservedRuntime::Tokio(h) => RtHandle::<crate::rt::Tokio>::metrics(h),
            })
            .collect()
    }

    /// Builds the runtime, runs `future` on it, and drops the runtime
    /// (which cancels every task still pending), like `#[main]` does.
    pub fn block_on<R: Rt, F: Future>(&self, future: F) -> Result<F::Output, Error> {
        let rt = self.runtime::<R>()?;
        let out = R::block_on(&rt, future);
        drop(rt);
        Ok(out)
    }

    /// [`block_on`](Self::block_on) for a body that returns `Result<(), Error>`.
    pub fn run<R: Rt, F>(&self, future: F) -> Result<(), Error>
    where
        F: Future<Output = Result<(), Error>>,
    {
        self.block_on::<R, F>(future)?
    }

    /// Records a figure of the lesson ("blocking_ms", "primes", ...).
    pub fn figure(&self, key: &str, value: impl Serialize) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        lock(&self.figures).insert(key.to_string(), value);
    }

    /// Adds a line printed after the lesson's output (and kept in the report).
    pub fn note(&self, line: impl Into<String>) {
        let line = line.into();
        if self.opts.echo {
            print_line(&format!("  | {line}"));
        }
        lock(&self.notes).push(line);
    }

    pub(crate) fn take(&self) -> (Vec<Event>, BTreeMap<String, Value>, Vec<String>) {
        (
            self.rec.events(),
            std::mem::take(&mut *lock(&self.figures)),
            std::mem::take(&mut *lock(&self.notes)),
        )
    }
}
