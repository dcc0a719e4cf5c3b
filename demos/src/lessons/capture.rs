//! A tracing writer that captures the log output into memory, so the
//! tracing lessons (16-18) can check it and several of them can run in one
//! process (each installs its subscriber with
//! `tracing::subscriber::with_default`, never as the global default).

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

/// A shared in-memory buffer; `move || capture.clone()` is a tracing
/// `MakeWriter`.
#[derive(Clone, Debug, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// The captured output, one string per line.
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
