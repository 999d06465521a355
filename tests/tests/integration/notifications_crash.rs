//! kill -9 Berth between recording a deployment's notifications and sending them: after a restart
//! on the same database each is delivered, once.

use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::{Grant, Role};

use crate::helpers::{PASSWORD, Receiver, TestApp, berth_serve, json_with_status};

const SECRET: &str = "whsec-crash-test-0123456789";

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server process; with `hold`, it records notifications but sends none.
fn start(db: &std::path::Path, account: &str, hold: bool) -> Server {
    let (mut command, port) = berth_serve(db, account);
    command.env("BERTH_EXTERNAL_SWEEP_SECS", "0").env("BERTH_NOTIFY_RETRY_BASE_MS", "200").stderr(Stdio::null());
    if hold {
        command.env("BERTH_NOTIFY_HOLD", "true");
    }
    Server { child: command.spawn().unwrap(), base: format!("http://127.0.0.1:{port}") }
}

async fn login(app: &TestApp, server: &Server) -> crate::helpers::Session {
    for _ in 0..100 {
        if app.http.get(format!("{}/api/health", server.base)).send().await.is_ok_and(|r| r.status() == 200) {
            let anon = crate::helpers::Session { base: server.base.clone(), ..app.anonymous() };
            return anon.login("ops", PASSWORD).await.expect("ops logs in");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server never came up");
}

async fn pending(db: &std::path::Path) -> i64 {
    let store = berth::store::Store::open(db).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM notification_deliveries WHERE status = 'pending'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn notifications_recorded_before_a_kill_9_are_delivered_once_after_the_restart() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let receiver = Receiver::start("/hook", 0).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("berth.db");
    let store = berth::store::Store::open(&db).await.unwrap();
    berth::auth::users::add(store.pool(), "ops", PASSWORD, &Grant { environment: "*".into(), role: Role::Admin })
        .await
        .unwrap();
    drop(store);

    let mut held = start(&db, &app.account, true);
    let ops = login(&app, &held).await;
    let destination = json!({"name": "hook", "kind": "webhook", "url": receiver.url, "secret": SECRET,
                             "events": ["deployment.started", "deployment.succeeded"]});
    json_with_status(ops.post_json("/api/envs/local/notifications/destinations", &destination).await, 201).await;
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
                         "images": [{"container": "nginx-web", "image": format!("{uri}:v2")}]});
    let done: Value =
        json_with_status(ops.post_json("/api/envs/local/deployments?wait=true", &request).await, 200).await;
    let id = done["id"].as_i64().unwrap();
    // Recorded with the deployment's changes, not sent.
    assert_eq!(pending(&db).await, 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.received().is_empty());
    // kill -9, right there.
    held.child.kill().unwrap();
    held.child.wait().unwrap();

    let _server = start(&db, &app.account, false);
    let got = receiver.wait_for(2).await;
    // Time for a duplicate to show up, if one were sent.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got_after = receiver.received();
    assert_eq!(got_after.len(), 2, "each notification once: {got_after:?}");
    let mut keys: Vec<String> = got.iter().map(|r| r.json()["idempotencyKey"].as_str().unwrap().to_string()).collect();
    keys.sort();
    assert_eq!(keys, [format!("deployment-{id}-started"), format!("deployment-{id}-succeeded")]);
    assert!(got.iter().all(|r| r.signed_with(SECRET)));
    assert_eq!(pending(&db).await, 0);
}
