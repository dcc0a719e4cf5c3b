//! Synchronization: the primitives the runtime is built on, and the async
//! channels users build programs with.
//!
//! # Two roles in one module
//!
//! 1. **The public channels**, [`mpsc`] and [`oneshot`], shaped like
//!    `tokio::sync`. They are lessons in themselves: each is a small buffer
//!    plus *waker registration*, the pattern every async primitive repeats
//!    (store the waker, re-check the condition, return `Pending`; whoever
//!    changes the condition takes the waker and wakes it).
//!
//! 2. **The one place the runtime imports its low-level primitives**:
//!    `Arc`, atomics, `Mutex`, `Condvar` and `UnsafeCell`. Every other module
//!    writes `use crate::sync::...`, never `std::sync` directly. That gives one
//!    switch for model checking: compiled with `RUSTFLAGS="--cfg loom"`, the
//!    atomics, mutexes, condvars and cells come from [loom], which explores
//!    every interleaving of a small test. Normally they come from `std`
//!    (atomics) and `parking_lot` (a one-byte mutex without poisoning).
//!
//! # Invariants
//!
//! * The wrappers below expose the *same* API under both configurations, so
//!   runtime code never needs a `cfg(loom)` of its own.
//! * `UnsafeCell` is accessed only through `with` / `with_mut`, which loom
//!   checks for concurrent access; the caller's `unsafe` block still has to
//!   justify why the access is exclusive (or shared-only).
//! * `Arc` is always `std::sync::Arc`: loom's `Arc` cannot be coerced to a
//!   trait object (`Arc<dyn Trait>`), which the task module relies on. loom
//!   still sees every atomic *inside* the objects an `Arc` points to.
//!
//! # How Tokio does it
//!
//! Tokio has the same idea in its private `loom` module (`tokio/src/loom`),
//! which switches between std, parking_lot and loom types. Tokio's channels
//! live in `tokio::sync` next to many more primitives (`Mutex`, `Notify`,
//! `watch`, `broadcast`, semaphores) built on an intrusive waiter list.
//!
//! [loom]: https://docs.rs/loom

pub mod mpsc;
pub mod oneshot;

pub(crate) use std::sync::Arc;

/// For process-wide counters in `static`s (task ids) that no loom model
/// explores: always std's atomic, because loom's cannot be built in a
/// `static` initializer.
pub(crate) use std::sync::atomic::AtomicU64 as StaticAtomicU64;

/// Atomic types and orderings (std normally, loom under `cfg(loom)`).
pub(crate) mod atomic {
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{
        AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
    };
    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{
        AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
    };
}

#[allow(unused_imports)] // the full wrapper API, not every piece is used in every cfg
pub(crate) use self::primitives::{Condvar, Mutex, MutexGuard, UnsafeCell};

/// A value alone on its own 128 bytes. Used for the shards of a sharded
/// structure (owned-task list, timer driver): two shards never share a
/// cache line, so two workers using neighbouring shards do not slow each
/// other down by invalidating each other's caches ("false sharing"). 128
/// rather than 64: x86 processors fetch cache lines in pairs.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct CachePadded<T>(pub(crate) T);

impl<T> std::ops::Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

#[cfg(not(any(loom, miri)))]
#[allow(dead_code)] // the full wrapper API, not every piece is used in every cfg
mod primitives {
    use std::time::Duration;

    /// A mutex without poisoning (parking_lot's, one byte of state).
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T: ?Sized>(parking_lot::Mutex<T>);

    /// The guard returned by [`Mutex::lock`].
    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Self {
            Mutex(parking_lot::const_mutex(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> Mutex<T> {
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock()
        }
    }

    /// A condition variable with std's guard-passing API.
    #[derive(Debug, Default)]
    pub(crate) struct Condvar(parking_lot::Condvar);

    impl Condvar {
        pub(crate) const fn new() -> Self {
            Condvar(parking_lot::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }

        /// Waits at most `timeout`; returns the guard and whether it timed out.
        pub(crate) fn wait_timeout<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> (MutexGuard<'a, T>, bool) {
            let result = self.0.wait_for(&mut guard, timeout);
            (guard, result.timed_out())
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    /// `std::cell::UnsafeCell` with loom's closure-based API.
    #[derive(Debug, Default)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        /// Runs `f` with a shared raw pointer to the value.
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Runs `f` with a mutable raw pointer to the value.
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

/// Under Miri: std's mutex and condvar behind the same poison-free API
/// (parking_lot's internals cast integers to pointers, which Miri's strict
/// provenance checking rejects).
#[cfg(all(miri, not(loom)))]
#[allow(dead_code)]
mod primitives {
    use std::sync::PoisonError;
    use std::time::Duration;

    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T: ?Sized>(std::sync::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Self {
            Mutex(std::sync::Mutex::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
        }
    }

    impl<T: ?Sized> Mutex<T> {
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            match self.0.try_lock() {
                Ok(guard) => Some(guard),
                Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => None,
            }
        }
    }

    #[derive(Debug, Default)]
    pub(crate) struct Condvar(std::sync::Condvar);

    impl Condvar {
        pub(crate) const fn new() -> Self {
            Condvar(std::sync::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> (MutexGuard<'a, T>, bool) {
            let (guard, result) = self
                .0
                .wait_timeout(guard, timeout)
                .unwrap_or_else(PoisonError::into_inner);
            (guard, result.timed_out())
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    #[derive(Debug, Default)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

#[cfg(loom)]
#[allow(dead_code)]
mod primitives {
    use std::time::Duration;

    /// loom's mutex behind std's poison-free API.
    #[derive(Debug)]
    pub(crate) struct Mutex<T>(loom::sync::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Mutex(loom::sync::Mutex::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner().unwrap()
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap()
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock().ok()
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Mutex::new(T::default())
        }
    }

    /// loom's condition variable.
    #[derive(Debug, Default)]
    pub(crate) struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Self {
            Condvar(loom::sync::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).unwrap()
        }

        /// loom has no time: a timed wait is modelled as "may time out at
        /// once", which is the harder case for the caller.
        pub(crate) fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> (MutexGuard<'a, T>, bool) {
            let (guard, result) = self.0.wait_timeout(guard, timeout).unwrap();
            (guard, result.timed_out())
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }

    /// loom's checked cell.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(loom::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) fn new(value: T) -> Self {
            UnsafeCell(loom::cell::UnsafeCell::new(value))
        }

        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            self.0.with(f)
        }

        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            self.0.with_mut(f)
        }
    }
}
