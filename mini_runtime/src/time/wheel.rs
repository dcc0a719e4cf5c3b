//! A hierarchical timing wheel: a set of values, each with a deadline, that
//! inserts and removes in O(1) and hands out the due ones as time advances.
//!
//! # The problem
//!
//! A runtime holds many timers, and most of them never fire: a network
//! timeout is registered, then cancelled when the answer arrives. So
//! registering and cancelling must be cheap, and "which timers are due?"
//! must not look at the timers that are not. An ordered map (a `BTreeMap`)
//! does all of this in O(log n), but every insert and remove searches the
//! tree and shifts keys inside its nodes; with 100,000 timers that search
//! is most of the cost.
//!
//! # The design
//!
//! Time is counted in *ticks* of [`TICK_NS`] nanoseconds (about 1 ms). The
//! wheel has [`LEVELS`] levels of [`SLOTS`] slots each; a slot of level 0
//! spans one tick, a slot of level 1 spans 64 ticks, of level 2 4,096
//! ticks, and so on: level `l` covers `64^(l+1)` ticks in all.
//!
//! ```text
//!   elapsed (ticks): the time up to which the wheel has been processed
//!
//!   level 0: [ . . x . . . ... ]   64 slots of 1 tick     (~67 ms)
//!   level 1: [ . . . . x . ... ]   64 slots of 64 ticks   (~4.3 s)
//!   level 2: [ x . . . . . ... ]   64 slots of 4096 ticks (~4.6 min)
//!   ...
//!   level 5: [ . . . . . . ... ]   (~2.3 years in all)
//!   overflow: one list for anything later
//!
//!   current: the entries of tick `elapsed` (and earlier), sorted
//!
//!   entries: Vec<Entry<T>>   a slab; a slot is the head of a doubly linked
//!                            list of entries, linked by index
//! ```
//!
//! A deadline goes to the level of the highest base-64 digit in which its
//! tick differs from `elapsed`, and to the slot of that digit. So a timer
//! due within the current 64 ticks goes to level 0, one due within the
//! current 4,096 ticks (but not the current 64) to level 1, and so on.
//! Each level also keeps a 64-bit *occupied* mask, one bit per non-empty
//! slot, so the next non-empty slot is one `trailing_zeros` away.
//!
//! As time advances ([`TimerWheel::take_due`]), the wheel visits the
//! non-empty slots in time order. A slot of level 0 holds the entries of
//! one tick. A slot of a higher level holds entries spread over many ticks:
//! when its time comes it is *cascaded*, its entries re-inserted relative
//! to the new `elapsed`, which puts them on lower levels, until they reach
//! level 0.
//!
//! Deadlines stay **exact nanoseconds**: a slot only says "somewhere in
//! this tick range". An entry is handed out only if its own deadline is
//! `<= now`. When `take_due` reaches the slot of `now`'s own tick, that
//! slot's entries may be partly in the future: the due ones go out, the
//! others move into `current`, a `Vec` sorted (once) by `(deadline, seq)`
//! from latest to earliest, so each later call takes the due ones off its
//! end, and the next deadline is its last item. (Scanning the slot's list
//! on every call instead, as a first version did, made a runtime that
//! processes timers every few tasks re-read thousands of entries each
//! time: `fire_many` became 40 % slower than with a `BTreeMap`; a
//! `BinaryHeap` there cost about 4 % of `fire_many/mt2`, the sort less.)
//! A new entry whose tick is `elapsed` or earlier (a deadline in the past
//! included) goes straight into `current`, at its sorted place (a binary
//! search; usually near the end, as such deadlines are due or nearly).
//! Once time reaches a later tick, everything in `current` is due.
//! Removing an entry from `current` only marks its item stale (the key no
//! longer matches); stale items are skipped when reached, and dropped in
//! one pass when they outnumber the live ones.
//!
//! # Invariants
//!
//! * An entry of level `l` lies in a slot after `elapsed`'s own slot of
//!   that level (level 0: at or after), and within `elapsed`'s slot of
//!   level `l + 1`. So the occupied slots of all levels cover disjoint tick
//!   ranges, and the first non-empty slot of the lowest non-empty level is
//!   the earliest. Between calls of `take_due`, every entry in a slot has a
//!   tick after `elapsed`; the entries of tick `elapsed` or earlier are in
//!   `current`, so they come before all the slots'.
//! * Entries of the overflow list lie beyond `elapsed`'s top-level range;
//!   they are re-inserted when `elapsed` moves into a new top-level range.
//! * A [`WheelKey`] names one insertion: the slab index plus a sequence
//!   number that is never used twice. After its entry leaves the wheel, the
//!   key never matches again, even when the slab reuses the index.
//!
//! # Costs
//!
//! | operation                | cost                                          |
//! |--------------------------|-----------------------------------------------|
//! | `insert`, `remove`, `get_mut` | O(1)                                     |
//! | `take_due`               | O(slots visited + entries moved or taken), plus one sort per tick of the entries kept in `current` |
//! | `next_deadline`          | O(1) when cached, else one slot's list        |
//!
//! Each entry is cascaded at most once per level on its way down.
//!
//! # How Tokio's wheel differs
//!
//! Tokio (`tokio/src/runtime/time/wheel/`) has the same 6 levels of 64
//! slots, but its entries live *inside* the `Sleep` futures (intrusive
//! linked lists of pinned nodes, hence `unsafe` and a `!Unpin` `Sleep`),
//! and it rounds every deadline *up* to a whole millisecond, so a slot's
//! entries all fire together and nothing needs re-checking. This wheel
//! keeps its entries in a slab (`Vec` plus free list, linked by index, no
//! `unsafe`) and keeps deadlines exact, at the price of checking each
//! entry's deadline when its slot comes, and of sorting the due entries.

