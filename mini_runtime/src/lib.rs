//! mini_runtime: an async runtime written to be read.
//!
//! (Crate map and reading order: in progress.)

// Lets the proc macros name `::mini_runtime` from inside this crate too.
extern crate self as mini_runtime;

pub mod park;
pub mod runtime;
pub mod sync;
pub mod task;

mod block_on;
mod context;
mod scheduler;

#[cfg(test)]
mod test_util;

pub use block_on::block_on;
pub use task::spawn;

// TEMPORARY (added by the macros helper until the lead wires them up):
#[doc(hidden)]
pub mod macros_support;
pub use mini_runtime_macros::{join, main, select, test};
