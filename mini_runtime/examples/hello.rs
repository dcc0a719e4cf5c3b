//! A first look at mini_runtime: spawn tasks, yield, join, read metrics.
//!
//! Run with `cargo run --release -p mini_runtime --example hello`.

use mini_runtime::runtime::Builder;
use mini_runtime::task;

fn main() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the runtime");

    rt.block_on(async {
        println!("hello from block_on");

        // Two tasks that hand the thread back to each other with yield_now.
        let tasks: Vec<_> = ["tick", "tock"]
            .into_iter()
            .map(|name| {
                mini_runtime::spawn(async move {
                    for i in 0..3 {
                        println!("{name} {i}");
                        task::yield_now().await;
                    }
                    name.len()
                })
            })
            .collect();
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("task failed");
        }
        println!("joined both tasks (total name length {total})");

        // A panicking task becomes an error; the runtime keeps going.
        let err = mini_runtime::spawn(async { panic!("on purpose") })
            .await
            .unwrap_err();
        println!("a task panicked as expected: {err}");

        // 10,000 tasks.
        let handles: Vec<_> = (0..10_000u64)
            .map(|i| mini_runtime::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        println!("10,000 tasks summed to {sum}");
    });

    let m = rt.metrics();
    println!(
        "metrics: {} spawned, {} polls, {} parks, {} alive",
        m.spawned_tasks_count(),
        m.total_poll_count(),
        m.worker_park_count(0),
        m.num_alive_tasks()
    );
}
