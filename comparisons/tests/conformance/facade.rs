//! The facade the conformance behaviours are written against.
//!
//! A behaviour is written once, as `fn behaviour<R: Rt>()`, and runs on
//! every flavour; Tokio is the reference that proves each test right. Two
//! levels, so that the many flavours of one library share its glue:
//!
//! - [`Library`]: what one runtime library offers whatever the flavour:
//!   `spawn`, `spawn_blocking`, `yield_now`, `Handle::current`, timers,
//!   channels, `JoinSet`, file reading, and the library's types. Implemented
//!   by [`Mini`] and [`Tokio`].
//! - [`Rt`]: one flavour (a configured runtime): its label, how to build
//!   it, and the `Runtime` it wraps. Implemented by [`MiniCt`], [`MiniMt`],
//!   [`TokioCt`] and [`TokioMt`].
//!
//! The library's own types (`Runtime`, `Handle`, `JoinHandle`, `JoinError`,
//! `AbortHandle`, `Sleep`, `Interval`, the channel halves, `JoinSet`) are
//! used directly, through small traits ([`RtRuntime`], [`RtHandle`],
//! [`RtJoinHandle`], [`RtSleep`], [`RtSender`], ...), so a behaviour reads
//! like ordinary runtime code: `rt.handle().spawn(f)`, `h.abort()`,
//! `rx.recv().await`. Each trait method calls the library method of the
//! same name; where the two libraries' signatures differ, the facade
//! converts at the edge, and says so:
//!
//! - instants are `std::time::Instant` (Tokio's `time::Instant` converts
//!   losslessly with `from_std` / `into_std`; mini_runtime uses std's);
//! - the error enums of `try_send` / `try_recv` map variant for variant onto
//!   [`TrySendError`], [`TryRecvError`] and [`OneshotTryRecvError`], and a
//!   `SendError(value)` becomes `Err(value)`;
//! - file reading goes through [`Library::read_lines`]: mini_runtime's
//!   `File` implements the `futures-io` traits, Tokio's implements Tokio's
//!   own, so each side reads lines the way its users would.
//!
//! `select!` and `join!` are macros, so they have no facade method: see
//! `combinators.rs`, where each behaviour's body is written once and
//! expanded with each library's real macro.
//!
//! Adding a flavour: a type implementing [`Rt`] (its library, label,
//! `CURRENT_THREAD`, `build_with`, `runtime`, `into_runtime`), and one line
//! in `for_each_flavour!`.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// One runtime library (mini_runtime or Tokio), shared by all its flavours.
pub trait Library: Sized + 'static {
    /// The crate's name, `"mini_runtime"` or `"tokio"`: picks the macro
    /// expansion of a `select!` / `join!` behaviour, and marks the few
    /// documented differences.
    const CRATE: &'static str;

    /// `runtime::Runtime`.
    type Runtime: RtRuntime<Lib = Self>;
    /// `runtime::Handle`.
    type Handle: RtHandle<Lib = Self>;
    /// `task::JoinHandle<T>`.
    type JoinHandle<T: Send + 'static>: RtJoinHandle<T, Error = Self::JoinError, Abort = Self::AbortHandle>;
    /// `task::JoinError`.
    type JoinError: RtJoinError;
    /// `task::AbortHandle`.
    type AbortHandle: RtAbortHandle;
    /// `task::JoinSet<T>`.
    type JoinSet<T: Send + 'static>: RtJoinSet<T, Error = Self::JoinError, Abort = Self::AbortHandle>;
    /// `time::Sleep`.
    type Sleep: RtSleep;
    /// `time::Interval`.
    type Interval: RtInterval;
    /// `time::error::Elapsed`.
    type Elapsed: std::error::Error + Send + Sync + 'static;
    /// `sync::oneshot::Sender<T>`.
    type OneshotSender<T: Send + 'static>: RtOneshotSender<T>;
    /// `sync::oneshot::Receiver<T>`.
    type OneshotReceiver<T: Send + 'static>: RtOneshotReceiver<T>;
    /// `sync::mpsc::Sender<T>`.
    type Sender<T: Send + 'static>: RtSender<T>;
    /// `sync::mpsc::Receiver<T>`.
    type Receiver<T: Send + 'static>: RtReceiver<T>;
    /// `sync::mpsc::UnboundedSender<T>`.
    type UnboundedSender<T: Send + 'static>: RtUnboundedSender<T>;
    /// `sync::mpsc::UnboundedReceiver<T>`.
    type UnboundedReceiver<T: Send + 'static>: RtReceiver<T>;

    /// `task::spawn`: onto the current runtime (panics outside one).
    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// `task::spawn_blocking`: onto the current runtime's blocking pool.
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// `task::yield_now`.
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// `Handle::current` (panics outside a runtime).
    fn current() -> Self::Handle;

    /// `Handle::try_current`, as an `Option`.
    fn try_current() -> Option<Self::Handle>;

    /// `time::sleep`.
    fn sleep(duration: Duration) -> Self::Sleep;

    /// `time::sleep_until`.
    fn sleep_until(deadline: Instant) -> Self::Sleep;

    /// `time::timeout` (the future is the library's `Timeout`).
    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send;

    /// `time::timeout_at`.
    fn timeout_at<F>(
        deadline: Instant,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send;

    /// `time::interval`.
    fn interval(period: Duration) -> Self::Interval;

    /// `time::interval_at`.
    fn interval_at(start: Instant, period: Duration) -> Self::Interval;

    /// `sync::oneshot::channel`.
    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>);

    /// `sync::mpsc::channel`.
    fn channel<T: Send + 'static>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>);

    /// `sync::mpsc::unbounded_channel`.
    fn unbounded_channel<T: Send + 'static>()
    -> (Self::UnboundedSender<T>, Self::UnboundedReceiver<T>);

    /// `fs::read_to_string`.
    fn read_to_string(path: PathBuf) -> impl Future<Output = io::Result<String>> + Send;

    /// Opens `path` with `fs::File::open` and reads it line by line with
    /// the library's own buffered-reader traits (mini_runtime: `futures-io`
    /// `AsyncBufRead` + `futures`' `lines()`; Tokio: `tokio::io::BufReader`
    /// + `lines()`). Line endings (`\n`, `\r\n`) are removed, as by std.
    fn read_lines(path: PathBuf) -> impl Future<Output = io::Result<Vec<String>>> + Send;
}

