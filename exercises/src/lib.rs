//! The exercise system: learners rebuild parts of mini_runtime themselves.
//!
//! There is one source of truth, mini_runtime itself. Exercise regions are
//! marked with comments in its source ([`markers`]); the manifest,
//! `exercises/exercises.toml`, says what each exercise teaches, which tests
//! check it, and how to help ([`manifest`]). From those two this crate
//!
//! * writes learner workbenches: ordinary Cargo workspaces holding a copy
//!   of mini_runtime in which only the chosen exercise's regions are
//!   stubbed ([`tree`], [`commands::start`]);
//! * checks the learner's code with the exercise's tests, one process per
//!   test under a time limit, so a lost wake-up reads "timed out" and gets
//!   its hint instead of freezing the terminal ([`commands::check`],
//!   [`runner`]); records progress keyed by exercise id with a hash of the
//!   learner's code ([`progress`]);
//! * proves every exercise mechanically ([`verify`]): the reference passes,
//!   each stub fails its own tests and only those, the fully stubbed tree
//!   compiles, and the manifest agrees with the markers.
//!
//! The command-line tool is `cargo run -p exercises -- <verb>`; see
//! `exercises/README.md` for the learner's side.

pub mod cargo;
pub mod commands;
pub mod manifest;
pub mod markers;
pub mod progress;
pub mod runner;
pub mod tree;
pub mod verify;
