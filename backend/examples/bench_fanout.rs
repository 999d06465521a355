//! Fan-out: 500 browsers watch one service over SSE. Prints the DescribeServices calls per poll
//! interval (target: 1, however many viewers) and the p99 delay from the poll to the event reaching
//! each viewer (target: under 100 ms). ECS answers instantly from scripted responses; the viewers
//! are real HTTP clients on the real router.
//! Run: `cargo run --release -p berth --features bench --example bench_fanout [viewers] [seconds]`.

mod common;

use std::time::Duration;

use berth::aws::instant::InstantEcs;
use serde_json::Value;

#[tokio::main]
async fn main() {
    let viewers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(500);
    let seconds: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let interval = Duration::from_millis(1000);
    let ecs = InstantEcs::new();
    let dir = tempfile::tempdir().unwrap();
    let (base, cookie, http) = common::serve(ecs.environments.clone(), &dir, interval).await;
    let url = format!("{base}/api/envs/prod/clusters/prod/services/web/watch");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, f64)>();
    for _ in 0..viewers {
        let tx = tx.clone();
        tokio::spawn(common::each_event(http.clone(), url.clone(), cookie.clone(), move |data| {
            let Ok(snapshot) = serde_json::from_str::<Value>(data) else { return };
            let now = berth::deploy::records::now_ms() as f64;
            let _ =
                tx.send((snapshot["seq"].as_u64().unwrap_or(0), now - snapshot["polledAtMs"].as_f64().unwrap_or(now)));
        }));
    }
    drop(tx);
    // Let every viewer connect, then measure whole intervals.
    tokio::time::sleep(interval * 2).await;
    while rx.try_recv().is_ok() {}
    let calls_before = ecs.describe_services_calls();
    let started = std::time::Instant::now();
    let mut delays = Vec::new();
    let mut seqs = std::collections::BTreeMap::<u64, usize>::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        if let Ok(Some((seq, delay))) = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            delays.push(delay);
            *seqs.entry(seq).or_default() += 1;
        }
    }
    let calls = ecs.describe_services_calls() - calls_before;
    let intervals = started.elapsed().as_secs_f64() / interval.as_secs_f64();
    let complete = seqs.values().filter(|n| **n == viewers).count();
    let (p50, p99, max) = common::percentiles(delays.clone());
    println!(
        "fan-out: {viewers} SSE viewers of one service, poll interval {} ms, {seconds} s measured:",
        interval.as_millis()
    );
    println!("  DescribeServices calls per poll interval: {:.2} (target 1)", calls as f64 / intervals);
    println!(
        "  polls delivered to all {viewers} viewers: {complete} of {}; events received: {}",
        seqs.len(),
        delays.len()
    );
    println!("  delay from poll to delivery: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms (target p99 < 100 ms)");
    if calls as f64 / intervals > 1.2 || p99 >= 100.0 {
        println!("  OVER TARGET");
        std::process::exit(1);
    }
}
