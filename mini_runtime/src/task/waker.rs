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
    // exercise(waker): begin: clone: take one more strong reference, return a RawWaker with the same vtable
    // exercise(waker): stub: let _ = ptr;
    // exercise(waker): stub: {todo}
    // SAFETY: per this function's contract the pointer is a live Arc.
    unsafe { Arc::increment_strong_count(ptr.cast::<Cell<F, S>>()) };
    RawWaker::new(ptr, &VTable::<F, S>::TABLE)
    // exercise(waker): end
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
    // exercise(waker): begin: wake: adopt the waker's reference, schedule the task, release the reference
    // exercise(waker): stub: let _ = (ptr, Cell::<F, S>::wake);
    // exercise(waker): stub: {todo}
    // SAFETY: the waker owns one strong reference (vtable invariant),
    // which we adopt here and give up when `cell` drops.
    let cell = unsafe { Arc::from_raw(ptr.cast::<Cell<F, S>>()) };
    cell.wake();
    // exercise(waker): end
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
    // exercise(waker): begin: wake_by_ref: schedule the task without giving up the waker's reference
    // exercise(waker): stub: let _ = (ptr, Cell::<F, S>::wake);
    // exercise(waker): stub: {todo}
    // SAFETY: the waker owns one strong reference (vtable invariant); we
    // borrow it as an `Arc` (built from the raw pointer, which may touch
    // the reference counts) and `ManuallyDrop` gives it back untouched.
    let cell = ManuallyDrop::new(unsafe { Arc::from_raw(ptr.cast::<Cell<F, S>>()) });
    cell.wake();
    // exercise(waker): end
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
    // exercise(waker): begin: drop: release the waker's strong reference
    // exercise(waker): stub: let _ = ptr;
    // exercise(waker): stub: {todo}
    // SAFETY: the waker owns one strong reference, released here.
    drop(unsafe { Arc::from_raw(ptr.cast::<Cell<F, S>>()) });
    // exercise(waker): end
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Mutex as StdMutex;
    use std::task::{Context, Poll, Waker};

    use super::super::Id;
    use super::super::harness::{self, Notified, Runnable, Schedule};
    use crate::sync::Arc;

    /// A scheduler that keeps the tasks it is given.
    #[derive(Clone, Default)]
    struct Keep(std::sync::Arc<StdMutex<Vec<Notified>>>);

    impl Schedule for Keep {
        fn schedule(&self, task: Notified) {
            self.0.lock().unwrap().push(task);
        }
        fn release(&self, _task: &dyn Runnable) {}
    }

    /// Never ready; keeps a clone of the latest waker where the test sees it.
    struct Stash(std::sync::Arc<StdMutex<Option<Waker>>>);

    impl Future for Stash {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            *self.0.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    /// The vtable's contract, counted on the task's `Arc`: clone +1, drop -1,
    /// wake_by_ref keeps the waker's reference, wake consumes it, and a wake
    /// of an idle task queues it.
    #[test]
    fn vtable_functions_keep_the_reference_count() {
        let queue = Keep::default();
        let slot = std::sync::Arc::default();
        let new = harness::new_task(
            Stash(std::sync::Arc::clone(&slot)),
            queue.clone(),
            Id::next(),
        );
        let count = || Arc::strong_count(&new.task);
        let queued = || queue.0.lock().unwrap().len();
        assert_eq!(count(), 3, "owner list + run queue + JoinHandle");

        new.notified.run();
        let waker = slot
            .lock()
            .unwrap()
            .take()
            .expect("the future cloned its waker");
        assert_eq!(
            count(),
            3,
            "the queue's reference is gone; the cloned waker holds one"
        );

        let clone = waker.clone();
        assert_eq!(count(), 4, "clone takes a reference");
        assert!(clone.will_wake(&waker), "a clone wakes the same task");
        drop(clone);
        assert_eq!(count(), 3, "drop gives it back");

        waker.wake_by_ref();
        assert_eq!(queued(), 1, "wake_by_ref queued the idle task");
        assert_eq!(
            count(),
            4,
            "the queue holds a new reference; the waker keeps its own"
        );

        let notified = queue.0.lock().unwrap().pop().unwrap();
        notified.run();
        assert_eq!(
            count(),
            4,
            "owner + JoinHandle + our waker + the one the poll stored"
        );
        let stored = slot.lock().unwrap().take().unwrap();
        stored.wake();
        assert_eq!(queued(), 1, "wake queued the idle task");
        assert_eq!(
            count(),
            4,
            "wake consumed the waker's reference; the queue took one"
        );

        drop(queue.0.lock().unwrap().pop());
        assert_eq!(count(), 3);
        waker.wake();
        assert_eq!(
            queued(),
            0,
            "the task is already scheduled: no second queue entry"
        );
        assert_eq!(count(), 2, "wake consumed the waker's reference");
    }
}
