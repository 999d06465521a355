//! Several `berth serve` processes on one PostgreSQL behave as one Berth: a deploy started on one
//! is watched on another and holds the service's lock on all of them; killing (-9) the replica
//! that runs a deploy lets another finish it with one revision; killing the replica that polls a
//! service leaves the other replicas' viewers receiving snapshots; failed logins count on all.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use berth::store::testing::Scratch;
use serde_json::{Value, json};
use shared::auth::{Grant, Role};

use crate::helpers::{PASSWORD, Server, TestApp, json_with_status, start_server_with};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
const POLLER: &str = "poll local/itflex-nginx/nginx-web-access";

/// The demo's lab service (fitted) in a fresh account, and a new PostgreSQL database with `ops`
/// (a deployer) for the replicas.
async fn setup() -> (TestApp, Scratch, PathBuf, String) {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let repo = json_with_status(app.get("/api/envs/local/repositories/nginxweb").await, 200).await;
    let uri = repo["repository"]["repositoryUri"].as_str().unwrap().to_string();
    let database = Scratch::postgres().await;
    let db = PathBuf::from(database.location());
    let store = berth::store::Store::open(&db).await.unwrap();
    berth::auth::users::add(store.pool(), "ops", PASSWORD, &Grant { environment: "*".into(), role: Role::Deployer })
        .await
        .unwrap();
    (app, database, db, uri)
}

/// A replica whose deployment leases run out 3 s after it stops renewing them.
fn replica(db: &PathBuf, account: &str, pause: Option<&str>) -> (Server, Receiver<String>) {
    start_server_with(db, account, pause, &[("BERTH_DEPLOYMENT_LEASE_SECS", "3"), ("RUST_LOG", "info")])
}

/// Whether a replica's log (so far) says it leads `job`.
fn leads(lines: &Receiver<String>, seen: &mut Vec<String>, job: &str) -> bool {
    seen.extend(lines.try_iter());
    seen.iter().any(|l| l.contains("this replica leads") && l.contains(job))
}

/// The snapshots a viewer receives from a replica's watch stream, as they come.
fn watch(server: &Server, cookie: &str) -> tokio::sync::mpsc::UnboundedReceiver<Value> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let request = reqwest::Client::new().get(server.url(&format!("{SERVICE}/watch"))).header("cookie", cookie);
    tokio::spawn(async move {
        let Ok(mut resp) = request.send().await else { return };
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    if tx.send(serde_json::from_str(data.trim()).unwrap()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

async fn next_snapshot(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>, within: Duration) -> Option<Value> {
    tokio::time::timeout(within, rx.recv()).await.ok().flatten()
}

async fn deploy(http: &reqwest::Client, server: &Server, session: &(String, String), image: &str) -> reqwest::Response {
    http.post(server.url("/api/envs/local/deployments"))
        .header("cookie", &session.0)
        .header("x-csrf-token", &session.1)
        .json(&json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
                      "images": [{"container": "nginx-web", "image": image}]}))
        .send()
        .await
        .unwrap()
}

async fn revisions(app: &TestApp) -> usize {
    json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions").await, 200)
        .await
        .as_array()
        .unwrap()
        .len()
}

async fn record(http: &reqwest::Client, server: &Server, cookie: &str, id: i64) -> Value {
    let resp = http.get(server.url(&format!("/api/deployments/{id}"))).header("cookie", cookie).send().await.unwrap();
    json_with_status(resp, 200).await["deployment"].clone()
}

#[tokio::test]
async fn a_deploy_started_on_one_replica_is_watched_on_another_and_its_lock_holds_on_both() {
    let (app, _database, db, uri) = setup().await;
    let http = reqwest::Client::new();
    let (a, a_log) = replica(&db, &app.account, None);
    let (b, b_log) = replica(&db, &app.account, None);
    let (a_session, b_session) = (a.login(&http).await, b.login(&http).await);

    // B's viewer first: B polls the service; A, following its own deploy, receives B's snapshots.
    let mut viewer = watch(&b, &b_session.0);
    assert!(next_snapshot(&mut viewer, Duration::from_secs(10)).await.is_some(), "B's viewer gets a snapshot");
    let started = json_with_status(deploy(&http, &a, &a_session, &format!("{uri}:v2")).await, 202).await;
    let id = started["id"].as_i64().unwrap();

    let refused = json_with_status(deploy(&http, &b, &b_session, &format!("{uri}:v1")).await, 409).await;
    assert!(refused["message"].as_str().unwrap().contains(&format!("#{id}")), "B names A's deployment: {refused}");

    // B's viewer sees A's deployment through to its end.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut outcome = Value::Null;
    while Instant::now() < deadline && outcome != "SUCCEEDED" {
        let Some(snapshot) = next_snapshot(&mut viewer, Duration::from_secs(5)).await else { continue };
        if snapshot["deployment"]["id"] == id {
            outcome = snapshot["deployment"]["outcome"].clone();
        }
    }
    assert_eq!(outcome, "SUCCEEDED", "B's viewer saw A's deployment end");
    assert_eq!(record(&http, &b, &b_session.0, id).await["outcome"], "SUCCEEDED");

    // One poller across both: B's, since its viewer came first and stayed.
    let (mut a_seen, mut b_seen) = (Vec::new(), Vec::new());
    assert!(leads(&b_log, &mut b_seen, POLLER), "B polls the service");
    assert!(!leads(&a_log, &mut a_seen, POLLER), "A never polled it while B did: {a_seen:#?}");
}

#[tokio::test]
async fn a_deploy_whose_replica_is_killed_is_finished_by_another_with_one_revision() {
    let (app, _database, db, uri) = setup().await;
    let http = reqwest::Client::new();
    let before = revisions(&app).await;
    // A stops for good once the revision is registered, before the service update.
    let (mut a, a_log) = replica(&db, &app.account, Some("registered"));
    let (b, _b_log) = replica(&db, &app.account, None);
    let (a_session, b_session) = (a.login(&http).await, b.login(&http).await);
    let post = {
        let (http, url, session, image) =
            (http.clone(), a.url("/api/envs/local/deployments"), a_session.clone(), format!("{uri}:v2"));
        tokio::spawn(async move {
            let _ = http
                .post(url)
                .header("cookie", &session.0)
                .header("x-csrf-token", &session.1)
                .json(&json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
                              "images": [{"container": "nginx-web", "image": image}]}))
                .send()
                .await;
        })
    };
    let paused = tokio::task::spawn_blocking(move || a_log.iter().any(|l| l == "BERTH PAUSED AFTER STEP registered"));
    assert!(tokio::time::timeout(Duration::from_secs(30), paused).await.unwrap().unwrap(), "A paused");
    let history = json_with_status(
        http.get(b.url("/api/deployments?limit=1")).header("cookie", &b_session.0).send().await.unwrap(),
        200,
    )
    .await;
    let id = history["items"][0]["id"].as_i64().unwrap();
    assert_eq!(record(&http, &b, &b_session.0, id).await["step"], "registered");

    // kill -9 A: B takes the deployment over once A's lease runs out, and finishes it.
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    post.abort();
    let killed = Instant::now();
    let mut done = Value::Null;
    while killed.elapsed() < Duration::from_secs(60) {
        done = record(&http, &b, &b_session.0, id).await;
        if done["outcome"] != "IN_PROGRESS" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(done["outcome"], "SUCCEEDED", "B finished A's deployment: {done}");
    let ended = done["endedAt"].as_str().unwrap();
    assert!(killed.elapsed() < Duration::from_secs(45), "taken over and finished in {:?} ({ended})", killed.elapsed());
    assert_eq!(revisions(&app).await, before + 1, "exactly one revision registered");
    let service = json_with_status(app.get(SERVICE).await, 200).await;
    assert_eq!(service["taskDefinition"], done["toTaskDefinition"], "the service runs the deployment's revision");
}

