//! [`Rt`] for Tokio: every method forwards to Tokio's own API.

use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::Stream;
use tokio::io::AsyncBufReadExt as _;
use tokio::runtime::{Builder, Handle, Runtime};
use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinError, JoinHandle, JoinSet};

use super::{
    Elapsed, MapElapsed, Metrics, Rt, RtBuilder, RtHandle, RtInterval, RtJoinSet, RtOneshotSender,
    RtReceiver, RtSender, SendError,
};

/// Tokio, seen through the facade.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tokio;

/// Tokio's line reader as a `Stream` (what `tokio-stream`'s `LinesStream`
/// does): Tokio's `Lines` offers `next_line().await` / `poll_next_line`.
#[derive(Debug)]
pub struct TokioLines(tokio::io::Lines<tokio::io::BufReader<tokio::fs::File>>);

impl Stream for TokioLines {
    type Item = io::Result<String>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0)
            .poll_next_line(cx)
            .map(Result::transpose)
    }
}

impl Rt for Tokio {
    const NAME: &'static str = "tokio";

    type Runtime = Runtime;
    type Builder = Builder;
    type Handle = Handle;
    type JoinError = JoinError;
    type JoinHandle<T: Send + 'static> = JoinHandle<T>;
    type JoinSet<T: Send + 'static> = JoinSet<T>;
    type Sleep = tokio::time::Sleep;
    type Interval = tokio::time::Interval;
    type Sender<T: Send + 'static> = mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = mpsc::Receiver<T>;
    type OneshotSender<T: Send + 'static> = oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = oneshot::Receiver<T>;
    type RecvError = oneshot::error::RecvError;
    type Lines = TokioLines;

    fn block_on<F: Future>(rt: &Runtime, future: F) -> F::Output {
        rt.block_on(future)
    }

    fn spawn<F>(future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::spawn(future)
    }

    fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        tokio::task::spawn_blocking(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    fn sleep(duration: Duration) -> Self::Sleep {
        tokio::time::sleep(duration)
    }

    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Elapsed>> + Send
    where
        F: Future + Send,
    {
        MapElapsed {
            inner: tokio::time::timeout(duration, future),
        }
    }

    fn interval(period: Duration) -> Self::Interval {
        tokio::time::interval(period)
    }

    fn channel<T: Send + 'static>(capacity: usize) -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
        mpsc::channel(capacity)
    }

    fn oneshot<T: Send + 'static>() -> (oneshot::Sender<T>, oneshot::Receiver<T>) {
        oneshot::channel()
    }

    fn open_lines(path: &Path) -> impl Future<Output = io::Result<Self::Lines>> + Send {
        let path = path.to_owned();
        async move {
            // Tokio's error does not say which file: add the path, as
            // mini_runtime's `File::open` does.
            let file = tokio::fs::File::open(&path).await.map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("could not open file `{}`: {e}", path.display()),
                )
            })?;
            Ok(TokioLines(tokio::io::BufReader::new(file).lines()))
        }
    }

    fn current_handle() -> Handle {
        Handle::current()
    }
}

impl RtBuilder<Tokio> for Builder {
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

impl RtHandle<Tokio> for Handle {
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
        // Only Tokio's stable metrics: the others need `--cfg tokio_unstable`.
        let m = Handle::metrics(self);
        let workers = 0..m.num_workers();
        Metrics {
            num_workers: m.num_workers(),
            num_alive_tasks: m.num_alive_tasks(),
            global_queue_depth: m.global_queue_depth(),
            spawned_tasks_count: None,
            worker_poll_count: None,
            worker_steal_count: None,
            worker_park_count: Some(workers.clone().map(|w| m.worker_park_count(w)).collect()),
            worker_busy_ms: Some(
                workers
                    .map(|w| m.worker_total_busy_duration(w).as_secs_f64() * 1e3)
                    .collect(),
            ),
            remote_schedule_count: None,
            num_blocking_threads: None,
        }
    }
}

impl<T: Send + 'static> RtJoinSet<Tokio, T> for JoinSet<T> {
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

impl RtInterval for tokio::time::Interval {
    fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_ {
        let tick = tokio::time::Interval::tick(self);
        async move { tick.await.into_std() }
    }
}