/// Settings for building a runtime beyond the flavour's defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `Builder::max_blocking_threads`, if set.
    pub max_blocking_threads: Option<usize>,
    /// `Builder::event_interval` (scheduler ticks between looks at the
    /// timers while busy), if set.
    pub event_interval: Option<u32>,
}

/// One runtime flavour: a library plus a configuration.
pub trait Rt: Debug + Sized + 'static {
    /// The library this flavour belongs to.
    type Lib: Library;

    /// The flavour's label, as in the design (`mini-ct`, `tokio-ct`, ...).
    const NAME: &'static str;

    /// Whether all tasks run on the thread inside `block_on`, one at a
    /// time. Only such flavours guarantee orderings like "a task spawned
    /// just before `block_on` returns was never polled"; behaviours assert
    /// those only when this is true.
    const CURRENT_THREAD: bool;

    /// Builds a runtime of this flavour with `options`
    /// (`Builder::...().enable_all()...build()`).
    fn build_with(options: Options) -> Self;

    /// The library's `Runtime` this flavour wraps.
    fn runtime(&self) -> &Runtime<Self>;

    /// Unwraps the library's `Runtime` (for the methods that consume it).
    fn into_runtime(self) -> Runtime<Self>;

    /// Builds a runtime of this flavour with default settings.
    fn build() -> Self {
        Self::build_with(Options::default())
    }

    /// `Runtime::block_on`.
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime().block_on(future)
    }

    /// `Runtime::handle`.
    fn handle(&self) -> &Handle<Self> {
        self.runtime().handle()
    }

    /// `Runtime::enter`: the runtime is current until the guard is dropped.
    fn enter(&self) -> impl Sized + '_ {
        self.runtime().enter()
    }

    /// `Runtime::shutdown_timeout`.
    fn shutdown_timeout(self, timeout: Duration) {
        self.into_runtime().shutdown_timeout(timeout)
    }

    /// `Runtime::shutdown_background`.
    fn shutdown_background(self) {
        self.into_runtime().shutdown_background()
    }

    /// `task::spawn`: onto the current runtime.
    fn spawn<F>(future: F) -> JoinHandle<Self, F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::Lib::spawn(future)
    }

    /// `task::spawn_blocking`: onto the current runtime's blocking pool.
    fn spawn_blocking<F, T>(f: F) -> JoinHandle<Self, T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        Self::Lib::spawn_blocking(f)
    }

    /// `task::yield_now`.
    fn yield_now() -> impl Future<Output = ()> + Send {
        Self::Lib::yield_now()
    }

    /// `Handle::current`.
    fn current() -> Handle<Self> {
        Self::Lib::current()
    }

    /// `Handle::try_current`, as an `Option`.
    fn try_current() -> Option<Handle<Self>> {
        Self::Lib::try_current()
    }

    /// `time::sleep`.
    fn sleep(duration: Duration) -> Sleep<Self> {
        Self::Lib::sleep(duration)
    }

    /// `time::sleep_until`.
    fn sleep_until(deadline: Instant) -> Sleep<Self> {
        Self::Lib::sleep_until(deadline)
    }

    /// `time::timeout`.
    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Elapsed<Self>>> + Send
    where
        F: Future + Send,
    {
        Self::Lib::timeout(duration, future)
    }

    /// `time::timeout_at`.
    fn timeout_at<F>(
        deadline: Instant,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Elapsed<Self>>> + Send
    where
        F: Future + Send,
    {
        Self::Lib::timeout_at(deadline, future)
    }

    /// `time::interval`.
    fn interval(period: Duration) -> Interval<Self> {
        Self::Lib::interval(period)
    }

    /// `time::interval_at`.
    fn interval_at(start: Instant, period: Duration) -> Interval<Self> {
        Self::Lib::interval_at(start, period)
    }

    /// `sync::oneshot::channel`.
    fn oneshot<T: Send + 'static>() -> (OneshotSender<Self, T>, OneshotReceiver<Self, T>) {
        Self::Lib::oneshot()
    }

    /// `sync::mpsc::channel`.
    fn channel<T: Send + 'static>(capacity: usize) -> (Sender<Self, T>, Receiver<Self, T>) {
        Self::Lib::channel(capacity)
    }

    /// `sync::mpsc::unbounded_channel`.
    fn unbounded_channel<T: Send + 'static>()
    -> (UnboundedSender<Self, T>, UnboundedReceiver<Self, T>) {
        Self::Lib::unbounded_channel()
    }

    /// `task::JoinSet::new`.
    fn join_set<T: Send + 'static>() -> JoinSet<Self, T> {
        JoinSet::<Self, T>::new()
    }

    /// `fs::read_to_string`.
    fn read_to_string(path: PathBuf) -> impl Future<Output = io::Result<String>> + Send {
        Self::Lib::read_to_string(path)
    }

    /// [`Library::read_lines`].
    fn read_lines(path: PathBuf) -> impl Future<Output = io::Result<Vec<String>>> + Send {
        Self::Lib::read_lines(path)
    }
}

