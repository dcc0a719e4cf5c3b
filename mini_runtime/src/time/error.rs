//! Errors of the `time` module.

use std::fmt;

/// The error of a [`Timeout`](super::Timeout) whose deadline passed before
/// its future completed.
///
/// ```
/// use mini_runtime::time::{sleep, timeout, Duration};
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// let err = rt
///     .block_on(async { timeout(Duration::ZERO, sleep(Duration::from_secs(3600))).await })
///     .unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

/// For `?` in functions returning `io::Result`: an
/// [`io::ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut) error.
impl From<Elapsed> for std::io::Error {
    fn from(elapsed: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, elapsed)
    }
}
