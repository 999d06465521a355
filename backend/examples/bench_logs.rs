//! Logs fan-out: 200 browsers follow one service's logs over SSE. Prints the FilterLogEvents calls
//! per poll interval (target: 1, however many viewers) and the p99 delay from a line being read to
//! it reaching each viewer (target: under 200 ms). ECS and CloudWatch Logs answer instantly from
//! scripted responses (each read returns one new line stamped with the moment it was read); the
//! viewers are real HTTP clients on the real router.
//! Run: `cargo run --release -p berth --features bench --example bench_logs [viewers] [seconds]`.

mod common;

use std::time::Duration;

use berth::aws::instant::InstantEcs;
use serde_json::Value;

#[tokio::main]
async fn main() {
    let viewers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let seconds: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let interval = Duration::from_millis(1000);
    let aws = InstantEcs::with_logs();
    let dir = tempfile::tempdir().unwrap();
    let (base, cookie, http) = common::serve(aws.environments.clone(), &dir, interval).await;
    let url = format!("{base}/api/envs/prod/clusters/prod/services/web/logs/follow");
    // (event ID, delay in ms) of each line each viewer receives.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, f64)>();
    for _ in 0..viewers {
        let tx = tx.clone();
        tokio::spawn(common::each_event(http.clone(), url.clone(), cookie.clone(), move |data| {
            let Ok(Value::Array(lines)) = serde_json::from_str::<Value>(data) else { return };
            let now = berth::deploy::records::now_ms() as f64;
            for line in lines {
                let read_at = line["timestamp"].as_f64().unwrap_or(now);
                let _ = tx.send((line["eventId"].as_str().unwrap_or_default().to_string(), now - read_at));
            }
        }));
    }
    drop(tx);
    // Let every viewer connect (each first gets the recent lines), then measure whole intervals.
    tokio::time::sleep(interval * 3).await;
    while rx.try_recv().is_ok() {}
    let calls_before = aws.filter_log_events_calls();
    let started = std::time::Instant::now();
    let mut delays = Vec::new();
    let mut lines = std::collections::BTreeMap::<String, usize>::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        if let Ok(Some((id, delay))) = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            delays.push(delay);
            *lines.entry(id).or_default() += 1;
        }
    }
    let calls = aws.filter_log_events_calls() - calls_before;
    let intervals = started.elapsed().as_secs_f64() / interval.as_secs_f64();
    let complete = lines.values().filter(|n| **n == viewers).count();
    let twice = lines.values().filter(|n| **n > viewers).count();
    if delays.is_empty() {
        println!("logs fan-out: no line reached a viewer");
        std::process::exit(1);
    }
    let (p50, p99, max) = common::percentiles(delays.clone());
    println!(
        "logs fan-out: {viewers} SSE viewers following one service's logs, poll interval {} ms, {seconds} s measured:",
        interval.as_millis()
    );
    println!("  FilterLogEvents calls per poll interval: {:.2} (target 1)", calls as f64 / intervals);
    println!(
        "  lines delivered to all {viewers} viewers: {complete} of {}; delivered more than once to a viewer: {twice}",
        lines.len()
    );
    println!("  delay from read to delivery: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms (target p99 < 200 ms)");
    if calls as f64 / intervals > 1.2 || p99 >= 200.0 || twice > 0 {
        println!("  OVER TARGET");
        std::process::exit(1);
    }
}
