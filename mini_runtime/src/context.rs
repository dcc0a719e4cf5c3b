//! The thread-local "current runtime".
//!
//! # The problem
//!
//! `mini_runtime::spawn(fut)` and `sleep(d)` take no runtime argument, yet
//! they must reach a runtime. `block_on` must refuse to run on a thread that
//! is already driving tasks. And a waker firing on a runtime thread should
//! push its task onto *that thread's* queue without any lock.
//!
//! # The design
//!
//! One thread-local [`Context`] with three entries:
//!
//! * `current`: the [`scheduler::Handle`] set by `Runtime::enter`,
//!   `block_on` and on every worker and blocking thread. `spawn`, timers and
//!   `Handle::current()` read it. Entering nests; each guard restores what
//!   was there before.
//! * `in_runtime`: whether this thread is *driving* a runtime right now
//!   (inside `block_on` or a worker loop). Blocking calls check it.
//! * `scheduler`: a pointer to the scheduler's per-thread state while it
//!   runs here (its local run queue), set for the duration of a closure by
//!   [`set_scheduler`] (a "scoped thread-local").
//!
//! # Invariants
//!
//! * The `scheduler` pointer is only non-null inside `set_scheduler`, whose
//!   borrow of the pointee outlives the call, so dereferencing it there is
//!   sound.
//! * Guards are restored in reverse order; dropping them out of order
//!   panics with a message (it would otherwise silently leave the wrong
//!   runtime current).
//!
//! # How Tokio does it
//!
//! Tokio's `runtime/context.rs` holds the same pieces (the current handle,
//! an "entered runtime" flag, a scoped pointer to the scheduler context)
//! plus a coop budget, the current task id and an RNG for `select!`.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::ptr;

use crate::scheduler;

struct Context {
    current: RefCell<Option<scheduler::Handle>>,
    /// Counts `set_current` nesting, to detect out-of-order guard drops.
    depth: Cell<usize>,
    in_runtime: Cell<bool>,
    scheduler: Cell<*const scheduler::Context>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            current: RefCell::new(None),
            depth: Cell::new(0),
            in_runtime: Cell::new(false),
            scheduler: Cell::new(ptr::null()),
        }
    };
}

/// Why there is no current runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContextError {
    /// No runtime was entered on this thread.
    NoRuntime,
    /// The thread is exiting and its thread-locals are gone.
    ThreadLocalDestroyed,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextError::NoRuntime => f.write_str(
                "must be called from the context of a mini_runtime runtime, but no runtime \
                 is running on this thread. Call it from inside `Runtime::block_on`, a spawned \
                 task or `#[mini_runtime::main]`, or enter a runtime first with \
                 `let _guard = runtime.enter();` (or `handle.enter()` on another thread).",
            ),
            ContextError::ThreadLocalDestroyed => f.write_str(
                "was called while the thread was exiting (its thread-local runtime context \
                 is already destroyed); do not use mini_runtime from thread-local destructors.",
            ),
        }
    }
}

/// Runs `f` with the current runtime's handle.
pub(crate) fn with_current<R>(f: impl FnOnce(&scheduler::Handle) -> R) -> Result<R, ContextError> {
    CONTEXT
        .try_with(|cx| match cx.current.borrow().as_ref() {
            Some(handle) => Ok(f(handle)),
            None => Err(ContextError::NoRuntime),
        })
        .unwrap_or(Err(ContextError::ThreadLocalDestroyed))
}

/// Restores the previously current runtime when dropped.
pub(crate) struct SetCurrentGuard {
    previous: Option<scheduler::Handle>,
    depth: usize,
}

/// Makes `handle` the current runtime until the guard is dropped.
pub(crate) fn set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    CONTEXT.with(|cx| {
        let previous = cx.current.replace(Some(handle.clone()));
        let depth = cx.depth.get() + 1;
        cx.depth.set(depth);
        SetCurrentGuard { previous, depth }
    })
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let in_order = CONTEXT
            .try_with(|cx| {
                if cx.depth.get() != self.depth {
                    return false;
                }
                cx.depth.set(self.depth - 1);
                *cx.current.borrow_mut() = previous;
                true
            })
            .unwrap_or(true);
        if !in_order && !std::thread::panicking() {
            panic!(
                "`EnterGuard` values dropped out of order. Guards returned by \
                 `Runtime::enter()` / `Handle::enter()` must be dropped in the reverse order \
                 in which they were acquired."
            );
        }
    }
}

/// Marks this thread as driving a runtime (and makes `handle` current)
/// while `f` runs.
///
/// # Panics
///
/// If the thread already drives a runtime: see [`assert_not_in_runtime`].
pub(crate) fn enter_runtime<R>(handle: &scheduler::Handle, what: &str, f: impl FnOnce() -> R) -> R {
    assert_not_in_runtime(what);
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.in_runtime.set(false));
        }
    }
    CONTEXT.with(|cx| cx.in_runtime.set(true));
    let _reset = Reset;
    let _current = set_current(handle);
    f()
}

/// Whether this thread is driving a runtime right now.
pub(crate) fn is_in_runtime() -> bool {
    CONTEXT.try_with(|cx| cx.in_runtime.get()).unwrap_or(false)
}

/// Panics with a helpful message if this thread is driving a runtime.
#[track_caller]
pub(crate) fn assert_not_in_runtime(what: &str) {
    if is_in_runtime() {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called on a \
             thread that is driving mini_runtime tasks, which would stall every task on it. \
             Use `.await` instead, or move the blocking code into `task::spawn_blocking`."
        );
    }
}

/// Runs `f` with `scheduler` installed as this thread's running scheduler.
pub(crate) fn set_scheduler<R>(scheduler: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(*const scheduler::Context);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = CONTEXT.try_with(|cx| cx.scheduler.set(self.0));
        }
    }
    let previous = CONTEXT.with(|cx| cx.scheduler.replace(scheduler));
    let _reset = Reset(previous);
    f()
}

/// Runs `f` with the scheduler running on this thread, if any.
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let ptr = CONTEXT
        .try_with(|cx| cx.scheduler.get())
        .unwrap_or(ptr::null());
    // SAFETY: a non-null pointer was installed by `set_scheduler`, whose
    // caller keeps the pointee borrowed until the pointer is reset (module
    // invariant); we are on the same thread, inside that call.
    let scheduler = unsafe { ptr.as_ref() };
    f(scheduler)
}