/// The runtime type of flavour `R`.
pub type Runtime<R> = <<R as Rt>::Lib as Library>::Runtime;
/// The handle type of flavour `R`.
pub type Handle<R> = <<R as Rt>::Lib as Library>::Handle;
/// The join-handle type of flavour `R`.
pub type JoinHandle<R, T> = <<R as Rt>::Lib as Library>::JoinHandle<T>;
/// The abort-handle type of flavour `R`.
pub type AbortHandle<R> = <<R as Rt>::Lib as Library>::AbortHandle;
/// The `JoinSet` type of flavour `R`.
pub type JoinSet<R, T> = <<R as Rt>::Lib as Library>::JoinSet<T>;
/// The `Sleep` type of flavour `R`.
pub type Sleep<R> = <<R as Rt>::Lib as Library>::Sleep;
/// The `Interval` type of flavour `R`.
pub type Interval<R> = <<R as Rt>::Lib as Library>::Interval;
/// The `Elapsed` error of flavour `R`.
pub type Elapsed<R> = <<R as Rt>::Lib as Library>::Elapsed;
/// The oneshot sender of flavour `R`.
pub type OneshotSender<R, T> = <<R as Rt>::Lib as Library>::OneshotSender<T>;
/// The oneshot receiver of flavour `R`.
pub type OneshotReceiver<R, T> = <<R as Rt>::Lib as Library>::OneshotReceiver<T>;
/// The bounded mpsc sender of flavour `R`.
pub type Sender<R, T> = <<R as Rt>::Lib as Library>::Sender<T>;
/// The bounded mpsc receiver of flavour `R`.
pub type Receiver<R, T> = <<R as Rt>::Lib as Library>::Receiver<T>;
/// The unbounded mpsc sender of flavour `R`.
pub type UnboundedSender<R, T> = <<R as Rt>::Lib as Library>::UnboundedSender<T>;
/// The unbounded mpsc receiver of flavour `R`.
pub type UnboundedReceiver<R, T> = <<R as Rt>::Lib as Library>::UnboundedReceiver<T>;

/// `runtime::Runtime`.
pub trait RtRuntime: Debug + Send + Sync + Sized + 'static {
    /// The library this runtime belongs to.
    type Lib: Library<Runtime = Self>;

    /// `Runtime::block_on`.
    fn block_on<F: Future>(&self, future: F) -> F::Output;
    /// `Runtime::handle`.
    fn handle(&self) -> &<Self::Lib as Library>::Handle;
    /// `Runtime::enter`.
    fn enter(&self) -> impl Sized + '_;
    /// `Runtime::spawn_blocking`.
    fn spawn_blocking<F, T>(&self, f: F) -> <Self::Lib as Library>::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;
    /// `Runtime::shutdown_timeout`.
    fn shutdown_timeout(self, timeout: Duration);
    /// `Runtime::shutdown_background`.
    fn shutdown_background(self);
}

/// `runtime::Handle`: cloneable, sendable, reaches the runtime from anywhere.
pub trait RtHandle: Clone + Send + Sync + Debug + 'static {
    /// The library this handle belongs to.
    type Lib: Library<Handle = Self>;

    /// `Handle::spawn`.
    fn spawn<F>(&self, future: F) -> <Self::Lib as Library>::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// `Handle::spawn_blocking`.
    fn spawn_blocking<F, T>(&self, f: F) -> <Self::Lib as Library>::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// `Handle::block_on`.
    fn block_on<F: Future>(&self, future: F) -> F::Output;

    /// `Handle::enter`.
    fn enter(&self) -> impl Sized + '_;
}

/// `task::JoinHandle<T>`: awaiting it gives the task's output or why not.
pub trait RtJoinHandle<T>:
    Future<Output = Result<T, Self::Error>> + Send + Unpin + 'static
{
    /// The library's `JoinError`.
    type Error: RtJoinError;
    /// The library's `AbortHandle`.
    type Abort: RtAbortHandle;

    /// `JoinHandle::abort`.
    fn abort(&self);
    /// `JoinHandle::is_finished`.
    fn is_finished(&self) -> bool;
    /// `JoinHandle::abort_handle`.
    fn abort_handle(&self) -> Self::Abort;
}

/// `task::JoinError`: the task was cancelled or panicked.
pub trait RtJoinError: std::error::Error + Send + Sync + Sized + 'static {
    /// `JoinError::is_cancelled`.
    fn is_cancelled(&self) -> bool;
    /// `JoinError::is_panic`.
    fn is_panic(&self) -> bool;
    /// `JoinError::into_panic`: the panic payload.
    fn into_panic(self) -> Box<dyn Any + Send + 'static>;
}

