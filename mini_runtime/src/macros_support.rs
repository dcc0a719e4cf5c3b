//! What the code written by `select!` and `join!` needs at run time.
//!
//! The macros (in the `mini_runtime_macros` crate) expand inside *your*
//! crate, which may not depend on anything but `mini_runtime`. So the
//! expansion names every item through this module,
//! `::mini_runtime::macros_support::...`: the `core` future and task items
//! it polls with, and [`thread_rng_n`]. Nothing here is meant to be used
//! directly; the module is hidden from the documentation.
//!
//! # Why `select!` needs randomness
//!
//! `select!` polls its branches one after the other and takes the *first*
//! one that is ready. If it always started with the first branch, a branch
//! that is always ready (a busy channel, a timer that is already due) would
//! win every time and the branches after it would starve: their messages
//! would never be handled, however long they waited. Starting each poll at
//! a random branch gives every ready branch the same chance to win.
//!
//! The randomness only needs to be cheap and "fair enough", not secure:
//! [`thread_rng_n`] is a per-thread xorshift generator, a handful of shifts
//! and XORs per call, with no lock and no shared state between threads.
//! Tokio does the same with its own small per-thread generator. Writing
//! `biased;` in `select!` opts out: branches are polled in the order they
//! are written, which is useful when one branch (say, a shutdown signal)
//! must always take priority, or to make tests deterministic.

use std::cell::Cell;
use std::hash::{BuildHasher, Hash, Hasher};

pub use core::future::{Future, IntoFuture, poll_fn};
pub use core::pin::Pin;
pub use core::task::{Context, Poll};

thread_local! {
    /// This thread's generator state; never zero (xorshift would stay at 0).
    static RNG_STATE: Cell<u64> = Cell::new(seed());
}

/// A seed that differs between threads and between runs.
///
/// std's `RandomState` is keyed from the operating system's randomness (and
/// changes with every `new()`); hashing the thread id and the current time
/// on top costs nothing and keeps threads apart.
fn seed() -> u64 {
    let mut hasher = std::hash::RandomState::new().build_hasher();
    std::thread::current().id().hash(&mut hasher);
    if let Ok(since_epoch) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        since_epoch.as_nanos().hash(&mut hasher);
    }
    match hasher.finish() {
        0 => 0x9E37_79B9_7F4A_7C15, // any non-zero constant
        seed => seed,
    }
}

/// Returns a pseudo-random number in `0..n`, from a generator local to the
/// calling thread. `select!` uses it to pick the branch each poll starts at.
///
/// # Panics
///
/// If `n` is 0 (the range `0..0` is empty).
#[must_use]
pub fn thread_rng_n(n: u32) -> u32 {
    assert!(n > 0, "thread_rng_n: n must be at least 1");
    RNG_STATE.with(|state| {
        // xorshift64 (Marsaglia, 2003): a full-period generator over the
        // non-zero u64 values, three shift-xor steps per number.
        let mut x = state.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        // Map the top 32 bits into 0..n with a multiply and a shift (Lemire's
        // method) instead of `%`: no division, and no bias toward small
        // numbers worth speaking of for the n <= 64 that select! uses.
        let high = x >> 32;
        ((high * u64::from(n)) >> 32) as u32
    })
}

#[cfg(test)]
mod tests {
    use super::thread_rng_n;

    #[test]
    fn stays_in_range() {
        for n in [1, 2, 3, 7, 64, u32::MAX] {
            for _ in 0..1_000 {
                assert!(thread_rng_n(n) < n);
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "statistics only, no unsafe code: too slow under Miri")]
    fn hits_every_value_about_equally() {
        const N: u32 = 8;
        const ROUNDS: usize = 80_000;
        let mut counts = [0usize; N as usize];
        for _ in 0..ROUNDS {
            counts[thread_rng_n(N) as usize] += 1;
        }
        let expected = ROUNDS / N as usize; // 10_000 each
        for (value, &count) in counts.iter().enumerate() {
            assert!(
                count > expected * 9 / 10 && count < expected * 11 / 10,
                "value {value} drawn {count} times, expected about {expected}: {counts:?}"
            );
        }
    }

    #[test]
    fn threads_get_different_sequences() {
        let draw = || (0..32).map(|_| thread_rng_n(1 << 16)).collect::<Vec<_>>();
        let a = std::thread::spawn(draw).join().expect("thread a");
        let b = std::thread::spawn(draw).join().expect("thread b");
        assert_ne!(a, b);
    }

    #[test]
    #[should_panic(expected = "n must be at least 1")]
    fn zero_is_rejected() {
        let _ = thread_rng_n(0);
    }
}