/// Nanoseconds per tick, as a power of two: a tick is `2^20` ns, about
/// 1.05 ms, the span of one level-0 slot.
const TICK_SHIFT: u32 = 20;

/// Nanoseconds per tick (the span of one level-0 slot).
const TICK_NS: u64 = 1 << TICK_SHIFT;

/// Bits of the tick number per level: each level has `2^6 = 64` slots.
const SLOT_BITS: u32 = 6;

/// Slots per level: one per bit of the `u64` occupied mask.
const SLOTS: usize = 1 << SLOT_BITS;

/// Levels of the wheel: together they cover `64^6` ticks, about 2.3 years
/// past `elapsed`; later deadlines wait in the overflow list.
const LEVELS: usize = 6;

/// Tick bits covered by all the levels together (36).
const WHEEL_BITS: u32 = SLOT_BITS * LEVELS as u32;

/// "No entry": the end of a list, or an empty slot.
const NIL: u32 = u32::MAX;

/// The `level` of an entry in the overflow list.
const OVERFLOW: u8 = LEVELS as u8;

/// The `level` of an entry in `current` (not in any list).
const CURRENT: u8 = LEVELS as u8 + 1;

/// The `level` of a slab entry that is free (on the free list).
const FREE: u8 = u8::MAX;

/// `current` is rebuilt without its stale items once it holds
/// more than twice as many items as live entries, plus this many.
const COMPACT_SLACK: usize = 64;

/// The identity of one insertion. Sorts by deadline, then by insertion
/// order. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WheelKey {
    // Field order matters: the derived `Ord` compares `deadline` first.
    /// The exact deadline, in nanoseconds (of whatever clock the user
    /// chose; the wheel only compares them).
    pub(crate) deadline: u64,
    /// Unique per wheel, increasing with every insertion.
    pub(crate) seq: u64,
    /// Where the entry is in the slab.
    pub(crate) index: u32,
}

/// One element of the slab: a live entry, linked into one list, or a free one.
#[derive(Debug)]
struct Entry<T> {
    deadline: u64,
    /// The key's `seq`; tells a live key from a stale one.
    seq: u64,
    /// `Some` while live, `None` while free.
    value: Option<T>,
    /// Neighbours in the entry's list (`NIL` at the ends). A free entry
    /// uses `next` for the free list.
    prev: u32,
    next: u32,
    /// Where the entry is: `level` and `slot` of its list (or `OVERFLOW`,
    /// `CURRENT` or `FREE`).
    level: u8,
    slot: u8,
}

