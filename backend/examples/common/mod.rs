//! What the benchmarks share: an environment whose ECS answers at once (`berth::aws::instant`, built
//! with the `bench` feature), so the figures are Berth's own time, and a store in a temp directory.

#![allow(dead_code)]

use std::time::Duration;

use berth::config::DeploySettings;
use berth::store::Store;

pub fn settings(poll_interval: Duration) -> DeploySettings {
    DeploySettings {
        poll_interval,
        max_backoff: Duration::from_secs(30),
        timeout: Duration::from_secs(600),
        external_sweep: None,
        ..DeploySettings::default()
    }
}

pub async fn store(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("berth.db")).await.expect("the store opens")
}

/// p50 / p99 / max of durations in milliseconds.
pub fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 * p).ceil() as usize).saturating_sub(1).min(ms.len() - 1)];
    (at(0.50), at(0.99), ms[ms.len() - 1])
}
