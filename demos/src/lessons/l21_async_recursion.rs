//! Lesson 21, `async_recursion`: a recursive async fn needs boxing.
//!
//! # The concept
//!
//! An `async fn`'s future is a struct holding its local state, including
//! the futures it awaits. If it awaits *itself*, that struct would contain
//! itself: infinite size, and the compiler refuses. Boxing breaks the
//! cycle: the recursive call's future lives on the heap, and the struct
//! holds only a pointer:
//!
//! ```ignore
//! fn fib(n: u32) -> Pin<Box<dyn Future<Output = u64> + Send>> {
//!     Box::pin(async move {
//!         if n < 2 { n as u64 } else { fib(n - 1).await + fib(n - 2).await }
//!     })
//! }
//! ```
//!
//! (Since Rust 1.77 an `async fn` may recurse directly if the recursive
//! call is boxed at the call site, `Box::pin(fib(n - 1)).await`; the
//! explicit return type above also states the `Send` bound a spawn needs.)
//!
//! # What to look for
//!
//! fib(20) = 6765, computed through 21,891 boxed futures, on a spawned
//! task (so the future must be `Send`).
//!
//! # Runtime differences
//!
//! None.

use std::future::Future;
use std::pin::Pin;

use crate::check::equal;
use crate::ctx::Ctx;
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 21;
/// Lesson name.
pub const NAME: &str = "async_recursion";
/// What it teaches.
pub const TEACHES: &str =
    "a recursive async fn needs boxing: recursive async fibonacci with Box::pin";
/// The invariant.
pub const INVARIANT: &str = "fib(n) correct";

const N: u32 = 20;

/// Recursive async Fibonacci: each call is a boxed future.
pub fn fib<R: Rt>(n: u32) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n < 2 {
            u64::from(n)
        } else {
            fib::<R>(n - 1).await + fib::<R>(n - 2).await
        }
    })
}

fn fib_iter(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    cx.figure("n", N);
    let value = cx.block_on::<R, _>(async { R::spawn(fib::<R>(N)).await.map_err(failed) })??;
    rec.say_n("main", value as i64, format!("fib({N}) = {value}"));
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let n = r.int("n")? as u32;
    let expected = fib_iter(n) as i64;
    equal(&format!("fib({n})"), r.values("main"), vec![expected])?;
    Ok(format!("fib({n}) = {expected}"))
}
