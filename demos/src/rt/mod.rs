//! The runtime facade: one trait, [`Rt`], that every lesson is generic over.
//!
//! A lesson is written once as `fn run<R: Rt>(cx: &Ctx)` and reads like the
//! workshop's Tokio program with `tokio::` replaced by `R::`:
//!
//! | Tokio | facade |
//! |---|---|
//! | `tokio::spawn(fut)` | `R::spawn(fut)` |
//! | `tokio::task::spawn_blocking(f)` | `R::spawn_blocking(f)` |
//! | `tokio::task::yield_now().await` | `R::yield_now().await` |
//! | `tokio::time::sleep(d).await` | `R::sleep(d).await` |
//! | `tokio::time::timeout(d, fut).await` | `R::timeout(d, fut).await` |
//! | `tokio::time::interval(d)` / `.tick().await` | `R::interval(d)` / `.tick().await` |
//! | `tokio::sync::mpsc::channel(n)` | `R::channel(n)` |
//! | `tokio::sync::oneshot::channel()` | `R::oneshot()` |
//! | `tokio::task::JoinSet::new()` | `R::JoinSet::new()` |
//! | `tokio::runtime::Handle::current()` | `R::current_handle()` |
//! | `tokio::runtime::Builder::new_multi_thread()` | `R::Builder::new_multi_thread()` |
//! | `BufReader::new(File::open(p).await?).lines()` | `R::open_lines(p).await?` (a `Stream` of lines) |
//! | `Handle::current().metrics()` | `R::metrics()` (a [`Metrics`] snapshot) |
//!
//! `join!` and `select!` need no facade: `futures::join!` and
//! `futures::select!` work on every executor, because they are plain
//! futures that only use wakers. Each lesson's docs show the Tokio spelling.
//!
//! Two implementations: [`Mini`] (mini_runtime) and [`Tokio`]. Each is a
//! zero-sized type whose methods forward to the runtime's own API; the
//! associated types are the runtimes' own types (a `R::JoinHandle<T>` *is*
//! a `tokio::task::JoinHandle<T>` for `R = Tokio`), so nothing is wrapped
//! or boxed on the way.
//!
//! The helper traits ([`RtBuilder`], [`RtHandle`], [`RtJoinSet`],
//! [`RtSender`], [`RtReceiver`], [`RtOneshotSender`], [`RtInterval`]) give
//! those types a common set of method names. Their methods share names
//! with the runtimes' inherent methods; in generic code only the trait
//! methods are visible, so `tx.send(v).await` means the same thing on both.

mod mini;
mod tokio_rt;

use std::fmt;
use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::Stream;
use serde::{Deserialize, Serialize};

pub use self::mini::Mini;
pub use self::tokio_rt::Tokio;

/// Single-threaded or multi-threaded scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Threading {
    /// Every task runs on the thread that calls `block_on`.
    CurrentThread,
    /// Tasks run on a pool of worker threads (work stealing).
    MultiThread,
}

