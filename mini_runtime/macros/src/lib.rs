//! Procedural macros for `mini_runtime`: `#[main]`, `#[test]`, `join!` and
//! `select!`.
//!
//! Use them through `mini_runtime` (`#[mini_runtime::main]`,
//! `mini_runtime::select!`, ...), which re-exports them. None of them is
//! magic: each one writes ordinary Rust that you could type by hand. This
//! page shows, for each macro, a simplified version of what it writes; the
//! real output uses full paths (`::mini_runtime::...`, `::core::...`) and
//! private names that your code cannot clash with.
//!
//! Everything the generated code needs at run time lives in
//! `mini_runtime::macros_support` (re-exports of `core` items plus a tiny
//! random number generator), so the output only names `::mini_runtime`,
//! `::core` and `::std`.
//!
//! # `#[mini_runtime::main]` and `#[mini_runtime::test]`
//!
//! `fn main` cannot be `async`: something has to *run* the future. The
//! attribute turns the `async fn` into a plain `fn` that builds a runtime and
//! blocks on the original body:
//!
//! ```ignore
//! #[mini_runtime::main(flavor = "multi_thread", worker_threads = 4)]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let text = mini_runtime::fs::read_to_string("Cargo.toml").await?;
//!     println!("{} bytes", text.len());
//!     Ok(())
//! }
//! ```
//!
//! becomes
//!
//! ```text
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // The body, unchanged, with the same return type.
//!     async fn body() -> Result<(), Box<dyn std::error::Error>> {
//!         let text = mini_runtime::fs::read_to_string("Cargo.toml").await?;
//!         println!("{} bytes", text.len());
//!         Ok(())
//!     }
//!     let rt = mini_runtime::runtime::Builder::new_multi_thread()
//!         .worker_threads(4)
//!         .enable_all()
//!         .build()
//!         .expect("Failed building the mini_runtime runtime");
//!     rt.block_on(body())
//! }
//! ```
//!
//! The body goes into an inner `async fn` rather than an `async { }` block
//! because a block cannot state its output type: the compiler would have to
//! guess it from the body, and `return Err("bad".into())` or
//! `return Box::new(x)` (for a `Box<dyn Trait>` result) give it nothing to
//! go on. The inner function keeps the declared return type, so `return`,
//! `?` and coercions behave exactly as in the original function.
//!
//! `#[mini_runtime::test]` writes the same thing with `#[test]` in front;
//! other attributes (`#[should_panic]`, `#[ignore]`, docs) are kept.
//!
//! Options (the same for both):
//!
//! | option | values | default |
//! |---|---|---|
//! | `flavor` | `"current_thread"` or `"multi_thread"` | `main`: `"multi_thread"`; `test`: `"current_thread"` (as in Tokio) |
//! | `worker_threads` | a positive integer literal; only with `"multi_thread"` | the runtime's default |
//!
//! Mistakes are compile errors that say what is allowed: unknown or
//! duplicated options, values of the wrong type, `worker_threads = 0`,
//! `worker_threads` with the current-thread flavor, a function that is not
//! `async`, has arguments or generics, or (for `test`) already has `#[test]`.
//!
//! # `join!(a, b, ...)`
//!
//! Runs the futures concurrently *in the current task* (nothing is spawned)
//! and returns a tuple of their outputs, in argument order. It is one future
//! that polls every unfinished input each time it is polled:
//!
//! ```ignore
//! let (a, b) = mini_runtime::join!(fetch(1), fetch(2));
//! ```
//!
//! becomes
//!
//! ```text
//! {
//!     let mut fut0 = pin!(Some(fetch(1)));   // None once finished (dropped early)
//!     let mut fut1 = pin!(Some(fetch(2)));
//!     let (mut out0, mut out1) = (None, None);
//!     poll_fn(|cx| {
//!         let mut all_done = true;
//!         if let Some(f) = fut0.as_mut().as_pin_mut() {
//!             match f.poll(cx) {
//!                 Ready(v) => { out0 = Some(v); fut0.set(None); }
//!                 Pending => all_done = false,
//!             }
//!         }
//!         /* ... the same for fut1 ... */
//!         if all_done { Ready((out0.take().unwrap(), out1.take().unwrap())) } else { Pending }
//!     })
//!     .await
//! }
//! ```
//!
//! Because both run inside one task, they never run *in parallel*: while
//! one is being polled, the other waits. Use `spawn` for parallelism.
//!
//! # `select! { pat = fut => handler, ... }`
//!
//! Waits for the first branch whose future completes with an output that
//! matches its pattern, drops every other branch's future, then runs that
//! branch's handler. The semantics are Tokio's:
//!
//! ```ignore
//! loop {
//!     mini_runtime::select! {
//!         Some(msg) = rx.recv() => println!("got {msg}"),
//!         _ = mini_runtime::time::sleep(Duration::from_secs(1)), if !quiet => {
//!             println!("tick");
//!         }
//!         else => break,   // every branch disabled (here: channel closed and quiet)
//!     }
//! }
//! ```
//!
//! * Branch syntax: `<pattern> = <future> (, if <precondition>)? => <handler>`,
//!   separated by commas; a `{ ... }` handler may omit its comma.
//! * All preconditions are evaluated first, then all future expressions, in
//!   order. A branch whose precondition is `false` is disabled; its future
//!   expression *is* still evaluated (as in Tokio), but never polled.
//! * By default each poll starts at a random branch, so that a branch that
//!   is always ready cannot starve the ones after it. Writing `biased;`
//!   first polls the branches in the order they are written.
//! * A branch whose output does not match its pattern (e.g. `None` for
//!   `Some(x)`) is disabled and the others keep going.
//! * When every branch is disabled, the `else => <expression>` branch runs;
//!   without one, `select!` panics ("all branches are disabled and there is
//!   no else branch").
//! * The handler runs after the futures are dropped, outside any closure:
//!   it can `.await`, use `?`, `return` from the enclosing function, and
//!   `break`/`continue` the enclosing loop. All handlers must have the same
//!   type, which is the value of the `select!`.
//! * Futures are pinned on the stack, so they need not be `Unpin`. To keep a
//!   future across loop iterations, pass `&mut fut` (for an `Unpin` future,
//!   or one pinned with `pin!`).
//! * Up to 64 branches.
//!
//! The expansion, simplified, for two branches:
//!
//! ```text
//! {
//!     enum Out<T0, T1> { Branch0(T0), Branch1(T1), Disabled }
//!     let output = {
//!         let mut disabled: u64 = 0;                  // bit k: branch k is disabled
//!         if !(precondition1) { disabled |= 1 << 1; }
//!         let mut fut0 = pin!(rx.recv());
//!         let mut fut1 = pin!(sleep(..));
//!         poll_fn(|cx| {
//!             if disabled == 0b11 { return Ready(Out::Disabled); }
//!             let start = thread_rng_n(2);           // 0 with `biased;`
//!             for i in 0..2 {
//!                 let k = (start + i) % 2;
//!                 if disabled & (1 << k) != 0 { continue; }
//!                 // poll branch k; if Ready(v): disable k, and if `v` matches
//!                 // pattern k return Ready(Out::Branch<k>(v)), else go on
//!             }
//!             if disabled == 0b11 { Ready(Out::Disabled) } else { Pending }
//!         })
//!         .await
//!     };                                              // fut0 and fut1 dropped here
//!     match output {
//!         Out::Branch0(Some(msg)) => println!("got {msg}"),
//!         Out::Branch1(_) => { println!("tick"); }
//!         Out::Disabled => break,                     // or panic!(..) without `else`
//!         _ => unreachable!(),
//!     }
//! }
//! ```
//!
//! Inside the closure the pattern is tested through a reference (the output
//! is bound to the pattern's variables only later, outside), using a copy
//! of the pattern without `mut`/`ref`/`&`, so that `Some(mut x)` works in
//! edition 2024 too.

