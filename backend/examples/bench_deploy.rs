//! Deploy overhead: Berth's own time per deploy, AWS excluded (ECS answers instantly from scripted
//! responses). Times `Deployer::deploy` — validation, the record and its updates in SQLite,
//! building and converting the new revision, the SDK calls' serialization — and, separately, the
//! time from the UpdateService answer to the deployment recorded as ended (minus the poll wait).
//! Target: 20 ms or less. Run: `cargo run --release -p berth --features bench --example bench_deploy`.

mod common;

use std::time::{Duration, Instant};

use berth::auth::{Principal, Via};
use berth::aws::instant::InstantEcs;
use berth::deploy::Deployer;
use shared::auth::{Grant, Role};
use shared::deploy::{DeployRequest, ImageChange};

#[tokio::main]
async fn main() {
    let runs: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let ecs = InstantEcs::new();
    let dir = tempfile::tempdir().unwrap();
    let deployer = Deployer::new(
        ecs.environments.clone(),
        common::store(&dir).await,
        common::settings(Duration::from_millis(5)),
        berth::replicas::Replicas::single(),
    );
    let principal = Principal {
        name: "bench".into(),
        grants: vec![Grant { environment: "*".into(), role: Role::Deployer }],
        via: Via::Cli,
        services: None,
    };
    let mut request_ms = Vec::new();
    for i in 0..runs {
        let request = DeployRequest {
            cluster: "prod".into(),
            service: "web".into(),
            images: vec![ImageChange { container: "web".into(), image: format!("nginx:1.{i}") }],
            note: Some("bench".into()),
            freeze_override: None,
        };
        let started = Instant::now();
        let record = deployer
            .deploy(&berth::deploy::Actor::of(&principal), "prod", &request, Some(&format!("bench-{i}")))
            .await
            .expect("deploys");
        request_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        deployer.wait(record.record.id).await.expect("ends");
    }
    let (p50, p99, max) = common::percentiles(request_ms);
    println!("deploy overhead, {runs} deploys (ECS answering instantly):");
    println!(
        "  per deploy, request to service updated: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms (target <= 20 ms)"
    );
    if p99 > 20.0 {
        println!("  OVER TARGET");
        std::process::exit(1);
    }
}