/// A hierarchical timing wheel of values of type `T`. See the module doc.
#[derive(Debug)]
pub(crate) struct TimerWheel<T> {
    entries: Vec<Entry<T>>,
    /// Head of the free list of `entries`.
    free: u32,
    /// How many entries are live.
    len: usize,
    /// The next key's `seq`.
    next_seq: u64,
    /// The tick up to which the wheel has been processed.
    elapsed: u64,
    /// `heads[level][slot]`: the first entry of that slot's list.
    heads: [[u32; SLOTS]; LEVELS],
    /// Bit `s` of `occupied[level]` is set iff `heads[level][s]` is not `NIL`.
    occupied: [u64; LEVELS],
    /// The first entry of the overflow list.
    overflow: u32,
    /// The entries of the current tick (and of the past), as
    /// `(deadline, seq, index)` sorted from latest to earliest: the next
    /// one due is the last. Removing an entry leaves its item here,
    /// *stale* (its `seq` no longer matches), to be skipped when popped.
    current: Vec<(u64, u64, u32)>,
    /// How many live entries `current` holds.
    current_live: usize,
    /// The cached earliest deadline of the *slots* (not of `current`):
    /// `Some(None)` means "no entry in any slot or the overflow", `None`
    /// means "unknown, recompute".
    earliest: Option<Option<u64>>,
}

impl<T> TimerWheel<T> {
    /// An empty wheel whose time starts at 0.
    pub(crate) fn new() -> Self {
        TimerWheel {
            entries: Vec::new(),
            free: NIL,
            len: 0,
            next_seq: 0,
            elapsed: 0,
            heads: [[NIL; SLOTS]; LEVELS],
            occupied: [0; LEVELS],
            overflow: NIL,
            current: Vec::new(),
            current_live: 0,
            earliest: Some(None),
        }
    }

