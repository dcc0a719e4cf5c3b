//! The blocking pool: `spawn_blocking`, the thread cap, keep-alive,
//! panics, shutdown.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use common::{DropCounter, with_time_limit};
use mini_runtime::runtime::{Builder, Runtime};
use mini_runtime::task;

const LIMIT: Duration = Duration::from_secs(60);

fn rt_with_cap(cap: usize) -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(cap)
        .build()
        .unwrap()
}

/// Tracks how many jobs run at once and the maximum seen.
#[derive(Clone, Default)]
struct Concurrency {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
}

impl Concurrency {
    fn job(&self, hold: Duration) -> impl FnOnce() + Send + 'static {
        let this = self.clone();
        move || {
            let n = this.now.fetch_add(1, SeqCst) + 1;
            this.max.fetch_max(n, SeqCst);
            std::thread::sleep(hold);
            this.now.fetch_sub(1, SeqCst);
        }
    }
}

#[test]
fn spawn_blocking_returns_the_result() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(4);
        let v = rt.block_on(async { task::spawn_blocking(|| 6 * 7).await.unwrap() });
        assert_eq!(v, 42);
        let v = rt.block_on(rt.spawn_blocking(|| "runtime")).unwrap();
        assert_eq!(v, "runtime");
        let v = rt.block_on(rt.handle().spawn_blocking(|| 1)).unwrap();
        assert_eq!(v, 1);
    });
}

#[test]
fn the_thread_cap_is_respected() {
    with_time_limit(LIMIT, || {
        let cap = 3;
        let rt = rt_with_cap(cap);
        let c = Concurrency::default();
        rt.block_on(async {
            let jobs: Vec<_> = (0..12)
                .map(|_| task::spawn_blocking(c.job(Duration::from_millis(30))))
                .collect();
            for j in jobs {
                j.await.unwrap();
            }
        });
        assert_eq!(
            c.max.load(SeqCst),
            cap,
            "maximum concurrency must equal the cap"
        );
        assert!(rt.metrics().num_blocking_threads() <= cap);
    });
}

#[test]
fn jobs_below_the_cap_run_in_parallel() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(16);
        // Four jobs that can only finish if all four run at the same time.
        let barrier = Arc::new(Barrier::new(4));
        rt.block_on(async {
            let jobs: Vec<_> = (0..4)
                .map(|_| {
                    let b = barrier.clone();
                    task::spawn_blocking(move || {
                        b.wait();
                    })
                })
                .collect();
            for j in jobs {
                j.await.unwrap();
            }
        });
        assert!(rt.metrics().num_blocking_threads() >= 4);
    });
}

#[test]
fn idle_threads_exit_after_keep_alive() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_current_thread()
            .thread_keep_alive(Duration::from_millis(50))
            .build()
            .unwrap();
        rt.block_on(async { task::spawn_blocking(|| ()).await.unwrap() });
        assert_eq!(rt.metrics().num_blocking_threads(), 1);
        let start = Instant::now();
        while rt.metrics().num_blocking_threads() != 0 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "idle thread never exited"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // The pool starts a new thread on demand afterwards.
        assert_eq!(rt.block_on(rt.spawn_blocking(|| 5)).unwrap(), 5);
    });
}

#[test]
fn idle_threads_are_reused() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(8);
        for _ in 0..20 {
            rt.block_on(rt.spawn_blocking(|| ())).unwrap();
            // The thread reports itself idle just after the job completes.
            while rt.metrics().num_idle_blocking_threads() != 1 {
                std::thread::yield_now();
            }
        }
        assert_eq!(
            rt.metrics().num_blocking_threads(),
            1,
            "sequential jobs reuse one thread"
        );
    });
}

#[test]
fn a_panic_becomes_a_join_error() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(2);
        rt.block_on(async {
            let err = task::spawn_blocking(|| panic!("blocking boom"))
                .await
                .unwrap_err();
            assert!(err.is_panic());
            assert!(err.to_string().contains("blocking boom"), "{err}");
            // The pool still works.
            assert_eq!(task::spawn_blocking(|| 3).await.unwrap(), 3);
        });
    });
}