/// `task::AbortHandle`: aborts a task without owning its output.
pub trait RtAbortHandle: Clone + Send + Sync + Debug + 'static {
    /// `AbortHandle::abort`.
    fn abort(&self);
    /// `AbortHandle::is_finished`.
    fn is_finished(&self) -> bool;
}

/// `task::JoinSet<T>`: tasks awaited in completion order; dropping the set
/// aborts them.
pub trait RtJoinSet<T: Send + 'static>: Send + Debug + 'static {
    /// The library's `JoinError`.
    type Error: RtJoinError;
    /// The library's `AbortHandle`.
    type Abort: RtAbortHandle;

    /// `JoinSet::new`.
    fn new() -> Self;
    /// `JoinSet::spawn` (onto the current runtime).
    fn spawn<F>(&mut self, future: F) -> Self::Abort
    where
        F: Future<Output = T> + Send + 'static;
    /// `JoinSet::join_next`.
    fn join_next(&mut self) -> impl Future<Output = Option<Result<T, Self::Error>>> + Send + '_;
    /// `JoinSet::try_join_next`.
    fn try_join_next(&mut self) -> Option<Result<T, Self::Error>>;
    /// `JoinSet::len`.
    fn len(&self) -> usize;
    /// `JoinSet::is_empty`.
    fn is_empty(&self) -> bool;
    /// `JoinSet::abort_all`.
    fn abort_all(&mut self);
    /// `JoinSet::join_all`.
    fn join_all(self) -> impl Future<Output = Vec<T>> + Send;
}

/// `time::Sleep`: a future that completes at its deadline.
pub trait RtSleep: Future<Output = ()> + Send + Sync + Debug + 'static {
    /// `Sleep::deadline`.
    fn deadline(&self) -> Instant;
    /// `Sleep::is_elapsed`.
    fn is_elapsed(&self) -> bool;
    /// `Sleep::reset`.
    fn reset(self: Pin<&mut Self>, deadline: Instant);
}

/// `time::MissedTickBehavior`, variant for variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// `MissedTickBehavior::Burst` (the default).
    Burst,
    /// `MissedTickBehavior::Delay`.
    Delay,
    /// `MissedTickBehavior::Skip`.
    Skip,
}

/// `time::Interval`.
pub trait RtInterval: Send + Sync + Debug + 'static {
    /// `Interval::tick`: the instant the tick was scheduled for.
    fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_;
    /// `Interval::period`.
    fn period(&self) -> Duration;
    /// `Interval::set_missed_tick_behavior`.
    fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior);
    /// `Interval::reset`: the next tick is one period from now.
    fn reset(&mut self);
}

/// `sync::oneshot::error::TryRecvError`, variant for variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneshotTryRecvError {
    /// `TryRecvError::Empty`.
    Empty,
    /// `TryRecvError::Closed`.
    Closed,
}

/// `sync::oneshot::Sender<T>`.
pub trait RtOneshotSender<T>: Send + Sync + 'static {
    /// `Sender::send`: `Err(value)` if the receiver is gone.
    fn send(self, value: T) -> Result<(), T>;
    /// `Sender::is_closed`.
    fn is_closed(&self) -> bool;
    /// `Sender::closed`: completes when the receiver is dropped or closed.
    fn closed(&mut self) -> impl Future<Output = ()> + Send + '_;
}

/// `sync::oneshot::Receiver<T>`: a future of the value.
pub trait RtOneshotReceiver<T>:
    Future<Output = Result<T, Self::RecvError>> + Send + Unpin + 'static
{
    /// `oneshot::error::RecvError`.
    type RecvError: std::error::Error + Send + Sync + 'static;
    /// `Receiver::try_recv`.
    fn try_recv(&mut self) -> Result<T, OneshotTryRecvError>;
    /// `Receiver::close`.
    fn close(&mut self);
    /// `Receiver::blocking_recv` (from outside any runtime).
    fn blocking_recv(self) -> Result<T, Self::RecvError>;
}

/// `sync::mpsc::error::TrySendError<T>`, variant for variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// `TrySendError::Full(value)`.
    Full(T),
    /// `TrySendError::Closed(value)`.
    Closed(T),
}

/// `sync::mpsc::error::TryRecvError`, variant for variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// `TryRecvError::Empty`.
    Empty,
    /// `TryRecvError::Disconnected`.
    Disconnected,
}

/// `sync::mpsc::Sender<T>`: the bounded channel's sender.
pub trait RtSender<T>: Clone + Send + Sync + Debug + 'static {
    /// `Sender::send`: waits for capacity; `Err(value)` if the channel is
    /// closed.
    fn send(&self, value: T) -> impl Future<Output = Result<(), T>> + Send + '_;
    /// `Sender::try_send`.
    fn try_send(&self, value: T) -> Result<(), TrySendError<T>>;
    /// `Sender::blocking_send` (from outside any runtime).
    fn blocking_send(&self, value: T) -> Result<(), T>;
    /// `Sender::is_closed`.
    fn is_closed(&self) -> bool;
    /// `Sender::closed`: completes when the receiver is dropped or closed.
    fn closed(&self) -> impl Future<Output = ()> + Send + '_;
    /// `Sender::capacity`: free slots right now.
    fn capacity(&self) -> usize;
}

/// `sync::mpsc::UnboundedSender<T>`.
pub trait RtUnboundedSender<T>: Clone + Send + Sync + Debug + 'static {
    /// `UnboundedSender::send`: `Err(value)` if the channel is closed.
    fn send(&self, value: T) -> Result<(), T>;
    /// `UnboundedSender::is_closed`.
    fn is_closed(&self) -> bool;
}

