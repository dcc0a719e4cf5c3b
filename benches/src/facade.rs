//! The runtime facade: the few operations the workloads need, implemented
//! once for mini_runtime ([`Mini`]) and once for Tokio ([`Tokio`]).
//!
//! A workload is a generic function `fn workload<R: Rt>(..)`; it is written
//! once and instantiated for both runtimes, so both run exactly the same
//! code apart from the runtime calls themselves. The trait is a set of
//! associated functions on a marker type (no `self`): the runtime value is
//! the associated type [`Rt::Runtime`].
//!
//! Every method forwards straight to the runtime's own function (no boxing,
//! no extra task), so a timing measures the runtime and not the facade.
//! Join handles keep each runtime's `Result<T, JoinError>` output, as the
//! Tokio benchmarks' `handle.await.unwrap()` does.
//!
//! ```
//! use benches::{Flavor, Mini, Rt, Tokio};
//!
//! fn answer<R: Rt>() -> u32 {
//!     let rt = R::build(Flavor::CurrentThread);
//!     R::block_on(&rt, async {
//!         let task = R::spawn(async { 6 * 7 });
//!         R::yield_now().await;
//!         task.await.unwrap()
//!     })
//! }
//! assert_eq!(answer::<Mini>(), 42);
//! assert_eq!(answer::<Tokio>(), 42);
//! ```

use std::fmt;
use std::future::Future;
use std::time::Duration;

/// Which scheduler a workload runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// The single-threaded scheduler: tasks run on the thread inside `block_on`.
    CurrentThread,
    /// The multi-thread work-stealing scheduler with this many workers.
    MultiThread(usize),
}

impl fmt::Display for Flavor {
    /// `ct`, or `mt<workers>` (`mt4`, `mt2`, ...): the labels used in benchmark ids.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flavor::CurrentThread => f.write_str("ct"),
            Flavor::MultiThread(n) => write!(f, "mt{n}"),
        }
    }
}

/// Which drivers a runtime is built with.
///
/// Tokio's benchmark files differ here, and it matters: Tokio's
/// current-thread benches (`rt_current_thread.rs`, `spawn.rs`,
/// `sync_mpsc_oneshot.rs`) build their runtimes without drivers, while
/// `rt_multi_threaded.rs` and the timer benches call `enable_all()`. With
/// the I/O driver on, waking an idle Tokio runtime from another thread is a
/// write to an eventfd, and parking is an `epoll_wait` system call, so
/// each workload uses exactly the setting of its Tokio file, on both
/// runtimes (for mini_runtime, `enable_all` only turns on the timer driver).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Drivers {
    /// `enable_all()`: timers (and, on Tokio, I/O).
    All,
    /// No driver: `Builder::new_*().build()` as is.
    Off,
}

/// The sending half of a runtime-native oneshot channel.
pub trait OneshotSender<T>: Send + 'static {
    /// Sends the value; gives it back if the receiver is gone.
    fn send(self, value: T) -> Result<(), T>;
}

/// The sending half of a runtime-native bounded mpsc channel.
pub trait MpscSender<T>: Clone + Send + Sync + 'static {
    /// Sends, waiting for room; `Err(())` if the receiver is gone.
    fn send(&self, value: T) -> impl Future<Output = Result<(), ()>> + Send + '_;
}

/// The receiving half of a runtime-native bounded mpsc channel.
pub trait MpscReceiver<T>: Send + 'static {
    /// The next value, or `None` once every sender is gone.
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_;
}

