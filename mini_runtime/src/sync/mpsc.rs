//! Multi-producer, single-consumer channels (in progress).
