//! The thread-local "current runtime" (in progress).

use std::cell::Cell;

thread_local! {
    static IN_RUNTIME: Cell<bool> = const { Cell::new(false) };
}

/// Panics with a helpful message if this thread is driving a runtime.
pub(crate) fn assert_not_in_runtime(what: &str) {
    if IN_RUNTIME.try_with(|c| c.get()).unwrap_or(false) {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called on a \
             thread that is driving mini_runtime tasks, which would stall every task on it. \
             Use `.await` instead, or move the blocking code into `task::spawn_blocking`."
        );
    }
}
