//! The event trace: what the scheduler did, when, on which thread.
//!
//! Compiled only with the `trace` cargo feature; without it every hook in
//! the runtime is an empty macro, so the trace costs nothing.
//!
//! # What is recorded
//!
//! | event | when |
//! |---|---|
//! | `Spawn` | a task is created |
//! | `Poll` | a task was polled (start time and duration) |
//! | `Wake` | a waker queued a task |
//! | `Steal` | a worker stole tasks from another |
//! | `Park` | a worker slept (start time and duration) |
//! | `TimerFire` | the timer driver fired timers |
//! | `Blocking` | a blocking-pool job ran (start time and duration) |
//!
//! Each event carries a timestamp (nanoseconds since [`start`]) and the
//! recording thread (a small number, with the thread's name kept once).
//! Events go into one bounded buffer: when it is full, later events are
//! counted as dropped instead of growing memory without limit.
//!
//! # Using it
//!
//! ```ignore
//! mini_runtime::trace::start(1_000_000);
//! rt.block_on(work());
//! let trace = mini_runtime::trace::stop();
//! std::fs::write("trace.json", trace.to_chrome_json())?;
//! // open trace.json in https://ui.perfetto.dev or chrome://tracing
//! ```
//!
//! This is mini_runtime's answer to tokio-console: Tokio exposes its
//! events through `tracing` instrumentation (with `tokio_unstable`), which
//! the console subscriber streams to a separate UI; here the runtime keeps a
//! plain buffer and writes the Chrome trace-event format that Perfetto reads.

use std::cell::Cell;
use std::fmt::Write as _;
use std::time::Instant;

use crate::sync::Mutex;
use crate::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A task was spawned.
    Spawn {
        /// Task id.
        task: u64,
    },
    /// A task was polled for `duration_ns`.
    Poll {
        /// Task id.
        task: u64,
        /// How long the poll took.
        duration_ns: u64,
    },
    /// A waker queued a task.
    Wake {
        /// Task id.
        task: u64,
    },
    /// This thread stole `count` tasks from worker `from`.
    Steal {
        /// Victim worker index.
        from: usize,
        /// Tasks taken.
        count: usize,
    },
    /// The thread slept for `duration_ns`.
    Park {
        /// How long it slept.
        duration_ns: u64,
    },
    /// The timer driver fired `count` timers.
    TimerFire {
        /// Timers fired.
        count: usize,
    },
    /// A blocking-pool job ran for `duration_ns`.
    Blocking {
        /// Task id of the job.
        task: u64,
        /// How long it ran.
        duration_ns: u64,
    },
}

/// One recorded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Nanoseconds since the trace started (for `Poll`, `Park` and
    /// `Blocking`: the start of the interval).
    pub at_ns: u64,
    /// The recording thread, an index into [`Trace::threads`].
    pub thread: usize,
    /// What happened.
    pub kind: EventKind,
}

/// A finished trace.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Events in the order they were recorded.
    pub events: Vec<Event>,
    /// Thread names, indexed by [`Event::thread`].
    pub threads: Vec<String>,
    /// Events that did not fit in the buffer.
    pub dropped: u64,
}

struct Recorder {
    start: Instant,
    capacity: usize,
    events: Vec<Event>,
    threads: Vec<String>,
    dropped: u64,
    /// Distinguishes traces, so thread numbers from an old trace are not
    /// reused in a new one.
    generation: u64,
}

static ENABLED: AtomicBool = AtomicBool::new(false);
static RECORDER: Mutex<Option<Recorder>> = Mutex::new(None);
static GENERATION: crate::sync::StaticAtomicU64 = crate::sync::StaticAtomicU64::new(1);

thread_local! {
    /// (generation, thread number) of this thread in the current trace.
    static THREAD: Cell<(u64, usize)> = const { Cell::new((0, 0)) };
}

/// Starts recording (replacing any trace in progress), keeping at most
/// `capacity` events.
pub fn start(capacity: usize) {
    let generation = GENERATION.fetch_add(1, Relaxed);
    *RECORDER.lock() = Some(Recorder {
        start: Instant::now(),
        capacity,
        events: Vec::with_capacity(capacity.min(1 << 20)),
        threads: Vec::new(),
        dropped: 0,
        generation,
    });
    ENABLED.store(true, Relaxed);
}