mod entry;
mod join;
mod select;

use proc_macro::TokenStream;

use entry::EntryKind;

/// Marks the `async fn` that is the program's entry point; it runs on a
/// mini_runtime runtime (multi-thread unless `flavor = "current_thread"`).
///
/// Options: `flavor = "current_thread" | "multi_thread"`, and
/// `worker_threads = N` (multi-thread only). See the crate documentation
/// for the expansion.
///
/// ```ignore
/// #[mini_runtime::main(flavor = "current_thread")]
/// async fn main() {
///     println!("hello from a mini_runtime task");
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::entry(args.into(), item.into(), EntryKind::Main).into()
}

/// Marks an `async fn` as a test that runs on its own mini_runtime runtime
/// (current-thread unless `flavor = "multi_thread"`).
///
/// Options: the same as for [`macro@main`]. Other attributes such as
/// `#[should_panic]` and `#[ignore]` are kept; do not add `#[test]` too.
///
/// ```ignore
/// #[mini_runtime::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn spawned_task_runs() {
///     let handle = mini_runtime::spawn(async { 1 + 1 });
///     assert_eq!(handle.await.unwrap(), 2);
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    entry::entry(args.into(), item.into(), EntryKind::Test).into()
}

/// Polls several futures concurrently in the current task and waits for all
/// of them; evaluates to the tuple of their outputs, in argument order.
///
/// Must be used inside an `async` context (it ends in `.await`). Each
/// argument may be anything that implements `IntoFuture`.
///
/// ```ignore
/// let (a, b) = mini_runtime::join!(async { 1 }, async { "two" });
/// assert_eq!((a, b), (1, "two"));
/// ```
#[proc_macro]
pub fn join(input: TokenStream) -> TokenStream {
    match join::parse(input.into()) {
        Ok(futures) => join::expand(&futures).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Waits on several futures and runs the handler of the first one that
/// completes with an output matching its pattern; the other futures are
/// dropped first.
///
/// Syntax: `select! { biased;? <pattern> = <future> (, if <cond>)? => <handler>, ... else => <expr> }`
/// (`biased;` and `else` are optional). Must be used inside an `async`
/// context. See the crate documentation for the full semantics.
///
/// ```ignore
/// let winner = mini_runtime::select! {
///     v = std::future::pending::<u32>() => v,
///     v = std::future::ready(7) => v,
/// };
/// assert_eq!(winner, 7);
/// ```
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    match syn::parse::<select::SelectInput>(input) {
        Ok(parsed) => select::expand(&parsed).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
