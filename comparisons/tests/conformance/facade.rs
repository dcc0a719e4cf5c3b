//! The facade the conformance behaviours are written against.
//!
//! A behaviour is written once, as `fn behaviour<R: Rt>()`, and runs on
//! every flavour; Tokio is the reference that proves each test right. Two
//! levels, so that the many flavours of one library share its glue:
//!
//! - [`Library`]: what one runtime library offers whatever the flavour
//!   (`spawn`, `yield_now`, `Handle::current`, the handle, join-handle and
//!   join-error types). Implemented by [`Mini`] and [`Tokio`].
//! - [`Rt`]: one flavour (a configured runtime): its label, how to build it,
//!   `block_on`, `handle`, `enter`. Implemented by [`MiniCt`] and [`TokioCt`].
//!
//! The library's own types (`Handle`, `JoinHandle`, `JoinError`,
//! `AbortHandle`) are used directly, through the traits [`RtHandle`],
//! [`RtJoinHandle`], [`RtJoinError`] and [`RtAbortHandle`], so a behaviour
//! reads like ordinary runtime code: `rt.handle().spawn(f)`, `h.abort()`,
//! `err.is_cancelled()`.
//!
//! Adding a flavour: a type implementing [`Rt`] (its library, label,
//! `CURRENT_THREAD`, `build`, `block_on`, `handle`, `enter`; e.g.
//! `MiniMt<const N: usize>` building `N` workers), and one line in
//! `for_each_flavour!`.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;

/// One runtime library (mini_runtime or Tokio), shared by all its flavours.
pub trait Library: 'static {
    /// `runtime::Handle`.
    type Handle: RtHandle<Lib = Self>;
    /// `task::JoinHandle<T>`.
    type JoinHandle<T: Send + 'static>: RtJoinHandle<T, Error = Self::JoinError, Abort = Self::AbortHandle>;
    /// `task::JoinError`.
    type JoinError: RtJoinError;
    /// `task::AbortHandle`.
    type AbortHandle: RtAbortHandle;

    /// `task::spawn`: onto the current runtime (panics outside one).
    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// `task::yield_now`.
    fn yield_now() -> impl Future<Output = ()> + Send;

    /// `Handle::current` (panics outside a runtime).
    fn current() -> Self::Handle;

    /// `Handle::try_current`, as an `Option`.
    fn try_current() -> Option<Self::Handle>;
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

    /// Builds a runtime of this flavour (`Builder::...().enable_all().build()`).
    fn build() -> Self;

    /// `Runtime::block_on`.
    fn block_on<F: Future>(&self, future: F) -> F::Output;

    /// `Runtime::handle`.
    fn handle(&self) -> &Handle<Self>;

    /// `Runtime::enter`: the runtime is current until the guard is dropped.
    fn enter(&self) -> impl Sized + '_;

    /// `task::spawn`: onto the current runtime.
    fn spawn<F>(future: F) -> JoinHandle<Self, F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::Lib::spawn(future)
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
}

/// The handle type of flavour `R`.
pub type Handle<R> = <<R as Rt>::Lib as Library>::Handle;
/// The join-handle type of flavour `R`.
pub type JoinHandle<R, T> = <<R as Rt>::Lib as Library>::JoinHandle<T>;
/// The abort-handle type of flavour `R`.
pub type AbortHandle<R> = <<R as Rt>::Lib as Library>::AbortHandle;

/// `runtime::Handle`: cloneable, sendable, reaches the runtime from anywhere.
pub trait RtHandle: Clone + Send + Sync + Debug + 'static {
    /// The library this handle belongs to.
    type Lib: Library<Handle = Self>;

    /// `Handle::spawn`.
    fn spawn<F>(&self, future: F) -> <Self::Lib as Library>::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

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

// ---------------------------------------------------------------------------
// mini_runtime

/// The mini_runtime library.
#[derive(Debug)]
pub enum Mini {}

impl Library for Mini {
    type Handle = mini_runtime::runtime::Handle;
    type JoinHandle<T: Send + 'static> = mini_runtime::task::JoinHandle<T>;
    type JoinError = mini_runtime::task::JoinError;
    type AbortHandle = mini_runtime::task::AbortHandle;

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        mini_runtime::task::spawn(future)
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
}

impl RtHandle for mini_runtime::runtime::Handle {
    type Lib = Mini;

    fn spawn<F>(&self, future: F) -> mini_runtime::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        mini_runtime::runtime::Handle::spawn(self, future)
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        mini_runtime::runtime::Handle::block_on(self, future)
    }

    fn enter(&self) -> impl Sized + '_ {
        mini_runtime::runtime::Handle::enter(self)
    }
}

