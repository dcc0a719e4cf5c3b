//! The driver: how a scheduler thread sleeps, and what wakes it.
//!
//! A scheduler with nothing to run *parks* on the driver. The driver sleeps
//! on a [`Parker`] until either an [`Unparker`] fires (a remote spawn or
//! wake) or the earliest timer deadline passes, then fires the timers that
//! are due. With timers disabled it is a plain parker.
//!
//! Tokio's driver stacks three layers: the I/O driver (epoll/kqueue), the
//! signal driver and the time driver; it sleeps in `epoll_wait` with the
//! next timer deadline as timeout. mini_runtime has no I/O driver, so a
//! condition variable does the sleeping.

use std::time::Duration;

use crate::park::{Parker, Unparker};

/// The sleeping side, owned by whichever thread runs the scheduler.
#[derive(Debug)]
pub(crate) struct Driver {
    parker: Parker,
}

/// The waking side, shared by everyone.
#[derive(Debug, Clone)]
pub(crate) struct Handle {
    unparker: Unparker,
}

/// Creates a driver and its handle; `enable_time` turns on the timers.
pub(crate) fn new(enable_time: bool) -> (Driver, Handle) {
    let _ = enable_time; // timers arrive with the time module
    let parker = Parker::new();
    let unparker = parker.unparker();
    (Driver { parker }, Handle { unparker })
}

impl Driver {
    /// Sleeps until unparked.
    pub(crate) fn park(&mut self, _handle: &Handle) {
        self.parker.park();
    }

    /// Sleeps until unparked or `timeout` passed; a zero timeout only
    /// collects pending events.
    pub(crate) fn park_timeout(&mut self, _handle: &Handle, timeout: Duration) {
        self.parker.park_timeout(timeout);
    }
}

impl Handle {
    /// Wakes the thread parked on the driver (or makes its next park return).
    pub(crate) fn unpark(&self) {
        self.unparker.unpark();
    }
}
