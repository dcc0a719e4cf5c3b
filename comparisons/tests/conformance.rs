//! The cross-runtime conformance suite.
//!
//! Every behaviour in this suite is a generic function, written **once**
//! against a small facade ([`Rt`](conformance::facade::Rt)), and run on
//! **every** runtime flavour (`mini-ct`, `tokio-ct`, ...): one `#[test]` per
//! flavour, named `conformance::<area>::<behaviour>::<flavour>`.
//! Tokio is the reference: a behaviour that passes on Tokio is a correct
//! test, so a failure on a mini_runtime flavour is a mini_runtime bug (or a
//! documented, deliberate difference, marked `#[ignore]` for that flavour).
//!
//! Filter with the usual test-name filters:
//!
//! ```text
//! cargo test -p comparisons --test conformance            # everything
//! cargo test -p comparisons mini_ct                       # one flavour
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
//! - `conformance/runtime.rs`, `task.rs`, `waking.rs`: the behaviours.
//!
//! Every test runs under a time limit: a lost wake-up aborts the test
//! binary with the test's name instead of hanging CI.

/// The suite; one submodule per area of behaviour.
mod conformance {
    #[macro_use]
    mod macros;

    pub mod facade;
    pub mod util;

    mod runtime;
    mod task;
    mod waking;
}