    /// How many entries the wheel holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds `value`, due at `deadline` (nanoseconds). A deadline that has
    /// passed already is handed out by the next [`take_due`](Self::take_due).
    pub(crate) fn insert(&mut self, deadline: u64, value: T) -> WheelKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry {
            deadline,
            seq,
            value: Some(value),
            prev: NIL,
            next: NIL,
            level: FREE,
            slot: 0,
        };
        let index = if self.free != NIL {
            let index = self.free;
            self.free = self.entries[index as usize].next;
            self.entries[index as usize] = entry;
            index
        } else {
            let index = u32::try_from(self.entries.len())
                .ok()
                .filter(|&i| i != NIL)
                .expect("too many timers in one wheel");
            self.entries.push(entry);
            index
        };
        self.len += 1;
        if tick_of(deadline) <= self.elapsed {
            self.push_current(index);
        } else {
            self.link(index);
            if let Some(earliest) = self.earliest {
                self.earliest = Some(Some(earliest.map_or(deadline, |e| e.min(deadline))));
            }
        }
        WheelKey {
            deadline,
            seq,
            index,
        }
    }

    /// Whether `key` is still in the wheel.
    pub(crate) fn contains(&self, key: WheelKey) -> bool {
        self.live(key).is_some()
    }

    /// The value of `key`, if it is still in the wheel.
    pub(crate) fn get_mut(&mut self, key: WheelKey) -> Option<&mut T> {
        let index = self.live(key)?;
        self.entries[index].value.as_mut()
    }

    /// Takes `key` out of the wheel, if it is still there.
    pub(crate) fn remove(&mut self, key: WheelKey) -> Option<T> {
        let index = self.live(key)? as u32;
        if self.entries[index as usize].level == CURRENT {
            // Its item in `current` goes stale; compact if they pile up.
            self.current_live -= 1;
            if self.current.len() > 2 * self.current_live + COMPACT_SLACK {
                let entries = &self.entries;
                self.current
                    .retain(|&(_, seq, i)| i != index && is_live(entries, seq, i));
            }
        } else {
            self.unlink(index);
            if self.earliest == Some(Some(key.deadline)) {
                self.earliest = None;
            }
        }
        self.release(index)
    }

    /// The exact earliest deadline in the wheel, if any.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        // The current tick's entries come before every slot's.
        if let Some((deadline, _, _)) = self.current_top() {
            return Some(deadline);
        }
        if let Some(earliest) = self.earliest {
            return earliest;
        }
        // The first non-empty slot of the lowest non-empty level holds the
        // earliest entries (see the invariants); else the overflow list.
        let head = match (0..LEVELS).find(|&level| self.occupied[level] != 0) {
            Some(level) => {
                let slot = self.occupied[level].trailing_zeros() as usize;
                self.heads[level][slot]
            }
            None => self.overflow,
        };
        let mut earliest = None;
        let mut index = head;
        while index != NIL {
            let entry = &self.entries[index as usize];
            earliest = Some(earliest.map_or(entry.deadline, |e: u64| e.min(entry.deadline)));
            index = entry.next;
        }
        self.earliest = Some(earliest);
        earliest
    }

    /// Advances the wheel to `now` (nanoseconds) and moves every entry with
    /// `deadline <= now` into `due`, in no particular order. Time never
    /// goes back: a `now` earlier than a previous one advances nothing, but
    /// still hands out the entries due by then.
    pub(crate) fn take_due(&mut self, now: u64, due: &mut Vec<(WheelKey, T)>) {
        let now_tick = tick_of(now).max(self.elapsed);
        if now_tick > self.elapsed {
            // A new tick: everything of the old one (and before) is due.
            self.current_live = 0;
            for (_, seq, index) in std::mem::take(&mut self.current) {
                if is_live(&self.entries, seq, index) {
                    self.take(index, due);
                }
            }
        }
        // Visit the non-empty slots in time order, up to `now_tick`'s own
        // level-0 slot (whose entries may be partly in the future).
        let mut touched = false;
        while let Some((level, slot, start)) = self.first_slot() {
            if start > now_tick || (level == 0 && start == now_tick) {
                break;
            }
            touched = true;
            self.elapsed = start;
            let mut index = self.take_list(level, slot);
            while index != NIL {
                let next = self.entries[index as usize].next;
                self.link_or_take(index, now, due);
                index = next;
            }
        }
        // Entering a new top-level range: the overflow may now fit.
        let epoch_changed = now_tick >> WHEEL_BITS != self.elapsed >> WHEEL_BITS;
        self.elapsed = now_tick;
        if epoch_changed && self.overflow != NIL {
            touched = true;
            let mut index = self.overflow;
            self.overflow = NIL;
            while index != NIL {
                let next = self.entries[index as usize].next;
                self.link_or_take(index, now, due);
                index = next;
            }
        }
        // The current tick's slot: what is due goes out now, the rest into
        // `current` (sorted once), from which later calls take it in order.
        let slot = (now_tick % SLOTS as u64) as usize;
        if self.heads[0][slot] != NIL {
            touched = true;
            let mut index = self.take_list(0, slot);
            while index != NIL {
                let entry = &mut self.entries[index as usize];
                let next = entry.next;
                if entry.deadline <= now {
                    self.take(index, due);
                } else {
                    entry.level = CURRENT;
                    self.current.push((entry.deadline, entry.seq, index));
                    self.current_live += 1;
                }
                index = next;
            }
            self.current.sort_unstable_by(|a, b| b.cmp(a));
        }
        while let Some(&(deadline, seq, index)) = self.current.last() {
            if deadline > now {
                break;
            }
            self.current.pop();
            if is_live(&self.entries, seq, index) {
                self.current_live -= 1;
                self.take(index, due);
            }
        }
        if touched {
            self.earliest = None;
        }
    }

    /// Every value still in the wheel, which is left empty (its keys stay
    /// unique: the `seq` counter carries on).
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + use<T> {
        let mut old = std::mem::replace(self, TimerWheel::new());
        self.next_seq = old.next_seq;
        self.elapsed = old.elapsed;
        std::mem::take(&mut old.entries)
            .into_iter()
            .filter_map(|entry| entry.value)
    }

    /// The slab index of `key`, if its entry is live and is still the one
    /// `key` was given for.
    fn live(&self, key: WheelKey) -> Option<usize> {
        is_live(&self.entries, key.seq, key.index).then_some(key.index as usize)
    }

    /// Puts a live (unlinked) entry into `current`, in its sorted place.
    /// Usually near the end (a deadline that is already due, or nearly),
    /// so the shift is short.
    fn push_current(&mut self, index: u32) {
        let entry = &mut self.entries[index as usize];
        entry.level = CURRENT;
        let item = (entry.deadline, entry.seq, index);
        let at = self.current.partition_point(|&other| other > item);
        self.current.insert(at, item);
        self.current_live += 1;
    }

    /// The next live item of `current` (stale items at its end are
    /// dropped).
    fn current_top(&mut self) -> Option<(u64, u64, u32)> {
        while let Some(&top @ (_, seq, index)) = self.current.last() {
            if is_live(&self.entries, seq, index) {
                return Some(top);
            }
            self.current.pop();
        }
        None
    }

    /// The first non-empty slot: `(level, slot, first tick it spans)`.
    fn first_slot(&self) -> Option<(usize, usize, u64)> {
        let level = (0..LEVELS).find(|&level| self.occupied[level] != 0)?;
        let slot = self.occupied[level].trailing_zeros() as usize;
        let shift = SLOT_BITS * level as u32;
        let above = shift + SLOT_BITS; // at most 36: the shifts stay in range
        let start = (self.elapsed >> above << above) | ((slot as u64) << shift);
        Some((level, slot, start))
    }

    /// Puts a live entry into the list its deadline belongs in, relative to
    /// `elapsed`.
    fn link(&mut self, index: u32) {
        let tick = tick_of(self.entries[index as usize].deadline).max(self.elapsed);
        // The highest differing bit picks the level (level 0 if none).
        let differ = (tick ^ self.elapsed) | (SLOTS as u64 - 1);
        let top_bit = 63 - differ.leading_zeros();
        let level = (top_bit / SLOT_BITS) as usize;
        let head = if level >= LEVELS {
            self.entries[index as usize].level = OVERFLOW;
            &mut self.overflow
        } else {
            let slot = ((tick >> (SLOT_BITS * level as u32)) % SLOTS as u64) as usize;
            self.occupied[level] |= 1 << slot;
            let entry = &mut self.entries[index as usize];
            entry.level = level as u8;
            entry.slot = slot as u8;
            &mut self.heads[level][slot]
        };
        let old_head = std::mem::replace(head, index);
        let entry = &mut self.entries[index as usize];
        entry.prev = NIL;
        entry.next = old_head;
        if old_head != NIL {
            self.entries[old_head as usize].prev = index;
        }
    }

    /// Takes a live entry out of its list (it stays live in the slab).
    fn unlink(&mut self, index: u32) {
        let Entry {
            prev,
            next,
            level,
            slot,
            ..
        } = self.entries[index as usize];
        if prev != NIL {
            self.entries[prev as usize].next = next;
        } else if level == OVERFLOW {
            self.overflow = next;
        } else {
            self.heads[level as usize][slot as usize] = next;
            if next == NIL {
                self.occupied[level as usize] &= !(1 << slot);
            }
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
    }

    /// Empties one slot; returns the head of its former list.
    fn take_list(&mut self, level: usize, slot: usize) -> u32 {
        self.occupied[level] &= !(1 << slot);
        std::mem::replace(&mut self.heads[level][slot], NIL)
    }

    /// For an entry of a list just taken: into `due` if due, else into the
    /// list it now belongs in (a lower level than before).
    fn link_or_take(&mut self, index: u32, now: u64, due: &mut Vec<(WheelKey, T)>) {
        if self.entries[index as usize].deadline <= now {
            self.take(index, due);
        } else {
            self.link(index);
        }
    }

    /// Moves an unlinked live entry into `due` and frees its slab slot.
    fn take(&mut self, index: u32, due: &mut Vec<(WheelKey, T)>) {
        let entry = &self.entries[index as usize];
        let key = WheelKey {
            deadline: entry.deadline,
            seq: entry.seq,
            index,
        };
        let value = self.release(index).expect("a live entry");
        due.push((key, value));
    }

    /// Frees an unlinked live entry's slab slot; returns its value.
    fn release(&mut self, index: u32) -> Option<T> {
        let entry = &mut self.entries[index as usize];
        entry.level = FREE;
        entry.next = self.free;
        self.free = index;
        self.len -= 1;
        if self.len == 0 {
            self.earliest = Some(None);
            self.current.clear();
        }
        entry.value.take()
    }
}

