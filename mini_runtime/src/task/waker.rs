//! A hand-written `RawWakerVTable` for tasks.
//!
//! # The problem
//!
//! A [`Waker`] is two words: a data pointer and a pointer to a table of four
//! functions (`clone`, `wake`, `wake_by_ref`, `drop`). The standard library
//! can build one from an `Arc<impl Wake>`, but that costs a reference-count
//! increment on *every poll* to lend the task's waker to its own future, and
//! it hides how wakers really work, which is the point of this crate.
//!
//! # The design
//!
//! The data pointer is `Arc::into_raw` of the task's `Arc<Cell<F, S>>`: a
//! waker *is* one strong reference to the task. The vtable is a constant
//! per `(F, S)` pair, so its functions know the concrete type and can turn
//! the pointer back into the `Arc`:
//!
//! | function      | reference count                 | effect                        |
//! |---------------|---------------------------------|-------------------------------|
//! | `clone`       | +1                              | a new waker, same task        |
//! | `wake`        | -1 (consumes the waker)         | schedule the task             |
//! | `wake_by_ref` | unchanged (+1 if it queues)     | schedule the task             |
//! | `drop`        | -1                              | nothing else                  |
//!
//! While a task is polled it gets a *borrowed* waker ([`waker_ref`]): built
//! from the run queue's reference without incrementing the count, and
//! wrapped in `ManuallyDrop` so it never decrements it either. A future that
//! keeps the waker calls `clone`, which takes a real reference.
//!
//! # Invariants
//!
//! * Every `RawWaker` made here holds exactly one strong count, except the
//!   borrowed one, which lives shorter than the reference it borrows.
//! * The vtable functions are only ever called with pointers made by
//!   `Arc::into_raw::<Cell<F, S>>` for the same `F` and `S` as the vtable.
//!
//! # How Tokio does it differently
//!
//! Tokio's waker points at the task header and its vtable functions dispatch
//! through the task's own vtable; the reference count lives in the state
//! word, so `clone` is one `fetch_add` on the same cache line as the flags.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::harness::{Cell, Schedule};
use crate::sync::Arc;

struct VTable<F, S>(F, S);

impl<F, S> VTable<F, S>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    /// One table per task type; `&VTable::<F, S>::TABLE` is promoted to a
    /// `'static` constant by the compiler.
    const TABLE: RawWakerVTable = RawWakerVTable::new(
        clone_waker::<F, S>,
        wake::<F, S>,
        wake_by_ref::<F, S>,
        drop_waker::<F, S>,
    );
}

/// Builds a waker that borrows `cell`'s reference (no count change).
pub(super) fn waker_ref<F, S>(cell: &Arc<Cell<F, S>>) -> ManuallyDrop<Waker>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let data = Arc::as_ptr(cell).cast::<()>();
    let raw = RawWaker::new(data, &VTable::<F, S>::TABLE);
    // SAFETY: `data` comes from an `Arc<Cell<F, S>>` and the table is the
    // one for `Cell<F, S>` (vtable invariant). `ManuallyDrop` makes sure
    // this waker never gives back the reference it does not own; the caller
    // keeps `cell` alive for as long as the borrowed waker is used, and any
    // clone takes its own reference.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// # Safety
///
/// `ptr` must come from `Arc::into_raw::<Cell<F, S>>` (or be a borrowed
/// waker's pointer) and the task must still be alive.
unsafe fn clone_waker<F, S>(ptr: *const ()) -> RawWaker
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: per this function's contract the pointer is a live Arc.
    unsafe { Arc::increment_strong_count(ptr.cast::<Cell<F, S>>()) };
    RawWaker::new(ptr, &VTable::<F, S>::TABLE)
}

/// # Safety
///
/// As for [`clone_waker`]; consumes the waker's strong reference.
unsafe fn wake<F, S>(ptr: *const ())
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the waker owns one strong reference (vtable invariant),
    // which we adopt here and give up when `cell` drops.
    let cell = unsafe { Arc::from_raw(ptr.cast::<Cell<F, S>>()) };
    cell.wake();
}

/// # Safety
///
/// As for [`clone_waker`]; the waker keeps its reference.
unsafe fn wake_by_ref<F, S>(ptr: *const ())
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the waker owns one strong reference (vtable invariant); we
    // borrow it as an `Arc` (built from the raw pointer, which may touch
    // the reference counts) and `ManuallyDrop` gives it back untouched.
    let cell = ManuallyDrop::new(unsafe { Arc::from_raw(ptr.cast::<Cell<F, S>>()) });
    cell.wake();
}

/// # Safety
///
/// As for [`clone_waker`]; releases the waker's strong reference.
unsafe fn drop_waker<F, S>(ptr: *const ())
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the waker owns one strong reference, released here.
    drop(unsafe { Arc::from_raw(ptr.cast::<Cell<F, S>>()) });
}
