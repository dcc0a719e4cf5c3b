//! What a lesson run produces: [`Report`] (events, figures) and the types
//! around it ([`Flavor`], [`Options`], [`Event`], [`Error`]).

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::rt::Threading;

/// A runtime flavour: which runtime, which scheduler.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    /// mini_runtime, current-thread scheduler.
    MiniCt,
    /// mini_runtime, multi-thread work-stealing scheduler.
    MiniMt,
    /// Tokio `current_thread`.
    TokioCt,
    /// Tokio `multi_thread`.
    TokioMt,
}

impl Flavor {
    /// Every flavour, in the order reports list them.
    pub const ALL: [Flavor; 4] = [
        Flavor::MiniCt,
        Flavor::MiniMt,
        Flavor::TokioCt,
        Flavor::TokioMt,
    ];

    /// The label used on the command line and in reports (`mini-ct`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Flavor::MiniCt => "mini-ct",
            Flavor::MiniMt => "mini-mt",
            Flavor::TokioCt => "tokio-ct",
            Flavor::TokioMt => "tokio-mt",
        }
    }

    /// Parses a label (`mini-ct`, ...).
    pub fn from_label(label: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.label() == label)
    }

    /// Current-thread or multi-thread.
    pub fn threading(self) -> Threading {
        match self {
            Flavor::MiniCt | Flavor::TokioCt => Threading::CurrentThread,
            Flavor::MiniMt | Flavor::TokioMt => Threading::MultiThread,
        }
    }

    /// Whether every task runs on one thread.
    pub fn is_current_thread(self) -> bool {
        self.threading() == Threading::CurrentThread
    }

    /// Whether this is mini_runtime (else Tokio).
    pub fn is_mini(self) -> bool {
        matches!(self, Flavor::MiniCt | Flavor::MiniMt)
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// By how much `--fast` divides every duration of the lessons: one second
/// becomes 50 ms. Larger than "seconds to milliseconds" on purpose, so the
/// timing invariants (5 s against 2 s, a 1 s timeout against 2 s of work)
/// stay well above scheduler noise; `--time-scale 1000` gives exactly
/// seconds-to-milliseconds.
pub const FAST_TIME_SCALE: u32 = 20;

/// Settings of a lesson run (the command line's `run` options).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Worker threads of the multi-thread flavours.
    pub workers: usize,
    /// Scale durations down (see [`FAST_TIME_SCALE`]) and use smaller sizes.
    pub fast: bool,
    /// Divide every duration by this instead (overrides `fast`'s scale).
    pub time_scale: Option<u32>,
    /// Messages the endless channel lessons (10, 11, 12) stop after.
    pub ticks: usize,
    /// Lesson 0: threads and tasks to start (default 10,000; 1,000 with `fast`).
    pub threads: Option<usize>,
    /// Lesson 7: seed of the random sleeps.
    pub seed: u64,
    /// Lesson 9: count primes below this.
    pub primes_below: u32,
    /// Lessons 15 and 19: read this file instead of the generated one.
    pub file: Option<PathBuf>,
    /// Lessons 15 and 19: lines of the generated file.
    pub lines: usize,
    /// Print each event as it happens (the command line does; tests don't).
    pub echo: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            workers: 4,
            fast: false,
            time_scale: None,
            ticks: 3,
            threads: None,
            seed: 7,
            primes_below: 100_000,
            file: None,
            lines: crate::datafile::DEFAULT_LINES,
            echo: false,
        }
    }
}

impl Options {
    /// Options for a quick run: `fast`, nothing printed.
    pub fn fast() -> Options {
        Options {
            fast: true,
            ..Options::default()
        }
    }

    /// The divisor applied to every lesson duration.
    pub fn time_scale(&self) -> u32 {
        self.time_scale
            .unwrap_or(if self.fast { FAST_TIME_SCALE } else { 1 })
            .max(1)
    }

    /// `secs` seconds of the original program, scaled.
    pub fn secs(&self, secs: f64) -> Duration {
        Duration::from_secs_f64(secs / f64::from(self.time_scale()))
    }

    /// `secs` seconds of the original program, scaled, in milliseconds.
    pub fn scaled_ms(&self, secs: f64) -> f64 {
        secs * 1e3 / f64::from(self.time_scale())
    }

    /// How late a timer may legitimately be observed (scheduling noise on
    /// a loaded machine), in milliseconds: upper bounds of timing
    /// invariants add this. Lower bounds are exact: a timer never fires
    /// early.
    pub fn slack_ms(&self) -> f64 {
        self.scaled_ms(0.5).max(100.0)
    }

    /// Lesson 0's N.
    pub fn threads(&self) -> usize {
        self.threads
            .unwrap_or(if self.fast { 1_000 } else { 10_000 })
    }
}

/// One thing a lesson printed or observed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the lesson started.
    pub t_ms: f64,
    /// Which task (or thread, or part of the program) it came from.
    pub task: String,
    /// A short machine-readable tag ("start", "end", "tick", ...).
    pub kind: String,
    /// A number the event carries (a tick number, a result), if any.
    pub value: Option<i64>,
    /// Name of the OS thread it happened on.
    pub thread: String,
    /// The line as the program prints it.
    pub text: String,
}