impl<T: Send + 'static> RtJoinHandle<T> for mini_runtime::task::JoinHandle<T> {
    type Error = mini_runtime::task::JoinError;
    type Abort = mini_runtime::task::AbortHandle;

    fn abort(&self) {
        mini_runtime::task::JoinHandle::abort(self)
    }

    fn is_finished(&self) -> bool {
        mini_runtime::task::JoinHandle::is_finished(self)
    }

    fn abort_handle(&self) -> Self::Abort {
        mini_runtime::task::JoinHandle::abort_handle(self)
    }
}

impl RtJoinError for mini_runtime::task::JoinError {
    fn is_cancelled(&self) -> bool {
        mini_runtime::task::JoinError::is_cancelled(self)
    }

    fn is_panic(&self) -> bool {
        mini_runtime::task::JoinError::is_panic(self)
    }

    fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        mini_runtime::task::JoinError::into_panic(self)
    }
}

impl RtAbortHandle for mini_runtime::task::AbortHandle {
    fn abort(&self) {
        mini_runtime::task::AbortHandle::abort(self)
    }

    fn is_finished(&self) -> bool {
        mini_runtime::task::AbortHandle::is_finished(self)
    }
}

/// `mini-ct`: mini_runtime's current-thread runtime.
#[derive(Debug)]
pub struct MiniCt(mini_runtime::runtime::Runtime);

impl Rt for MiniCt {
    type Lib = Mini;
    const NAME: &'static str = "mini-ct";
    const CURRENT_THREAD: bool = true;

    fn build() -> Self {
        let rt = mini_runtime::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("building a mini-ct runtime");
        MiniCt(rt)
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.0.block_on(future)
    }

    fn handle(&self) -> &Handle<Self> {
        self.0.handle()
    }

    fn enter(&self) -> impl Sized + '_ {
        self.0.enter()
    }
}

// ---------------------------------------------------------------------------
// Tokio

/// The Tokio library, the reference.
#[derive(Debug)]
pub enum Tokio {}

impl Library for Tokio {
    type Handle = tokio::runtime::Handle;
    type JoinHandle<T: Send + 'static> = tokio::task::JoinHandle<T>;
    type JoinError = tokio::task::JoinError;
    type AbortHandle = tokio::task::AbortHandle;

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::task::spawn(future)
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
}

impl RtHandle for tokio::runtime::Handle {
    type Lib = Tokio;

    fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::runtime::Handle::spawn(self, future)
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        tokio::runtime::Handle::block_on(self, future)
    }

    fn enter(&self) -> impl Sized + '_ {
        tokio::runtime::Handle::enter(self)
    }
}

impl<T: Send + 'static> RtJoinHandle<T> for tokio::task::JoinHandle<T> {
    type Error = tokio::task::JoinError;
    type Abort = tokio::task::AbortHandle;

    fn abort(&self) {
        tokio::task::JoinHandle::abort(self)
    }

    fn is_finished(&self) -> bool {
        tokio::task::JoinHandle::is_finished(self)
    }

    fn abort_handle(&self) -> Self::Abort {
        tokio::task::JoinHandle::abort_handle(self)
    }
}

impl RtJoinError for tokio::task::JoinError {
    fn is_cancelled(&self) -> bool {
        tokio::task::JoinError::is_cancelled(self)
    }

    fn is_panic(&self) -> bool {
        tokio::task::JoinError::is_panic(self)
    }

    fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        tokio::task::JoinError::into_panic(self)
    }
}

impl RtAbortHandle for tokio::task::AbortHandle {
    fn abort(&self) {
        tokio::task::AbortHandle::abort(self)
    }

    fn is_finished(&self) -> bool {
        tokio::task::AbortHandle::is_finished(self)
    }
}

/// `tokio-ct`: Tokio's `current_thread` runtime.
#[derive(Debug)]
pub struct TokioCt(tokio::runtime::Runtime);

impl Rt for TokioCt {
    type Lib = Tokio;
    const NAME: &'static str = "tokio-ct";
    const CURRENT_THREAD: bool = true;

    fn build() -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("building a tokio-ct runtime");
        TokioCt(rt)
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.0.block_on(future)
    }

    fn handle(&self) -> &Handle<Self> {
        self.0.handle()
    }

    fn enter(&self) -> impl Sized + '_ {
        self.0.enter()
    }
}
