//! [`Rt`] for mini_runtime: every method forwards to mini_runtime's own API.

use std::future::Future;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use futures::AsyncBufReadExt as _;
use mini_runtime::runtime::{Builder, Handle, Runtime};
use mini_runtime::sync::{mpsc, oneshot};
use mini_runtime::task::{JoinError, JoinHandle, JoinSet};

use super::{
    Elapsed, MapElapsed, Metrics, Rt, RtBuilder, RtHandle, RtInterval, RtJoinSet, RtOneshotSender,
    RtReceiver, RtSender, SendError,
};

/// mini_runtime, seen through the facade.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mini;

impl Rt for Mini {
    const NAME: &'static str = "mini_runtime";

    type Runtime = Runtime;
    type Builder = Builder;
    type Handle = Handle;
    type JoinError = JoinError;
    type JoinHandle<T: Send + 'static> = JoinHandle<T>;
    type JoinSet<T: Send + 'static> = JoinSet<T>;
    type Sleep = mini_runtime::time::Sleep;
    type Interval = mini_runtime::time::Interval;
    type Sender<T: Send + 'static> = mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = mpsc::Receiver<T>;
    type OneshotSender<T: Send + 'static> = oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = oneshot::Receiver<T>;
    type RecvError = oneshot::error::RecvError;
    type Lines = futures::io::Lines<mini_runtime::fs::File>;

    fn block_on<F: Future>(rt: &Runtime, future: F) -> F::Output {
        rt.block_on(future)
    }

    fn spawn<F>(future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        mini_runtime::spawn(future)
    }

    fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        mini_runtime::task::spawn_blocking(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        mini_runtime::task::yield_now()
    }

    fn sleep(duration: Duration) -> Self::Sleep {
        mini_runtime::time::sleep(duration)
    }

    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Elapsed>> + Send
    where
        F: Future + Send,
    {
        MapElapsed {
            inner: mini_runtime::time::timeout(duration, future),
        }
    }

    fn interval(period: Duration) -> Self::Interval {
        mini_runtime::time::interval(period)
    }

    fn channel<T: Send + 'static>(capacity: usize) -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
        mpsc::channel(capacity)
    }

    fn oneshot<T: Send + 'static>() -> (oneshot::Sender<T>, oneshot::Receiver<T>) {
        oneshot::channel()
    }

    fn open_lines(path: &Path) -> impl Future<Output = io::Result<Self::Lines>> + Send {
        // mini_runtime's `File` implements futures-io's `AsyncBufRead`, so
        // futures' `lines()` applies directly (its errors name the path).
        let open = mini_runtime::fs::File::open(path.to_owned());
        async move { Ok(open.await?.lines()) }
    }

    fn current_handle() -> Handle {
        Handle::current()
    }
}

impl RtBuilder<Mini> for Builder {
    fn new_current_thread() -> Self {
        Builder::new_current_thread()
    }
    fn new_multi_thread() -> Self {
        Builder::new_multi_thread()
    }
    fn worker_threads(&mut self, n: usize) -> &mut Self {
        Builder::worker_threads(self, n)
    }
    fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        Builder::thread_name_fn(self, f)
    }
    fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        Builder::thread_stack_size(self, bytes)
    }
    fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        Builder::global_queue_interval(self, ticks)
    }
    fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        Builder::max_blocking_threads(self, n)
    }
    fn enable_all(&mut self) -> &mut Self {
        Builder::enable_all(self)
    }
    fn build(&mut self) -> io::Result<Runtime> {
        Builder::build(self)
    }
}

impl RtHandle<Mini> for Handle {
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Handle::spawn(self, future)
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        Handle::block_on(self, future)
    }

    fn metrics(&self) -> Metrics {
        let m = Handle::metrics(self);
        let workers = 0..m.num_workers();
        Metrics {
            num_workers: m.num_workers(),
            num_alive_tasks: m.num_alive_tasks(),
            global_queue_depth: m.global_queue_depth(),
            spawned_tasks_count: Some(m.spawned_tasks_count()),
            worker_poll_count: Some(workers.clone().map(|w| m.worker_poll_count(w)).collect()),
            worker_steal_count: Some(workers.clone().map(|w| m.worker_steal_count(w)).collect()),
            worker_park_count: Some(workers.map(|w| m.worker_park_count(w)).collect()),
            worker_busy_ms: None,
            remote_schedule_count: Some(m.remote_schedule_count()),
            num_blocking_threads: Some(m.num_blocking_threads()),
        }
    }
}

impl<T: Send + 'static> RtJoinSet<Mini, T> for JoinSet<T> {
    fn new() -> Self {
        JoinSet::new()
    }
    fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + Send + 'static,
    {
        JoinSet::spawn(self, future);
    }
    fn join_next(&mut self) -> impl Future<Output = Option<Result<T, JoinError>>> + Send + '_ {
        JoinSet::join_next(self)
    }
    fn len(&self) -> usize {
        JoinSet::len(self)
    }
}

impl<T: Send + 'static> RtSender<T> for mpsc::Sender<T> {
    fn send(&self, value: T) -> impl Future<Output = Result<(), SendError<T>>> + Send + '_ {
        let send = mpsc::Sender::send(self, value);
        async move { send.await.map_err(|e| SendError(e.0)) }
    }
}

impl<T: Send + 'static> RtReceiver<T> for mpsc::Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_ {
        mpsc::Receiver::recv(self)
    }
}

impl<T: Send + 'static> RtOneshotSender<T> for oneshot::Sender<T> {
    fn send(self, value: T) -> Result<(), T> {
        oneshot::Sender::send(self, value)
    }
}

impl RtInterval for mini_runtime::time::Interval {
    fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_ {
        mini_runtime::time::Interval::tick(self)
    }
}