/// A runtime, seen through the operations the lessons use.
///
/// Implemented by [`Mini`] and [`Tokio`]; see the [module docs](self).
pub trait Rt: Sized + Send + Sync + 'static {
    /// `"mini_runtime"` or `"tokio"`.
    const NAME: &'static str;

    /// The runtime itself (`Runtime`); dropping it shuts it down and
    /// cancels every pending task.
    type Runtime: 'static;
    /// The runtime builder.
    type Builder: RtBuilder<Self>;
    /// A handle usable from any thread (`Handle`).
    type Handle: RtHandle<Self>;
    /// What a failed task join reports (`JoinError`).
    type JoinError: std::error::Error + Send + Sync + 'static;
    /// Awaits a spawned task (`JoinHandle<T>`).
    type JoinHandle<T: Send + 'static>: Future<Output = Result<T, Self::JoinError>>
        + Send
        + Unpin
        + 'static;
    /// A set of tasks joined in completion order (`JoinSet<T>`).
    type JoinSet<T: Send + 'static>: RtJoinSet<Self, T>;
    /// The future returned by [`sleep`](Rt::sleep).
    type Sleep: Future<Output = ()> + Send + 'static;
    /// A periodic timer (`Interval`).
    type Interval: RtInterval;
    /// Sending half of a bounded mpsc channel.
    type Sender<T: Send + 'static>: RtSender<T>;
    /// Receiving half of a bounded mpsc channel.
    type Receiver<T: Send + 'static>: RtReceiver<T>;
    /// Sending half of a oneshot channel.
    type OneshotSender<T: Send + 'static>: RtOneshotSender<T>;
    /// Receiving half of a oneshot channel: a future of the value.
    type OneshotReceiver<T: Send + 'static>: Future<Output = Result<T, Self::RecvError>>
        + Send
        + Unpin
        + 'static;
    /// The error of a oneshot receiver whose sender was dropped.
    type RecvError: std::error::Error + Send + Sync + 'static;
    /// A stream of the lines of a file, read asynchronously.
    type Lines: Stream<Item = io::Result<String>> + Send + Unpin + 'static;

    /// Runs `future` to completion on this thread (`Runtime::block_on`).
    fn block_on<F: Future>(rt: &Self::Runtime, future: F) -> F::Output;

    /// Spawns a task on the current runtime (`spawn`).
    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs a blocking closure on the blocking pool (`spawn_blocking`).
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// Gives other tasks a turn (`task::yield_now`).
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// A timer that completes after `duration` (`time::sleep`). Created
    /// eagerly: it needs a runtime context when called.
    fn sleep(duration: Duration) -> Self::Sleep;

    /// Fails with [`Elapsed`] when `future` takes longer than `duration`
    /// (`time::timeout`).
    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Elapsed>> + Send
    where
        F: Future + Send;

    /// A timer that ticks every `period`, the first tick at once
    /// (`time::interval`).
    fn interval(period: Duration) -> Self::Interval;

    /// A bounded mpsc channel (`sync::mpsc::channel`).
    fn channel<T: Send + 'static>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>);

    /// A oneshot channel (`sync::oneshot::channel`).
    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>);

    /// Opens a file and returns a stream of its lines. Errors name the path.
    fn open_lines(path: &Path) -> impl Future<Output = io::Result<Self::Lines>> + Send;

    /// The handle of the current runtime (`Handle::current`).
    fn current_handle() -> Self::Handle;

    /// A snapshot of the current runtime's metrics.
    fn metrics() -> Metrics {
        Self::current_handle().metrics()
    }

    /// `Builder::new_current_thread()` or `Builder::new_multi_thread()`.
    fn builder(threading: Threading) -> Self::Builder {
        match threading {
            Threading::CurrentThread => Self::Builder::new_current_thread(),
            Threading::MultiThread => Self::Builder::new_multi_thread(),
        }
    }
}

/// `runtime::Builder`: the subset of the builder the lessons use.
pub trait RtBuilder<R: Rt>: Sized {
    /// A builder for the current-thread scheduler.
    fn new_current_thread() -> Self;
    /// A builder for the multi-thread scheduler.
    fn new_multi_thread() -> Self;
    /// Number of worker threads (ignored by the current-thread scheduler).
    fn worker_threads(&mut self, n: usize) -> &mut Self;
    /// Names each new runtime thread.
    fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static;
    /// Stack size of the runtime's threads.
    fn thread_stack_size(&mut self, bytes: usize) -> &mut Self;
    /// Scheduler ticks between two checks of the global queue.
    fn global_queue_interval(&mut self, ticks: u32) -> &mut Self;
    /// Upper bound on blocking-pool threads.
    fn max_blocking_threads(&mut self, n: usize) -> &mut Self;
    /// Enables the drivers (timers, and I/O on Tokio).
    fn enable_all(&mut self) -> &mut Self;
    /// Builds the runtime.
    fn build(&mut self) -> io::Result<R::Runtime>;
}

/// `runtime::Handle`: reaches a runtime from any thread.
pub trait RtHandle<R: Rt>: Clone + Send + Sync + 'static {
    /// Spawns a task on the handle's runtime (works from any thread).
    fn spawn<F>(&self, future: F) -> R::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// Waits for `future` on this (non-runtime) thread.
    fn block_on<F: Future>(&self, future: F) -> F::Output;
    /// A snapshot of the runtime's metrics.
    fn metrics(&self) -> Metrics;
}

/// `task::JoinSet<T>`.
pub trait RtJoinSet<R: Rt, T: Send + 'static>: Send + 'static {
    /// An empty set.
    fn new() -> Self;
    /// Spawns a task into the set.
    fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + Send + 'static;
    /// The next task to complete, `None` when the set is empty.
    fn join_next(&mut self) -> impl Future<Output = Option<Result<T, R::JoinError>>> + Send + '_;
    /// Tasks still in the set.
    fn len(&self) -> usize;
    /// Whether the set is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `sync::mpsc::Sender<T>`.
pub trait RtSender<T: Send + 'static>: Clone + Send + Sync + 'static {
    /// Sends a value, waiting while the channel is full.
    fn send(&self, value: T) -> impl Future<Output = Result<(), SendError<T>>> + Send + '_;
}

/// `sync::mpsc::Receiver<T>`.
pub trait RtReceiver<T: Send + 'static>: Send + 'static {
    /// The next value; `None` once every sender is gone and the channel is empty.
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_;
}

/// `sync::oneshot::Sender<T>`.
pub trait RtOneshotSender<T: Send + 'static>: Send + 'static {
    /// Sends the value; gives it back if the receiver is gone.
    fn send(self, value: T) -> Result<(), T>;
}

/// `time::Interval`.
pub trait RtInterval: Send + 'static {
    /// Waits for the next tick and returns its scheduled instant.
    fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_;
}

