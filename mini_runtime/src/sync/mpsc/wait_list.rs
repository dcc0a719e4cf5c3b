//! A first-in-first-out line of waiting futures, each known by a ticket.
//!
//! Bounded senders wait here for a free slot, and [`Sender::closed`] futures
//! wait here for the receiver to go away. A future that gets `Pending` keeps
//! its ticket; when it is polled again it refreshes its waker (the task may
//! have moved), and when it is dropped it leaves the line by ticket. Tickets
//! are plain increasing numbers, so "who came first" is just "who is nearer
//! the front".
//!
//! Finding a ticket is a linear scan. Lines are short in practice (one entry
//! per *waiting* future), and a scan is easy to read; Tokio instead links the
//! waiting futures themselves into an intrusive list, which removes in O(1)
//! without allocating, at the price of `unsafe` pinned pointers.
//!
//! [`Sender::closed`]: super::Sender::closed

use std::collections::VecDeque;
use std::task::Waker;

/// A FIFO line of `(ticket, waker)` pairs. Always used under the channel lock.
#[derive(Debug, Default)]
pub(super) struct WaitList {
    /// The ticket handed to the next future that joins the line.
    next_ticket: u64,
    /// The line, front first.
    entries: VecDeque<(u64, Waker)>,
}

impl WaitList {
    /// Joins the back of the line; returns the new entry's ticket.
    pub(super) fn push(&mut self, waker: &Waker) -> u64 {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.entries.push_back((ticket, waker.clone()));
        ticket
    }

    /// Replaces the waker stored for `ticket` (keeping its place in line).
    /// Returns `false` if the ticket is not in the line.
    pub(super) fn update(&mut self, ticket: u64, waker: &Waker) -> bool {
        match self.entries.iter_mut().find(|(t, _)| *t == ticket) {
            Some((_, stored)) => {
                if !stored.will_wake(waker) {
                    *stored = waker.clone();
                }
                true
            }
            None => false,
        }
    }

    /// Leaves the line. Returns `false` if the ticket was not in it.
    pub(super) fn remove(&mut self, ticket: u64) -> bool {
        match self.entries.iter().position(|(t, _)| *t == ticket) {
            Some(index) => {
                self.entries.remove(index);
                true
            }
            None => false,
        }
    }

    /// Takes the entry at the front of the line.
    pub(super) fn pop_front(&mut self) -> Option<(u64, Waker)> {
        self.entries.pop_front()
    }

    /// Empties the line, returning every waker (front first) so the caller
    /// can wake them after unlocking.
    pub(super) fn take_all(&mut self) -> Vec<Waker> {
        self.entries.drain(..).map(|(_, waker)| waker).collect()
    }

    /// Whether nobody is waiting.
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many futures are waiting.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn tickets_keep_fifo_order_and_can_leave() {
        let waker = Waker::noop();
        let mut line = WaitList::default();
        let a = line.push(waker);
        let b = line.push(waker);
        let c = line.push(waker);
        assert_eq!(line.len(), 3);
        assert!(line.update(b, waker));
        assert!(line.remove(b));
        assert!(!line.remove(b));
        assert!(!line.update(b, waker));
        assert_eq!(line.pop_front().map(|(t, _)| t), Some(a));
        assert_eq!(line.pop_front().map(|(t, _)| t), Some(c));
        assert!(line.is_empty());
        line.push(waker);
        assert_eq!(line.take_all().len(), 1);
        assert!(line.is_empty());
    }
}
