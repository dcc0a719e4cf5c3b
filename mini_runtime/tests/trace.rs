//! The event trace (feature `trace`): spawn, poll, wake, steal, park,
//! timers and blocking jobs are recorded and exported as Chrome JSON.
//! One test only: the trace is process-wide.

mod common;

use std::time::Duration;

use common::with_time_limit;
use mini_runtime::runtime::Builder;
use mini_runtime::trace::{self, EventKind};

#[test]
fn records_scheduler_events_and_exports_chrome_json() {
    with_time_limit(Duration::from_secs(60), || {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("traced-worker")
            .enable_all()
            .build()
            .unwrap();
        // Let the workers park first.
        std::thread::sleep(Duration::from_millis(20));
        trace::start(100_000);
        rt.block_on(async {
            let handles: Vec<_> = (0..200)
                .map(|i| {
                    mini_runtime::spawn(async move {
                        mini_runtime::task::yield_now().await;
                        i
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
            // Idle for a moment so the workers park, then wake one: a park
            // is recorded when it ends.
            mini_runtime::time::sleep(Duration::from_millis(20)).await;
            mini_runtime::spawn(async {}).await.unwrap();
            mini_runtime::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(2)))
                .await
                .unwrap();
        });
        // An event is recorded when it *ends*, by its own thread: the
        // blocking job's event is written just after the job has woken this
        // thread (and a worker's last poll just after it completed the task
        // we awaited), so a trace stopped at once can miss them. Dropping
        // the runtime first joins every worker and blocking thread.
        drop(rt);
        let t = trace::stop();
        assert!(!trace::is_enabled());
        let count = |f: &dyn Fn(&EventKind) -> bool| t.events.iter().filter(|e| f(&e.kind)).count();
        assert_eq!(count(&|k| matches!(k, EventKind::Spawn { .. })), 201);
        assert!(
            count(&|k| matches!(k, EventKind::Poll { .. })) >= 400,
            "each task polled twice"
        );
        assert!(count(&|k| matches!(k, EventKind::Wake { .. })) >= 1);
        assert!(count(&|k| matches!(k, EventKind::Park { .. })) >= 1);
        assert!(count(&|k| matches!(k, EventKind::TimerFire { .. })) >= 1);
        assert_eq!(count(&|k| matches!(k, EventKind::Blocking { .. })), 1);
        assert!(
            t.threads.iter().any(|n| n == "traced-worker"),
            "{:?}",
            t.threads
        );
        // Every task's polls happen after its spawn.
        let spawn_at: std::collections::HashMap<u64, u64> = t
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Spawn { task } => Some((task, e.at_ns)),
                _ => None,
            })
            .collect();
        for e in &t.events {
            if let EventKind::Poll { task, .. } = e.kind {
                if let Some(&s) = spawn_at.get(&task) {
                    assert!(e.at_ns >= s, "task {task} polled before it was spawned");
                }
            }
        }
        let json = t.to_chrome_json();
        assert!(json.starts_with("{\"traceEvents\":["));
        assert!(json.contains("\"ph\":\"X\"") && json.contains("\"thread_name\""));
        assert_eq!(json.matches('{').count(), json.matches('}').count());
        // A bounded buffer: a tiny capacity drops the rest and says so.
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        trace::start(10);
        rt.block_on(async {
            for _ in 0..50 {
                mini_runtime::spawn(async {}).await.unwrap();
            }
        });
        let small = trace::stop();
        assert_eq!(small.events.len(), 10);
        assert!(small.dropped > 0);
    });
}
