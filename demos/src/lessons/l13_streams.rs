//! Lesson 13, `streams`: a hand-written `Stream`, and how an always-ready
//! stream starves everything else on its thread.
//!
//! # The concept
//!
//! A `Stream` is the async iterator: `poll_next` returns
//! `Ready(Some(item))`, `Ready(None)` at the end, or `Pending`. This one
//! yields 1..=99 and is *always* ready (each item costs a little CPU, to
//! stand for real work). A spawned ticker wants to print `T` every 100 ms:
//!
//! ```ignore
//! tokio::spawn(async { loop { println!("T"); sleep(Duration::from_millis(100)).await } });
//! let mut numbers = Numbers::new();
//! while let Some(n) = numbers.next().await { println!("{n}") }
//! ```
//!
//! # What to look for
//!
//! On a current-thread runtime the ticker prints **nothing**: `next()` on an
//! always-ready stream never returns `Pending`, so the main task never gives
//! the thread back, and executors do not preempt. When main returns, the
//! runtime is dropped and the ticker is cancelled without ever running.
//!
//! # Runtime differences
//!
//! On the multi-thread flavours the ticker runs on a worker while main
//! spins on the `block_on` thread, so `T` lines appear. Tokio's cooperative
//! budget would not help on one thread here: it only makes *Tokio's own*
//! resources (channels, sockets, timers) return `Pending` after 128
//! operations, and this hand-written stream uses none of them.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Stream, StreamExt as _};

use crate::check::{ensure, equal, exact_sequence};
use crate::ctx::Ctx;
use crate::lessons::{DropFlag, busy_for};
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 13;
/// Lesson name.
pub const NAME: &str = "streams";
/// What it teaches.
pub const TEACHES: &str = "a hand-written Stream of 99 items; an always-ready stream starves a spawned ticker (no preemption)";
/// The invariant.
pub const INVARIANT: &str =
    "99 items; on a single-threaded runtime the ticker prints nothing (no preemption)";

/// The numbers 1..=99, always ready, each after `work` of CPU time.
#[derive(Debug)]
pub struct Numbers {
    next: i64,
    work: Duration,
}

impl Stream for Numbers {
    type Item = i64;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<i64>> {
        if self.next > 99 {
            return Poll::Ready(None);
        }
        busy_for(self.work);
        let n = self.next;
        self.next += 1;
        Poll::Ready(Some(n))
    }
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let period = cx.secs(0.1);
    let (cancelled, guard) = DropFlag::new();
    let rt = cx.runtime::<R>()?;
    R::block_on(&rt, async {
        let ticker_rec = rec.clone();
        let _ticker = R::spawn(async move {
            let _guard = guard;
            for i in 0.. {
                ticker_rec.say_n("ticker", i, "T");
                R::sleep(period).await;
            }
        });
        let mut numbers = Numbers {
            next: 1,
            work: cx.secs(0.01),
        };
        while let Some(n) = numbers.next().await {
            rec.say_n("main", n, format!("{n}"));
        }
    });
    drop(rt);
    cx.figure(
        "ticker_cancelled",
        cancelled.load(std::sync::atomic::Ordering::SeqCst),
    );
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let expected: Vec<i64> = (1..=99).collect();
    exact_sequence("stream items", &r.values("main"), &expected)?;
    ensure(r.flag("ticker_cancelled")?, || {
        "the endless ticker was not dropped at shutdown".to_string()
    })?;
    let ticks = r.events_of("ticker").count();
    if r.flavor.is_current_thread() {
        equal("ticker lines on a single thread", ticks, 0)?;
        Ok(
            "99 items; the ticker never ran (no preemption) and was cancelled at shutdown"
                .to_string(),
        )
    } else {
        Ok(format!(
            "99 items; the ticker printed {ticks} lines on a worker meanwhile; cancelled at shutdown"
        ))
    }
}
