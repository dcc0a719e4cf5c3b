//! [`Builder`]: configure and build a [`Runtime`].

use std::fmt;
use std::io;
use std::sync::Arc as StdArc;
use std::time::Duration;

use super::Runtime;

/// How many scheduler ticks pass between two checks of the global queue
/// when the local queue is not empty (fairness between remote and local
/// work). Tokio's current-thread default.
pub const DEFAULT_GLOBAL_QUEUE_INTERVAL: u32 = 31;

/// The global queue interval of the multi-thread runtime: Tokio's fixed
/// default before it started tuning it at run time.
pub const DEFAULT_MULTI_THREAD_GLOBAL_QUEUE_INTERVAL: u32 = 61;

/// How many tasks run between two looks at the timers (and the block_on
/// future) when tasks keep being runnable. Tokio's default.
pub const DEFAULT_EVENT_INTERVAL: u32 = 61;

/// How long a thread with nothing to do spins, watching for a wake-up,
/// before it goes to sleep (workers, the current-thread driver, and a
/// `block_on` waiting on a multi-thread runtime). A wake-up within the spin
/// costs an atomic swap instead of two system calls and an OS reschedule
/// (4-8 µs on a 2-core machine). Tokio does not spin. Measured effect: see
/// [`Builder::park_spin`].
pub const DEFAULT_PARK_SPIN: Duration = Duration::from_micros(20);

/// Upper bound on threads of the blocking pool. Tokio's default.
pub const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;

/// How long an idle blocking-pool thread waits for work before exiting.
/// Tokio's default.
pub const DEFAULT_THREAD_KEEP_ALIVE: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    CurrentThread,
    MultiThread,
}

/// Builds a runtime with custom settings.
///
/// ```
/// use mini_runtime::runtime::Builder;
///
/// let rt = Builder::new_current_thread()
///     .enable_all()
///     .global_queue_interval(61)
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 }), 1);
/// ```
pub struct Builder {
    pub(crate) kind: Kind,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) max_blocking_threads: usize,
    pub(crate) thread_name: StdArc<dyn Fn() -> String + Send + Sync + 'static>,
    pub(crate) thread_stack_size: Option<usize>,
    pub(crate) thread_keep_alive: Duration,
    pub(crate) global_queue_interval: u32,
    pub(crate) event_interval: u32,
    pub(crate) disable_lifo_slot: bool,
    pub(crate) local_queue_capacity: usize,
    pub(crate) park_spin: Duration,
    pub(crate) enable_time: bool,
    pub(crate) timer_shards: Option<usize>,
}

