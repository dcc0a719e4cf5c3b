//! mini_runtime: an async runtime written to be read.
//!
//! (Crate map and reading order: in progress.)

#![cfg_attr(docsrs, feature(doc_cfg))]

// Lets the proc macros name `::mini_runtime` from inside this crate too.
extern crate self as mini_runtime;

pub mod park;
pub mod sync;

mod block_on;
mod context;

#[cfg(test)]
mod test_util;

pub use block_on::block_on;
