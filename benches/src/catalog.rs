//! The list of every workload id the suite registers, in suite order.
//!
//! The summary tool orders its table by this list and reports an id that
//! has no data as missing. An id here has no runtime suffix: criterion's
//! ids are these plus `/mini` or `/tokio`.

use crate::config::{concurrency_levels, mt_worker_counts};
use crate::facade::Flavor;

/// `rt_ct` workloads (Tokio's `benches/rt_current_thread.rs`).
pub const RT_CT: &[&str] = &[
    "spawn_many_local",
    "spawn_many_remote_idle",
    "spawn_many_remote_busy",
];

/// `rt_mt` workloads (Tokio's `benches/rt_multi_threaded.rs`), each run as
/// `mt4` and `mtN`.
pub const RT_MT: &[&str] = &[
    "spawn_many_local",
    "spawn_many_remote_idle",
    "spawn_many_remote_busy1",
    "spawn_many_remote_busy2",
    "ping_pong",
    "yield_many",
    "chained_spawn",
];

/// `spawn` workloads (Tokio's `benches/spawn.rs`).
pub const SPAWN: &[&str] = &[
    "basic_scheduler_spawn",
    "basic_scheduler_spawn10",
    "threaded_scheduler_spawn",
    "threaded_scheduler_spawn10",
];

/// Worker count of the `time` workloads that Tokio runs with 8 workers.
pub const TIME_MT_WORKERS: usize = 8;

/// Number of tasks of `memory/pending_tasks`.
pub const PENDING_TASKS: usize = 100_000;

/// The flavours of the `time` group's `ct; mt` workloads and of
/// `memory/pending_tasks`: current-thread, and multi-thread with the
/// default worker count (N = available parallelism).
pub fn default_flavors(parallelism: usize) -> [Flavor; 2] {
    [Flavor::CurrentThread, Flavor::MultiThread(parallelism)]
}

/// Every workload id, in suite order, for a machine with `parallelism` CPUs.
pub fn expected_ids(parallelism: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for workload in RT_CT {
        ids.push(format!("rt_ct/{workload}"));
    }
    for workload in RT_MT {
        for workers in mt_worker_counts(parallelism) {
            ids.push(format!("rt_mt/{workload}/mt{workers}"));
            if *workload == "ping_pong" {
                ids.push(format!("rt_mt/{workload}/mt{workers}/native"));
            }
        }
    }
    for workload in SPAWN {
        ids.push(format!("spawn/{workload}"));
    }
    for variant in ["ct", "mt1", "ct/native", "mt1/native"] {
        ids.push(format!("request_reply/{variant}"));
    }
    for n in concurrency_levels(parallelism) {
        ids.push(format!("spawn_blocking/concurrency/{n}"));
    }
    for n in concurrency_levels(parallelism) {
        ids.push(format!("remote_spawn/threads/{n}"));
    }
    let [ct, mt] = default_flavors(parallelism);
    let mt8 = Flavor::MultiThread(TIME_MT_WORKERS);
    let time: [(&str, [Flavor; 2]); 5] = [
        ("block_on_ready", [ct, mt]),
        ("timeout_ready", [ct, mt8]),
        ("sleep_unpolled", [ct, mt8]),
        ("many_timers", [ct, mt8]),
        ("fire_many", [ct, mt]),
    ];
    for (workload, flavors) in time {
        for flavor in flavors {
            ids.push(format!("time/{workload}/{flavor}"));
        }
    }
    for flavor in default_flavors(parallelism) {
        for figure in ["bytes", "rss"] {
            ids.push(format!("memory/pending_tasks/{flavor}/{figure}"));
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_core_catalog() {
        let ids = expected_ids(2);
        assert_eq!(
            ids.first().map(String::as_str),
            Some("rt_ct/spawn_many_local")
        );
        assert!(ids.contains(&"rt_mt/ping_pong/mt4/native".to_string()));
        assert!(ids.contains(&"rt_mt/yield_many/mt2".to_string()));
        assert!(ids.contains(&"time/many_timers/mt8".to_string()));
        assert!(ids.contains(&"time/fire_many/mt2".to_string()));
        assert!(ids.contains(&"memory/pending_tasks/ct/bytes".to_string()));
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "ids are unique");
        // 3 + 7*2 + 2 + 4 + 4 + 2 + 2 + 10 + 4
        assert_eq!(ids.len(), 45);
    }

    #[test]
    fn four_cores_have_one_mt_flavour() {
        let ids = expected_ids(4);
        assert!(ids.contains(&"rt_mt/chained_spawn/mt4".to_string()));
        assert_eq!(ids.iter().filter(|id| id.starts_with("rt_mt/")).count(), 8);
    }
}