impl Event {
    /// The event as the command line prints it.
    pub fn display_line(&self) -> String {
        let mut thread = self.thread.clone();
        if thread.chars().count() > 24 {
            thread = thread.chars().take(23).collect::<String>() + "…";
        }
        format!("{:>10.3} ms  {thread:<24}  {}", self.t_ms, self.text)
    }
}

/// Everything one lesson run observed; [`Report::check`] decides whether
/// the lesson's invariant held. Serializable, so a parent process can run
/// lessons in children (`demos run ... --json`) and read the reports back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Lesson name (`yield_now`, ...).
    pub lesson: String,
    /// Lesson number (0..=25).
    pub number: u32,
    /// The runtime flavour it ran on.
    pub flavor: Flavor,
    /// The options it ran with.
    pub options: Options,
    /// Wall time of the whole run, runtime start and shutdown included.
    pub wall_ms: f64,
    /// What happened, in the order it was recorded.
    pub events: Vec<Event>,
    /// The lesson's figures ("blocking_ms", "primes", "lines_per_reader", ...).
    pub figures: BTreeMap<String, Value>,
    /// Extra lines the lesson prints after its output (tables, explanations).
    pub notes: Vec<String>,
}

impl Report {
    /// Checks the lesson's invariant (see `lessons.md`) against what was
    /// observed; `Err` says which part failed and with what values.
    pub fn check(&self) -> Result<(), String> {
        self.verdict().map(|_| ())
    }

    /// Like [`check`](Self::check), and on success says what held.
    pub fn verdict(&self) -> Result<String, String> {
        let lesson = crate::lessons::find(&self.lesson).map_err(|e| e.to_string())?;
        (lesson.check)(self)
    }

    /// Events of one task, in order.
    pub fn events_of<'a>(&'a self, task: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.task == task)
    }

    /// Values carried by the events of one task, in order.
    pub fn values(&self, task: &str) -> Vec<i64> {
        self.events_of(task).filter_map(|e| e.value).collect()
    }

    /// Values of the events of one task and kind, in order.
    pub fn values_of_kind(&self, task: &str, kind: &str) -> Vec<i64> {
        self.events_of(task)
            .filter(|e| e.kind == kind)
            .filter_map(|e| e.value)
            .collect()
    }

    /// A figure, or an error naming it.
    pub fn figure(&self, key: &str) -> Result<&Value, String> {
        self.figures
            .get(key)
            .ok_or_else(|| format!("the report has no figure `{key}`"))
    }

    /// A numeric figure.
    pub fn num(&self, key: &str) -> Result<f64, String> {
        self.figure(key)?
            .as_f64()
            .ok_or_else(|| format!("figure `{key}` is not a number"))
    }

    /// An integer figure.
    pub fn int(&self, key: &str) -> Result<i64, String> {
        self.figure(key)?
            .as_i64()
            .ok_or_else(|| format!("figure `{key}` is not an integer"))
    }

    /// A boolean figure.
    pub fn flag(&self, key: &str) -> Result<bool, String> {
        self.figure(key)?
            .as_bool()
            .ok_or_else(|| format!("figure `{key}` is not a boolean"))
    }

    /// A string figure.
    pub fn text(&self, key: &str) -> Result<&str, String> {
        self.figure(key)?
            .as_str()
            .ok_or_else(|| format!("figure `{key}` is not a string"))
    }

    /// A figure that is a list of integers.
    pub fn ints(&self, key: &str) -> Result<Vec<i64>, String> {
        let list = self
            .figure(key)?
            .as_array()
            .ok_or_else(|| format!("figure `{key}` is not a list"))?;
        list.iter()
            .map(|v| {
                v.as_i64()
                    .ok_or_else(|| format!("figure `{key}` holds a non-integer"))
            })
            .collect()
    }

    /// A figure deserialized into `T`.
    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<T, String> {
        serde_json::from_value(self.figure(key)?.clone())
            .map_err(|e| format!("figure `{key}` has an unexpected shape: {e}"))
    }
}

/// Why a lesson could not run.
#[derive(Debug)]
pub enum Error {
    /// No lesson has this name or number.
    UnknownLesson {
        /// What was asked for.
        name: String,
        /// The names that exist.
        known: Vec<&'static str>,
    },
    /// An I/O error (a missing `--file`, a runtime that failed to build).
    Io {
        /// What was being done, with the path if there is one.
        what: String,
        /// The error.
        source: io::Error,
    },
    /// The lesson (or the runtime under it) panicked.
    Panicked(String),
    /// The lesson could not finish for another reason.
    Failed(String),
}

impl Error {
    /// An [`Error::Io`].
    pub fn io(what: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownLesson { name, known } => write!(
                f,
                "unknown lesson `{name}`; the lessons are: {} (or their numbers 0..={}, or `all`)",
                known.join(", "),
                known.len().saturating_sub(1)
            ),
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::Panicked(msg) => write!(f, "the lesson panicked: {msg}"),
            Error::Failed(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
