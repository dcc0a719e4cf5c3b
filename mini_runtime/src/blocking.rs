//! The blocking pool: threads for code that must block.
//!
//! # The problem
//!
//! An executor thread runs many tasks by switching between them at
//! `.await` points. Code that blocks (reading a file with `std::fs`, a long
//! computation, a C library call) never reaches an `.await`, so every other
//! task on that thread stalls. Such code needs a thread of its own, and
//! creating a thread per call is slow.
//!
//! # The design
//!
//! A pool of threads started lazily, up to `max_blocking_threads`:
//!
//! * `spawn_blocking(f)` wraps the closure in a one-poll future and makes a
//!   normal task of it (the same task type, `JoinHandle` and `JoinError` as
//!   async tasks), then pushes it onto the pool's queue. If a thread is
//!   idle it is notified; otherwise a new thread starts, unless the cap is
//!   reached, in which case the job waits in the queue.
//! * A thread runs queued jobs until the queue is empty, then waits on a
//!   condition variable. After `thread_keep_alive` without work it exits.
//! * Shutdown: jobs that have not started are cancelled (their closures
//!   dropped, their `JoinHandle`s report cancellation); running jobs cannot
//!   be interrupted, so shutdown waits for them, up to a timeout.
//!
//! # Invariants
//!
//! * `num_idle` counts threads waiting on the condvar; a submit that finds
//!   one idle thread "reserves" it (`num_notify += 1`) so two submits never
//!   count on the same idle thread, and a spurious condvar wake-up is not
//!   mistaken for work.
//! * The mutex is never held while a job runs or a task is dropped.
//! * A blocking task is never idle (it is queued, then runs to completion
//!   in one poll), so it is never woken: abort only takes effect if the job
//!   has not started yet.
//!
//! # How Tokio does it differently
//!
//! Tokio's `runtime/blocking/pool.rs` has the same shape (lazy threads, a
//! cap, keep-alive, `num_idle` / `num_notify`); it also runs the
//! multi-thread scheduler's `block_in_place` hand-off through it and keeps
//! a handle to the last exiting thread so shutdown can join it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll};
use std::thread;
use std::time::{Duration, Instant};

use crate::context;
use crate::scheduler;
use crate::sync::{Arc, Condvar, Mutex};
use crate::task::harness::{self, Notified, Runnable, Schedule};
use crate::task::{Id, JoinHandle};

/// Settings taken from the `Builder`.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) thread_cap: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) thread_name: StdArc<dyn Fn() -> String + Send + Sync + 'static>,
    pub(crate) stack_size: Option<usize>,
}

/// Submits jobs to the pool. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// Idle threads wait here for jobs.
    work: Condvar,
    /// Shutdown waits here for running threads to exit.
    exited: Condvar,
    config: Config,
}

struct Shared {
    queue: VecDeque<Notified>,
    num_threads: usize,
    num_idle: usize,
    num_notify: usize,
    shutdown: bool,
    next_thread_id: usize,
    threads: HashMap<usize, thread::JoinHandle<()>>,
}

/// A job: the closure, run on the first poll.
struct BlockingTask<F>(Option<F>);

// The closure is never pinned in a way that matters: it is moved out.
impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self
            .0
            .take()
            .expect("a blocking task is polled exactly once");
        Poll::Ready(f())
    }
}

/// The `Schedule` of blocking tasks: they are queued once, at spawn.
struct BlockingSchedule;

impl Schedule for BlockingSchedule {
    fn schedule(&self, task: Notified) {
        // Unreachable by the invariant in the module docs; dropping the
        // reference is the safe answer if it ever happened.
        debug_assert!(false, "a blocking task was woken");
        drop(task);
    }

    fn release(&self, _task: &dyn Runnable) {}
}

impl Spawner {
    pub(crate) fn new(config: Config) -> Spawner {
        Spawner {
            inner: Arc::new(Inner {
                shared: Mutex::new(Shared {
                    queue: VecDeque::new(),
                    num_threads: 0,
                    num_idle: 0,
                    num_notify: 0,
                    shutdown: false,
                    next_thread_id: 0,
                    threads: HashMap::new(),
                }),
                work: Condvar::new(),
                exited: Condvar::new(),
                config,
            }),
        }
    }

    /// Runs `f` on a pool thread; `rt` becomes the current runtime there.
    pub(crate) fn spawn_blocking<F, R>(&self, rt: &scheduler::Handle, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let new = harness::new_task(BlockingTask(Some(f)), BlockingSchedule, Id::next());
        if let Err(task) = self.submit(rt, new.notified) {
            task.into_task().shutdown();
        }
        JoinHandle::new(new.join)
    }

