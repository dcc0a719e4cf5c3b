//! A channel for sending a single value (in progress).
