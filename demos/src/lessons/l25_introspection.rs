//! Lesson 25, `introspection`: what is the runtime doing? ("htop for async")
//!
//! # The concept
//!
//! A runtime can count what it does: tasks spawned and alive, polls per
//! worker, steals between workers, how often workers parked, the depth of
//! the global queue, blocking-pool threads. The lesson starts a busy
//! workload (200 tasks that alternate CPU work, `yield_now` and short
//! sleeps, plus one `spawn_blocking` job) and prints a snapshot of the
//! metrics right after spawning, during the run, and at the end:
//!
//! ```ignore
//! let m = tokio::runtime::Handle::current().metrics();
//! println!("{} workers, {} alive tasks, {} queued", m.num_workers(), m.num_alive_tasks(), m.global_queue_depth());
//! ```
//!
//! # What to look for
//!
//! On mini_runtime every counter is there: `spawned_tasks_count`,
//! `worker_poll_count` (polls >= tasks: each task is polled at least once,
//! and a task that yields 20 times is polled 21 times or more),
//! `worker_steal_count` on the multi-thread flavour (idle workers take half
//! of a busy worker's queue), `worker_park_count`, `num_blocking_threads`.
//!
//! `num_alive_tasks` may still read 1 or 2 at the end on the multi-thread
//! flavours, on both runtimes: a `JoinHandle` resolves as soon as the
//! output is stored, a moment before the worker releases the finished task.
//!
//! # Runtime differences
//!
//! Tokio's *stable* metrics (`Handle::metrics()` in a normal build) are
//! `num_workers`, `num_alive_tasks`, `global_queue_depth`, and on 64-bit
//! targets `worker_park_count`, `worker_park_unpark_count` and
//! `worker_total_busy_duration`. Spawn, poll, steal, schedule and
//! blocking-pool counters (and poll-time histograms) exist only when Tokio
//! is built with `RUSTFLAGS="--cfg tokio_unstable"`; they show as "n/a"
//! here. mini_runtime does not measure busy time.

use std::time::Duration;

use crate::check::{at_least, ensure, equal};
use crate::ctx::Ctx;
use crate::lessons::{busy_for, failed};
use crate::report::{Error, Report};
use crate::rt::{Metrics, Rt};

/// Lesson number.
pub const NUMBER: u32 = 25;
/// Lesson name.
pub const NAME: &str = "introspection";
/// What it teaches.
pub const TEACHES: &str =
    "what the runtime is doing: metrics (tasks, polls, steals, parks) during a busy workload";
/// The invariant.
pub const INVARIANT: &str = "numbers are non-zero and consistent (polls >= tasks)";

const TASKS: usize = 200;
const ROUNDS: usize = 20;

async fn busy_task<R: Rt>(work: Duration, nap: Duration) {
    for round in 0..ROUNDS {
        busy_for(work);
        if round % 5 == 4 {
            R::sleep(nap).await;
        } else {
            R::yield_now().await;
        }
    }
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let work = cx.secs(0.000_2);
    let nap = cx.secs(0.01);
    let samples = cx.block_on::<R, _>(async {
        let blocking = R::spawn_blocking(move || busy_for(work * 50));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| R::spawn(busy_task::<R>(work, nap)))
            .collect();
        let spawned = R::metrics();
        R::sleep(cx.secs(0.1)).await;
        let during = R::metrics();
        for task in tasks {
            task.await.map_err(failed)?;
        }
        blocking.await.map_err(failed)?;
        let after = R::metrics();
        Ok::<_, Error>(vec![
            ("after spawning", spawned),
            ("during the run", during),
            ("at the end", after),
        ])
    })??;
    rec.say(
        "main",
        format!("{TASKS} tasks x {ROUNDS} rounds of work / yield_now / sleep, plus one spawn_blocking job, on {}", cx.flavor()),
    );
    for (when, m) in &samples {
        rec.mark(
            "metrics",
            "snapshot",
            None,
            format!(
                "{when}: workers {}, alive tasks {}, global queue {}, spawned {}, polls {}, steals {}, parks {}",
                m.num_workers,
                m.num_alive_tasks,
                m.global_queue_depth,
                opt(m.spawned_tasks_count),
                opt(m.total_poll_count()),
                opt(m.total_steal_count()),
                opt(m.total_park_count()),
            ),
        );
    }
    cx.note(format!(
        "{} metrics at the end of the run:",
        if cx.flavor().is_mini() {
            "mini_runtime"
        } else {
            "Tokio (stable API)"
        }
    ));
    for line in samples[2].1.lines() {
        cx.note(format!("  {line}"));
    }
    if !cx.flavor().is_mini() {
        cx.note("Tokio without --cfg tokio_unstable: spawn/poll/steal/blocking counters are unstable-only.");
    }
    cx.figure(
        "expected_workers",
        if cx.flavor().is_current_thread() {
            1
        } else {
            cx.opts().workers.max(1)
        },
    );
    cx.figure("tasks", TASKS); // spawn_blocking jobs are not counted as spawned tasks
    cx.figure("spawned", &samples[0].1);
    cx.figure("during", &samples[1].1);
    cx.figure("after", &samples[2].1);
    Ok(())
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| v.to_string())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let workers = r.int("expected_workers")? as usize;
    let tasks = r.int("tasks")? as u64;
    let spawned: Metrics = r.get("spawned")?;
    let after: Metrics = r.get("after")?;
    for (when, m) in [("after spawning", &spawned), ("at the end", &after)] {
        equal(&format!("num_workers {when}"), m.num_workers, workers)?;
    }
    at_least(
        "alive tasks right after spawning",
        spawned.num_alive_tasks as f64,
        1.0,
    )?;
    let parks = after.total_park_count();
    if r.flavor.is_mini() {
        let spawned_count = after
            .spawned_tasks_count
            .ok_or("mini_runtime should count spawns")?;
        let polls = after
            .total_poll_count()
            .ok_or("mini_runtime should count polls")?;
        at_least("spawned tasks", spawned_count as f64, tasks as f64)?;
        ensure(polls >= spawned_count, || {
            format!("polls ({polls}) should be >= spawned tasks ({spawned_count})")
        })?;
        let parks = parks.ok_or("mini_runtime should count parks")?;
        ensure(parks > 0, || {
            "no worker ever parked, yet the workload sleeps".to_string()
        })?;
        Ok(format!(
            "{workers} worker(s); {spawned_count} tasks spawned, {polls} polls (>= tasks), {} steals, {parks} parks",
            after.total_steal_count().unwrap_or(0)
        ))
    } else {
        let parks = parks.ok_or("Tokio's stable park count is missing")?;
        ensure(parks > 0, || {
            "no worker ever parked, yet the workload sleeps".to_string()
        })?;
        let busy: f64 = after.worker_busy_ms.iter().flatten().sum();
        ensure(busy > 0.0, || "Tokio reported no busy time".to_string())?;
        Ok(format!(
            "{workers} worker(s); {} alive after spawning; {parks} parks, {busy:.1} ms busy (Tokio's stable metrics)",
            spawned.num_alive_tasks
        ))
    }
}