    /// Queues a job; gives it back if the pool is shut down.
    fn submit(&self, rt: &scheduler::Handle, task: Notified) -> Result<(), Notified> {
        let mut shared = self.inner.shared.lock();
        if shared.shutdown {
            return Err(task);
        }
        shared.queue.push_back(task);
        if shared.num_idle > 0 {
            shared.num_idle -= 1;
            shared.num_notify += 1;
            self.inner.work.notify_one();
        } else if shared.num_threads < self.inner.config.thread_cap {
            let id = shared.next_thread_id;
            shared.next_thread_id += 1;
            shared.num_threads += 1;
            match self.start_thread(rt, id) {
                Ok(handle) => {
                    shared.threads.insert(id, handle);
                }
                Err(err) => {
                    shared.num_threads -= 1;
                    if shared.num_threads == 0 {
                        // Nobody would ever run the job.
                        let task = shared.queue.pop_back().expect("just pushed");
                        drop(shared);
                        task.into_task().shutdown();
                        panic!("the blocking pool could not start a thread: {err}");
                    }
                    // Otherwise a running thread will pick the job up.
                }
            }
        }
        // else: at the cap; a busy thread takes the job when it is done.
        Ok(())
    }

    fn start_thread(
        &self,
        rt: &scheduler::Handle,
        id: usize,
    ) -> io::Result<thread::JoinHandle<()>> {
        let mut builder = thread::Builder::new().name((self.inner.config.thread_name)());
        if let Some(size) = self.inner.config.stack_size {
            builder = builder.stack_size(size);
        }
        let inner = self.inner.clone();
        let rt = rt.clone();
        builder.spawn(move || inner.run(id, rt))
    }

    /// Threads alive (busy or idle).
    pub(crate) fn num_threads(&self) -> usize {
        self.inner.shared.lock().num_threads
    }

    /// Threads waiting for work.
    pub(crate) fn num_idle_threads(&self) -> usize {
        self.inner.shared.lock().num_idle
    }

    /// Jobs waiting for a thread.
    pub(crate) fn queue_depth(&self) -> usize {
        self.inner.shared.lock().queue.len()
    }

    /// Cancels queued jobs and waits up to `timeout` (forever if `None`)
    /// for running ones. Idempotent.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) {
        let mut shared = self.inner.shared.lock();
        let first = !shared.shutdown;
        shared.shutdown = true;
        let queued = std::mem::take(&mut shared.queue);
        self.inner.work.notify_all();
        drop(shared);

        // Never started: cancel (drops each closure, outside the lock).
        for task in queued {
            task.into_task().shutdown();
        }
        if !first {
            return;
        }

        let deadline = timeout.map(|t| Instant::now() + t);
        let mut shared = self.inner.shared.lock();
        while shared.num_threads > 0 {
            match deadline {
                None => shared = self.inner.exited.wait(shared),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    shared = self.inner.exited.wait_timeout(shared, deadline - now).0;
                }
            }
        }
        let all_exited = shared.num_threads == 0;
        let threads = std::mem::take(&mut shared.threads);
        drop(shared);
        if all_exited {
            // Every thread has left its loop; joining just reaps it.
            for (_, handle) in threads {
                let _ = handle.join();
            }
        }
        // Otherwise the stragglers are detached, as with Tokio.
    }
}

impl Inner {
    fn run(&self, id: usize, rt: scheduler::Handle) {
        // Blocking code may call `Handle::current()` or `spawn`.
        let _current = context::set_current(&rt);
        // exercise(spawn_blocking): begin: run queued jobs (never under the lock); idle on the condvar until a job, shutdown or keep-alive
        // exercise(spawn_blocking): stub: let _ = (id, self.config.keep_alive);
        // exercise(spawn_blocking): stub: {todo}
        let keep_alive = self.config.keep_alive;
        let mut shared = self.shared.lock();
        'work: loop {
            while let Some(task) = shared.queue.pop_front() {
                drop(shared);
                trace_timed!(Blocking, task = task.id().as_u64(), task.run());
                shared = self.shared.lock();
            }
            if shared.shutdown {
                break;
            }
            // Idle: wait for a job, shutdown, or the keep-alive to expire.
            shared.num_idle += 1;
            let idle_since = Instant::now();
            loop {
                let waited = idle_since.elapsed();
                if waited >= keep_alive {
                    shared.num_idle -= 1;
                    break 'work;
                }
                let (guard, _) = self.work.wait_timeout(shared, keep_alive - waited);
                shared = guard;
                if shared.num_notify > 0 {
                    // A submit reserved us (and already decremented num_idle).
                    shared.num_notify -= 1;
                    continue 'work;
                }
                if shared.shutdown {
                    shared.num_idle -= 1;
                    break 'work;
                }
                // Spurious or timed out: the loop head decides.
            }
        }
        shared.num_threads -= 1;
        if !shared.shutdown {
            // Exiting on keep-alive: detach our own JoinHandle.
            shared.threads.remove(&id);
        }
        if shared.num_threads == 0 {
            self.exited.notify_all();
        }
        // exercise(spawn_blocking): end
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shared = self.inner.shared.lock();
        f.debug_struct("blocking::Spawner")
            .field("threads", &shared.num_threads)
            .field("idle", &shared.num_idle)
            .field("queued", &shared.queue.len())
            .finish()
    }
}
