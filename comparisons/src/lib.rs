//! Comparisons between mini_runtime and Tokio (in progress).
