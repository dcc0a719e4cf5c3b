//! Lesson 22, `async_traits`: `async fn` in traits.
//!
//! # The concept
//!
//! Since Rust 1.75 a trait may declare `async fn`. Each implementation's
//! method returns its own future type, so the trait is used through
//! generics (static dispatch); `dyn Trait` would need boxing (the
//! `async-trait` crate's job). If the futures must be `Send` (to be
//! spawned on a multi-thread runtime), say so with the desugared form
//! `fn greet(&self) -> impl Future<Output = String> + Send`, which
//! implementations may still write as `async fn`:
//!
//! ```ignore
//! trait Greeter { fn greet(&self) -> impl Future<Output = String> + Send; }
//! impl Greeter for English { async fn greet(&self) -> String { sleep(..).await; "Hello".into() } }
//! async fn welcome<G: Greeter>(g: &G) { println!("{}", g.greet().await) }
//! ```
//!
//! # What to look for
//!
//! Both implementations run, one spawned (needs `Send`), one awaited
//! directly.
//!
//! # Runtime differences
//!
//! None.

use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use crate::check::same_multiset;
use crate::ctx::Ctx;
use crate::lessons::failed;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 22;
/// Lesson name.
pub const NAME: &str = "async_traits";
/// What it teaches.
pub const TEACHES: &str =
    "async fn in traits: a trait with an async method, two impls, called through generics";
/// The invariant.
pub const INVARIANT: &str = "both run";

/// A trait with an async method (its futures are `Send`).
pub trait Greeter: Send + Sync + 'static {
    /// Produces a greeting, asynchronously.
    fn greet(&self) -> impl Future<Output = String> + Send;
}

/// Greets in English after a short sleep.
#[derive(Debug)]
pub struct English<R>(Duration, PhantomData<R>);

/// Greets in French after yielding.
#[derive(Debug)]
pub struct French<R>(PhantomData<R>);

impl<R: Rt> Greeter for English<R> {
    async fn greet(&self) -> String {
        R::sleep(self.0).await;
        "Hello".to_string()
    }
}

impl<R: Rt> Greeter for French<R> {
    async fn greet(&self) -> String {
        R::yield_now().await;
        "Bonjour".to_string()
    }
}

async fn welcome<G: Greeter>(greeter: &G) -> String {
    format!("{}, world!", greeter.greet().await)
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let rec = cx.rec();
    let english = English::<R>(cx.secs(0.01), PhantomData);
    let french = French::<R>(PhantomData);
    cx.run::<R, _>(async {
        let spawned = R::spawn(async move { welcome(&english).await });
        let direct = welcome(&french).await;
        rec.mark("French", "greeting", None, direct);
        let spawned = spawned.await.map_err(failed)?;
        rec.mark("English", "greeting", None, spawned);
        Ok(())
    })
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let who: Vec<String> = r
        .events
        .iter()
        .filter(|e| e.kind == "greeting")
        .map(|e| e.text.clone())
        .collect();
    same_multiset(
        "greetings",
        &who,
        &["Hello, world!".to_string(), "Bonjour, world!".to_string()],
    )?;
    Ok("both implementations ran (Hello, Bonjour)".to_string())
}
