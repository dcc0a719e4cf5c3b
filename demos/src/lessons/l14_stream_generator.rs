//! Lesson 14, `stream_generator`: a stream as a generator.
//!
//! # The concept
//!
//! Writing `poll_next` by hand (lesson 13) is tedious. A stream can also
//! be generated from a state and an async step function:
//! `futures::stream::unfold(state, |state| async move { ... Some((item, next_state)) })`.
//! Each step may await (here it yields to the scheduler), which a plain
//! `Iterator` cannot. This one doubles: 2, 4, 8, ..., 2^30.
//!
//! (Tokio programs often use the `async-stream` crate's `stream!` macro
//! for the same thing; `unfold` needs no macro.)
//!
//! # What to look for
//!
//! Exactly 30 values, each twice the previous.
//!
//! # Runtime differences
//!
//! None.

use futures::StreamExt as _;

use crate::check::exact_sequence;
use crate::ctx::Ctx;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 14;
/// Lesson name.
pub const NAME: &str = "stream_generator";
/// What it teaches.
pub const TEACHES: &str = "a stream as a generator: doubling 2, 4, .., 2^30 with stream::unfold";
/// The invariant.
pub const INVARIANT: &str = "exactly those 30 values";

/// The doubling generator.
pub fn doubling<R: Rt>() -> impl futures::Stream<Item = i64> + Send {
    futures::stream::unfold(1i64, |n| async move {
        if n >= 1 << 30 {
            return None;
        }
        R::yield_now().await;
        Some((n * 2, n * 2))
    })
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    cx.block_on::<R, _>(async {
        let mut numbers = std::pin::pin!(doubling::<R>());
        while let Some(n) = numbers.next().await {
            rec.say_n("main", n, format!("{n}"));
        }
    })
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let expected: Vec<i64> = (1..=30).map(|k| 1i64 << k).collect();
    exact_sequence("generated values", &r.values("main"), &expected)?;
    Ok("2, 4, .., 2^30: exactly 30 values".to_string())
}
