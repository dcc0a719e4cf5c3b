//! Lesson 0, `threads_vs_tasks`: why async at all? Threads are heavy.
//!
//! # The concept
//!
//! N OS threads that each sleep 100 ms against N tasks that each sleep
//! 100 ms. Both finish in about 100 ms of waiting, but an OS thread costs a
//! stack mapping, kernel bookkeeping and a context switch, while a task is
//! one heap allocation holding the future's state (a few hundred bytes)
//! and a timer entry.
//!
//! # What to look for
//!
//! The two "peak memory" figures: the threads' grows with N by kilobytes
//! per thread (touched stack pages, thread-local storage), the tasks' by
//! well under a kilobyte per task. Wall times: thread creation adds up.
//!
//! # How memory is measured
//!
//! See [`crate::memory`]: `VmRSS` from `/proc/self/status` sampled every
//! millisecond during each phase, peak minus the phase's starting value
//! (`VmHWM` cannot be reset, and a counting allocator would not see
//! thread stacks). Tasks are measured first, because memory freed by the
//! threads phase would not necessarily return to the OS.
//!
//! # Runtime differences
//!
//! The threads phase does not use the runtime at all. The tasks phase
//! differs a little in per-task size (each runtime's task header and timer
//! entry); on the multi-thread flavours the worker threads already exist
//! before the measurement starts.
//!
//! With `--fast`, N is 1,000 (`--threads N` to change it); the 100 ms
//! sleep is kept, so that the threads are really alive at the same time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::check::{at_least, ensure, equal};
use crate::ctx::Ctx;
use crate::lessons::failed;
use crate::memory::PeakRss;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 0;
/// Lesson name.
pub const NAME: &str = "threads_vs_tasks";
/// What it teaches.
pub const TEACHES: &str =
    "why async: N OS threads sleeping 100 ms vs N tasks sleeping 100 ms (time, peak memory)";
/// The invariant.
pub const INVARIANT: &str = "all N finish; tasks use far less memory than threads";

const NAP: Duration = Duration::from_millis(100);

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let n = cx.opts().threads();
    let rec = cx.rec();
    cx.figure("n", n);

    // Phase 1: N tasks on the runtime.
    let rt = cx.runtime::<R>()?;
    let finished = Arc::new(AtomicUsize::new(0));
    let memory = PeakRss::start();
    let start = Instant::now();
    R::block_on(&rt, async {
        let mut handles = Vec::with_capacity(n);
        for _ in 0..n {
            let finished = finished.clone();
            handles.push(R::spawn(async move {
                R::sleep(NAP).await;
                finished.fetch_add(1, Ordering::Relaxed);
            }));
        }
        for handle in handles {
            handle.await.map_err(failed)?;
        }
        Ok::<(), Error>(())
    })?;
    let tasks_ms = start.elapsed().as_secs_f64() * 1e3;
    let tasks_kb = memory.stop();
    drop(rt);
    let tasks_finished = finished.load(Ordering::Relaxed);
    rec.mark(
        "tasks",
        "finished",
        Some(tasks_finished as i64),
        format!(
            "{tasks_finished} tasks slept 100 ms each: {tasks_ms:.0} ms, peak memory +{}",
            kb_text(tasks_kb)
        ),
    );

    // Phase 2: N OS threads.
    let finished = Arc::new(AtomicUsize::new(0));
    let memory = PeakRss::start();
    let start = Instant::now();
    let mut handles = Vec::with_capacity(n);
    let mut spawn_error = None;
    for i in 0..n {
        let finished = finished.clone();
        match std::thread::Builder::new().spawn(move || {
            std::thread::sleep(NAP);
            finished.fetch_add(1, Ordering::Relaxed);
        }) {
            Ok(handle) => handles.push(handle),
            Err(e) => {
                spawn_error = Some((i, e));
                break;
            }
        }
    }
    for handle in handles {
        let _ = handle.join();
    }
    let threads_ms = start.elapsed().as_secs_f64() * 1e3;
    let threads_kb = memory.stop();
    if let Some((i, e)) = spawn_error {
        return Err(Error::io(
            format!("could not start OS thread {i} of {n} (try a smaller --threads)"),
            e,
        ));
    }
    let threads_finished = finished.load(Ordering::Relaxed);
    rec.mark(
        "threads",
        "finished",
        Some(threads_finished as i64),
        format!(
            "{threads_finished} threads slept 100 ms each: {threads_ms:.0} ms, peak memory +{}",
            kb_text(threads_kb)
        ),
    );

    cx.figure("tasks_finished", tasks_finished);
    cx.figure("threads_finished", threads_finished);
    cx.figure("tasks_ms", tasks_ms);
    cx.figure("threads_ms", threads_ms);
    cx.figure("tasks_peak_kb", tasks_kb);
    cx.figure("threads_peak_kb", threads_kb);
    cx.figure(
        "memory_method",
        "peak of VmRSS sampled every 1 ms minus VmRSS at the phase start",
    );
    if let (Some(t), Some(th)) = (tasks_kb, threads_kb) {
        cx.note(format!(
            "per unit: a task ~{:.2} kB, a thread ~{:.2} kB (resident memory)",
            t as f64 / n as f64,
            th as f64 / n as f64
        ));
    }
    Ok(())
}

fn kb_text(kb: Option<u64>) -> String {
    match kb {
        Some(kb) if kb >= 10_240 => format!("{:.1} MB", kb as f64 / 1024.0),
        Some(kb) => format!("{kb} kB"),
        None => "? (no /proc/self/status)".to_string(),
    }
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let n = r.int("n")?;
    equal("tasks finished", r.int("tasks_finished")?, n)?;
    equal("threads finished", r.int("threads_finished")?, n)?;
    at_least("tasks phase (ms)", r.num("tasks_ms")?, 99.0)?;
    let tasks_kb = r.figure("tasks_peak_kb")?.as_u64();
    let threads_kb = r.figure("threads_peak_kb")?.as_u64();
    match (tasks_kb, threads_kb) {
        (Some(t), Some(th)) => {
            // "Far less": at most half, with a floor so that a near-zero
            // task figure does not make a tiny thread figure pass.
            let bar = 2 * t.max(n as u64 / 8);
            ensure(th > bar, || {
                format!(
                    "tasks should use far less memory than threads: tasks +{t} kB, \
                     threads +{th} kB (expected threads > {bar} kB)"
                )
            })?;
            Ok(format!(
                "all {n} tasks and {n} threads finished; memory: tasks +{t} kB vs threads +{th} kB"
            ))
        }
        _ => Ok(format!(
            "all {n} tasks and {n} threads finished (memory not measurable here)"
        )),
    }
}
