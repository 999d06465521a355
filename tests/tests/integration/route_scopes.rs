//! Every state-changing route of the OpenAPI document, walked: a viewer and a deployer token
//! limited to another service are refused (403) before anything is asked of AWS. A route added
//! later is walked too; one whose body this table does not know fails the test until it does.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

/// POST routes that change nothing (they check, convert or preview): anyone who can read may call them.
const READ_ONLY: [&str; 6] = [
    "/api/auth/login",
    "/api/auth/logout",
    "/api/task-definitions/validate",
    "/api/task-definitions/import",
    "/api/envs/{env}/deployments/preview",
    "/api/envs/{env}/promotions/preview",
];

/// A body the route's extractor accepts, naming a service the token may not change.
fn body_of(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("post", "/api/envs/{env}/deployments") => json!({"cluster": "itflex-nginx", "service": "other",
            "images": [{"container": "web", "image": "nginx:1.27"}]}),
        ("post", "/api/envs/{env}/clusters") => json!({"clusterName": "walked"}),
        ("post", "/api/envs/{env}/repositories") => json!({"repositoryName": "walked"}),
        ("post", "/api/envs/{env}/network/key-pairs") => json!({"keyName": "walked"}),
        ("post", "/api/envs/{env}/repositories/{name}/local-push") => json!({"tags": ["walked"]}),
        ("post", "/api/envs/{env}/notifications/destinations") => json!({"name": "walked", "kind": "webhook",
            "url": "https://example.com/hook", "secret": "walked-secret-0123456789", "events": ["deployment.failed"]}),
        ("post", "/api/envs/{env}/services") => json!({"cluster": "itflex-nginx", "serviceName": "other",
            "taskDefinition": "web:1", "desiredCount": 1}),
        ("post", "/api/envs/{env}/services/update") => {
            json!({"cluster": "itflex-nginx", "service": "other", "desiredCount": 1})
        }
        ("post", "/api/envs/{env}/task-definitions") => json!({"family": "web",
            "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}]}),
        ("post", p) if p.ends_with("/rollback") || p.ends_with("/redeploy") || p.ends_with("/stop-rollout") => {
            json!({})
        }
        ("post", p) if p.ends_with("/rollout/stop") => json!({"stopType": "ROLLBACK"}),
        ("post", p) if p.ends_with("/rollout/answer") => json!({"action": "CONTINUE"}),
        ("put", p) if p.ends_with("/desired-count") => json!({"desiredCount": 1}),
        ("put", "/api/envs/{env}/guardrails") => json!({"failedImageGuard": false}),
        ("post", "/api/deployments/{id}/acknowledge") => json!({"reason": "walked"}),
        ("post", p) if p.ends_with("/approve") || p.ends_with("/reject") => json!({"reason": "walked"}),
        ("post", "/api/envs/{env}/promotions") => {
            json!({"from": "prod", "cluster": "itflex-nginx", "service": "other"})
        }
        ("put", "/api/live/links") => json!([]),
        ("post", "/api/tokens") => {
            json!({"name": "walked", "role": "viewer", "environments": ["local"], "expiresAt": "2099-01-01T00:00:00Z"})
        }
        ("post", "/api/users") => {
            json!({"name": "walked", "password": "a-long-password", "grants": [{"environment": "*", "role": "admin"}]})
        }
        ("put", "/api/users/{name}/grants") => json!([{"environment": "*", "role": "admin"}]),
        _ => return None,
    })
}

fn concrete(path: &str, deployment: i64) -> String {
    path.replace("{env}", "local")
        .replace("{cluster}", "itflex-nginx")
        .replace("{service}", "other")
        .replace("{name}", "walked")
        .replace("{family}", "web")
        .replace("{revision}", "1")
        .replace("{id}", &deployment.to_string())
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_viewer_and_a_token_scoped_to_another_service() {
    let app = TestApp::spawn().await;
    // A deployment of the other service, for the routes that take one by id.
    let (deployment,): (i64,) = sqlx::query_as(
        "INSERT INTO deployments (environment, cluster, service, kind, actor, via, request, step, outcome, \
         to_task_definition, started_at, ended_at) VALUES ('local', 'itflex-nginx', 'other', 'deploy', 'admin', \
         'session', '{}', 'ended', 'SUCCEEDED', 'web:1', 1, 2) RETURNING id",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    // An approval request of the other service, by the same id, for the routes that decide one.
    sqlx::query(
        "INSERT INTO approval_requests (id, environment, cluster, service, kind, summary, operation, expected, \
         changes, requested_by, requested_via, requested_at, expires_at, status) VALUES ($1, 'local', 'itflex-nginx', \
         'other', 'deploy', 'walked', $2, '{}', '[]', 'someone', 'session', 1, 9999999999999, 'PENDING')",
    )
    .bind(deployment)
    .bind(
        json!({"operation": "deploy", "request": {"cluster": "itflex-nginx", "service": "other", "images": []}})
            .to_string(),
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let viewer = app.user("vera", "local", shared::auth::Role::Viewer).await;
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let spec = json!({"name": "ci", "role": "deployer", "environments": ["local"],
        "services": ["itflex-nginx/nginx-web-access"], "expiresAt": expires});
    let secret =
        json_with_status(app.post_json("/api/tokens", &spec).await, 201).await["secret"].as_str().unwrap().to_string();
    let token = app.anonymous().with_bearer(&secret);

    let doc = json_with_status(app.get("/api/openapi.json").await, 200).await;
    let mut walked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if !["post", "put", "patch", "delete"].contains(&method.as_str()) || READ_ONLY.contains(&path.as_str()) {
                continue;
            }
            let body = if operation.get("requestBody").is_some() {
                Some(body_of(method, path).unwrap_or_else(|| panic!("add a body for {method} {path} to this walk")))
            } else {
                None
            };
            let url = concrete(path, deployment);
            for (who, caller) in [("a viewer", &viewer), ("a token scoped to another service", &token)] {
                let mut request = caller.request(method.to_uppercase().parse().unwrap(), &url);
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let resp = request.send().await.unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                assert_eq!(status, 403, "{method} {url} by {who}: {text}");
            }
            walked += 1;
        }
    }
    assert!(walked >= 20, "only {walked} routes walked");
}