/// An async runtime, as the workloads see it.
///
/// Implemented by the marker types [`Mini`] and [`Tokio`].
pub trait Rt: Sized + 'static {
    /// The runtime's label in benchmark ids: `mini` or `tokio`.
    const NAME: &'static str;

    /// The runtime object (`Runtime`); dropping it shuts the runtime down.
    type Runtime: Send + Sync + fmt::Debug + 'static;
    /// A cloneable handle for spawning from other threads.
    type Handle: Clone + Send + Sync + fmt::Debug + 'static;
    /// The error a join handle gives for a panicked or cancelled task.
    type JoinError: fmt::Debug + Send + 'static;
    /// The runtime's own join handle.
    type JoinHandle<T: Send + 'static>: Future<Output = Result<T, Self::JoinError>>
        + Send
        + Unpin
        + 'static;
    /// The error of a `timeout` that expired.
    type Elapsed: fmt::Debug + Send + 'static;
    /// The error of a oneshot receiver whose sender was dropped.
    type RecvError: fmt::Debug + Send + 'static;
    /// Native oneshot sender (`sync::oneshot::Sender`).
    type OneshotSender<T: Send + 'static>: OneshotSender<T>;
    /// Native oneshot receiver (`sync::oneshot::Receiver`).
    type OneshotReceiver<T: Send + 'static>: Future<Output = Result<T, Self::RecvError>>
        + Send
        + Unpin
        + 'static;
    /// Native bounded mpsc sender (`sync::mpsc::Sender`).
    type MpscSender<T: Send + 'static>: MpscSender<T>;
    /// Native bounded mpsc receiver (`sync::mpsc::Receiver`).
    type MpscReceiver<T: Send + 'static>: MpscReceiver<T>;

    /// Builds a runtime of this flavour with the given drivers.
    fn build_with(flavor: Flavor, drivers: Drivers) -> Self::Runtime;

    /// Builds a runtime of this flavour with every driver enabled (`enable_all`).
    fn build(flavor: Flavor) -> Self::Runtime {
        Self::build_with(flavor, Drivers::All)
    }

    /// Runs `future` to completion on the calling thread (`Runtime::block_on`).
    fn block_on<F: Future>(rt: &Self::Runtime, future: F) -> F::Output;

    /// A handle to the runtime (`Runtime::handle().clone()`).
    fn handle(rt: &Self::Runtime) -> Self::Handle;

    /// Spawns onto the runtime from anywhere (`Handle::spawn`).
    fn spawn_on<F>(handle: &Self::Handle, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns onto the runtime from outside it (`Runtime::spawn`).
    fn spawn_rt<F>(rt: &Self::Runtime, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns onto the current runtime (`spawn`); panics outside a runtime.
    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs a closure on the current runtime's blocking pool (`task::spawn_blocking`).
    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// `task::yield_now()`.
    fn yield_now() -> impl Future<Output = ()> + Send + 'static;

    /// `time::sleep(duration)`; the timer is taken from the current runtime.
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static;

    /// `time::timeout(duration, future)`.
    fn timeout<F>(
        duration: Duration,
        future: F,
    ) -> impl Future<Output = Result<F::Output, Self::Elapsed>> + Send
    where
        F: Future + Send;

    /// A native oneshot channel (`sync::oneshot::channel`).
    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>);

    /// A native bounded mpsc channel (`sync::mpsc::channel(capacity)`).
    fn mpsc<T: Send + 'static>(capacity: usize) -> (Self::MpscSender<T>, Self::MpscReceiver<T>);
}

/// mini_runtime, this workspace's runtime.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mini;

/// Tokio, the reference.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tokio;

impl<T: Send + 'static> OneshotSender<T> for mini_runtime::sync::oneshot::Sender<T> {
    fn send(self, value: T) -> Result<(), T> {
        mini_runtime::sync::oneshot::Sender::send(self, value)
    }
}

impl<T: Send + 'static> MpscSender<T> for mini_runtime::sync::mpsc::Sender<T> {
    async fn send(&self, value: T) -> Result<(), ()> {
        mini_runtime::sync::mpsc::Sender::send(self, value)
            .await
            .map_err(drop)
    }
}

impl<T: Send + 'static> MpscReceiver<T> for mini_runtime::sync::mpsc::Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_ {
        mini_runtime::sync::mpsc::Receiver::recv(self)
    }
}

impl Rt for Mini {
    const NAME: &'static str = "mini";

    type Runtime = mini_runtime::runtime::Runtime;
    type Handle = mini_runtime::runtime::Handle;
    type JoinError = mini_runtime::task::JoinError;
    type JoinHandle<T: Send + 'static> = mini_runtime::task::JoinHandle<T>;
    type Elapsed = mini_runtime::time::error::Elapsed;
    type RecvError = mini_runtime::sync::oneshot::error::RecvError;
    type OneshotSender<T: Send + 'static> = mini_runtime::sync::oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = mini_runtime::sync::oneshot::Receiver<T>;
    type MpscSender<T: Send + 'static> = mini_runtime::sync::mpsc::Sender<T>;
    type MpscReceiver<T: Send + 'static> = mini_runtime::sync::mpsc::Receiver<T>;

    fn build_with(flavor: Flavor, drivers: Drivers) -> Self::Runtime {
        let mut builder = match flavor {
            Flavor::CurrentThread => mini_runtime::runtime::Builder::new_current_thread(),
            Flavor::MultiThread(workers) => {
                let mut builder = mini_runtime::runtime::Builder::new_multi_thread();
                builder.worker_threads(workers);
                builder
            }
        };
        if drivers == Drivers::All {
            builder.enable_all();
        }
        builder.build().expect("building a mini_runtime runtime")
    }

    fn block_on<F: Future>(rt: &Self::Runtime, future: F) -> F::Output {
        rt.block_on(future)
    }

    fn handle(rt: &Self::Runtime) -> Self::Handle {
        rt.handle().clone()
    }

    fn spawn_on<F>(handle: &Self::Handle, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.spawn(future)
    }

    fn spawn_rt<F>(rt: &Self::Runtime, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        rt.spawn(future)
    }

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        mini_runtime::spawn(future)
    }

    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        mini_runtime::task::spawn_blocking(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        mini_runtime::task::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static {
        mini_runtime::time::sleep(duration)
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

    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>) {
        mini_runtime::sync::oneshot::channel()
    }

    fn mpsc<T: Send + 'static>(capacity: usize) -> (Self::MpscSender<T>, Self::MpscReceiver<T>) {
        mini_runtime::sync::mpsc::channel(capacity)
    }
}

