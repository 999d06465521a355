//! Replicas: 3 Berth replicas on one PostgreSQL (the project's test server, `scripts/postgres`),
//! 1,500 browsers watching one service over SSE, spread evenly over them. Prints the
//! DescribeServices calls per poll interval across all replicas (target 1.0: one poller, elected by
//! an advisory lock; the others hear its snapshots through LISTEN/NOTIFY) and the p99 delay from
//! the poll to an event reaching each viewer, whichever replica it is on (target under 150 ms).
//! Then the poller's replica is killed (its runtime dropped at once: its connections close, as
//! with kill -9) and prints the seconds until another replica polls (target under 2 intervals).
//! Each replica is a whole Berth (store pool, replica channel, deployer, router on its own port)
//! on a runtime of its own, with its own ECS that answers at once from scripted responses.
//! Run: `cargo run --release -p berth --features bench --example bench_replicas [viewers] [seconds]`.

mod common;

use std::time::{Duration, Instant};

use berth::aws::instant::InstantEcs;
use berth::store::testing::Scratch;
use serde_json::Value;

struct Replica {
    runtime: tokio::runtime::Runtime,
    ecs: InstantEcs,
    base: String,
}

async fn start(database: &str, interval: Duration) -> (Replica, String, reqwest::Client) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let ecs = InstantEcs::new();
    let (environments, database) = (ecs.environments.clone(), database.to_string());
    let serving = runtime.spawn(async move { common::serve_on(environments, &database, interval).await });
    let (base, cookie, http) = serving.await.expect("the replica starts");
    (Replica { runtime, ecs, base }, cookie, http)
}

fn calls(replicas: &[Replica]) -> usize {
    replicas.iter().map(|r| r.ecs.describe_services_calls()).sum()
}

#[tokio::main]
async fn main() {
    let viewers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1500);
    let seconds: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let interval = Duration::from_millis(1000);
    let database = Scratch::postgres().await;
    let mut replicas = Vec::new();
    let (mut cookie, mut http) = (String::new(), reqwest::Client::new());
    for _ in 0..3 {
        let (replica, c, h) = start(database.location(), interval).await;
        replicas.push(replica);
        (cookie, http) = (c, h);
    }
    // (replica, seq, delay in ms) of each event a viewer receives.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, u64, f64)>();
    for viewer in 0..viewers {
        let on = viewer % replicas.len();
        let url = format!("{}/api/envs/prod/clusters/prod/services/web/watch", replicas[on].base);
        let tx = tx.clone();
        tokio::spawn(common::each_event(http.clone(), url, cookie.clone(), move |data| {
            let Ok(snapshot) = serde_json::from_str::<Value>(data) else { return };
            let now = berth::deploy::records::now_ms() as f64;
            let delay = now - snapshot["polledAtMs"].as_f64().unwrap_or(now);
            let _ = tx.send((on, snapshot["seq"].as_u64().unwrap_or(0), delay));
        }));
    }
    drop(tx);
    // Let every viewer connect and the election settle, then measure whole intervals.
    tokio::time::sleep(interval * 3).await;
    while rx.try_recv().is_ok() {}
    let before: Vec<usize> = replicas.iter().map(|r| r.ecs.describe_services_calls()).collect();
    let started = Instant::now();
    let mut delays = Vec::new();
    let mut seqs = std::collections::BTreeMap::<u64, usize>::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        if let Ok(Some((_, seq, delay))) = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            delays.push(delay);
            *seqs.entry(seq).or_default() += 1;
        }
    }
    let intervals = started.elapsed().as_secs_f64() / interval.as_secs_f64();
    let polled: Vec<usize> = replicas.iter().zip(&before).map(|(r, b)| r.ecs.describe_services_calls() - b).collect();
    let per_interval = polled.iter().sum::<usize>() as f64 / intervals;
    let complete = seqs.values().filter(|n| **n == viewers).count();
    let (p50, p99, max) = common::percentiles(delays.clone());
    println!(
        "replicas: 3 on one PostgreSQL, {viewers} SSE viewers of one service spread over them, poll interval {} ms, {seconds} s measured:",
        interval.as_millis()
    );
    println!(
        "  DescribeServices calls per poll interval, all replicas: {per_interval:.2} (target 1.0); by replica: {polled:?}"
    );
    println!(
        "  polls delivered to all {viewers} viewers: {complete} of {}; events received: {}",
        seqs.len(),
        delays.len()
    );
    println!("  delay from poll to delivery: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms (target p99 < 150 ms)");

    // Kill the poller's replica: its runtime goes at once, its connections with it.
    let poller = polled.iter().enumerate().max_by_key(|(_, n)| **n).map(|(i, _)| i).unwrap();
    let killed = replicas.remove(poller);
    let calls_then = calls(&replicas);
    let killed_at = Instant::now();
    killed.runtime.shutdown_background();
    let mut takeover = None;
    while killed_at.elapsed() < interval * 10 {
        if calls(&replicas) > calls_then {
            takeover = Some(killed_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The survivors' viewers go on receiving.
    while rx.try_recv().is_ok() {}
    tokio::time::sleep(interval * 2).await;
    let mut after = 0;
    while let Ok((on, _, _)) = rx.try_recv() {
        after += usize::from(on != poller);
    }
    let takeover_s = takeover.map_or(f64::INFINITY, |t| t.as_secs_f64());
    println!(
        "  the poller's replica killed: another replica polled after {takeover_s:.2} s (target under {:.0} s, 2 intervals); \
         the survivors' viewers received {after} events in the 2 s after",
        (interval * 2).as_secs_f64()
    );
    for replica in replicas {
        replica.runtime.shutdown_background();
    }
    if per_interval > 1.2 || p99 >= 150.0 || takeover_s >= (interval * 2).as_secs_f64() || after == 0 {
        println!("  OVER TARGET");
        std::process::exit(1);
    }
}
