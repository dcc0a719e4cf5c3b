//! [`Interval`]: ticks at a fixed period; [`interval`], [`interval_at`],
//! [`MissedTickBehavior`].

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use super::sleep::{Sleep, deadline_after};

/// How late a tick may be and still count as "on time".
///
/// A woken task always runs a little after its deadline (scheduling
/// latency). Without this slack every tick would count as missed, and
/// [`MissedTickBehavior::Delay`] would drift by that latency on every tick.
/// Tokio uses the same 5 ms.
pub(crate) const MISSED_TICK_SLACK: Duration = Duration::from_millis(5);

/// Creates an interval whose first tick completes immediately and whose
/// following ticks are `period` apart.
///
/// Equivalent to `interval_at(Instant::now(), period)`.
///
/// ```
/// use mini_runtime::time::{interval, Duration, Instant};
///
/// let rt = mini_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// rt.block_on(async {
///     let mut ticker = interval(Duration::from_millis(10));
///     let first = ticker.tick().await; // immediately
///     let second = ticker.tick().await; // 10 ms later
///     assert_eq!(second - first, Duration::from_millis(10));
///     assert!(Instant::now() >= second);
/// });
/// ```
///
/// # Panics
///
/// If `period` is zero; outside a runtime; when the runtime's timers are
/// disabled.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    check_period(period);
    Interval::new("time::interval", Instant::now(), period)
}

/// Creates an interval whose first tick completes at `start` and whose
/// following ticks are `period` apart.
///
/// # Panics
///
/// If `period` is zero; outside a runtime; when the runtime's timers are
/// disabled.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    check_period(period);
    Interval::new("time::interval_at", start, period)
}

#[track_caller]
fn check_period(period: Duration) {
    assert!(
        period > Duration::ZERO,
        "`interval` period must be non-zero. A zero period would make every tick due at once, \
         forever; pass a positive `Duration` (for example `Duration::from_millis(1)`)."
    );
}

/// What an [`Interval`] does when ticks were missed: when the task awaiting
/// `tick()` ran late by more than one period (it was busy, or the thread
/// was blocked).
///
/// The examples use a period of 100 ms whose ticks are due at 0, 100, 200,
/// 300, ... ms, and a task that is late: the tick due at 100 ms is only
/// awaited at 350 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Catch up: the missed ticks complete one after the other, as fast as
    /// possible, until the interval is back on its schedule. Ticks: 100 and
    /// 200 and 300 (all at once, at 350), then 400, 500, ... The default.
    #[default]
    Burst,
    /// Start a new schedule from the late tick: the next tick is one
    /// period after the moment the late one completed. Ticks: 100 (at 350),
    /// then 450, 550, ...
    Delay,
    /// Skip the missed ticks and stay on the original schedule: the next
    /// tick is the next multiple of the period. Ticks: 100 (at 350), then
    /// 400, 500, ...
    Skip,
}

impl MissedTickBehavior {
    /// The deadline of the tick after one that was due at `scheduled` but
    /// completed late, at `now`.
    fn next_deadline(self, scheduled: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => deadline_after(scheduled, period),
            MissedTickBehavior::Delay => deadline_after(now, period),
            MissedTickBehavior::Skip => {
                // `scheduled + period * n` for the smallest n with a result
                // after `now`: step from `now` to the next grid point.
                let behind = now.saturating_duration_since(scheduled).as_nanos();
                let into_period = behind % period.as_nanos();
                deadline_after(now, period - duration_from_nanos(into_period))
            }
        }
    }
}

/// `Duration::from_nanos` for a `u128` (smaller than any `Duration`).
fn duration_from_nanos(nanos: u128) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).unwrap_or(u64::MAX);
    let subsec = u32::try_from(nanos % NANOS_PER_SEC).expect("below one second");
    Duration::new(secs, subsec)
}

/// A stream of ticks, `period` apart; see [`interval`].
///
/// Each tick returns the instant it was *scheduled* for (not the moment it
/// completed), so ticks are exactly `period` apart on a schedule that does
/// not drift. What happens after ticks were missed is chosen with
/// [`set_missed_tick_behavior`](Self::set_missed_tick_behavior).
///
/// Ticks are not queued in the background: an interval only advances while
/// `tick()` is awaited.
#[derive(Debug)]
pub struct Interval {
    /// Due at the next tick.
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    #[track_caller]
    fn new(what: &str, start: Instant, period: Duration) -> Interval {
        Interval {
            delay: Sleep::new(what, start),
            period,
            missed_tick_behavior: MissedTickBehavior::default(),
        }
    }

    /// Completes at the next tick, returning the instant it was scheduled
    /// for. Never completes before that instant.
    ///
    /// Cancel safe: dropping the future before it completes loses no tick.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: the poll-based form of [`tick`](Self::tick)
    /// for hand-written futures. Only the waker of the last poll is woken.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let scheduled = self.delay.deadline();
        let now = Instant::now();
        let next = if now.saturating_duration_since(scheduled) <= MISSED_TICK_SLACK {
            deadline_after(scheduled, self.period)
        } else {
            self.missed_tick_behavior
                .next_deadline(scheduled, now, self.period)
        };
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        self.reset_at(deadline_after(Instant::now(), self.period));
    }

    /// Restarts the schedule: the next tick completes immediately (on the
    /// next timer turn).
    pub fn reset_immediately(&mut self) {
        self.reset_at(Instant::now());
    }

    /// Restarts the schedule: the next tick is `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        self.reset_at(deadline_after(Instant::now(), after));
    }

    /// Restarts the schedule: the next tick is at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// The time between two ticks.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What the interval does after missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Chooses what the interval does after missed ticks (default:
    /// [`MissedTickBehavior::Burst`]).
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn next_deadline_for_each_behaviour() {
        // The example of `MissedTickBehavior`'s docs: period 100 ms, the
        // tick due at 100 completes at 350.
        let t0 = Instant::now();
        let (scheduled, now, period) = (t0 + 100 * MS, t0 + 350 * MS, 100 * MS);
        let next = |b: MissedTickBehavior| b.next_deadline(scheduled, now, period) - t0;
        assert_eq!(next(MissedTickBehavior::Burst), 200 * MS);
        assert_eq!(next(MissedTickBehavior::Delay), 450 * MS);
        assert_eq!(next(MissedTickBehavior::Skip), 400 * MS);
        // Exactly on a grid point: Skip goes to the next one.
        let on_grid = MissedTickBehavior::Skip.next_deadline(scheduled, t0 + 300 * MS, period);
        assert_eq!(on_grid - t0, 400 * MS);
    }

    #[test]
    fn duration_from_nanos_handles_u128() {
        assert_eq!(
            duration_from_nanos(1_500_000_000),
            Duration::from_millis(1500)
        );
        assert_eq!(duration_from_nanos(0), Duration::ZERO);
        let max = Duration::MAX.as_nanos();
        assert_eq!(duration_from_nanos(max), Duration::MAX);
    }
}