/// `sync::mpsc::Receiver<T>` and `UnboundedReceiver<T>`.
pub trait RtReceiver<T>: Send + Debug + 'static {
    /// `Receiver::recv` (the library's own future: cancel-safe).
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_;
    /// `Receiver::try_recv`.
    fn try_recv(&mut self) -> Result<T, TryRecvError>;
    /// `Receiver::blocking_recv` (from outside any runtime).
    fn blocking_recv(&mut self) -> Option<T>;
    /// `Receiver::close`.
    fn close(&mut self);
    /// `Receiver::is_closed`.
    fn is_closed(&self) -> bool;
    /// `Receiver::len`.
    fn len(&self) -> usize;
    /// `Receiver::is_empty`.
    fn is_empty(&self) -> bool;
}

/// Implements the facade traits for one library: both libraries spell the
/// same methods the same way, so one body serves both; `$krate` is the
/// crate (`mini_runtime` or `tokio`), `$instant` converts a
/// `std::time::Instant` into the crate's, `$std` converts back.
macro_rules! impl_common {
    ($krate:ident, $lib:ty, to_lib: $to_lib:expr, to_std: $to_std:expr) => {
        impl RtHandle for $krate::runtime::Handle {
            type Lib = $lib;

            fn spawn<F>(&self, future: F) -> $krate::task::JoinHandle<F::Output>
            where
                F: Future + Send + 'static,
                F::Output: Send + 'static,
            {
                $krate::runtime::Handle::spawn(self, future)
            }

            fn spawn_blocking<F, T>(&self, f: F) -> $krate::task::JoinHandle<T>
            where
                F: FnOnce() -> T + Send + 'static,
                T: Send + 'static,
            {
                $krate::runtime::Handle::spawn_blocking(self, f)
            }

            fn block_on<F: Future>(&self, future: F) -> F::Output {
                $krate::runtime::Handle::block_on(self, future)
            }

            fn enter(&self) -> impl Sized + '_ {
                $krate::runtime::Handle::enter(self)
            }
        }

        impl RtRuntime for $krate::runtime::Runtime {
            type Lib = $lib;

            fn block_on<F: Future>(&self, future: F) -> F::Output {
                $krate::runtime::Runtime::block_on(self, future)
            }

            fn handle(&self) -> &$krate::runtime::Handle {
                $krate::runtime::Runtime::handle(self)
            }

            fn enter(&self) -> impl Sized + '_ {
                $krate::runtime::Runtime::enter(self)
            }

            fn spawn_blocking<F, T>(&self, f: F) -> $krate::task::JoinHandle<T>
            where
                F: FnOnce() -> T + Send + 'static,
                T: Send + 'static,
            {
                $krate::runtime::Runtime::spawn_blocking(self, f)
            }

            fn shutdown_timeout(self, timeout: Duration) {
                $krate::runtime::Runtime::shutdown_timeout(self, timeout)
            }

            fn shutdown_background(self) {
                $krate::runtime::Runtime::shutdown_background(self)
            }
        }

        impl<T: Send + 'static> RtJoinHandle<T> for $krate::task::JoinHandle<T> {
            type Error = $krate::task::JoinError;
            type Abort = $krate::task::AbortHandle;

            fn abort(&self) {
                $krate::task::JoinHandle::abort(self)
            }

            fn is_finished(&self) -> bool {
                $krate::task::JoinHandle::is_finished(self)
            }

            fn abort_handle(&self) -> Self::Abort {
                $krate::task::JoinHandle::abort_handle(self)
            }
        }

        impl RtJoinError for $krate::task::JoinError {
            fn is_cancelled(&self) -> bool {
                $krate::task::JoinError::is_cancelled(self)
            }

            fn is_panic(&self) -> bool {
                $krate::task::JoinError::is_panic(self)
            }

            fn into_panic(self) -> Box<dyn Any + Send + 'static> {
                $krate::task::JoinError::into_panic(self)
            }
        }

        impl RtAbortHandle for $krate::task::AbortHandle {
            fn abort(&self) {
                $krate::task::AbortHandle::abort(self)
            }

            fn is_finished(&self) -> bool {
                $krate::task::AbortHandle::is_finished(self)
            }
        }

        impl<T: Send + 'static> RtJoinSet<T> for $krate::task::JoinSet<T> {
            type Error = $krate::task::JoinError;
            type Abort = $krate::task::AbortHandle;

            fn new() -> Self {
                $krate::task::JoinSet::new()
            }

            fn spawn<F>(&mut self, future: F) -> Self::Abort
            where
                F: Future<Output = T> + Send + 'static,
            {
                $krate::task::JoinSet::spawn(self, future)
            }

            fn join_next(
                &mut self,
            ) -> impl Future<Output = Option<Result<T, Self::Error>>> + Send + '_ {
                $krate::task::JoinSet::join_next(self)
            }

            fn try_join_next(&mut self) -> Option<Result<T, Self::Error>> {
                $krate::task::JoinSet::try_join_next(self)
            }

            fn len(&self) -> usize {
                $krate::task::JoinSet::len(self)
            }

            fn is_empty(&self) -> bool {
                $krate::task::JoinSet::is_empty(self)
            }

            fn abort_all(&mut self) {
                $krate::task::JoinSet::abort_all(self)
            }

            fn join_all(self) -> impl Future<Output = Vec<T>> + Send {
                $krate::task::JoinSet::join_all(self)
            }
        }

        impl RtSleep for $krate::time::Sleep {
            fn deadline(&self) -> Instant {
                $to_std($krate::time::Sleep::deadline(self))
            }

            fn is_elapsed(&self) -> bool {
                $krate::time::Sleep::is_elapsed(self)
            }

            fn reset(self: Pin<&mut Self>, deadline: Instant) {
                $krate::time::Sleep::reset(self, $to_lib(deadline))
            }
        }

        impl RtInterval for $krate::time::Interval {
            fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_ {
                let tick = $krate::time::Interval::tick(self);
                async move { $to_std(tick.await) }
            }

            fn period(&self) -> Duration {
                $krate::time::Interval::period(self)
            }

            fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
                use $krate::time::MissedTickBehavior as B;
                $krate::time::Interval::set_missed_tick_behavior(
                    self,
                    match behavior {
                        MissedTickBehavior::Burst => B::Burst,
                        MissedTickBehavior::Delay => B::Delay,
                        MissedTickBehavior::Skip => B::Skip,
                    },
                )
            }

            fn reset(&mut self) {
                $krate::time::Interval::reset(self)
            }
        }

        impl<T: Send + 'static> RtOneshotSender<T> for $krate::sync::oneshot::Sender<T> {
            fn send(self, value: T) -> Result<(), T> {
                $krate::sync::oneshot::Sender::send(self, value)
            }

            fn is_closed(&self) -> bool {
                $krate::sync::oneshot::Sender::is_closed(self)
            }

            fn closed(&mut self) -> impl Future<Output = ()> + Send + '_ {
                $krate::sync::oneshot::Sender::closed(self)
            }
        }

        impl<T: Send + 'static> RtOneshotReceiver<T> for $krate::sync::oneshot::Receiver<T> {
            type RecvError = $krate::sync::oneshot::error::RecvError;

            fn try_recv(&mut self) -> Result<T, OneshotTryRecvError> {
                use $krate::sync::oneshot::error::TryRecvError as E;
                $krate::sync::oneshot::Receiver::try_recv(self).map_err(|err| match err {
                    E::Empty => OneshotTryRecvError::Empty,
                    E::Closed => OneshotTryRecvError::Closed,
                })
            }

            fn close(&mut self) {
                $krate::sync::oneshot::Receiver::close(self)
            }

            fn blocking_recv(self) -> Result<T, Self::RecvError> {
                $krate::sync::oneshot::Receiver::blocking_recv(self)
            }
        }

        impl<T: Send + 'static> RtSender<T> for $krate::sync::mpsc::Sender<T> {
            fn send(&self, value: T) -> impl Future<Output = Result<(), T>> + Send + '_ {
                let send = $krate::sync::mpsc::Sender::send(self, value);
                async move { send.await.map_err(|err| err.0) }
            }

            fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
                use $krate::sync::mpsc::error::TrySendError as E;
                $krate::sync::mpsc::Sender::try_send(self, value).map_err(|err| match err {
                    E::Full(value) => TrySendError::Full(value),
                    E::Closed(value) => TrySendError::Closed(value),
                })
            }

            fn blocking_send(&self, value: T) -> Result<(), T> {
                $krate::sync::mpsc::Sender::blocking_send(self, value).map_err(|err| err.0)
            }

            fn is_closed(&self) -> bool {
                $krate::sync::mpsc::Sender::is_closed(self)
            }

            fn closed(&self) -> impl Future<Output = ()> + Send + '_ {
                $krate::sync::mpsc::Sender::closed(self)
            }

            fn capacity(&self) -> usize {
                $krate::sync::mpsc::Sender::capacity(self)
            }
        }

        impl<T: Send + 'static> RtUnboundedSender<T> for $krate::sync::mpsc::UnboundedSender<T> {
            fn send(&self, value: T) -> Result<(), T> {
                $krate::sync::mpsc::UnboundedSender::send(self, value).map_err(|err| err.0)
            }

            fn is_closed(&self) -> bool {
                $krate::sync::mpsc::UnboundedSender::is_closed(self)
            }
        }

        impl_common!(@receiver $krate, $krate::sync::mpsc::Receiver<T>);
        impl_common!(@receiver $krate, $krate::sync::mpsc::UnboundedReceiver<T>);
    };
    (@receiver $krate:ident, $ty:ty) => {
        impl<T: Send + 'static> RtReceiver<T> for $ty {
            fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_ {
                <$ty>::recv(self)
            }

            fn try_recv(&mut self) -> Result<T, TryRecvError> {
                use $krate::sync::mpsc::error::TryRecvError as E;
                <$ty>::try_recv(self).map_err(|err| match err {
                    E::Empty => TryRecvError::Empty,
                    E::Disconnected => TryRecvError::Disconnected,
                })
            }

            fn blocking_recv(&mut self) -> Option<T> {
                <$ty>::blocking_recv(self)
            }

            fn close(&mut self) {
                <$ty>::close(self)
            }

            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }

            fn len(&self) -> usize {
                <$ty>::len(self)
            }

            fn is_empty(&self) -> bool {
                <$ty>::is_empty(self)
            }
        }
    };
}