/// Whether `entries[index]` is live and is the entry of insertion `seq`.
fn is_live<T>(entries: &[Entry<T>], seq: u64, index: u32) -> bool {
    entries
        .get(index as usize)
        .is_some_and(|entry| entry.value.is_some() && entry.seq == seq)
}

/// The tick that `ns` (nanoseconds) falls in.
fn tick_of(ns: u64) -> u64 {
    ns / TICK_NS
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// A deterministic pseudo-random sequence (xorshift64).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn take_sorted(wheel: &mut TimerWheel<u64>, now: u64) -> Vec<(WheelKey, u64)> {
        let mut due = Vec::new();
        wheel.take_due(now, &mut due);
        due.sort_unstable_by_key(|&(key, _)| key);
        due
    }

    #[test]
    fn insert_remove_and_take_due() {
        let mut wheel = TimerWheel::new();
        let a = wheel.insert(5 * TICK_NS, 1);
        let b = wheel.insert(3 * TICK_NS, 2);
        let c = wheel.insert(3 * TICK_NS, 3);
        assert_eq!(wheel.len(), 3);
        assert!(b < c, "same deadline: insertion order");
        assert_eq!(wheel.next_deadline(), Some(3 * TICK_NS));
        assert_eq!(wheel.get_mut(a), Some(&mut 1));
        assert_eq!(wheel.remove(b), Some(2));
        assert_eq!(wheel.remove(b), None, "removed once");
        assert!(!wheel.contains(b));
        assert_eq!(wheel.next_deadline(), Some(3 * TICK_NS));
        assert!(take_sorted(&mut wheel, 3 * TICK_NS - 1).is_empty());
        assert_eq!(take_sorted(&mut wheel, 3 * TICK_NS), [(c, 3)]);
        assert_eq!(wheel.next_deadline(), Some(5 * TICK_NS));
        assert_eq!(take_sorted(&mut wheel, u64::MAX / 2), [(a, 1)]);
        assert_eq!(wheel.len(), 0);
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn an_entry_fires_at_its_exact_deadline_not_at_its_tick() {
        let mut wheel = TimerWheel::new();
        let deadline = 10 * TICK_NS + 12_345;
        let key = wheel.insert(deadline, 7);
        assert!(take_sorted(&mut wheel, 10 * TICK_NS).is_empty(), "its tick");
        assert!(take_sorted(&mut wheel, deadline - 1).is_empty());
        assert_eq!(wheel.next_deadline(), Some(deadline));
        assert_eq!(take_sorted(&mut wheel, deadline), [(key, 7)]);
    }

    #[test]
    fn stale_keys_never_match_a_reused_entry() {
        let mut wheel = TimerWheel::new();
        let old = wheel.insert(100, 1);
        assert_eq!(wheel.remove(old), Some(1));
        let new = wheel.insert(100, 2);
        assert_eq!(new.index, old.index, "the slab reuses the entry");
        assert_ne!(new, old);
        assert!(!wheel.contains(old));
        assert_eq!(wheel.get_mut(old), None);
        assert_eq!(wheel.remove(old), None);
        assert_eq!(wheel.remove(new), Some(2));
    }

    #[test]
    fn keys_stay_unique_after_a_drain() {
        let mut wheel = TimerWheel::new();
        let old = wheel.insert(100, 1);
        assert_eq!(wheel.drain().collect::<Vec<_>>(), [1]);
        assert_eq!(wheel.len(), 0);
        let new = wheel.insert(100, 2);
        assert_eq!(new.index, old.index);
        assert!(!wheel.contains(old), "a key from before the drain");
        assert!(wheel.contains(new));
    }

    #[test]
    fn past_deadlines_fire_on_the_next_take() {
        let mut wheel = TimerWheel::new();
        assert!(take_sorted(&mut wheel, 1_000 * TICK_NS).is_empty());
        let a = wheel.insert(3, 1);
        let b = wheel.insert(500 * TICK_NS, 2);
        assert_eq!(wheel.next_deadline(), Some(3));
        // Even with a `now` before the wheel's time; but exactly: `b` is
        // in the wheel's past, not in `now`'s.
        assert_eq!(take_sorted(&mut wheel, 10), [(a, 1)]);
        assert_eq!(wheel.next_deadline(), Some(500 * TICK_NS));
        assert!(take_sorted(&mut wheel, 500 * TICK_NS - 1).is_empty());
        assert_eq!(take_sorted(&mut wheel, 500 * TICK_NS), [(b, 2)]);
    }

    #[test]
    fn every_level_and_the_overflow_fire_exactly_at_their_deadline() {
        let mut wheel = TimerWheel::new();
        let mut deadlines = Vec::new();
        for bits in (0..60).step_by(3) {
            deadlines.push((1u64 << bits) + 17);
        }
        for (i, &deadline) in deadlines.iter().enumerate() {
            wheel.insert(deadline, i as u64);
        }
        for (i, &deadline) in deadlines.iter().enumerate() {
            assert_eq!(wheel.next_deadline(), Some(deadline));
            assert!(take_sorted(&mut wheel, deadline - 1).is_empty(), "{i}");
            let due = take_sorted(&mut wheel, deadline);
            assert_eq!(due.len(), 1, "{i}");
            assert_eq!(due[0].1, i as u64);
        }
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn the_current_tick_fires_in_deadline_order_and_forgets_removed_entries() {
        let mut wheel = TimerWheel::new();
        assert!(take_sorted(&mut wheel, 7 * TICK_NS).is_empty());
        // All in the wheel's current tick: they go to `current`.
        let keys: Vec<WheelKey> = (0..1_000)
            .map(|i| wheel.insert(7 * TICK_NS + 1_000 - i, i))
            .collect();
        for key in &keys[..900] {
            assert!(wheel.remove(*key).is_some());
        }
        assert!(
            wheel.current.len() <= 2 * 100 + COMPACT_SLACK + 1,
            "stale items are compacted away: {}",
            wheel.current.len()
        );
        assert_eq!(wheel.next_deadline(), Some(7 * TICK_NS + 1));
        let mut due = Vec::new();
        wheel.take_due(7 * TICK_NS + 50, &mut due);
        let values: Vec<u64> = due.iter().map(|&(_, v)| v).collect();
        assert_eq!(
            values,
            (950..1_000).rev().collect::<Vec<_>>(),
            "deadline order"
        );
        assert_eq!(wheel.len(), 50);
        assert_eq!(take_sorted(&mut wheel, 8 * TICK_NS).len(), 50);
        assert_eq!(wheel.next_deadline(), None);
    }

    /// Random inserts, removes and advances, small and large, checked
    /// against a plain list of `(key, value)`.
    #[test]
    fn matches_a_reference_model() {
        for seed in 1..=4u64 {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
            let mut wheel = TimerWheel::new();
            let mut model: Vec<(WheelKey, u64)> = Vec::new();
            let mut removed: Vec<WheelKey> = Vec::new();
            let mut now = 0u64;
            for op in 0..4_000u64 {
                match rng.below(10) {
                    0..=4 => {
                        // Spans from "in the past" to far beyond the top level.
                        let delay = match rng.below(6) {
                            0 => rng.below(4 * TICK_NS),
                            1 => rng.below(100 * TICK_NS),
                            2 => rng.below(10_000 * TICK_NS),
                            3 => rng.below(1 << 50),
                            4 => rng.below(1 << 58),
                            _ => 0,
                        };
                        let deadline = if rng.below(8) == 0 {
                            now.saturating_sub(delay)
                        } else {
                            now + delay
                        };
                        let key = wheel.insert(deadline, op);
                        model.push((key, op));
                    }
                    5 | 6 if !model.is_empty() => {
                        let (key, value) =
                            model.swap_remove(rng.below(model.len() as u64) as usize);
                        assert_eq!(wheel.remove(key), Some(value));
                        removed.push(key);
                    }
                    _ => {
                        now += match rng.below(4) {
                            0 => rng.below(TICK_NS),
                            1 => rng.below(80 * TICK_NS),
                            2 => rng.below(5_000 * TICK_NS),
                            _ => rng.below(1 << 52),
                        };
                        let due = take_sorted(&mut wheel, now);
                        let mut expected: Vec<_> = model
                            .iter()
                            .copied()
                            .filter(|(k, _)| k.deadline <= now)
                            .collect();
                        expected.sort_unstable_by_key(|&(key, _)| key);
                        model.retain(|(k, _)| k.deadline > now);
                        assert_eq!(due, expected, "seed {seed} op {op} now {now}");
                    }
                }
                assert_eq!(wheel.len(), model.len());
                let min = model.iter().map(|(k, _)| k.deadline).min();
                assert_eq!(wheel.next_deadline(), min, "seed {seed} op {op}");
                if let Some(&key) = removed.last() {
                    assert!(!wheel.contains(key), "a stale key never matches");
                }
            }
            for key in removed {
                assert!(!wheel.contains(key));
            }
            let mut rest: Vec<u64> = wheel.drain().collect();
            let mut expected: Vec<u64> = model.iter().map(|&(_, v)| v).collect();
            rest.sort_unstable();
            expected.sort_unstable();
            assert_eq!(rest, expected);
            assert_eq!(wheel.len(), 0);
        }
    }
}
