//! The local run queue: a fixed-size ring that one worker owns and others
//! steal from.
//!
//! # The problem
//!
//! Every worker needs a queue of runnable tasks that it can push to and
//! pop from millions of times per second, without a lock. Idle workers must
//! be able to take work from busy ones ("work stealing"), in batches, so
//! that one steal moves many tasks at the cost of one synchronization.
//!
//! # The design
//!
//! A ring buffer of `capacity` slots (a power of two), with 32-bit
//! positions that only ever grow (wrapping) and are reduced modulo the
//! capacity to index the ring:
//!
//! ```text
//!            steal    real                      tail
//!              │        │                         │
//!   ... ───────▼────────▼─────────────────────────▼──────
//!              [ being  ][    runnable tasks      ][ free
//!               copied ]
//!               by a thief
//! ```
//!
//! * `tail` is written only by the **owner**: `push_back` writes the slot,
//!   then publishes it with a release store of `tail`.
//! * `head` packs two positions into one `AtomicU64`:
//!   * `real`: the next task to hand out. The owner's `pop` and a thief's
//!     claim both advance it with a compare-and-swap, so each task is
//!     handed out once.
//!   * `steal`: the first slot a thief may still be *reading*. Normally
//!     `steal == real`. A thief claims a batch by moving only `real`
//!     (keeping `steal`), copies the tasks into its own queue, then sets
//!     `steal = real`. Meanwhile the owner counts the batch's slots as used
//!     (`tail - steal` is the occupancy), so it can never overwrite a slot
//!     a thief is still reading.
//! * **Stealing** takes half of the available tasks (rounded up); only one
//!   thief at a time (`steal != real` means "busy, try elsewhere").
//! * **Overflow**: when the ring is full, the owner claims the older half
//!   with one compare-and-swap and moves it, plus the new task, to the
//!   global inject queue in one batch. If a thief is active the owner just
//!   sends the one task to the inject queue.
//!
//! # Invariants
//!
//! 1. `tail - steal <= capacity` (the owner never overwrites an unread
//!    slot); `steal <= real <= tail` in wrapping arithmetic.
//! 2. Slots in `[real, tail)` hold initialized tasks that nobody else reads;
//!    slots in `[steal, real)` are being read by exactly one thief.
//! 3. A task is moved out of a slot exactly once: whoever advanced `real`
//!    past it (owner pop, overflow claim, or thief claim).
//!
//! The loom models at the end check push/pop/overflow against a concurrent
//! thief: no task is lost or duplicated.
//!
//! # How Tokio does it differently
//!
//! Tokio's `runtime/scheduler/multi_thread/queue.rs` uses the same two-part
//! head (an idea it took from Go's scheduler), with 256 slots and 16-bit
//! positions on platforms without 64-bit atomics. Tokio specialises the ring
//! to its task type; this one is generic, so the loom models can use
//! integers, and its capacity is a runtime setting
//! (`Builder::local_queue_capacity`) so the models can use a tiny ring.

use std::mem::MaybeUninit;

use crate::sync::atomic::{
    AtomicU32, AtomicU64, Ordering::AcqRel, Ordering::Acquire, Ordering::Relaxed, Ordering::Release,
};
use crate::sync::{Arc, UnsafeCell};

/// Default number of slots in each worker's local run queue (Tokio's
/// figure). Must be a power of two.
pub const LOCAL_QUEUE_CAPACITY: usize = 256;

/// The owner's end of a local queue (push, pop). `Send` but not `Clone`.
pub(crate) struct Local<T> {
    inner: Arc<Inner<T>>,
}

/// Another worker's end of the same queue (steal). Cheap to clone.
pub(crate) struct Steal<T>(Arc<Inner<T>>);

impl<T> Clone for Steal<T> {
    fn clone(&self) -> Self {
        Steal(self.0.clone())
    }
}