impl Builder {
    /// A builder for the single-threaded runtime: tasks run on the thread
    /// that calls `block_on`.
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    /// A builder for the multi-thread, work-stealing runtime: tasks run on
    /// `worker_threads` worker threads (default: the number of CPUs).
    pub fn new_multi_thread() -> Builder {
        let mut builder = Builder::new(Kind::MultiThread);
        builder.global_queue_interval = DEFAULT_MULTI_THREAD_GLOBAL_QUEUE_INTERVAL;
        builder
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            max_blocking_threads: DEFAULT_MAX_BLOCKING_THREADS,
            thread_name: StdArc::new(|| "mini-runtime-worker".to_string()),
            thread_stack_size: None,
            thread_keep_alive: DEFAULT_THREAD_KEEP_ALIVE,
            global_queue_interval: DEFAULT_GLOBAL_QUEUE_INTERVAL,
            event_interval: DEFAULT_EVENT_INTERVAL,
            disable_lifo_slot: false,
            local_queue_capacity: crate::scheduler::multi_thread::queue::LOCAL_QUEUE_CAPACITY,
            park_spin: DEFAULT_PARK_SPIN,
            enable_time: false,
            timer_shards: None,
        }
    }

    /// Enables every driver (for mini_runtime: the timer driver).
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_time()
    }

    /// Enables the timer driver, so `time::sleep` and friends work.
    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    /// Number of worker threads of the multi-thread runtime (ignored by
    /// the current-thread runtime, as in Tokio).
    ///
    /// # Panics
    ///
    /// If `n == 0`.
    #[track_caller]
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        assert!(
            n > 0,
            "worker_threads(0): a runtime needs at least one worker thread; pass 1 or more"
        );
        self.worker_threads = Some(n);
        self
    }

    /// Upper bound on blocking-pool threads (default
    /// [`DEFAULT_MAX_BLOCKING_THREADS`]).
    ///
    /// # Panics
    ///
    /// If `n == 0`.
    #[track_caller]
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        assert!(
            n > 0,
            "max_blocking_threads(0): the blocking pool needs at least one thread; pass 1 or more"
        );
        self.max_blocking_threads = n;
        self
    }

    /// Name of the threads the runtime starts.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name: String = name.into();
        self.thread_name = StdArc::new(move || name.clone());
        self
    }

    /// A function giving each new thread its name.
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = StdArc::new(f);
        self
    }

    /// Stack size of the threads the runtime starts.
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// How long an idle blocking thread lives (default
    /// [`DEFAULT_THREAD_KEEP_ALIVE`]).
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.thread_keep_alive = duration;
        self
    }

    /// Scheduler ticks between checks of the global queue (default
    /// [`DEFAULT_GLOBAL_QUEUE_INTERVAL`]).
    ///
    /// # Panics
    ///
    /// If `ticks == 0`.
    #[track_caller]
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(
            ticks > 0,
            "global_queue_interval(0): the interval must be at least 1 tick"
        );
        self.global_queue_interval = ticks;
        self
    }

    /// Scheduler ticks between checks for timer events (default
    /// [`DEFAULT_EVENT_INTERVAL`]).
    ///
    /// # Panics
    ///
    /// If `ticks == 0`.
    #[track_caller]
    pub fn event_interval(&mut self, ticks: u32) -> &mut Self {
        assert!(
            ticks > 0,
            "event_interval(0): the interval must be at least 1 tick"
        );
        self.event_interval = ticks;
        self
    }

    /// Turns off the multi-thread scheduler's LIFO slot, so a woken task
    /// always goes to the back of the local queue (no effect on the
    /// current-thread runtime).
    pub fn disable_lifo_slot(&mut self) -> &mut Self {
        self.disable_lifo_slot = true;
        self
    }

    /// Slots in each worker's local run queue of the multi-thread runtime
    /// (default [`LOCAL_QUEUE_CAPACITY`](crate::runtime::LOCAL_QUEUE_CAPACITY)).
    ///
    /// # Panics
    ///
    /// Unless `slots` is a power of two between 2 and 65,536.
    #[track_caller]
    pub fn local_queue_capacity(&mut self, slots: usize) -> &mut Self {
        assert!(
            (2..=1 << 16).contains(&slots) && slots.is_power_of_two(),
            "local_queue_capacity({slots}): the capacity must be a power of two between 2 and 65536"
        );
        self.local_queue_capacity = slots;
        self
    }

    /// How long an idle thread spins before it sleeps (default
    /// [`DEFAULT_PARK_SPIN`]); `Duration::ZERO` sleeps at once, as Tokio
    /// does.
    ///
    /// Spinning trades a little CPU time for latency: a thread that is woken
    /// within the spin continues at once, with no system call on either
    /// side. It pays off where work is handed back and forth between
    /// threads: `spawn/threaded_scheduler_spawn` (spawn from `block_on` onto
    /// one worker, await the result: two hand-offs per iteration) took
    /// 7.3 µs per iteration without spinning (Tokio 7.4 µs in the same run)
    /// and 0.54 µs with the default 20 µs spin; `request_reply/mt1` (1,000
    /// round trips between `block_on` and a task) went from 5.7 ms to
    /// 0.5 ms. A thread that is not woken within the spin has burnt that
    /// much CPU for nothing, once per sleep. While spinning the thread
    /// yields its core every few checks, so on a machine with more threads
    /// than cores the spinner does not keep out the thread that would wake
    /// it.
    pub fn park_spin(&mut self, spin: Duration) -> &mut Self {
        self.park_spin = spin;
        self
    }

    /// How many shards the timer driver has, each with its own lock
    /// (default: 1 on the current-thread runtime, one per worker on the
    /// multi-thread runtime, at most
    /// [`MAX_TIMER_SHARDS`](crate::runtime::MAX_TIMER_SHARDS)). A timer
    /// goes to the shard of the thread that registers it, so workers with
    /// shards of their own never wait for each other's timers; `1` gives
    /// the single-lock driver. The time driver's module docs explain the
    /// trade-off. Tokio has no such setting.
    ///
    /// # Panics
    ///
    /// Unless `n` is between 1 and `MAX_TIMER_SHARDS`.
    #[track_caller]
    pub fn timer_shards(&mut self, n: usize) -> &mut Self {
        assert!(
            (1..=crate::runtime::MAX_TIMER_SHARDS).contains(&n),
            "timer_shards({n}): the timer driver needs between 1 and {} shards",
            crate::runtime::MAX_TIMER_SHARDS
        );
        self.timer_shards = Some(n);
        self
    }

    /// Builds the runtime.
    pub fn build(&mut self) -> io::Result<Runtime> {
        Runtime::from_builder(self)
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("thread_keep_alive", &self.thread_keep_alive)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("event_interval", &self.event_interval)
            .field("disable_lifo_slot", &self.disable_lifo_slot)
            .field("local_queue_capacity", &self.local_queue_capacity)
            .field("park_spin", &self.park_spin)
            .field("enable_time", &self.enable_time)
            .field("timer_shards", &self.timer_shards)
            .finish_non_exhaustive()
    }
}