// ---------------------------------------------------------------------------
// mini_runtime

/// The mini_runtime library.
#[derive(Debug)]
pub enum Mini {}

impl Library for Mini {
    const CRATE: &'static str = "mini_runtime";

    type Runtime = mini_runtime::runtime::Runtime;
    type Handle = mini_runtime::runtime::Handle;
    type JoinHandle<T: Send + 'static> = mini_runtime::task::JoinHandle<T>;
    type JoinError = mini_runtime::task::JoinError;
    type AbortHandle = mini_runtime::task::AbortHandle;
    type JoinSet<T: Send + 'static> = mini_runtime::task::JoinSet<T>;
    type Sleep = mini_runtime::time::Sleep;
    type Interval = mini_runtime::time::Interval;
    type Elapsed = mini_runtime::time::error::Elapsed;
    type OneshotSender<T: Send + 'static> = mini_runtime::sync::oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = mini_runtime::sync::oneshot::Receiver<T>;
    type Sender<T: Send + 'static> = mini_runtime::sync::mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = mini_runtime::sync::mpsc::Receiver<T>;
    type UnboundedSender<T: Send + 'static> = mini_runtime::sync::mpsc::UnboundedSender<T>;
    type UnboundedReceiver<T: Send + 'static> = mini_runtime::sync::mpsc::UnboundedReceiver<T>;

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        mini_runtime::task::spawn(future)
    }

    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        mini_runtime::task::spawn_blocking(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        mini_runtime::task::yield_now()
    }

    fn current() -> Self::Handle {
        mini_runtime::runtime::Handle::current()
    }

    fn try_current() -> Option<Self::Handle> {
        mini_runtime::runtime::Handle::try_current().ok()
    }

    fn sleep(duration: Duration) -> Self::Sleep {
        mini_runtime::time::sleep(duration)
    }

    fn sleep_until(deadline: Instant) -> Self::Sleep {
        mini_runtime::time::sleep_until(deadline)
    }

    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send,
    {
        mini_runtime::time::timeout(duration, future)
    }

    fn timeout_at<F>(
        deadline: Instant,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send,
    {
        mini_runtime::time::timeout_at(deadline, future)
    }

    fn interval(period: Duration) -> Self::Interval {
        mini_runtime::time::interval(period)
    }

    fn interval_at(start: Instant, period: Duration) -> Self::Interval {
        mini_runtime::time::interval_at(start, period)
    }

    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>) {
        mini_runtime::sync::oneshot::channel()
    }

    fn channel<T: Send + 'static>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        mini_runtime::sync::mpsc::channel(capacity)
    }

    fn unbounded_channel<T: Send + 'static>()
    -> (Self::UnboundedSender<T>, Self::UnboundedReceiver<T>) {
        mini_runtime::sync::mpsc::unbounded_channel()
    }

    fn read_to_string(path: PathBuf) -> impl Future<Output = io::Result<String>> + Send {
        mini_runtime::fs::read_to_string(path)
    }

    fn read_lines(path: PathBuf) -> impl Future<Output = io::Result<Vec<String>>> + Send {
        use futures::{AsyncBufReadExt, TryStreamExt};
        async move {
            let file = mini_runtime::fs::File::open(path).await?;
            file.lines().try_collect().await
        }
    }
}

