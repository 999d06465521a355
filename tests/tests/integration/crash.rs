//! kill -9 the server at each step of a deploy, start it again on the same database, and find the
//! deployment finished with the right outcome and exactly one revision registered for it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::{Grant, Role};

use crate::helpers::{PASSWORD, TestApp, berth_serve, json_with_status};

struct Server {
    child: Child,
    port: u16,
}

/// Starts the server process; with `pause`, a deployment stops after that step.
fn start(db: &std::path::Path, account: &str, pause: Option<&str>) -> (Server, std::sync::mpsc::Receiver<String>) {
    let (mut command, port) = berth_serve(db, account);
    command.stderr(Stdio::piped());
    if let Some(step) = pause {
        command.env("BERTH_PAUSE_AFTER_STEP", step);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (Server { child, port }, rx)
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn login(&self, http: &reqwest::Client) -> (String, String) {
        for _ in 0..100 {
            let resp =
                http.post(self.url("/api/auth/login")).json(&json!({"name": "ops", "password": PASSWORD})).send().await;
            if let Some(resp) = resp.filter_ok() {
                let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
                let me: Value = resp.json().await.unwrap();
                return (cookie, me["csrfToken"].as_str().unwrap().to_string());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server never came up");
    }
}

trait FilterOk: Sized {
    fn filter_ok(self) -> Option<reqwest::Response>;
}

impl FilterOk for Result<reqwest::Response, reqwest::Error> {
    fn filter_ok(self) -> Option<reqwest::Response> {
        self.ok().filter(|r| r.status() == 200)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn revisions(app: &TestApp) -> usize {
    let list = json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions").await, 200).await;
    list.as_array().unwrap().len()
}

#[tokio::test]
async fn a_deploy_killed_at_any_step_is_finished_after_a_restart_without_a_duplicate_revision() {
    // The in-process app loads the demo data into a fresh account; the server processes share it.
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    app.fit_lab_service().await;
    let repo = json_with_status(app.get("/api/envs/local/repositories/nginxweb").await, 200).await;
    let uri = repo["repository"]["repositoryUri"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("berth.db");
    let store = berth::store::Store::open(&db).await.unwrap();
    berth::auth::users::add(store.pool(), "ops", PASSWORD, &Grant { environment: "*".into(), role: Role::Deployer })
        .await
        .unwrap();
    drop(store);

    let steps = ["recorded", "registering", "registered", "updating", "updated"];
    for (n, step) in steps.into_iter().enumerate() {
        let before = revisions(&app).await;
        let image = format!("{uri}:{}", if n % 2 == 0 { "v1" } else { "v2" });
        let (mut server, lines) = start(&db, &app.account, Some(step));
        let (cookie, csrf) = server.login(&http).await;
        let key = format!("crash-{step}");
        let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
                             "images": [{"container": "nginx-web", "image": image}]});
        let post = {
            let http = http.clone();
            let (url, cookie, csrf, key, request) =
                (server.url("/api/envs/local/deployments"), cookie.clone(), csrf.clone(), key.clone(), request.clone());
            tokio::spawn(async move {
                let _ = http
                    .post(url)
                    .header("cookie", cookie)
                    .header("x-csrf-token", csrf)
                    .header("idempotency-key", key)
                    .json(&request)
                    .send()
                    .await;
            })
        };
        let marker = format!("BERTH PAUSED AFTER STEP {step}");
        let paused = tokio::task::spawn_blocking(move || lines.iter().any(|l| l == marker));
        assert!(tokio::time::timeout(Duration::from_secs(30), paused).await.unwrap().unwrap(), "paused at {step}");
        // kill -9, right there.
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        post.abort();

        let (server, _lines) = start(&db, &app.account, None);
        let (cookie, csrf) = server.login(&http).await;
        // The client retries with its key: the same deployment, nothing new started.
        let retried = http
            .post(server.url("/api/envs/local/deployments"))
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .header("idempotency-key", &key)
            .json(&request)
            .send()
            .await
            .unwrap();
        let retried = json_with_status(retried, 200).await;
        let id = retried["id"].as_i64().unwrap();
        let mut done = Value::Null;
        for _ in 0..150 {
            let resp =
                http.get(server.url(&format!("/api/deployments/{id}"))).header("cookie", &cookie).send().await.unwrap();
            done = json_with_status(resp, 200).await;
            if done["deployment"]["outcome"] != "IN_PROGRESS" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let record = &done["deployment"];
        assert_eq!(record["outcome"], "SUCCEEDED", "after a kill at {step}: {done}");
        assert_eq!(revisions(&app).await, before + 1, "after a kill at {step}: exactly one revision registered");
        let service =
            json_with_status(app.get("/api/envs/local/clusters/itflex-nginx/services/nginx-web-access").await, 200)
                .await;
        assert_eq!(service["taskDefinition"], record["toTaskDefinition"], "after a kill at {step}");
        let td = json_with_status(
            app.get(&format!(
                "/api/envs/local/task-definitions/nginx-web/revisions/{}",
                record["toTaskDefinition"].as_str().unwrap().rsplit(':').next().unwrap()
            ))
            .await,
            200,
        )
        .await;
        assert_eq!(record["images"][0]["image"], image.as_str(), "the record keeps the image asked for");
        let pinned = crate::helpers::pinned_image(record);
        assert_eq!(td["spec"]["containerDefinitions"][0]["image"], pinned.as_str(), "registered by its digest");
    }
}