impl<T: Send + 'static> OneshotSender<T> for tokio::sync::oneshot::Sender<T> {
    fn send(self, value: T) -> Result<(), T> {
        tokio::sync::oneshot::Sender::send(self, value)
    }
}

impl<T: Send + 'static> MpscSender<T> for tokio::sync::mpsc::Sender<T> {
    async fn send(&self, value: T) -> Result<(), ()> {
        tokio::sync::mpsc::Sender::send(self, value)
            .await
            .map_err(drop)
    }
}

impl<T: Send + 'static> MpscReceiver<T> for tokio::sync::mpsc::Receiver<T> {
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send + '_ {
        tokio::sync::mpsc::Receiver::recv(self)
    }
}

impl Rt for Tokio {
    const NAME: &'static str = "tokio";

    type Runtime = tokio::runtime::Runtime;
    type Handle = tokio::runtime::Handle;
    type JoinError = tokio::task::JoinError;
    type JoinHandle<T: Send + 'static> = tokio::task::JoinHandle<T>;
    type Elapsed = tokio::time::error::Elapsed;
    type RecvError = tokio::sync::oneshot::error::RecvError;
    type OneshotSender<T: Send + 'static> = tokio::sync::oneshot::Sender<T>;
    type OneshotReceiver<T: Send + 'static> = tokio::sync::oneshot::Receiver<T>;
    type MpscSender<T: Send + 'static> = tokio::sync::mpsc::Sender<T>;
    type MpscReceiver<T: Send + 'static> = tokio::sync::mpsc::Receiver<T>;

    fn build_with(flavor: Flavor, drivers: Drivers) -> Self::Runtime {
        let mut builder = match flavor {
            Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Flavor::MultiThread(workers) => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(workers);
                builder
            }
        };
        if drivers == Drivers::All {
            builder.enable_all();
        }
        builder.build().expect("building a Tokio runtime")
    }

    fn block_on<F: Future>(rt: &Self::Runtime, future: F) -> F::Output {
        rt.block_on(future)
    }

    fn handle(rt: &Self::Runtime) -> Self::Handle {
        rt.handle().clone()
    }

    fn spawn_on<F>(handle: &Self::Handle, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.spawn(future)
    }

    fn spawn_rt<F>(rt: &Self::Runtime, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        rt.spawn(future)
    }

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        tokio::spawn(future)
    }

    fn spawn_blocking<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        tokio::task::spawn_blocking(f)
    }

    fn yield_now() -> impl Future<Output = ()> + Send + 'static {
        tokio::task::yield_now()
    }

    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send + 'static {
        tokio::time::sleep(duration)
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

    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>) {
        tokio::sync::oneshot::channel()
    }

    fn mpsc<T: Send + 'static>(capacity: usize) -> (Self::MpscSender<T>, Self::MpscReceiver<T>) {
        tokio::sync::mpsc::channel(capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise<R: Rt>(flavor: Flavor) {
        let rt = R::build(flavor);
        let handle = R::handle(&rt);
        let remote = R::spawn_on(&handle, async { 1 });
        let from_rt = R::spawn_rt(&rt, async { 2 });
        let total = R::block_on(&rt, async move {
            let local = R::spawn(async {
                R::yield_now().await;
                3
            });
            let blocking = R::spawn_blocking(|| 4);
            R::sleep(Duration::from_millis(1)).await;
            let ready = R::timeout(Duration::from_secs(5), async { 5 })
                .await
                .unwrap();
            let late = R::timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
            assert!(late.is_err());
            let (tx, rx) = R::oneshot();
            tx.send(6).unwrap();
            let (mtx, mut mrx) = R::mpsc(1);
            drop(R::spawn(async move { mtx.send(7).await.unwrap() }));
            remote.await.unwrap()
                + from_rt.await.unwrap()
                + local.await.unwrap()
                + blocking.await.unwrap()
                + ready
                + rx.await.unwrap()
                + mrx.recv().await.unwrap()
        });
        assert_eq!(total, 28, "{} {flavor}", R::NAME);
    }

    #[test]
    fn facade_works_on_both_runtimes() {
        for flavor in [Flavor::CurrentThread, Flavor::MultiThread(2)] {
            exercise::<Mini>(flavor);
            exercise::<Tokio>(flavor);
        }
    }

    #[test]
    fn runtimes_without_drivers_run_tasks() {
        for flavor in [Flavor::CurrentThread, Flavor::MultiThread(1)] {
            let rt = Mini::build_with(flavor, Drivers::Off);
            assert_eq!(
                Mini::block_on(&rt, async { Mini::spawn(async { 1 }).await.unwrap() }),
                1
            );
            let rt = Tokio::build_with(flavor, Drivers::Off);
            assert_eq!(
                Tokio::block_on(&rt, async { Tokio::spawn(async { 1 }).await.unwrap() }),
                1
            );
        }
    }

    #[test]
    fn flavor_labels() {
        assert_eq!(Flavor::CurrentThread.to_string(), "ct");
        assert_eq!(Flavor::MultiThread(4).to_string(), "mt4");
    }
}
