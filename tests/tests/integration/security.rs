//! Holes found by probing as an attacker would (issue 13): parallel logins past the rate limits,
//! and CPU work (argon2, huge task definitions) on the async workers.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::helpers::{PASSWORD, TestApp, json_with_status};

/// A server that takes the client's address from `X-Forwarded-For`, so a test can be many clients.
async fn behind_proxy() -> TestApp {
    TestApp::spawn_with(|s| s.auth.client_ip_header = Some("X-Forwarded-For".into())).await
}

/// Sends `count` logins at once; the statuses, in any order.
async fn parallel_logins(app: &TestApp, count: usize, attempt: impl Fn(usize) -> (String, String, String)) -> Vec<u16> {
    let mut set = JoinSet::new();
    for i in 0..count {
        let (address, name, password) = attempt(i);
        let request = app
            .anonymous()
            .request(Method::POST, "/api/auth/login")
            .header("x-forwarded-for", address)
            .json(&json!({"name": name, "password": password}));
        set.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    set.join_all().await
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test]
async fn parallel_wrong_logins_for_one_user_from_one_address_are_checked_at_most_five_times() {
    let app = behind_proxy().await;
    let statuses =
        parallel_logins(&app, 60, |_| ("203.0.113.7".into(), "admin".into(), "wrong-password!".into())).await;
    assert!(count(&statuses, 401) <= 5, "evaluated: {} of 60 ({statuses:?})", count(&statuses, 401));
    assert_eq!(count(&statuses, 401) + count(&statuses, 429), 60, "{statuses:?}");

    let elsewhere = app
        .anonymous()
        .request(Method::POST, "/api/auth/login")
        .header("x-forwarded-for", "198.51.100.9")
        .json(&json!({"name": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 200, "guessing from one address does not lock the admin out everywhere");
}

#[tokio::test]
async fn parallel_wrong_logins_from_one_address_are_checked_at_most_twenty_times() {
    let app = behind_proxy().await;
    let statuses =
        parallel_logins(&app, 60, |i| ("203.0.113.8".into(), format!("name{i}"), "wrong-password!".into())).await;
    assert!(count(&statuses, 401) <= 20, "evaluated: {} of 60", count(&statuses, 401));
}

#[tokio::test]
async fn guessing_one_name_from_many_addresses_meets_the_slower_limit_per_user() {
    let app = behind_proxy().await;
    // 4 per address stays under the per-address limits; 60 in all passes the 50 per hour.
    let statuses =
        parallel_logins(&app, 60, |i| (format!("192.0.2.{}", i / 4), "admin".into(), "wrong-password!".into())).await;
    assert_eq!(count(&statuses, 401), 50, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 10);
}

fn containers(n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({"name": format!("c{i}"), "image": "nginx:1.27", "memory": 16, "links": ["c0"]})).collect()
}

#[tokio::test]
async fn a_document_over_the_container_limit_is_refused_first_naming_the_field_and_the_limit() {
    let app = TestApp::spawn().await;
    let doc = json!({"family": "huge", "containerDefinitions": containers(10_000)});
    let started = Instant::now();
    let body = json_with_status(app.post_json("/api/task-definitions/validate", &doc).await, 200).await;
    let took = started.elapsed();
    assert_eq!(body["valid"], false);
    assert_eq!(
        body["errors"],
        json!([{"path": "containerDefinitions", "message": "A task definition has at most 10 containers (AWS's limit), not 10000."}])
    );
    let body = json_with_status(app.post_json("/api/envs/local/task-definitions", &doc).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "containerDefinitions");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

/// The longest `/api/health` took while `load` ran.
async fn health_while(app: &TestApp, load: JoinSet<u16>) -> Duration {
    let anon = app.anonymous();
    let mut slowest = Duration::ZERO;
    let mut load = load;
    while !load.is_empty() {
        let started = Instant::now();
        assert_eq!(anon.get("/api/health").await.status(), 200);
        slowest = slowest.max(started.elapsed());
        while load.try_join_next().is_some() {}
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    slowest
}

#[tokio::test]
async fn logins_and_large_validations_do_not_stall_other_requests() {
    let app = behind_proxy().await;
    let mut load = JoinSet::new();
    for i in 0..40 {
        let request = app
            .anonymous()
            .request(Method::POST, "/api/auth/login")
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .json(&json!({"name": "admin", "password": PASSWORD}));
        load.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    for _ in 0..2 {
        let request = app
            .admin
            .request(Method::POST, "/api/task-definitions/validate")
            .json(&json!({"family": "huge", "containerDefinitions": containers(10_000)}));
        load.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let slowest = health_while(&app, load).await;
    // Before: 3.6 s. The bound leaves room for a machine busy with other work.
    assert!(slowest < Duration::from_millis(1000), "/api/health took {slowest:?} under load");
}
