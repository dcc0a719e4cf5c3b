//! Lesson 7, `select`: the first of several futures wins, the others are
//! cancelled.
//!
//! # The concept
//!
//! `select!` polls several futures and finishes with the first one that
//! completes; the losers are *dropped*, which is how async code cancels
//! work. Ten rounds race three random sleeps:
//!
//! ```ignore
//! tokio::select! {
//!     _ = sleep(a) => println!("a won"),
//!     _ = sleep(b) => println!("b won"),
//!     _ = sleep(c) => println!("c won"),
//! }
//! ```
//!
//! The lesson uses `futures::select!` (same semantics, runs on any
//! executor); it wants fused futures, hence the `.fuse()`.
//!
//! # What to look for
//!
//! Each round names the branch with the shortest sleep, after about that
//! long. The sleeps are random in 0..4 s (`--seed N` to change them; the
//! same seed gives the same sleeps on every runtime). With `--fast` they
//! are divided by the time scale.
//!
//! # Runtime differences and ties
//!
//! `select!` starts polling at a random branch, on every runtime, so when
//! two deadlines have *both* passed by the time the task is polled, either
//! may win. Timers also have a resolution (1 ms on both runtimes). The
//! invariant therefore accepts any branch whose deadline had passed when
//! the round finished ("tied"), and only such branches: a branch whose
//! sleep was longer than the round can never win.

use std::time::Instant;

use futures::FutureExt as _;
use serde::{Deserialize, Serialize};

use crate::check::{at_most, ensure, equal};
use crate::ctx::Ctx;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 7;
/// Lesson name.
pub const NAME: &str = "select";
/// What it teaches.
pub const TEACHES: &str = "select!: the first of several futures wins, the others are cancelled (10 rounds of 3 random sleeps)";
/// The invariant.
pub const INVARIANT: &str =
    "10 lines, each names the branch with the shortest sleep (ties: any of the tied)";

/// A small seeded random number generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// One round's observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// The three sleeps, in milliseconds (after scaling).
    pub sleeps_ms: [f64; 3],
    /// The branch that won (0, 1, 2).
    pub winner: usize,
    /// How long the round took, in milliseconds.
    pub took_ms: f64,
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let mut rng = SplitMix(cx.opts().seed);
    cx.figure("seed", cx.opts().seed);
    let rounds = cx.block_on::<R, _>(async {
        let mut rounds = Vec::new();
        for round in 0..10 {
            let secs: [f64; 3] = std::array::from_fn(|_| rng.below(4000) as f64 / 1000.0);
            let d = secs.map(|s| cx.secs(s));
            let start = Instant::now();
            let winner = futures::select! {
                () = R::sleep(d[0]).fuse() => 0,
                () = R::sleep(d[1]).fuse() => 1,
                () = R::sleep(d[2]).fuse() => 2,
            };
            let took_ms = start.elapsed().as_secs_f64() * 1e3;
            let sleeps_ms = d.map(|d| d.as_secs_f64() * 1e3);
            rec.mark(
                "select",
                "round",
                Some(winner as i64),
                format!(
                    "round {round}: sleeps {:.0} / {:.0} / {:.0} ms -> branch {} won after {took_ms:.1} ms",
                    sleeps_ms[0],
                    sleeps_ms[1],
                    sleeps_ms[2],
                    ["a", "b", "c"][winner]
                ),
            );
            rounds.push(Round {
                sleeps_ms,
                winner,
                took_ms,
            });
        }
        rounds
    })?;
    cx.figure("rounds", rounds);
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let rounds: Vec<Round> = r.get("rounds")?;
    equal("rounds", rounds.len(), 10)?;
    equal("printed lines", r.events_of("select").count(), 10)?;
    let slack = r.options.slack_ms();
    let mut ties = 0;
    for (i, round) in rounds.iter().enumerate() {
        let min = round
            .sleeps_ms
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let won = round.sleeps_ms[round.winner];
        // A branch can only win once its deadline has passed.
        ensure(won <= round.took_ms + 0.1, || {
            format!(
                "round {i}: branch {} (sleep {won:.2} ms) won after only {:.2} ms: \
                 its timer fired early",
                round.winner, round.took_ms
            )
        })?;
        at_most(
            &format!("round {i}: time to the first deadline ({min:.1} ms) + noise, in ms"),
            round.took_ms,
            min + slack,
        )?;
        if won > min {
            ties += 1;
        }
    }
    Ok(format!(
        "10 rounds; {} won by the shortest sleep, {ties} by a sleep tied with it (both deadlines passed before the poll)",
        10 - ties
    ))
}
