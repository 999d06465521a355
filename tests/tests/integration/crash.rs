//! kill -9 the server at each step of a deploy, start it again on the same database, and find the
//! deployment finished with the right outcome and exactly one revision registered for it.

use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::{Grant, Role};

use crate::helpers::{PASSWORD, TestApp, json_with_status, start_server as start};

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
    let database = crate::helpers::scratch_database().await;
    let db = std::path::PathBuf::from(database.location());
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