/// A receiver turned into a `Stream`, for `futures::select!`'s
/// `select_next_some()` (Tokio users know it as `ReceiverStream`).
pub fn receiver_stream<T, Rx>(rx: Rx) -> impl Stream<Item = T> + Send + Unpin
where
    T: Send + 'static,
    Rx: RtReceiver<T>,
{
    Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|value| (value, rx))
    }))
}

/// The value of a send on a closed channel.
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// A [`timeout`](Rt::timeout) expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed;

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// A snapshot of a runtime's metrics.
///
/// mini_runtime exposes every field. Tokio's *stable* metrics API
/// (`Handle::metrics()` without `--cfg tokio_unstable`) gives the number of
/// workers, alive tasks and the global queue depth, plus (on 64-bit targets)
/// per-worker park counts and busy time; spawn, poll and steal counters
/// exist only under `RUSTFLAGS="--cfg tokio_unstable"`, so they are `None`
/// here for Tokio.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Worker threads (1 for a current-thread runtime).
    pub num_workers: usize,
    /// Tasks spawned and not yet finished.
    pub num_alive_tasks: usize,
    /// Tasks waiting in the global (injection) queue.
    pub global_queue_depth: usize,
    /// Tasks spawned since the runtime was built.
    pub spawned_tasks_count: Option<u64>,
    /// Polls per worker.
    pub worker_poll_count: Option<Vec<u64>>,
    /// Tasks stolen per worker.
    pub worker_steal_count: Option<Vec<u64>>,
    /// Times each worker parked (went to sleep).
    pub worker_park_count: Option<Vec<u64>>,
    /// Time each worker spent running tasks, in milliseconds.
    pub worker_busy_ms: Option<Vec<f64>>,
    /// Tasks queued from outside the runtime's threads.
    pub remote_schedule_count: Option<u64>,
    /// Threads of the blocking pool.
    pub num_blocking_threads: Option<usize>,
}

impl Metrics {
    /// Polls by all workers together, if the runtime counts them.
    pub fn total_poll_count(&self) -> Option<u64> {
        self.worker_poll_count.as_ref().map(|v| v.iter().sum())
    }

    /// Parks of all workers together, if the runtime counts them.
    pub fn total_park_count(&self) -> Option<u64> {
        self.worker_park_count.as_ref().map(|v| v.iter().sum())
    }

    /// Steals of all workers together, if the runtime counts them.
    pub fn total_steal_count(&self) -> Option<u64> {
        self.worker_steal_count.as_ref().map(|v| v.iter().sum())
    }

    /// One line per metric, `None` shown as "n/a (tokio_unstable)".
    pub fn lines(&self) -> Vec<String> {
        fn opt<T: fmt::Debug>(v: &Option<T>) -> String {
            match v {
                Some(v) => format!("{v:?}"),
                None => "n/a (tokio_unstable only)".to_string(),
            }
        }
        vec![
            format!("num_workers          {}", self.num_workers),
            format!("num_alive_tasks      {}", self.num_alive_tasks),
            format!("global_queue_depth   {}", self.global_queue_depth),
            format!("spawned_tasks_count  {}", opt(&self.spawned_tasks_count)),
            format!("worker_poll_count    {}", opt(&self.worker_poll_count)),
            format!("worker_steal_count   {}", opt(&self.worker_steal_count)),
            format!("worker_park_count    {}", opt(&self.worker_park_count)),
            format!(
                "worker_busy_ms       {}",
                match &self.worker_busy_ms {
                    Some(v) => format!(
                        "{:?}",
                        v.iter().map(|ms| format!("{ms:.1}")).collect::<Vec<_>>()
                    ),
                    None => "n/a (not counted by mini_runtime)".to_string(),
                }
            ),
            format!("remote_schedules     {}", opt(&self.remote_schedule_count)),
            format!("num_blocking_threads {}", opt(&self.num_blocking_threads)),
        ]
    }
}

pin_project_lite::pin_project! {
    /// Future adapter used by the facades' `timeout`: maps the runtime's own
    /// `Elapsed` to [`Elapsed`] without delaying the timer's creation.
    #[derive(Debug)]
    struct MapElapsed<F> {
        #[pin]
        inner: F,
    }
}

impl<F, T, E> Future for MapElapsed<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project()
            .inner
            .poll(cx)
            .map(|r| r.map_err(|_| Elapsed))
    }
}
