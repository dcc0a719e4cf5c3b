//! [`JoinSet`]: a collection of spawned tasks, awaited in completion order.
//!
//! # The design
//!
//! The set keeps its `JoinHandle`s in a slab. Each entry has its own small
//! waker that, when the task completes, pushes the entry's index onto a
//! shared *ready list* and wakes whoever awaits `join_next`. `join_next`
//! only polls the handles on the ready list, so it costs O(1) per completed
//! task instead of polling every handle, and results come out in the order
//! the tasks finished.
//!
//! A new entry starts on the ready list, so its handle is polled once and
//! registers the entry's waker. An index may be on the list more than once
//! (several wakes) or refer to a slot that was already emptied; polling it
//! again is harmless.
//!
//! # How Tokio does it differently
//!
//! Tokio's `JoinSet` uses an `IdleNotifiedSet`: an intrusive pair of linked
//! lists (idle / notified) whose entries move between the lists under one
//! mutex when their waker fires.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc as StdArc;
use std::task::{Context, Poll, Wake, Waker};

use super::{AbortHandle, JoinError, JoinHandle};
use crate::sync::Mutex;

/// A set of tasks spawned on the current runtime, awaited in the order
/// they complete. Dropping the set aborts every task still in it.
///
/// ```
/// use mini_runtime::task::JoinSet;
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10 {
///         set.spawn(async move { i * 4 });
///     }
///     let mut outputs = Vec::new();
///     while let Some(result) = set.join_next().await {
///         outputs.push(result.unwrap());
///     }
///     outputs.sort();
///     assert_eq!(outputs, (0..10).map(|i| i * 4).collect::<Vec<_>>());
/// });
/// ```
pub struct JoinSet<T> {
    entries: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    len: usize,
    ready: StdArc<ReadyList>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Waker,
}

/// Indices of entries whose task may have completed, and the waker of the
/// task awaiting `join_next`.
struct ReadyList {
    inner: Mutex<ReadyInner>,
}

struct ReadyInner {
    indices: VecDeque<usize>,
    parent: Option<Waker>,
}

struct EntryWaker {
    index: usize,
    ready: StdArc<ReadyList>,
}

impl Wake for EntryWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        let parent = {
            let mut inner = self.ready.inner.lock();
            inner.indices.push_back(self.index);
            inner.parent.take()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: StdArc::new(ReadyList {
                inner: Mutex::new(ReadyInner {
                    indices: VecDeque::new(),
                    parent: None,
                }),
            }),
        }
    }

    /// Number of tasks in the set (running or finished but not yet joined).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a task spawned elsewhere (e.g. with `Handle::spawn`).
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let index = self.free.pop().unwrap_or_else(|| {
            self.entries.push(None);
            self.entries.len() - 1
        });
        let waker = Waker::from(StdArc::new(EntryWaker {
            index,
            ready: self.ready.clone(),
        }));
        self.entries[index] = Some(Entry { handle, waker });
        self.len += 1;
        // Poll it once so it registers its waker.
        self.ready.inner.lock().indices.push_back(index);
        abort
    }

    /// Aborts every task in the set. They stay in the set until joined
    /// (with a cancelled error, unless they completed first).
    pub fn abort_all(&mut self) {
        for entry in self.entries.iter().flatten() {
            entry.handle.abort();
        }
    }

    /// Removes and returns the output of a task that has completed, if any,
    /// without waiting.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let waker = Waker::noop();
        match self.poll_join_next(&mut Context::from_waker(waker)) {
            Poll::Ready(result) => result,
            Poll::Pending => None,
        }
    }

    /// Polls for the next completed task: `Ready(None)` when the set is
    /// empty.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        self.ready.inner.lock().parent = Some(cx.waker().clone());
        loop {
            let Some(index) = self.ready.inner.lock().indices.pop_front() else {
                return Poll::Pending;
            };
            let Some(entry) = self.entries.get_mut(index).and_then(Option::as_mut) else {
                continue; // already joined
            };
            let mut entry_cx = Context::from_waker(&entry.waker);
            if let Poll::Ready(result) = Pin::new(&mut entry.handle).poll(&mut entry_cx) {
                self.entries[index] = None;
                self.free.push(index);
                self.len -= 1;
                return Poll::Ready(Some(result));
            }
        }
    }

    /// Waits for the next task to complete and returns its output; `None`
    /// when the set is empty.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Aborts every task and waits until all have stopped.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns a task on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a runtime, like [`spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Spawns a task through `handle` and adds it to the set.
    pub fn spawn_on<F>(&mut self, future: F, handle: &crate::runtime::Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs a blocking closure on the blocking pool and adds it to the set.
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(super::spawn_blocking(f))
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    ///
    /// If a task panicked (the panic is resumed here) or was cancelled,
    /// like Tokio's `join_all`.
    pub async fn join_all(mut self) -> Vec<T> {
        let mut outputs = Vec::with_capacity(self.len);
        while let Some(result) = self.join_next().await {
            match result {
                Ok(output) => outputs.push(output),
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(err) => panic!("JoinSet::join_all: {err}"),
            }
        }
        outputs
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}