struct Inner<T> {
    /// `(steal << 32) | real`, see the module docs.
    head: AtomicU64,
    tail: AtomicU32,
    mask: u32,
    buffer: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

// SAFETY: slots are handed between threads only by the head/tail protocol
// in the module docs, which gives each slot exactly one reader and one
// writer at a time with release/acquire ordering in between; values of `T`
// move between threads, so `T: Send` is required and sufficient.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above; shared access to `Inner` only reads slots that the
// protocol has made exclusively ours.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Where overflowing tasks go (the global inject queue).
pub(crate) trait Overflow<T> {
    /// Takes a batch of tasks.
    fn push_batch(&self, batch: Vec<T>);
}

fn pack(steal: u32, real: u32) -> u64 {
    ((steal as u64) << 32) | real as u64
}

fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}

/// Creates a queue with `capacity` slots (a power of two, at least 2).
pub(crate) fn local<T>(capacity: usize) -> (Local<T>, Steal<T>) {
    assert!(
        capacity >= 2 && capacity.is_power_of_two() && capacity <= 1 << 16,
        "local queue capacity must be a power of two between 2 and 65536, got {capacity}"
    );
    let buffer = (0..capacity)
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect::<Vec<_>>()
        .into_boxed_slice();
    let inner = Arc::new(Inner {
        head: AtomicU64::new(0),
        tail: AtomicU32::new(0),
        mask: capacity as u32 - 1,
        buffer,
    });
    (
        Local {
            inner: inner.clone(),
        },
        Steal(inner),
    )
}

impl<T> Inner<T> {
    fn capacity(&self) -> u32 {
        self.mask + 1
    }

    /// Moves the task out of the slot at `position`.
    ///
    /// # Safety
    ///
    /// The caller must own the slot by the protocol (it advanced `real`
    /// past it, or is the thief that reserved it) and the slot must hold an
    /// initialized task.
    unsafe fn take(&self, position: u32) -> T {
        self.buffer[(position & self.mask) as usize].with(|slot| {
            // SAFETY: per this function's contract the slot is initialized
            // and ours alone; reading it moves the task out, and the
            // protocol never reads the slot again before it is rewritten.
            unsafe { (*slot).assume_init_read() }
        })
    }

    /// Writes a task into the slot at `position`.
    ///
    /// # Safety
    ///
    /// Only the owner of the queue may write, and only to a free slot
    /// (`position - steal < capacity`, see invariant 1).
    unsafe fn put(&self, position: u32, task: T) {
        self.buffer[(position & self.mask) as usize].with_mut(|slot| {
            // SAFETY: per this function's contract nobody reads or writes
            // this slot concurrently.
            unsafe { (*slot).write(task) };
        });
    }

    fn len(&self) -> u32 {
        let (_, real) = unpack(self.head.load(Acquire));
        self.tail.load(Acquire).wrapping_sub(real)
    }
}

impl<T> Local<T> {
    /// Number of tasks waiting (approximate if thieves are active).
    pub(crate) fn len(&self) -> usize {
        self.inner.len() as usize
    }

    /// How many more tasks fit without overflowing.
    pub(crate) fn free_slots(&self) -> usize {
        let (steal, _) = unpack(self.inner.head.load(Acquire));
        (self.inner.capacity() - self.inner.tail.load(Relaxed).wrapping_sub(steal)) as usize
    }

