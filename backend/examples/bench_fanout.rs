//! Fan-out: 500 browsers watch one service over SSE. Prints the DescribeServices calls per poll
//! interval (target: 1, however many viewers) and the p99 delay from the poll to the event reaching
//! each viewer (target: under 100 ms). ECS answers instantly from scripted responses; the viewers
//! are real HTTP clients on the real router.
//! Run: `cargo run --release -p berth --features bench --example bench_fanout [viewers] [seconds]`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use berth::auth::rate_limit::LoginLimiter;
use berth::aws::instant::InstantEcs;
use berth::config::{AuthSettings, Settings};
use berth::deploy::Deployer;
use berth::state::AppState;
use serde_json::{Value, json};
use shared::auth::{Grant, Role};

#[tokio::main]
async fn main() {
    let viewers: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(500);
    let seconds: u64 = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(10);
    let interval = Duration::from_millis(1000);
    let ecs = InstantEcs::new();
    let environments = ecs.environments.clone();
    let dir = tempfile::tempdir().unwrap();
    let store = common::store(&dir).await;
    berth::auth::users::add(
        store.pool(),
        "bench",
        "bench-password-1",
        &Grant { environment: "*".into(), role: Role::Viewer },
    )
    .await
    .unwrap();
    let deploy = common::settings(interval);
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database: dir.path().join("berth.db"),
        static_dir: dir.path().join("dist"),
        environments: Vec::new(),
        demo_data: false,
        demo_admin: false,
        aws_max_attempts: 1,
        aws_timeout: Duration::from_secs(5),
        auth: AuthSettings::default(),
        deploy: deploy.clone(),
        notify: Default::default(),
    };
    let state = AppState {
        environments: environments.clone(),
        store: store.clone(),
        auth: Arc::new(AuthSettings::default()),
        login_limiter: Arc::new(LoginLimiter::default()),
        creations: Default::default(),
        deployer: Deployer::new(environments.clone(), store.clone(), deploy.clone()),
        logs: berth::logs::tail::LogHub::new(environments, store, deploy),
    };
    let app = berth::startup::router(state, &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });

    let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let login = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"name": "bench", "password": "bench-password-1"}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let url = format!("{base}/api/envs/prod/clusters/prod/services/web/watch");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u64, f64)>();
    for _ in 0..viewers {
        let (http, url, cookie, tx) = (http.clone(), url.clone(), cookie.clone(), tx.clone());
        tokio::spawn(async move {
            let mut resp = http.get(&url).header("cookie", cookie).send().await.expect("the stream opens");
            let mut buffer = String::new();
            while let Ok(Some(chunk)) = resp.chunk().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let event: String = buffer.drain(..end + 2).collect();
                    let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else { continue };
                    let Ok(snapshot) = serde_json::from_str::<Value>(data) else { continue };
                    let now = berth::deploy::records::now_ms() as f64;
                    let _ = tx.send((
                        snapshot["seq"].as_u64().unwrap_or(0),
                        now - snapshot["polledAtMs"].as_f64().unwrap_or(now),
                    ));
                }
            }
        });
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
