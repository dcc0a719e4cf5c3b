//! Lesson 11, `multi_channels`: `select!` over two receivers.
//!
//! # The concept
//!
//! One loop serves two channels, taking whichever message arrives first.
//! In Tokio:
//!
//! ```ignore
//! loop {
//!     tokio::select! {
//!         Some(n) = rx1.recv() => println!("channel 1: {n}"),
//!         Some(n) = rx2.recv() => println!("channel 2: {n}"),
//!         else => break,   // both channels closed
//!     }
//! }
//! ```
//!
//! With `futures::select!` the same loop turns each receiver into a fused
//! stream (`receiver_stream(rx).fuse()`) and takes `select_next_some()`;
//! its `complete =>` branch is Tokio's `else`. Sender A ticks every 0.5 s,
//! sender B every 1 s; each sends `--ticks N` messages (default 3) and
//! hangs up, so the loop ends when both channels are closed.
//!
//! # What to look for
//!
//! A's messages arrive about twice as often as B's; none is lost or
//! repeated, and each channel's messages keep their order.
//!
//! # Runtime differences
//!
//! None in what arrives. When both channels have a message ready at the
//! same poll, `select!` picks a random branch first on every runtime.

use futures::StreamExt as _;
use std::time::Duration;

use crate::check::exact_sequence;
use crate::ctx::{Ctx, Recorder};
use crate::report::{Error, Report};
use crate::rt::{Rt, RtSender, receiver_stream};

/// Lesson number.
pub const NUMBER: u32 = 11;
/// Lesson name.
pub const NAME: &str = "multi_channels";
/// What it teaches.
pub const TEACHES: &str =
    "select! over two receivers: two senders on separate channels, one select loop";
/// The invariant.
pub const INVARIANT: &str = "every message received exactly once";

async fn sender<R: Rt>(tx: R::Sender<i64>, period: Duration, n: usize) {
    for i in 0..n as i64 {
        R::sleep(period).await;
        if tx.send(i).await.is_err() {
            return;
        }
    }
}

fn print(rec: &Recorder, channel: &str, n: i64) {
    rec.say_n(channel, n, format!("channel {channel}: message {n}"));
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let n = cx.opts().ticks;
    let (period_a, period_b) = (cx.secs(0.5), cx.secs(1.0));
    cx.block_on::<R, _>(async {
        let (tx_a, rx_a) = R::channel::<i64>(10);
        let (tx_b, rx_b) = R::channel::<i64>(10);
        let _a = R::spawn(sender::<R>(tx_a, period_a, n));
        let _b = R::spawn(sender::<R>(tx_b, period_b, n));
        let mut a = receiver_stream(rx_a).fuse();
        let mut b = receiver_stream(rx_b).fuse();
        loop {
            futures::select! {
                m = a.select_next_some() => print(&rec, "A", m),
                m = b.select_next_some() => print(&rec, "B", m),
                complete => break,
            }
        }
        rec.say("main", "both channels closed");
    })?;
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let n = r.options.ticks as i64;
    let expected: Vec<i64> = (0..n).collect();
    exact_sequence("channel A", &r.values("A"), &expected)?;
    exact_sequence("channel B", &r.values("B"), &expected)?;
    Ok(format!(
        "{n} messages from each channel, each exactly once, in order"
    ))
}