impl_common!(
    mini_runtime,
    Mini,
    to_lib: std::convert::identity,
    to_std: std::convert::identity
);

/// `mini-ct`: mini_runtime's current-thread runtime.
#[derive(Debug)]
pub struct MiniCt(mini_runtime::runtime::Runtime);

impl Rt for MiniCt {
    type Lib = Mini;
    const NAME: &'static str = "mini-ct";
    const CURRENT_THREAD: bool = true;

    fn build_with(options: Options) -> Self {
        let mut builder = mini_runtime::runtime::Builder::new_current_thread();
        builder.enable_all();
        if let Some(n) = options.max_blocking_threads {
            builder.max_blocking_threads(n);
        }
        if let Some(ticks) = options.event_interval {
            builder.event_interval(ticks);
        }
        MiniCt(builder.build().expect("building a mini-ct runtime"))
    }

    fn runtime(&self) -> &Runtime<Self> {
        &self.0
    }

    fn into_runtime(self) -> Runtime<Self> {
        self.0
    }
}

/// `mini-mt-N`: mini_runtime's multi-thread runtime with `N` workers.
///
/// `block_on` polls its future on the calling thread; spawned tasks run on
/// the `N` worker threads.
#[derive(Debug)]
pub struct MiniMt<const N: usize>(mini_runtime::runtime::Runtime);

impl<const N: usize> Rt for MiniMt<N> {
    type Lib = Mini;
    const NAME: &'static str = match N {
        1 => "mini-mt-1",
        2 => "mini-mt-2",
        4 => "mini-mt-4",
        _ => "mini-mt",
    };
    const CURRENT_THREAD: bool = false;

    fn build_with(options: Options) -> Self {
        let mut builder = mini_runtime::runtime::Builder::new_multi_thread();
        builder.worker_threads(N).enable_all();
        if let Some(n) = options.max_blocking_threads {
            builder.max_blocking_threads(n);
        }
        if let Some(ticks) = options.event_interval {
            builder.event_interval(ticks);
        }
        MiniMt(builder.build().expect("building a mini-mt runtime"))
    }

    fn runtime(&self) -> &Runtime<Self> {
        &self.0
    }

    fn into_runtime(self) -> Runtime<Self> {
        self.0
    }
}

// ---------------------------------------------------------------------------
// Tokio

