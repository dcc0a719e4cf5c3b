//! Asynchronous file reading, done on the blocking pool.
//!
//! # The problem
//!
//! Operating systems offer no portable non-blocking interface for regular
//! files (`epoll` reports a file as always ready), so an async runtime
//! cannot wait for file data the way it waits for a socket.
//!
//! # The design
//!
//! Do what Tokio does: run each blocking `std::fs` call on the blocking pool
//! with `spawn_blocking`, and await its `JoinHandle`. A [`File`] owns the
//! `std::fs::File` and a buffer; while a read is in flight, both are
//! *moved* into the blocking job and come back with its result, so no lock
//! is needed. Reads fetch [`READ_CHUNK`] bytes at a time into the buffer,
//! which makes `File` a natural [`AsyncBufRead`]: `futures`' line streams
//! (`AsyncBufReadExt::lines`) and `futures::io::BufReader` work on it.
//!
//! # Invariants
//!
//! * At most one blocking operation per `File` is in flight; the state is
//!   either `Idle` (we hold the file and buffer) or `Busy` (the job does).
//! * A failed `open` names the path in its error, so a user sees *which*
//!   file is missing.
//!
//! # How Tokio does it differently
//!
//! Tokio's `fs::File` has the same idle/busy state machine and also
//! supports writes and seeks (a write is acknowledged before it reaches the
//! disk, and `flush` waits for it). Tokio's `File` implements Tokio's own
//! `AsyncRead` trait; this one implements the `futures-io` traits.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pub use futures_io::{AsyncBufRead, AsyncRead};

use crate::task::{JoinHandle, spawn_blocking};

/// How many bytes one blocking read fetches.
pub const READ_CHUNK: usize = 64 * 1024;

fn with_path(err: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{what} `{}`: {err}", path.display()))
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    match spawn_blocking(f).await {
        Ok(result) => result,
        Err(err) => Err(io::Error::other(err)),
    }
}

/// Reads a whole file into a string, on the blocking pool.
///
/// ```
/// let rt = mini_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let err = rt
///     .block_on(mini_runtime::fs::read_to_string("/no/such/file.txt"))
///     .unwrap_err();
/// assert!(err.to_string().contains("/no/such/file.txt"));
/// ```
///
/// # Panics
///
/// Outside a runtime.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    run_blocking(move || {
        std::fs::read_to_string(&path).map_err(|e| with_path(e, "could not read file", &path))
    })
    .await
}

/// Reads a whole file into bytes, on the blocking pool.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    run_blocking(move || {
        std::fs::read(&path).map_err(|e| with_path(e, "could not read file", &path))
    })
    .await
}

/// Writes a whole file, on the blocking pool.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    run_blocking(move || {
        std::fs::write(&path, contents).map_err(|e| with_path(e, "could not write file", &path))
    })
    .await
}

/// An open file, read asynchronously through the blocking pool.
pub struct File {
    path: PathBuf,
    state: State,
}

enum State {
    Idle(Option<Idle>),
    Busy(JoinHandle<(Idle, io::Result<usize>)>),
}

/// What the `File` holds while no read is in flight.
struct Idle {
    file: std::fs::File,
    buf: Vec<u8>,
    /// Unread bytes are `buf[pos..]`.
    pos: usize,
}

impl File {
    /// Opens a file for reading.
    ///
    /// # Errors
    ///
    /// The `io::Error` of the open, with the path in its message.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        let path = path.as_ref().to_owned();
        let p = path.clone();
        let file = run_blocking(move || {
            std::fs::File::open(&p).map_err(|e| with_path(e, "could not open file", &p))
        })
        .await?;
        Ok(File {
            path,
            state: State::Idle(Some(Idle {
                file,
                buf: Vec::new(),
                pos: 0,
            })),
        })
    }

    /// The path the file was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes sure unread bytes are buffered (starting a blocking read if
    /// needed) and returns the idle state.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&mut Idle>> {
        loop {
            match &mut self.state {
                State::Idle(idle) => {
                    let idle_ref = idle.as_mut().expect("idle state holds the file");
                    if idle_ref.pos < idle_ref.buf.len() {
                        break;
                    }
                    let mut job = idle.take().expect("idle state holds the file");
                    self.state = State::Busy(spawn_blocking(move || {
                        job.buf.resize(READ_CHUNK, 0);
                        job.pos = 0;
                        let result = job.file.read(&mut job.buf);
                        let n = *result.as_ref().unwrap_or(&0);
                        job.buf.truncate(n);
                        (job, result)
                    }));
                }
                State::Busy(handle) => {
                    let joined = ready!(Pin::new(handle).poll(cx));
                    let (idle, result) = joined.map_err(io::Error::other)?;
                    self.state = State::Idle(Some(idle));
                    match result {
                        // Zero bytes: end of file, buffer stays empty.
                        Ok(0) => break,
                        Ok(_) => continue,
                        Err(err) => {
                            return Poll::Ready(Err(with_path(
                                err,
                                "could not read file",
                                &self.path,
                            )));
                        }
                    }
                }
            }
        }
        match &mut self.state {
            State::Idle(Some(idle)) => Poll::Ready(Ok(idle)),
            _ => unreachable!("loop exits only in the idle state"),
        }
    }
}

use std::future::Future as _;

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let idle = ready!(this.poll_idle(cx))?;
        let available = &idle.buf[idle.pos..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        idle.pos += n;
        Poll::Ready(Ok(n))
    }
}

impl AsyncBufRead for File {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        let idle = ready!(this.poll_idle(cx))?;
        Poll::Ready(Ok(&idle.buf[idle.pos..]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        if let State::Idle(Some(idle)) = &mut self.get_mut().state {
            idle.pos = (idle.pos + amt).min(idle.buf.len());
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("busy", &matches!(self.state, State::Busy(_)))
            .finish()
    }
}
