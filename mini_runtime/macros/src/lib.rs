//! Procedural macros for mini_runtime (work in progress).
