//! The lessons, in workshop order, and the registry that runs them.
//!
//! Each module holds one lesson: its docs (the concept, what to look for,
//! why runtimes may differ), `run<R: Rt>` (the program, written once) and
//! `check` (the invariant of `lessons.md`, tested on the [`Report`]).

pub mod l00_threads_vs_tasks;
pub mod l01_block_on;
pub mod l02_runtime_builder;
pub mod l03_hello_main;
pub mod l04_join;
pub mod l05_spawn;
pub mod l06_yield_now;
pub mod l07_select;
pub mod l08_blocking_mistake;
pub mod l09_spawn_blocking;
pub mod l10_channels;
pub mod l11_multi_channels;
pub mod l12_thread_to_runtime;
pub mod l13_streams;
pub mod l14_stream_generator;
pub mod l15_file_lines;
pub mod l16_tracing_log;
pub mod l17_tracing_json;
pub mod l18_tracing_spans;
pub mod l19_stream_adapter;
pub mod l20_pinning_select;
pub mod l21_async_recursion;
pub mod l22_async_traits;
pub mod l23_select_timeout;
pub mod l24_cpu_pool_reply;
pub mod l25_introspection;

mod capture;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::ctx::Ctx;
use crate::report::{Error, Flavor, Report};
use crate::rt::{Mini, Tokio};

/// One lesson of the registry.
#[derive(Clone, Copy)]
pub struct Lesson {
    /// Its number (0..=25).
    pub number: u32,
    /// Its name (`yield_now`).
    pub name: &'static str,
    /// What it teaches, in one line.
    pub teaches: &'static str,
    /// The invariant checked on every runtime.
    pub invariant: &'static str,
    /// Runs the lesson on a flavour.
    pub run: fn(Flavor, &Ctx) -> Result<(), Error>,
    /// Tests the invariant; `Ok` says what held.
    pub check: fn(&Report) -> Result<String, String>,
}

impl fmt::Debug for Lesson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lesson")
            .field("number", &self.number)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

macro_rules! lesson {
    ($module:ident) => {
        Lesson {
            number: $module::NUMBER,
            name: $module::NAME,
            teaches: $module::TEACHES,
            invariant: $module::INVARIANT,
            run: |flavor, cx| {
                if flavor.is_mini() {
                    $module::run::<Mini>(cx)
                } else {
                    $module::run::<Tokio>(cx)
                }
            },
            check: $module::check,
        }
    };
}

static LESSONS: [Lesson; 26] = [
    lesson!(l00_threads_vs_tasks),
    lesson!(l01_block_on),
    lesson!(l02_runtime_builder),
    lesson!(l03_hello_main),
    lesson!(l04_join),
    lesson!(l05_spawn),
    lesson!(l06_yield_now),
    lesson!(l07_select),
    lesson!(l08_blocking_mistake),
    lesson!(l09_spawn_blocking),
    lesson!(l10_channels),
    lesson!(l11_multi_channels),
    lesson!(l12_thread_to_runtime),
    lesson!(l13_streams),
    lesson!(l14_stream_generator),
    lesson!(l15_file_lines),
    lesson!(l16_tracing_log),
    lesson!(l17_tracing_json),
    lesson!(l18_tracing_spans),
    lesson!(l19_stream_adapter),
    lesson!(l20_pinning_select),
    lesson!(l21_async_recursion),
    lesson!(l22_async_traits),
    lesson!(l23_select_timeout),
    lesson!(l24_cpu_pool_reply),
    lesson!(l25_introspection),
];

/// Every lesson, in order.
pub fn lessons() -> &'static [Lesson] {
    &LESSONS
}

/// The lesson with this name or number.
///
/// # Errors
///
/// [`Error::UnknownLesson`], which lists the names.
pub fn find(name: &str) -> Result<&'static Lesson, Error> {
    let by_number = name.parse::<u32>().ok();
    LESSONS
        .iter()
        .find(|l| l.name == name || Some(l.number) == by_number)
        .ok_or_else(|| Error::UnknownLesson {
            name: name.to_string(),
            known: LESSONS.iter().map(|l| l.name).collect(),
        })
}

/// Sets its flag when dropped: put one inside an endless task to see
/// whether the runtime's shutdown really dropped (cancelled) it.
#[derive(Debug)]
pub struct DropFlag(pub Arc<AtomicBool>);

impl DropFlag {
    /// A flag and the guard that sets it.
    pub fn new() -> (Arc<AtomicBool>, DropFlag) {
        let flag = Arc::new(AtomicBool::new(false));
        (flag.clone(), DropFlag(flag))
    }
}

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Turns a failed join (or any error) into a lesson [`Error`].
pub fn failed(err: impl fmt::Display) -> Error {
    Error::Failed(format!("a task failed: {err}"))
}

/// Keeps the CPU busy for `d` (stands for real work, unlike a sleep).
pub fn busy_for(d: std::time::Duration) {
    let start = std::time::Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}
