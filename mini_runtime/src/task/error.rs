//! [`JoinError`]: why a task did not return its output.

use std::any::Any;
use std::fmt;

use super::Id;

/// A task failed to complete: it was cancelled, or it panicked.
///
/// Returned by awaiting a [`JoinHandle`](crate::task::JoinHandle).
///
/// ```
/// use mini_runtime::runtime::Builder;
///
/// let rt = Builder::new_current_thread().build().unwrap();
/// let err = rt.block_on(async {
///     mini_runtime::spawn(async { panic!("boom") }).await.unwrap_err()
/// });
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// ```
pub struct JoinError {
    id: Id,
    repr: Repr,
}

enum Repr {
    Cancelled,
    /// Boxed, so a `JoinError` is two words: it sits in every task's
    /// output slot, and most tasks never panic (see `memory/pending_tasks`
    /// in the benches: the unboxed form cost 32 bytes per task).
    Panic(Box<PanicDetails>),
}

/// A panic's payload, and its message if it was a string (captured at the
/// panic, because the payload itself is only reachable by value).
struct PanicDetails {
    payload: SyncWrapper<Box<dyn Any + Send + 'static>>,
    message: Option<String>,
}

/// Makes a `Send` value `Sync` by allowing access only through `&mut self`
/// or by value: a shared reference can do nothing with it, so sharing one
/// between threads cannot race.
struct SyncWrapper<T>(T);

// SAFETY: `SyncWrapper` exposes its content only through `&mut self` or by
// value (see `into_inner`), never through `&self`, so a `&SyncWrapper<T>`
// on another thread gives no access at all. `T: Send` covers moving it.
unsafe impl<T: Send> Sync for SyncWrapper<T> {}

impl<T> SyncWrapper<T> {
    fn into_inner(self) -> T {
        self.0
    }
}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        JoinError {
            id,
            repr: Repr::Panic(Box::new(PanicDetails {
                payload: SyncWrapper(payload),
                message,
            })),
        }
    }

    /// The task was cancelled: aborted, or dropped at runtime shutdown.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(..))
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }

    /// Returns the panic payload, e.g. to resume the panic with
    /// `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task was cancelled rather than panicking; check
    /// [`is_panic`](Self::is_panic) or use [`try_into_panic`](Self::try_into_panic).
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic().expect(
            "`JoinError::into_panic` called on a cancelled task; check `is_panic()` first \
             or use `try_into_panic`",
        )
    }

    /// Returns the panic payload, or the error itself if the task was
    /// cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(details) => Ok(details.payload.into_inner()),
            Repr::Cancelled => Err(self),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            Repr::Panic(details) => match &details.message {
                Some(msg) => write!(f, "task {} panicked with message {msg:?}", self.id),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled({:?})", self.id),
            Repr::Panic(details) => match &details.message {
                Some(msg) => write!(f, "JoinError::Panic({:?}, {msg:?}, ...)", self.id),
                None => write!(f, "JoinError::Panic({:?}, ...)", self.id),
            },
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_error_is_two_words_so_every_task_output_slot_stays_small() {
        assert_eq!(
            std::mem::size_of::<JoinError>(),
            2 * std::mem::size_of::<usize>()
        );
        // The niche of the non-zero id makes `Result<(), JoinError>` free.
        assert_eq!(
            std::mem::size_of::<Result<(), JoinError>>(),
            std::mem::size_of::<JoinError>()
        );
    }

    #[test]
    fn the_boxed_panic_keeps_its_message_and_payload() {
        let err = JoinError::panic(Id::next(), Box::new("boom"));
        assert!(err.is_panic());
        assert!(err.to_string().ends_with("panicked with message \"boom\""));
        let payload = err.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    }
}
