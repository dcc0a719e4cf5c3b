//! Peak memory of a phase of a lesson (lesson 0).
//!
//! Method: the process's peak resident set (`VmHWM`) cannot be reset, so a
//! sampler thread reads the *current* resident set (`VmRSS` in
//! `/proc/self/status`) every millisecond while the phase runs and keeps
//! the maximum; the phase's figure is that maximum minus the value sampled
//! when the phase started. A counting allocator would miss what matters
//! here: an OS thread's stack is mapped by the C library, not allocated
//! through Rust's allocator. On systems without `/proc` the figure is
//! `None`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// The resident set size of this process in kB, from `/proc/self/status`.
pub fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Samples the resident set until stopped; see the [module docs](self).
#[derive(Debug)]
pub struct PeakRss {
    baseline: u64,
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    sampler: Option<JoinHandle<()>>,
}

impl PeakRss {
    /// Records the baseline and starts sampling.
    pub fn start() -> PeakRss {
        let baseline = rss_kb().unwrap_or(0);
        let peak = Arc::new(AtomicU64::new(baseline));
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = rss_kb().is_some().then(|| {
            let (peak, stop) = (peak.clone(), stop.clone());
            std::thread::Builder::new()
                .name("rss-sampler".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        if let Some(kb) = rss_kb() {
                            peak.fetch_max(kb, Ordering::Relaxed);
                        }
                        std::thread::sleep(Duration::from_millis(1));
                    }
                })
                .expect("could not start the memory sampler thread")
        });
        PeakRss {
            baseline,
            peak,
            stop,
            sampler,
        }
    }

    /// Samples once more, stops, and returns the peak growth in kB (`None`
    /// without `/proc`).
    pub fn stop(mut self) -> Option<u64> {
        let sampler = self.sampler.take()?;
        if let Some(kb) = rss_kb() {
            self.peak.fetch_max(kb, Ordering::Relaxed);
        }
        self.stop.store(true, Ordering::Relaxed);
        let _ = sampler.join();
        Some(
            self.peak
                .load(Ordering::Relaxed)
                .saturating_sub(self.baseline),
        )
    }
}

impl Drop for PeakRss {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
