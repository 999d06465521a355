//! History: 1,000,000 deployments in SQLite (or, with `postgres`, in a database of its own on the
//! project's test PostgreSQL, `scripts/postgres`), then the p99 of filtered page queries (the API's
//! query: filters + keyset cursor, 50 per page). Target: 10 ms or less.
//! Run: `cargo run --release -p berth --example bench_history [rows] [postgres]`.

mod common;

use std::time::Instant;

use berth::deploy::history;
use berth::store::testing::Scratch;
use shared::deploy::HistoryQuery;

#[tokio::main]
async fn main() {
    let rows: i64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let on_postgres = std::env::args().nth(2).as_deref() == Some("postgres");
    let database = if on_postgres { Scratch::postgres().await } else { Scratch::sqlite() };
    let store = berth::store::Store::open(database.location()).await.expect("the store opens");
    println!("history on {:?}", store.backend());
    let pool = store.pool();
    let started = Instant::now();
    let (envs, outcomes, actors) =
        (["prod", "staging"], ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "SUPERSEDED"], 40);
    let mut tx = pool.begin().await.unwrap();
    let day0: i64 = 1_700_000_000_000;
    for i in 0..rows {
        let started_at = day0 + i * 30_000; // one every 30 s: a year of a busy team's deploys, x30
        sqlx::query(
            "INSERT INTO deployments (environment, cluster, service, kind, actor, via, request, step, outcome, \
             from_task_definition, to_task_definition, images, ecs_deployment_id, started_at, ended_at) \
             VALUES ($1, $2, $3, 'deploy', $4, 'session', '{}', 'ended', $5, $6, $7, '[]', $8, $9, $10)",
        )
        .bind(envs[(i % 2) as usize])
        .bind(format!("cluster-{}", i % 10))
        .bind(format!("service-{}", i % 200))
        .bind(format!("user-{}", i % actors))
        .bind(outcomes[(i % 5) as usize])
        .bind(format!("web:{i}"))
        .bind(format!("web:{}", i + 1))
        .bind(format!("ecs-svc/{i}"))
        .bind(started_at)
        .bind(started_at + 60_000 + i % 90_000)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    println!("history: {rows} deployments written in {:.1} s", started.elapsed().as_secs_f64());
    let visible = vec!["prod".to_string(), "staging".to_string()];
    let mut cases: Vec<(&str, Vec<f64>)> = Vec::new();
    for (name, make) in [
        ("newest page, no filter", (|_: i64| HistoryQuery::default()) as fn(i64) -> HistoryQuery),
        ("one service", |i| HistoryQuery {
            environment: Some(["prod", "staging"][(i % 2) as usize].into()),
            cluster: Some(format!("cluster-{}", i % 10)),
            service: Some(format!("service-{}", (i * 7) % 200)),
            ..Default::default()
        }),
        ("one person", |i| HistoryQuery { actor: Some(format!("user-{}", i % 40)), ..Default::default() }),
        ("failed, in a month", |i| HistoryQuery {
            outcome: Some("FAILED".into()),
            from: Some(format!("2024-{:02}-01", 1 + i % 9)),
            to: Some(format!("2024-{:02}-28", 1 + i % 9)),
            ..Default::default()
        }),
    ] {
        let mut times = Vec::new();
        for i in 0..300 {
            let mut query = make(i);
            // Every third query is a deeper page: follow the cursor 5 pages down.
            let depth = if i % 3 == 0 { 5 } else { 1 };
            for _ in 0..depth {
                let t = Instant::now();
                let page = history::page(pool, &query, &visible).await.unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                match page.next {
                    Some(next) => query.after = Some(next),
                    None => break,
                }
            }
        }
        cases.push((name, times));
    }
    let mut all = Vec::new();
    for (name, times) in cases {
        let (p50, p99, max) = common::percentiles(times.clone());
        println!("  {name:<24} {:>5} queries: p50 {p50:.2} ms, p99 {p99:.2} ms, max {max:.2} ms", times.len());
        all.extend(times);
    }
    let (_, p99, _) = common::percentiles(all);
    println!("  all filtered page queries: p99 {p99:.2} ms (target <= 10 ms)");
    if p99 > 10.0 {
        println!("  OVER TARGET");
        std::process::exit(1);
    }
}