    /// Pushes a task at the back; when the ring is full, moves half of it
    /// (plus this task) to `overflow`. Returns whether it overflowed.
    pub(crate) fn push_back_or_overflow(
        &mut self,
        mut task: T,
        overflow: &impl Overflow<T>,
    ) -> bool {
        let tail = loop {
            let (steal, real) = unpack(self.inner.head.load(Acquire));
            // Only the owner writes `tail`, so a relaxed load sees our own
            // last store.
            let tail = self.inner.tail.load(Relaxed);
            if tail.wrapping_sub(steal) < self.inner.capacity() {
                break tail;
            }
            if steal != real {
                // A thief is copying and will free room soon; don't wait.
                overflow.push_batch(vec![task]);
                return true;
            }
            match self.push_overflow(task, real, tail, overflow) {
                Ok(()) => return true,
                // A thief took tasks in the meantime: there is room now.
                Err(back) => task = back,
            }
        };
        // exercise(local_queue): begin: write the task into slot `tail`, then publish it to thieves
        // exercise(local_queue): stub: let _ = (tail, task, Inner::<T>::put);
        // exercise(local_queue): stub: {todo}
        // SAFETY: we are the owner and the slot is free (checked above:
        // `tail - steal < capacity`, and `steal` only grows).
        unsafe { self.inner.put(tail, task) };
        // Publish the slot to thieves.
        self.inner.tail.store(tail.wrapping_add(1), Release);
        false
        // exercise(local_queue): end
    }

    /// Moves the older half of a full queue, plus `task`, to `overflow`.
    fn push_overflow(
        &mut self,
        task: T,
        head: u32,
        tail: u32,
        overflow: &impl Overflow<T>,
    ) -> Result<(), T> {
        let half = self.inner.capacity() / 2;
        debug_assert_eq!(
            tail.wrapping_sub(head),
            self.inner.capacity(),
            "overflow of a queue that is not full"
        );
        // Claim `half` tasks at once, exactly like a pop of many.
        let claimed = pack(head.wrapping_add(half), head.wrapping_add(half));
        if self
            .inner
            .head
            .compare_exchange(pack(head, head), claimed, AcqRel, Relaxed)
            .is_err()
        {
            return Err(task);
        }
        let mut batch = Vec::with_capacity(half as usize + 1);
        for i in 0..half {
            // SAFETY: the CAS above advanced `real` past these slots, so
            // they are ours, and they were initialized (they were in
            // `[real, tail)`).
            batch.push(unsafe { self.inner.take(head.wrapping_add(i)) });
        }
        batch.push(task);
        overflow.push_batch(batch);
        Ok(())
    }

    /// Pops the task at the front (the oldest).
    pub(crate) fn pop(&mut self) -> Option<T> {
        // exercise(local_queue): begin: claim the oldest task by advancing `real` with a compare-and-swap, then move it out
        // exercise(local_queue): stub: {todo}
        let mut head = self.inner.head.load(Acquire);
        let position = loop {
            let (steal, real) = unpack(head);
            let tail = self.inner.tail.load(Relaxed);
            if real == tail {
                return None;
            }
            let next_real = real.wrapping_add(1);
            // With no thief active, `steal` follows `real`; otherwise the
            // thief owns `steal` and will update it when done.
            let next = if steal == real {
                pack(next_real, next_real)
            } else {
                pack(steal, next_real)
            };
            match self
                .inner
                .head
                .compare_exchange(head, next, AcqRel, Acquire)
            {
                Ok(_) => break real,
                Err(actual) => head = actual,
            }
        };
        // SAFETY: our CAS advanced `real` past `position`, which was in
        // `[real, tail)`, so the slot is initialized and ours.
        Some(unsafe { self.inner.take(position) })
        // exercise(local_queue): end
    }
}

impl<T> Drop for Local<T> {
    fn drop(&mut self) {
        // Drop any tasks still queued (their `Drop` releases them).
        while self.pop().is_some() {}
    }
}

