//! Lesson 19, `stream_adapter`: adapting a stream in flight; pin projection.
//!
//! # The concept
//!
//! An adapter is a stream that wraps another one and transforms its items
//! as they pass (what `StreamExt::map` does, written by hand). Its
//! `poll_next` must poll the *inner* stream, which needs `Pin<&mut Inner>`
//! from `Pin<&mut Self>`: that is *pin projection*. `pin-project-lite`
//! generates the safe projection, so no `unsafe` is needed:
//!
//! ```ignore
//! pin_project! {
//!     struct UpperCase<S> { #[pin] inner: S }
//! }
//! impl<S: Stream<Item = io::Result<String>>> Stream for UpperCase<S> {
//!     type Item = io::Result<String>;
//!     fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
//!         self.project().inner.poll_next(cx).map(|l| l.map(|l| l.map(|s| s.to_uppercase())))
//!     }
//! }
//! ```
//!
//! Here it wraps the line stream of the file of lesson 15 (`--file PATH`
//! or the generated one).
//!
//! # What to look for
//!
//! Every line comes out upper-cased, in file order; the adapter adds no
//! waiting of its own (it returns `Pending` exactly when the inner stream
//! does).
//!
//! # Runtime differences
//!
//! None (only the inner stream's chunk sizes, see lesson 15).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt as _};

use crate::check::equal;
use crate::ctx::Ctx;
use crate::datafile;
use crate::report::{Error, Report};
use crate::rt::Rt;

/// Lesson number.
pub const NUMBER: u32 = 19;
/// Lesson name.
pub const NAME: &str = "stream_adapter";
/// What it teaches.
pub const TEACHES: &str =
    "adapting a stream in flight: a pin-projected wrapper upper-cases each line of a file";
/// The invariant.
pub const INVARIANT: &str = "every line upper-cased, in order";

pin_project_lite::pin_project! {
    /// Upper-cases every line of the stream it wraps.
    #[derive(Debug)]
    pub struct UpperCase<S> {
        #[pin]
        inner: S,
    }
}

impl<S> UpperCase<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> UpperCase<S> {
        UpperCase { inner }
    }
}

impl<S: Stream<Item = io::Result<String>>> Stream for UpperCase<S> {
    type Item = io::Result<String>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .inner
            .poll_next(cx)
            .map(|item| item.map(|line| line.map(|s| s.to_uppercase())))
    }
}

/// Runs the lesson.
pub fn run<R: Rt>(cx: &Ctx) -> Result<(), Error> {
    let path = datafile::input_path(cx.opts())?;
    let reference = datafile::reference_lines(&path)?;
    let rec = cx.rec();
    let (lines, mismatches) = cx.block_on::<R, _>(async {
        let inner = R::open_lines(&path)
            .await
            .map_err(|e| Error::io("open", e))?;
        let mut upper = UpperCase::new(inner);
        let (mut n, mut mismatches) = (0usize, 0usize);
        while let Some(line) = upper.next().await {
            let line = line.map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?;
            if reference.get(n).map(|l| l.to_uppercase()) != Some(line.clone()) {
                mismatches += 1;
            }
            if n < 3 {
                rec.say("main", line);
            }
            n += 1;
        }
        rec.say_n("main", n as i64, format!("... {n} lines, all upper-cased"));
        Ok::<_, Error>((n, mismatches))
    })??;
    cx.figure("file", path.display().to_string());
    cx.figure("lines_expected", reference.len());
    cx.figure("lines", lines);
    cx.figure("mismatches", mismatches);
    Ok(())
}

/// Checks the invariant.
pub fn check(r: &Report) -> Result<String, String> {
    let expected = r.int("lines_expected")?;
    equal("lines out of the adapter", r.int("lines")?, expected)?;
    equal(
        "lines not equal to the file's line upper-cased",
        r.int("mismatches")?,
        0,
    )?;
    Ok(format!("{expected} lines, each upper-cased, in file order"))
}