#[tokio::test]
async fn viewers_on_another_replica_keep_receiving_when_the_pollers_replica_is_killed() {
    let (app, _database, db, _uri) = setup().await;
    let http = reqwest::Client::new();
    let (mut a, a_log) = replica(&db, &app.account, None);
    let (b, b_log) = replica(&db, &app.account, None);
    let (a_session, b_session) = (a.login(&http).await, b.login(&http).await);

    let mut on_a = watch(&a, &a_session.0);
    assert!(next_snapshot(&mut on_a, Duration::from_secs(10)).await.is_some());
    let mut on_b = watch(&b, &b_session.0);
    let first = next_snapshot(&mut on_b, Duration::from_secs(10)).await.expect("B's viewer gets A's snapshots");
    let (mut a_seen, mut b_seen) = (Vec::new(), Vec::new());
    assert!(leads(&a_log, &mut a_seen, POLLER) && !leads(&b_log, &mut b_seen, POLLER), "A polls, B does not");
    assert!(first["seq"].as_u64().unwrap() >= 1);

    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let killed_ms = time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000;
    // B takes the poll over: its viewer keeps receiving snapshots polled after the kill.
    let mut after_kill = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline && after_kill.len() < 3 {
        if let Some(s) = next_snapshot(&mut on_b, Duration::from_secs(5)).await {
            if s["polledAtMs"].as_i64().unwrap() > killed_ms {
                after_kill.push(s);
            }
        }
    }
    assert_eq!(after_kill.len(), 3, "B's viewer kept receiving after A died");
    assert!(after_kill.iter().all(|s| s["service"]["serviceName"] == "nginx-web-access" && s["error"].is_null()));
    let seqs: Vec<u64> = after_kill.iter().map(|s| s["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]) && seqs[0] > first["seq"].as_u64().unwrap(), "numbered on: {seqs:?}");
    assert!(leads(&b_log, &mut b_seen, POLLER), "B polls now");
    let gap = after_kill[0]["polledAtMs"].as_i64().unwrap() - killed_ms;
    assert!(gap < 5_000, "B polled {gap} ms after the kill");
}

#[tokio::test]
async fn failed_logins_count_on_every_replica() {
    let (app, _database, db, _) = setup().await;
    let ((a, _), (b, _)) = (replica(&db, &app.account, None), replica(&db, &app.account, None));
    let http = reqwest::Client::new();
    // Both up (a login waits for its server; a success counts no failure).
    let _ = (a.login(&http).await, b.login(&http).await);
    let attempt = |server: &Server| {
        http.post(server.url("/api/auth/login")).json(&json!({"name": "ops", "password": "not-the-password"})).send()
    };
    // Five failures of one name from one address are the limit: three on A, two on B.
    for server in [&a, &a, &a, &b, &b] {
        assert_eq!(attempt(server).await.unwrap().status(), 401);
    }
    for server in [&a, &b] {
        let refused = json_with_status(attempt(server).await.unwrap(), 429).await;
        assert_eq!(refused["code"], "rate_limited", "{refused}");
    }
}