impl<T> Steal<T> {
    /// Whether the queue looks empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.len() == 0
    }

    /// Steals half of this queue's tasks into `dst` (another worker's
    /// queue) and returns one of them to run right away. Returns `None` if
    /// there was nothing to steal, another thief was busy, or `dst` has too
    /// little room.
    pub(crate) fn steal_into(&self, dst: &mut Local<T>) -> Option<(T, usize)> {
        let dst_tail = dst.inner.tail.load(Relaxed);
        let (dst_steal, _) = unpack(dst.inner.head.load(Acquire));
        // Only steal into a queue that is at most half full, so a whole
        // batch always fits.
        if dst_tail.wrapping_sub(dst_steal) > dst.inner.capacity() / 2 {
            return None;
        }
        let n = self.steal_batch(dst, dst_tail);
        if n == 0 {
            return None;
        }
        // Run the last stolen task now; publish the others.
        let last = dst_tail.wrapping_add(n - 1);
        // SAFETY: `steal_batch` wrote slots `[dst_tail, dst_tail + n)` of
        // our own queue and they are not yet published, so only we see them.
        let task = unsafe { dst.inner.take(last) };
        if n > 1 {
            dst.inner.tail.store(last, Release);
        }
        Some((task, n as usize))
    }

    /// Claims and copies a batch; returns how many tasks were copied.
    fn steal_batch(&self, dst: &mut Local<T>, dst_tail: u32) -> u32 {
        // exercise(steal): begin: reserve half of the source (move `real`, keep `steal`), copy the tasks, then release `steal`
        // exercise(steal): stub: let _ = (dst, dst_tail, pack);
        // exercise(steal): stub: {todo}
        let src = &self.0;
        let mut head = src.head.load(Acquire);
        let (first, n) = loop {
            let (steal, real) = unpack(head);
            if steal != real {
                return 0; // another thief is at work here
            }
            // Acquire: makes the owner's slot writes before `tail` visible.
            let tail = src.tail.load(Acquire);
            let available = tail.wrapping_sub(real);
            let n = available - available / 2;
            if n == 0 {
                return 0;
            }
            // Reserve: move `real` past the batch, keep `steal` at its start.
            let reserved = pack(steal, real.wrapping_add(n));
            match src.head.compare_exchange(head, reserved, AcqRel, Acquire) {
                Ok(_) => break (real, n),
                Err(actual) => head = actual,
            }
        };
        debug_assert!(n <= src.capacity() / 2 + 1);
        for i in 0..n {
            // SAFETY: we reserved `[first, first + n)` of the source: those
            // slots are initialized, no one else takes them, and the owner
            // cannot overwrite them while `steal == first`. The destination
            // slots are free: `dst` is at most half full (checked by the
            // caller) and `n <= capacity / 2`; we are `dst`'s owner.
            unsafe {
                let task = src.take(first.wrapping_add(i));
                dst.inner.put(dst_tail.wrapping_add(i), task);
            }
        }
        // Done reading: let `steal` catch up with `real` (which the owner
        // may have advanced meanwhile by popping).
        let mut head = src.head.load(Acquire);
        loop {
            let (steal, real) = unpack(head);
            debug_assert_eq!(steal, first, "only one thief at a time");
            match src
                .head
                .compare_exchange(head, pack(real, real), AcqRel, Acquire)
            {
                Ok(_) => return n,
                Err(actual) => head = actual,
            }
        }
        // exercise(steal): end
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::cell::RefCell;

    struct VecOverflow(RefCell<Vec<u32>>);
    impl Overflow<u32> for VecOverflow {
        fn push_batch(&self, batch: Vec<u32>) {
            self.0.borrow_mut().extend(batch);
        }
    }

    #[test]
    fn push_pop_fifo() {
        let (mut local, _steal) = local::<u32>(8);
        let overflow = VecOverflow(RefCell::new(Vec::new()));
        for i in 0..5 {
            assert!(!local.push_back_or_overflow(i, &overflow));
        }
        assert_eq!(local.len(), 5);
        assert_eq!(
            (0..5).map(|_| local.pop().unwrap()).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(local.pop(), None);
    }

    #[test]
    fn overflow_moves_half_plus_the_new_task() {
        let (mut local, _steal) = local::<u32>(8);
        let overflow = VecOverflow(RefCell::new(Vec::new()));
        for i in 0..8 {
            assert!(!local.push_back_or_overflow(i, &overflow));
        }
        assert_eq!(local.free_slots(), 0);
        assert!(local.push_back_or_overflow(8, &overflow));
        assert_eq!(*overflow.0.borrow(), vec![0, 1, 2, 3, 8]);
        assert_eq!(
            (0..4).map(|_| local.pop().unwrap()).collect::<Vec<_>>(),
            vec![4, 5, 6, 7]
        );
    }

    #[test]
    fn steal_takes_half_rounded_up() {
        let (mut a, steal_a) = local::<u32>(16);
        let (mut b, _) = local::<u32>(16);
        let overflow = VecOverflow(RefCell::new(Vec::new()));
        for i in 0..7 {
            a.push_back_or_overflow(i, &overflow);
        }
        let (task, n) = steal_a.steal_into(&mut b).unwrap();
        assert_eq!(n, 4);
        assert_eq!(task, 3, "the last stolen task is returned");
        assert_eq!(
            (0..3).map(|_| b.pop().unwrap()).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(a.len(), 3);
        assert_eq!(
            (0..3).map(|_| a.pop().unwrap()).collect::<Vec<_>>(),
            vec![4, 5, 6]
        );
        assert!(steal_a.steal_into(&mut b).is_none());
    }

    #[test]
    fn positions_wrap_around() {
        let (mut local, _s) = local::<u32>(4);
        let overflow = VecOverflow(RefCell::new(Vec::new()));
        for i in 0..if cfg!(miri) { 100 } else { 10_000u32 } {
            local.push_back_or_overflow(i, &overflow);
            assert_eq!(local.pop(), Some(i));
        }
        assert!(overflow.0.borrow().is_empty());
    }

    #[test]
    fn remaining_tasks_are_dropped_with_the_queue() {
        let counter = std::sync::Arc::new(());
        let (mut local, _s) = local::<std::sync::Arc<()>>(8);
        struct NoOverflow;
        impl Overflow<std::sync::Arc<()>> for NoOverflow {
            fn push_batch(&self, _: Vec<std::sync::Arc<()>>) {
                unreachable!()
            }
        }
        for _ in 0..5 {
            local.push_back_or_overflow(counter.clone(), &NoOverflow);
        }
        assert_eq!(std::sync::Arc::strong_count(&counter), 6);
        drop(local);
        assert_eq!(std::sync::Arc::strong_count(&counter), 1);
    }

    /// An owner pushing and popping against two thieves on real threads:
    /// every task is seen exactly once.
    #[test]
    fn stress_owner_against_thieves() {
        use std::sync::Mutex as StdMutex;
        use std::sync::atomic::{AtomicBool, Ordering};
        struct Shared(StdMutex<Vec<u32>>);
        impl Overflow<u32> for Shared {
            fn push_batch(&self, batch: Vec<u32>) {
                self.0.lock().unwrap().extend(batch);
            }
        }
        crate::test_util::with_time_limit(std::time::Duration::from_secs(60), || {
            const N: u32 = if cfg!(miri) { 500 } else { 200_000 };
            let (mut owner, steal) = local::<u32>(32);
            let overflow = Shared(StdMutex::new(Vec::new()));
            let done = std::sync::Arc::new(AtomicBool::new(false));
            let thieves: Vec<_> = (0..2)
                .map(|_| {
                    let steal = steal.clone();
                    let done = done.clone();
                    std::thread::spawn(move || {
                        let (mut mine, _) = local::<u32>(32);
                        let mut seen = Vec::new();
                        while !done.load(Ordering::Acquire) || !steal.is_empty() {
                            if let Some((t, _)) = steal.steal_into(&mut mine) {
                                seen.push(t);
                            }
                            while let Some(t) = mine.pop() {
                                seen.push(t);
                            }
                        }
                        seen
                    })
                })
                .collect();
            let mut seen = Vec::new();
            for i in 0..N {
                owner.push_back_or_overflow(i, &overflow);
                if i % 3 == 0 {
                    if let Some(t) = owner.pop() {
                        seen.push(t);
                    }
                }
            }
            while let Some(t) = owner.pop() {
                seen.push(t);
            }
            done.store(true, Ordering::Release);
            for t in thieves {
                seen.extend(t.join().unwrap());
            }
            seen.extend(overflow.0.lock().unwrap().drain(..));
            seen.sort_unstable();
            assert_eq!(seen.len(), N as usize, "lost or duplicated tasks");
            assert!(seen.iter().enumerate().all(|(i, &t)| i as u32 == t));
        });
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::sync::Mutex;
    use loom::thread;

    struct MutexOverflow(Mutex<Vec<u32>>);
    impl Overflow<u32> for MutexOverflow {
        fn push_batch(&self, batch: Vec<u32>) {
            self.0.lock().extend(batch);
        }
    }

    fn drain(local: &mut Local<u32>, out: &mut Vec<u32>) {
        while let Some(t) = local.pop() {
            out.push(t);
        }
    }

    fn check(mut seen: Vec<u32>, n: u32) {
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>(), "lost or duplicated tasks");
    }

    /// Owner pushes and pops while a thief steals: nothing lost or doubled.
    #[test]
    fn loom_queue_push_pop_against_steal() {
        loom::model(|| {
            let (mut owner, steal) = local::<u32>(4);
            let overflow = Arc::new(MutexOverflow(Mutex::new(Vec::new())));
            let thief = thread::spawn(move || {
                let (mut mine, _) = local::<u32>(4);
                let mut seen = Vec::new();
                if let Some((t, _)) = steal.steal_into(&mut mine) {
                    seen.push(t);
                }
                drain(&mut mine, &mut seen);
                seen
            });
            let mut seen = Vec::new();
            for i in 0..3 {
                owner.push_back_or_overflow(i, &*overflow);
            }
            if let Some(t) = owner.pop() {
                seen.push(t);
            }
            owner.push_back_or_overflow(3, &*overflow);
            drain(&mut owner, &mut seen);
            seen.extend(thief.join().unwrap());
            seen.extend(overflow.0.lock().drain(..));
            check(seen, 4);
        });
    }

    /// The owner overflows a full queue while a thief steals from it.
    #[test]
    fn loom_queue_overflow_against_steal() {
        loom::model(|| {
            let (mut owner, steal) = local::<u32>(2);
            let overflow = Arc::new(MutexOverflow(Mutex::new(Vec::new())));
            owner.push_back_or_overflow(0, &*overflow);
            owner.push_back_or_overflow(1, &*overflow);
            let thief = thread::spawn(move || {
                let (mut mine, _) = local::<u32>(2);
                let mut seen = Vec::new();
                if let Some((t, _)) = steal.steal_into(&mut mine) {
                    seen.push(t);
                }
                drain(&mut mine, &mut seen);
                seen
            });
            owner.push_back_or_overflow(2, &*overflow);
            owner.push_back_or_overflow(3, &*overflow);
            let mut seen = Vec::new();
            drain(&mut owner, &mut seen);
            seen.extend(thief.join().unwrap());
            seen.extend(overflow.0.lock().drain(..));
            check(seen, 4);
        });
    }

    /// Two thieves race on one queue.
    #[test]
    fn loom_queue_two_thieves() {
        loom::model(|| {
            let (mut owner, steal) = local::<u32>(4);
            let overflow = MutexOverflow(Mutex::new(Vec::new()));
            for i in 0..3 {
                owner.push_back_or_overflow(i, &overflow);
            }
            let thieves: Vec<_> = (0..2)
                .map(|_| {
                    let steal = steal.clone();
                    thread::spawn(move || {
                        let (mut mine, _) = local::<u32>(4);
                        let mut seen = Vec::new();
                        if let Some((t, _)) = steal.steal_into(&mut mine) {
                            seen.push(t);
                        }
                        drain(&mut mine, &mut seen);
                        seen
                    })
                })
                .collect();
            let mut seen = Vec::new();
            drain(&mut owner, &mut seen);
            for t in thieves {
                seen.extend(t.join().unwrap());
            }
            check(seen, 3);
        });
    }
}