/// The Tokio library, the reference.
#[derive(Debug)]
pub enum Tokio {}

impl Library for Tokio {
    const CRATE: &'static str = "tokio";

    type Runtime = tokio::runtime::Runtime;
    type Handle = tokio::runtime::Handle;
    type JoinHandle<T: Send + 'static> = tokio::task::JoinHandle<T>;
    type JoinError = tokio::task::JoinError;
    type AbortHandle = tokio::task::AbortHandle;
    type JoinSet<T: Send + 'static> = tokio::task::JoinSet<T>;
    type Sleep = tokio::time::Sleep;
    type Interval = tokio::time::Interval;
    type Elapsed = tokio::time::error::Elapsed;
    type OneshotSender<T: Send + 'static> = tokio::sync::oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = tokio::sync::oneshot::Receiver<T>;
    type Sender<T: Send + 'static> = tokio::sync::mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = tokio::sync::mpsc::Receiver<T>;
    type UnboundedSender<T: Send + 'static> = tokio::sync::mpsc::UnboundedSender<T>;
    type UnboundedReceiver<T: Send + 'static> = tokio::sync::mpsc::UnboundedReceiver<T>;

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::task::spawn(future)
    }

    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        tokio::task::spawn_blocking(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    fn current() -> Self::Handle {
        tokio::runtime::Handle::current()
    }

    fn try_current() -> Option<Self::Handle> {
        tokio::runtime::Handle::try_current().ok()
    }

    fn sleep(duration: Duration) -> Self::Sleep {
        tokio::time::sleep(duration)
    }

    fn sleep_until(deadline: Instant) -> Self::Sleep {
        tokio::time::sleep_until(deadline.into())
    }

    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send,
    {
        tokio::time::timeout(duration, future)
    }

    fn timeout_at<F>(
        deadline: Instant,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send,
    {
        tokio::time::timeout_at(deadline.into(), future)
    }

    fn interval(period: Duration) -> Self::Interval {
        tokio::time::interval(period)
    }

    fn interval_at(start: Instant, period: Duration) -> Self::Interval {
        tokio::time::interval_at(start.into(), period)
    }

    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>) {
        tokio::sync::oneshot::channel()
    }

    fn channel<T: Send + 'static>(capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        tokio::sync::mpsc::channel(capacity)
    }

    fn unbounded_channel<T: Send + 'static>()
    -> (Self::UnboundedSender<T>, Self::UnboundedReceiver<T>) {
        tokio::sync::mpsc::unbounded_channel()
    }

    fn read_to_string(path: PathBuf) -> impl Future<Output = io::Result<String>> + Send {
        tokio::fs::read_to_string(path)
    }

    fn read_lines(path: PathBuf) -> impl Future<Output = io::Result<Vec<String>>> + Send {
        use tokio::io::AsyncBufReadExt;
        async move {
            let file = tokio::fs::File::open(path).await?;
            let mut lines = tokio::io::BufReader::new(file).lines();
            let mut out = Vec::new();
            while let Some(line) = lines.next_line().await? {
                out.push(line);
            }
            Ok(out)
        }
    }
}

impl_common!(
    tokio,
    Tokio,
    to_lib: tokio::time::Instant::from_std,
    to_std: tokio::time::Instant::into_std
);

/// `tokio-ct`: Tokio's `current_thread` runtime.
#[derive(Debug)]
pub struct TokioCt(tokio::runtime::Runtime);

impl Rt for TokioCt {
    type Lib = Tokio;
    const NAME: &'static str = "tokio-ct";
    const CURRENT_THREAD: bool = true;

    fn build_with(options: Options) -> Self {
        let mut builder = tokio::runtime::Builder::new_current_thread();
        builder.enable_all();
        if let Some(n) = options.max_blocking_threads {
            builder.max_blocking_threads(n);
        }
        if let Some(ticks) = options.event_interval {
            builder.event_interval(ticks);
        }
        TokioCt(builder.build().expect("building a tokio-ct runtime"))
    }

    fn runtime(&self) -> &Runtime<Self> {
        &self.0
    }

    fn into_runtime(self) -> Runtime<Self> {
        self.0
    }
}

/// Worker threads of the `tokio-mt` flavour.
///
/// Four, as many as the most parallel mini flavour (`mini-mt-4`): the
/// reference must be at least as parallel as any flavour it vouches for,
/// so that a behaviour which only holds with fewer workers fails on Tokio
/// too (a test bug), instead of being blamed on mini_runtime.
pub const TOKIO_MT_WORKERS: usize = 4;

/// `tokio-mt`: Tokio's `multi_thread` runtime with [`TOKIO_MT_WORKERS`]
/// workers.
#[derive(Debug)]
pub struct TokioMt(tokio::runtime::Runtime);

impl Rt for TokioMt {
    type Lib = Tokio;
    const NAME: &'static str = "tokio-mt";
    const CURRENT_THREAD: bool = false;

    fn build_with(options: Options) -> Self {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(TOKIO_MT_WORKERS).enable_all();
        if let Some(n) = options.max_blocking_threads {
            builder.max_blocking_threads(n);
        }
        if let Some(ticks) = options.event_interval {
            builder.event_interval(ticks);
        }
        TokioMt(builder.build().expect("building a tokio-mt runtime"))
    }

    fn runtime(&self) -> &Runtime<Self> {
        &self.0
    }

    fn into_runtime(self) -> Runtime<Self> {
        self.0
    }
}
