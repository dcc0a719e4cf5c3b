//! Lesson 24, `cpu_pool_reply`: async tasks hand work to dedicated CPU
//! threads and await the replies.
//!
//! # The concept
//!
//! `spawn_blocking` (lesson 9) starts or reuses a pool thread per job. For
//! a steady stream of CPU work, a fixed set of threads fed through a
//! channel is the other classic design (what `rayon` or a hand-made pool
//! does). The async side puts a job and the *sending half of a oneshot
//! channel* into a std channel, then awaits the oneshot receiver; the CPU
//! thread computes and sends the answer back, which wakes the task:
//!
//! ```ignore
//! struct Job { n: u64, reply: oneshot::Sender<u64> }
//! let (jobs, queue) = std::sync::mpsc::channel::<Job>();
//! // CPU threads: while let Ok(job) = queue.lock().unwrap().recv() { job.reply.send(work(job.n)) }
//! let (tx, rx) = tokio::sync::oneshot::channel();
//! jobs.send(Job { n, reply: tx })?;
//! let answer = rx.await?;
//! ```
//!
//! # What to look for
//!
//! Twenty tasks, four CPU threads (`cpu-0..3` in the thread column), every
//! job answered once with the right value.
//!
//! # Runtime differences
//!
//! None: a oneshot send from a non-runtime thread wakes the task through
//! its waker on every runtime.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use crate::check::{equal, same_multiset};
use crate::ctx::Ctx;
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::{Rt, RtOneshotSender};

/// Lesson number.
pub const NUMBER: u32 = 24;
/// Lesson name.
pub const NAME: &str = "cpu_pool_reply";
/// What it teaches.
pub const TEACHES: &str = "async tasks send jobs over a std channel to dedicated CPU threads; replies come back through oneshot";
/// The invariant.
pub const INVARIANT: &str = "every job answered once";

const JOBS: i64 = 20;
const CPU_THREADS: usize = 4;

/// The CPU work: the sum of the squares below `n` (wrapping, so any `n` works).
pub fn work(n: i64) -> i64 {
    (0..n).fold(0i64, |acc, k| acc.wrapping_add(k.wrapping_mul(k)))
}

/// Job `id`'s input: a fraction of a millisecond of work each (release build).
fn job_input(id: i64) -> i64 {
    300_000 + id * 10_000
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    struct Job<R: Rt> {
        id: i64,
        n: i64,
        reply: R::OneshotSender<i64>,
    }
    let rec = cx.rec();
    let (jobs, queue) = mpsc::channel::<Job<R>>();
    let queue = Arc::new(Mutex::new(queue));
    let mut threads = Vec::new();
    for w in 0..CPU_THREADS {
        let queue = queue.clone();
        let rec = rec.clone();
        let thread = std::thread::Builder::new()
            .name(format!("cpu-{w}"))
            .spawn(move || {
                loop {
                    let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok(job) = job else { break };
                    let answer = work(job.n);
                    rec.mark(
                        "cpu",
                        "computed",
                        Some(job.id),
                        format!("job {} computed", job.id),
                    );
                    let _ = job.reply.send(answer);
                }
            })
            .map_err(|e| Error::io("could not start a CPU thread", e))?;
        threads.push(thread);
    }
    let outcome = cx.run::<R, _>(async {
        let mut tasks = Vec::new();
        for id in 0..JOBS {
            let jobs = jobs.clone();
            let rec = rec.clone();
            tasks.push(R::spawn(async move {
                let (reply, answer) = R::oneshot::<i64>();
                jobs.send(Job::<R> {
                    id,
                    n: job_input(id),
                    reply,
                })
                .map_err(|_| Error::Failed("the CPU pool is gone".into()))?;
                let answer = answer.await.map_err(failed)?;
                rec.mark(
                    "task",
                    "answer",
                    Some(id),
                    format!("task {id} got {answer}"),
                );
                Ok::<_, Error>((id, answer))
            }));
        }
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.map_err(failed)??);
        }
        cx.figure("answers", answers);
        Ok(())
    });
    drop(jobs); // the CPU threads end when the queue closes
    for thread in threads {
        let _ = thread.join();
    }
    outcome
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let answers: Vec<(i64, i64)> = r.get("answers")?;
    let expected: Vec<(i64, i64)> = (0..JOBS).map(|id| (id, work(job_input(id)))).collect();
    same_multiset("answers (job, value)", &answers, &expected)?;
    let answered: Vec<i64> = r.values_of_kind("task", "answer");
    same_multiset("jobs answered", &answered, &(0..JOBS).collect::<Vec<_>>())?;
    let computed: Vec<i64> = r.values_of_kind("cpu", "computed");
    equal("jobs computed", computed.len(), JOBS as usize)?;
    let threads: std::collections::BTreeSet<&str> =
        r.events_of("cpu").map(|e| e.thread.as_str()).collect();
    Ok(format!(
        "{JOBS} jobs, each answered once with the right value, computed on {} CPU thread(s)",
        threads.len()
    ))
}
