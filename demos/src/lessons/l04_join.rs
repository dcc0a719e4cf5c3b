//! Lesson 4, `join`: waiting for several things at once.
//!
//! # The concept
//!
//! Four ways to wait for more than one future:
//!
//! * `join!(a, b)` polls both inside the *current* task and returns a tuple
//!   (`tokio::join!`, `mini_runtime::join!` and `futures::join!` behave the
//!   same; the lesson uses the `futures` one, which works on any executor);
//! * `join_all(vec)` does the same for a `Vec` of futures of one type;
//! * a `JoinSet` owns spawned tasks and hands their results back in
//!   *completion* order;
//! * plain `JoinHandle`s of spawned tasks, awaited (here with `join!`).
//!
//! # What to look for
//!
//! `(8, 12)` and `[8, 12]` keep argument order. The `JoinSet` results are
//! the multiples of 4 in whatever order the tasks finished. The two tickers
//! each count 0..9; how their lines mix depends on the scheduler.
//!
//! # Runtime differences
//!
//! Only orders: on Tokio's multi-thread runtime a `JoinSet` often returns
//! the task spawned last first (it sits in the spawning worker's LIFO
//! slot); on current-thread runtimes tasks finish in spawn order. The
//! invariant compares the `JoinSet` results as a multiset.

use futures::future::join_all;

use crate::check::{exact_sequence, same_multiset};
use crate::ctx::{Ctx, Recorder};
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::{Rt, RtJoinSet};

/// Lesson number.
pub const NUMBER: u32 = 4;
/// Lesson name.
pub const NAME: &str = "join";
/// What it teaches.
pub const TEACHES: &str = "join!, join_all, JoinSet and JoinHandles: waiting for several futures";
/// The invariant.
pub const INVARIANT: &str = "(8, 12); [8, 12]; the multiset {0,4,..,36}; tick 0..9 each once";

async fn times_four<R: Rt>(x: i64) -> i64 {
    R::yield_now().await;
    x * 4
}

async fn ticker<R: Rt>(rec: Recorder, name: &'static str) {
    for i in 0..10 {
        rec.say_n(name, i, format!("{name}: tick {i}"));
        R::yield_now().await;
    }
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    cx.run::<R, _>(async {
        let (a, b) = futures::join!(times_four::<R>(2), times_four::<R>(3));
        rec.say("join!", format!("join!: ({a}, {b})"));
        cx.figure("join", [a, b]);

        let all = join_all(vec![times_four::<R>(2), times_four::<R>(3)]).await;
        rec.say("join_all", format!("join_all: {all:?}"));
        cx.figure("join_all", &all);

        let mut set = R::JoinSet::new();
        for i in 0..10 {
            set.spawn(times_four::<R>(i));
        }
        let mut finished = Vec::new();
        while let Some(result) = set.join_next().await {
            finished.push(result.map_err(failed)?);
        }
        rec.say(
            "JoinSet",
            format!("JoinSet (completion order): {finished:?}"),
        );
        cx.figure("join_set", &finished);

        let one = R::spawn(ticker::<R>(rec.clone(), "ticker 1"));
        let two = R::spawn(ticker::<R>(rec.clone(), "ticker 2"));
        let (one, two) = futures::join!(one, two);
        one.map_err(failed)?;
        two.map_err(failed)?;
        Ok(())
    })
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    exact_sequence("join!", &r.ints("join")?, &[8, 12])?;
    exact_sequence("join_all", &r.ints("join_all")?, &[8, 12])?;
    let expected: Vec<i64> = (0..10).map(|i| i * 4).collect();
    let set = r.ints("join_set")?;
    same_multiset("JoinSet results", &set, &expected)?;
    let ticks: Vec<i64> = (0..10).collect();
    exact_sequence("ticker 1", &r.values("ticker 1"), &ticks)?;
    exact_sequence("ticker 2", &r.values("ticker 2"), &ticks)?;
    Ok(format!(
        "(8, 12); [8, 12]; JoinSet gave {set:?} (each multiple of 4 once); both tickers counted 0..9"
    ))
}
