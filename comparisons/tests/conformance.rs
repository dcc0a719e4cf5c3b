//! The cross-runtime conformance suite.
//!
//! Every behaviour in this suite is a generic function, written **once**
//! against a small facade ([`Rt`](conformance::facade::Rt)), and run on
//! **every** runtime flavour (`mini-ct`, `tokio-ct`, ...): one `#[test]` per
//! flavour, named `conformance::<area>::<behaviour>::<flavour>`. The
//! flavours: `mini_ct`, `mini_mt_1`, `mini_mt_2`, `mini_mt_4` (mini_runtime
//! current-thread, and multi-thread with 1, 2 and 4 workers), `tokio_ct`
//! and `tokio_mt` (Tokio multi-thread with 4 workers, as many as the most
//! parallel mini flavour).
//! Tokio is the reference: a behaviour that passes on Tokio is a correct
//! test, so a failure on a mini_runtime flavour is a mini_runtime bug (or a
//! documented, deliberate difference, marked `#[ignore]` for that flavour).
//!
//! Filter with the usual test-name filters:
//!
//! ```text
//! cargo test -p comparisons --test conformance            # everything
//! cargo test -p comparisons mini_ct                       # one flavour
//! cargo test -p comparisons mini_mt                       # the three mini-mt flavours
//! cargo test -p comparisons conformance::task::abort      # one behaviour family
//! ```
//!
//! Map of the suite:
//!
//! - `conformance/macros.rs`: the flavour list (one line per flavour) and
//!   the macro that turns a list of behaviours into tests;
//! - `conformance/facade.rs`: the `Rt` facade and its implementations;
//! - `conformance/util.rs`: the time limit, drop counters and a probe future
//!   that counts polls, wakes and drops;
//! - `conformance/runtime.rs`, `task.rs`, `waking.rs`: the behaviours of
//!   runtimes, tasks and wake-ups;
//! - `conformance/time.rs`, `sync.rs`, `join_set.rs`, `blocking.rs`,
//!   `fs.rs`: timers, channels, `JoinSet`, the blocking pool, file reading;
//! - `conformance/combinators.rs`: `select!` and `join!`, each body written
//!   once and expanded with each library's real macro.
//!
//! Known differences from Tokio are listed with `#[differs(..)]` next to
//! the behaviour (ignored tests, runnable with `--ignored`); documented,
//! deliberate ones are asserted per library (`Library::CRATE`) with a
//! comment saying why.
//!
//! Every test runs under a time limit: a lost wake-up aborts the test
//! binary with the test's name instead of hanging CI.

/// The suite; one submodule per area of behaviour.
mod conformance {
    #[macro_use]
    mod macros;

    pub mod facade;
    pub mod util;

    mod blocking;
    mod combinators;
    mod fs;
    mod join_set;
    mod runtime;
    mod sync;
    mod task;
    mod time;
    mod waking;
}