#[test]
fn threads_are_named_and_enter_the_runtime() {
    with_time_limit(LIMIT, || {
        let rt = Builder::new_current_thread()
            .thread_name("my-pool")
            .build()
            .unwrap();
        let (name, spawned) = rt.block_on(async {
            task::spawn_blocking(|| {
                let name = std::thread::current().name().map(str::to_owned);
                // Blocking code can reach its runtime.
                let join = mini_runtime::spawn(async { 7 });
                (name, join)
            })
            .await
            .unwrap()
        });
        assert_eq!(name.as_deref(), Some("my-pool"));
        assert_eq!(rt.block_on(spawned).unwrap(), 7);
    });
}

#[test]
fn shutdown_cancels_jobs_that_have_not_started() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(1);
        let release = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        let drops = DropCounter::new();
        let ran_second = Arc::new(AtomicBool::new(false));
        let (first, second) = {
            let (release, started) = (release.clone(), started.clone());
            let first = rt.spawn_blocking(move || {
                started.store(true, SeqCst);
                while !release.load(SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
            let guard = drops.guard();
            let ran = ran_second.clone();
            let second = rt.spawn_blocking(move || {
                let _g = guard;
                ran.store(true, SeqCst);
            });
            (first, second)
        };
        while !started.load(SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            release.store(true, SeqCst);
        });
        drop(rt); // waits for `first`, cancels `second`
        releaser.join().unwrap();
        assert!(!ran_second.load(SeqCst));
        assert_eq!(drops.count(), 1, "the queued closure was dropped");
        assert!(mini_runtime::block_on(first).is_ok());
        assert!(mini_runtime::block_on(second).unwrap_err().is_cancelled());
    });
}

#[test]
fn shutdown_timeout_does_not_wait_for_a_job_that_never_returns() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(2);
        let stuck = Arc::new(Mutex::new(()));
        let guard = stuck.lock().unwrap();
        let s2 = stuck.clone();
        let started = Arc::new(AtomicBool::new(false));
        let st = started.clone();
        drop(rt.spawn_blocking(move || {
            st.store(true, SeqCst);
            drop(s2.lock().unwrap()); // blocks until the test ends
        }));
        while !started.load(SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let t = Instant::now();
        rt.shutdown_timeout(Duration::from_millis(100));
        let waited = t.elapsed();
        assert!(
            waited >= Duration::from_millis(100),
            "returned before the timeout: {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(10),
            "waited for the stuck job: {waited:?}"
        );
        drop(guard); // let the detached thread finish
    });
}

#[test]
fn shutdown_background_returns_at_once() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(2);
        drop(rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(300))));
        std::thread::sleep(Duration::from_millis(20));
        let t = Instant::now();
        rt.shutdown_background();
        assert!(t.elapsed() < Duration::from_millis(250));
    });
}

#[test]
fn abort_prevents_a_queued_job_from_running() {
    with_time_limit(LIMIT, || {
        let rt = rt_with_cap(1);
        let ran = Arc::new(AtomicBool::new(false));
        rt.block_on(async {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let first = task::spawn_blocking(move || rx.recv().ok());
            let r = ran.clone();
            let second = task::spawn_blocking(move || r.store(true, SeqCst));
            second.abort();
            tx.send(()).unwrap();
            first.await.unwrap();
            assert!(second.await.unwrap_err().is_cancelled());
        });
        assert!(!ran.load(SeqCst));
    });
}

#[test]
fn spawn_blocking_outside_a_runtime_panics_with_a_helpful_message() {
    let err = std::panic::catch_unwind(|| task::spawn_blocking(|| ())).unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("`spawn_blocking` must be called from the context of a mini_runtime runtime"),
        "{msg}"
    );
}
