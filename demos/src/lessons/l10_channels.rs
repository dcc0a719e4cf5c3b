//! Lesson 10, `channels`: an async bounded mpsc channel.
//!
//! # The concept
//!
//! A task sends a `Tick` every second into a channel of capacity 100; the
//! main task receives and prints them. `recv().await` returns `Pending`
//! while the channel is empty, and the sender's `send` wakes it:
//!
//! ```ignore
//! let (tx, mut rx) = tokio::sync::mpsc::channel::<Tick>(100);
//! tokio::spawn(async move { loop { sleep(Duration::from_secs(1)).await; tx.send(Tick).await.unwrap(); } });
//! while let Some(tick) = rx.recv().await { println!("{tick:?}"); }
//! ```
//!
//! The original never ends; here main stops after `--ticks N` (default 3)
//! and returns, which drops the runtime and cancels the endless sender.
//!
//! # What to look for
//!
//! One line per period; the receiving task uses no CPU in between.
//!
//! # Runtime differences
//!
//! None: a channel is a lesson in waker registration, and both runtimes
//! implement the same contract.

use crate::check::{at_least, exact_sequence};
use crate::ctx::Ctx;
use crate::report::{Error, Report};
use crate::rt::{Rt, RtReceiver, RtSender};

/// Lesson number.
pub const NUMBER: u32 = 10;
/// Lesson name.
pub const NAME: &str = "channels";
/// What it teaches.
pub const TEACHES: &str = "async bounded mpsc: a task sends Tick every second into mpsc(100), main prints them (--ticks N)";
/// The invariant.
pub const INVARIANT: &str = "N lines";

/// The message.
#[derive(Debug, Clone, Copy)]
pub struct Tick(pub u64);

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let period = cx.secs(1.0);
    let ticks = cx.opts().ticks;
    cx.figure("period_ms", period.as_secs_f64() * 1e3);
    cx.block_on::<R, _>(async {
        let (tx, mut rx) = R::channel::<Tick>(100);
        let _sender = R::spawn(async move {
            for n in 0.. {
                R::sleep(period).await;
                if tx.send(Tick(n)).await.is_err() {
                    break;
                }
            }
        });
        let mut received = 0;
        while let Some(tick) = rx.recv().await {
            rec.say_n("main", tick.0 as i64, format!("{tick:?}"));
            received += 1;
            if received == ticks {
                break;
            }
        }
    })?;
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let n = r.options.ticks;
    let expected: Vec<i64> = (0..n as i64).collect();
    exact_sequence("received ticks", &r.values("main"), &expected)?;
    // The sender sleeps a period before each send, so the last tick cannot
    // arrive before n periods.
    if let Some(last) = r.events_of("main").last() {
        at_least(
            "time of the last tick (ms)",
            last.t_ms,
            n as f64 * r.num("period_ms")? - 1.0,
        )?;
    }
    Ok(format!("{n} lines, one per period"))
}
