//! Lesson 3, `hello_main`: the `#[main]` attribute macro.
//!
//! # The concept
//!
//! `fn main` cannot be `async`: something has to run the future. The
//! attribute macro rewrites an `async fn` into a plain `fn` that builds a
//! runtime and calls `block_on` on the body. Side by side:
//!
//! ```ignore
//! #[tokio::main]                       // multi-thread, one worker per CPU
//! async fn main() { println!("Hello, world!"); }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() { println!("Hello, world!"); }
//!
//! #[mini_runtime::main]                // the same options, the same defaults
//! async fn main() { println!("Hello, world!"); }
//!
//! #[mini_runtime::main(flavor = "current_thread")]
//! async fn main() { println!("Hello, world!"); }
//! ```
//!
//! Both expand to roughly
//! `Builder::new_multi_thread().enable_all().build().unwrap().block_on(body)`.
//!
//! # What to look for
//!
//! The lesson really uses the four attributes: each flavour calls its own
//! `#[...::main]` function below (the attribute works on any argument-less
//! `async fn`, not only on `main`), and all four run the same generic body.
//! The line shows which thread ran the body: the caller's, on every
//! flavour, because `block_on` polls its future on the calling thread.
//!
//! # Runtime differences
//!
//! None. The multi-thread attribute uses the default worker count (one per
//! CPU); `--workers` cannot reach into an attribute's literal arguments.

use crate::check::{ensure, equal};
use crate::ctx::{Ctx, thread_name};
use crate::report::{Error, Flavor, Report};
use crate::rt::{Mini, Rt, Tokio};

/// Lesson number.
pub const NUMBER: u32 = 3;
/// Lesson name.
pub const NAME: &str = "hello_main";
/// What it teaches.
pub const TEACHES: &str = "the #[main] attribute: an async main becomes runtime + block_on";
/// The invariant.
pub const INVARIANT: &str = "prints one line";

/// The body shared by the four entry points: an ordinary async fn.
async fn hello<R: Rt>() -> String {
    R::yield_now().await;
    format!(
        "Hello, world! (from {} on thread `{}`)",
        R::NAME,
        thread_name()
    )
}

#[mini_runtime::main(flavor = "current_thread")]
async fn mini_current_thread_main() -> String {
    hello::<Mini>().await
}

#[mini_runtime::main]
async fn mini_multi_thread_main() -> String {
    hello::<Mini>().await
}

#[tokio::main(flavor = "current_thread")]
async fn tokio_current_thread_main() -> String {
    hello::<Tokio>().await
}

#[tokio::main]
async fn tokio_multi_thread_main() -> String {
    hello::<Tokio>().await
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let line = match cx.flavor() {
        Flavor::MiniCt => mini_current_thread_main(),
        Flavor::MiniMt => mini_multi_thread_main(),
        Flavor::TokioCt => tokio_current_thread_main(),
        Flavor::TokioMt => tokio_multi_thread_main(),
    };
    cx.rec().mark("main", "hello", None, line);
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    equal("printed lines", r.events.len(), 1)?;
    let text = &r.events[0].text;
    ensure(text.starts_with("Hello, world!"), || {
        format!("unexpected line `{text}`")
    })?;
    Ok("one line".to_string())
}