/// Stops recording and returns what was recorded (empty if not started).
pub fn stop() -> Trace {
    ENABLED.store(false, Relaxed);
    match RECORDER.lock().take() {
        Some(r) => Trace {
            events: r.events,
            threads: r.threads,
            dropped: r.dropped,
        },
        None => Trace::default(),
    }
}

/// Whether a trace is being recorded.
pub fn is_enabled() -> bool {
    ENABLED.load(Relaxed)
}

/// A timestamp for the start of an interval event.
pub(crate) fn now() -> Option<Instant> {
    is_enabled().then(Instant::now)
}

/// Records an event that happened `at` (or now).
pub(crate) fn record(at: Option<Instant>, kind: EventKind) {
    if !is_enabled() {
        return;
    }
    let at = at.unwrap_or_else(Instant::now);
    let mut guard = RECORDER.lock();
    let Some(r) = guard.as_mut() else { return };
    let (generation, mut thread) = THREAD.with(Cell::get);
    if generation != r.generation {
        thread = r.threads.len();
        let current = std::thread::current();
        r.threads.push(
            current
                .name()
                .map_or_else(|| format!("{:?}", current.id()), str::to_owned),
        );
        THREAD.with(|t| t.set((r.generation, thread)));
    }
    if r.events.len() >= r.capacity {
        r.dropped += 1;
        return;
    }
    let at_ns = at.saturating_duration_since(r.start).as_nanos() as u64;
    r.events.push(Event {
        at_ns,
        thread,
        kind,
    });
}

/// Nanoseconds elapsed since `start`.
pub(crate) fn since(start: Instant) -> u64 {
    start.elapsed().as_nanos() as u64
}

impl Trace {
    /// The trace in Chrome's trace-event JSON format (opens in Perfetto
    /// and `chrome://tracing`): polls, parks and blocking jobs as duration
    /// events, the rest as instant events, one row per thread.
    pub fn to_chrome_json(&self) -> String {
        let mut out = String::from("{\"traceEvents\":[\n");
        let mut first = true;
        let mut push = |line: String| {
            if !first {
                out.push_str(",\n");
            }
            first = false;
            out.push_str(&line);
        };
        for (tid, name) in self.threads.iter().enumerate() {
            push(format!(
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{tid},\"args\":{{\"name\":{}}}}}",
                json_string(name)
            ));
        }
        for e in &self.events {
            let ts = e.at_ns as f64 / 1000.0;
            let tid = e.thread;
            let line = match e.kind {
                EventKind::Poll { task, duration_ns } => format!(
                    "{{\"name\":\"poll task {task}\",\"cat\":\"poll\",\"ph\":\"X\",\"ts\":{ts:.3},\"dur\":{:.3},\"pid\":1,\"tid\":{tid},\"args\":{{\"task\":{task}}}}}",
                    duration_ns as f64 / 1000.0
                ),
                EventKind::Park { duration_ns } => format!(
                    "{{\"name\":\"park\",\"cat\":\"park\",\"ph\":\"X\",\"ts\":{ts:.3},\"dur\":{:.3},\"pid\":1,\"tid\":{tid}}}",
                    duration_ns as f64 / 1000.0
                ),
                EventKind::Blocking { task, duration_ns } => format!(
                    "{{\"name\":\"blocking task {task}\",\"cat\":\"blocking\",\"ph\":\"X\",\"ts\":{ts:.3},\"dur\":{:.3},\"pid\":1,\"tid\":{tid},\"args\":{{\"task\":{task}}}}}",
                    duration_ns as f64 / 1000.0
                ),
                EventKind::Spawn { task } => instant("spawn", ts, tid, &format!("\"task\":{task}")),
                EventKind::Wake { task } => instant("wake", ts, tid, &format!("\"task\":{task}")),
                EventKind::Steal { from, count } => instant(
                    "steal",
                    ts,
                    tid,
                    &format!("\"from\":{from},\"count\":{count}"),
                ),
                EventKind::TimerFire { count } => {
                    instant("timers", ts, tid, &format!("\"count\":{count}"))
                }
            };
            push(line);
        }
        let _ = write!(
            out,
            "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{{\"dropped\":{}}}}}",
            self.dropped
        );
        out
    }
}

fn instant(name: &str, ts: f64, tid: usize, args: &str) -> String {
    format!(
        "{{\"name\":\"{name}\",\"cat\":\"{name}\",\"ph\":\"i\",\"s\":\"t\",\"ts\":{ts:.3},\"pid\":1,\"tid\":{tid},\"args\":{{{args}}}}}"
    )
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
