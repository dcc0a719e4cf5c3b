//! Lesson 9, `spawn_blocking`: CPU work belongs on the blocking pool.
//!
//! # The concept
//!
//! Counting the primes below 100,000 by (deliberately naive) trial division
//! takes a while. Done inside a task it would hold a worker thread, and on
//! a current-thread runtime it would freeze every other task (lesson 8).
//! `spawn_blocking` runs the closure on a separate pool of threads and gives
//! back an awaitable `JoinHandle`, while a ticker task keeps printing
//! "Still alive!" every second:
//!
//! ```ignore
//! tokio::spawn(async { loop { println!("Still alive!"); sleep(Duration::from_secs(1)).await } });
//! let n = tokio::task::spawn_blocking(|| count_primes(100_000)).await?;
//! println!("{n} primes");
//! // main returns: the runtime is dropped and the endless ticker is cancelled
//! ```
//!
//! # What to look for
//!
//! The ticker's lines keep coming, about one per period, while the count
//! runs (compare the timestamps with the count's start and end lines). The
//! program then *ends*, although the ticker is an endless loop: dropping
//! the runtime cancels it (figure `ticker_cancelled`).
//!
//! In a release build the default count takes about half a second, less
//! than the ticker's one-second period, so few or no ticks fall inside it;
//! `--fast` (period 50 ms) or a larger `--primes-below 300000` (a few
//! seconds) show the ticker carrying on. The invariant checks the ticker's
//! pauses only when the count lasts more than three periods.
//!
//! # Runtime differences
//!
//! None expected. Both runtimes drop pending tasks at shutdown and wait for
//! blocking jobs that are already running (the count has finished by then).
//! `--primes-below N` changes the limit (the expected count is checked
//! against a sieve); with the default the answer is 9592.

use std::time::Instant;

use crate::check::{at_most, ensure, equal};
use crate::ctx::Ctx;
use crate::lessons::{DropFlag, failed};
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 9;
/// Lesson name.
pub const NAME: &str = "spawn_blocking";
/// What it teaches.
pub const TEACHES: &str = "CPU work on the blocking pool: count primes below 100,000 while a ticker prints \"Still alive!\"";
/// The invariant.
pub const INVARIANT: &str = "prints 9592; the ticker keeps running while the count runs; the endless ticker is cancelled at shutdown";

/// Trial division by every candidate up to n/2: slow on purpose.
pub fn is_prime(n: u32) -> bool {
    n >= 2 && (2..=n / 2).all(|d| n % d != 0)
}

/// Primes below `limit`, the slow way.
pub fn count_primes(limit: u32) -> usize {
    (2..limit).filter(|&n| is_prime(n)).count()
}

/// Primes below `limit`, with a sieve (the reference for the check).
pub fn sieve_count(limit: u32) -> usize {
    let limit = limit as usize;
    if limit < 3 {
        return 0;
    }
    let mut composite = vec![false; limit];
    let mut count = 0;
    for n in 2..limit {
        if !composite[n] {
            count += 1;
            let mut m = n * n;
            while m < limit {
                composite[m] = true;
                m += n;
            }
        }
    }
    count
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let limit = cx.opts().primes_below;
    let period = cx.secs(1.0);
    let (cancelled, guard) = DropFlag::new();
    let rt = cx.runtime::<R>()?;
    let primes = R::block_on(&rt, async {
        let ticker_rec = rec.clone();
        // Detached: dropping a JoinHandle does not stop the task.
        let _ticker = R::spawn(async move {
            let _guard = guard; // dropped when the task is cancelled
            for i in 0.. {
                ticker_rec.say_n("ticker", i, "Still alive!");
                R::sleep(period).await;
            }
        });
        let count_rec = rec.clone();
        R::spawn_blocking(move || {
            count_rec.mark(
                "count",
                "start",
                None,
                format!("counting primes below {limit}..."),
            );
            let n = count_primes(limit);
            count_rec.mark("count", "end", Some(n as i64), format!("...counted {n}"));
            n
        })
        .await
        .map_err(failed)
    })?;
    rec.say_n(
        "main",
        primes as i64,
        format!("{primes} primes below {limit}"),
    );
    let start = Instant::now();
    drop(rt); // cancels the endless ticker
    cx.figure("shutdown_ms", start.elapsed().as_secs_f64() * 1e3);
    cx.figure("primes", primes);
    cx.figure(
        "ticker_cancelled",
        cancelled.load(std::sync::atomic::Ordering::SeqCst),
    );
    cx.figure("period_ms", period.as_secs_f64() * 1e3);
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let limit = r.options.primes_below;
    let expected = sieve_count(limit) as i64;
    equal(&format!("primes below {limit}"), r.int("primes")?, expected)?;
    equal("printed count", r.values("main"), vec![expected])?;
    ensure(r.flag("ticker_cancelled")?, || {
        "the endless ticker was not dropped when the runtime shut down".to_string()
    })?;
    let start = r
        .events_of("count")
        .find(|e| e.kind == "start")
        .ok_or("no count start event")?
        .t_ms;
    let end = r
        .events_of("count")
        .find(|e| e.kind == "end")
        .ok_or("no count end event")?
        .t_ms;
    let period = r.num("period_ms")?;
    let ticks: Vec<f64> = r.events_of("ticker").map(|e| e.t_ms).collect();
    let during = ticks.iter().filter(|t| (start..=end).contains(*t)).count();
    let count_ms = end - start;
    // The ticker must not be starved by the count: a starved ticker (the
    // count on the ticker's own thread) is silent for the whole count. So,
    // when the count lasts several periods: some ticker line falls inside
    // it, and no pause of the ticker (counting the window's edges) is
    // longer than both two periods (plus noise) and three quarters of the
    // count. The second bound keeps a heavily loaded machine, which may
    // delay a timer by a few hundred milliseconds, from failing the check.
    if count_ms > 3.0 * period {
        ensure(during > 0, || {
            format!(
                "the ticker printed nothing during the {count_ms:.0} ms count (period {period:.0} ms): starved"
            )
        })?;
        let mut points = vec![start];
        points.extend(ticks.iter().copied().filter(|t| (start..=end).contains(t)));
        points.push(end);
        let max_gap = points.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
        at_most(
            &format!(
                "longest pause of the ticker during the {count_ms:.0} ms count (period {period:.0} ms)"
            ),
            max_gap,
            (2.0 * period + r.options.slack_ms()).max(0.75 * count_ms),
        )?;
    }
    let short = if count_ms > 3.0 * period {
        ""
    } else {
        " (too short to judge the ticker: try --fast or a larger --primes-below)"
    };
    Ok(format!(
        "{expected} primes; the count took {count_ms:.0} ms with {during} ticker lines meanwhile (period {period:.0} ms){short}; the ticker was cancelled at shutdown"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn prime_counts_agree() {
        assert_eq!(super::sieve_count(100_000), 9592);
        assert_eq!(super::count_primes(2_000), super::sieve_count(2_000));
    }
}
