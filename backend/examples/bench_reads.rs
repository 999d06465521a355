//! Shared reads: 50 people keep a cluster's services page open (each reloads it as soon as it
//! answered) for 10 s. Prints the AWS calls per second that makes (target: at most one set —
//! ListServices and DescribeServices — per 2 s, the reuse time) and the p99 latency against one
//! person alone (target: within 2x). ECS answers from scripted responses after `[aws_ms]` (default
//! 40 ms, an AWS read's usual time); the clients are real HTTP clients on the real router.
//! Run: `cargo run --release -p berth --features bench --example bench_reads [clients] [seconds] [aws_ms]`.

mod common;

use std::time::{Duration, Instant};

use berth::aws::instant::InstantEcs;

async fn load(http: &reqwest::Client, url: &str, cookie: &str, clients: usize, seconds: u64) -> Vec<f64> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let each = (0..clients).map(|_| async move {
        let mut took = Vec::new();
        while Instant::now() < until {
            let started = Instant::now();
            let answer = http.get(url).header("cookie", cookie).send().await.unwrap();
            assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap_or_default());
            answer.bytes().await.unwrap();
            took.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        took
    });
    futures::future::join_all(each).await.into_iter().flatten().collect()
}

#[tokio::main]
async fn main() {
    let clients: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let seconds: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let aws_ms: u64 = std::env::args().nth(3).and_then(|a| a.parse().ok()).unwrap_or(40);
    let ecs = InstantEcs::with_latency(Duration::from_millis(aws_ms));
    let dir = tempfile::tempdir().unwrap();
    let (base, cookie, http) = common::serve(ecs.environments.clone(), &dir, Duration::from_secs(2)).await;
    let url = format!("{base}/api/envs/prod/clusters/prod/services");

    // One person alone, with the reuse time passed between reads: every read asks AWS.
    let mut alone = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        http.get(&url).header("cookie", &cookie).send().await.unwrap().bytes().await.unwrap();
        alone.push(started.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(2100)).await;
    }
    let (_, alone_p99, _) = common::percentiles(alone);

    let calls = || ecs.list_services_calls() + ecs.describe_services_calls();
    let before = calls();
    let started = Instant::now();
    let took = load(&http, &url, &cookie, clients, seconds).await;
    let elapsed = started.elapsed().as_secs_f64();
    let per_second = (calls() - before) as f64 / elapsed;
    let (p50, p99, max) = common::percentiles(took.clone());
    println!(
        "shared reads: {clients} clients on a cluster's services page for {seconds} s, AWS answering in {aws_ms} ms:"
    );
    println!("  pages answered: {} ({:.0}/s)", took.len(), took.len() as f64 / elapsed);
    println!("  AWS calls per second: {per_second:.2} (one set is 2 calls: target at most 1.00, one set per 2 s)");
    println!(
        "  latency p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms; one client alone p99 {alone_p99:.1} ms (target: p99 within 2x)"
    );
    let mut missed = Vec::new();
    if per_second > 1.0 + 0.1 {
        missed.push("AWS calls per second");
    }
    if p99 > 2.0 * alone_p99 {
        missed.push("p99 latency");
    }
    if !missed.is_empty() {
        eprintln!("missed: {}", missed.join(", "));
        std::process::exit(1);
    }
}
