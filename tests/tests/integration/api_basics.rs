//! The ground every route stands on: health, the OpenAPI document, the error shape for bad input,
//! unknown environments and unreachable AWS, the front end's deep links, compression.

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

#[tokio::test]
async fn health_answers_ok_without_login() {
    let app = TestApp::spawn().await;
    let body = json_with_status(app.get("/api/health").await, 200).await;
    assert_eq!(body["status"], "ok");
}

/// Every route in the OpenAPI document is served (neither the 404 fallback nor a 405), and every
/// route the API must have is in the document: the document can't drift from the router.
#[tokio::test]
async fn the_openapi_document_lists_every_route_and_each_is_served() {
    let app = TestApp::spawn().await;
    let doc = json_with_status(app.get("/api/openapi.json").await, 200).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    routes.sort();
    assert_eq!(
        routes,
        [
            "DELETE /api/envs/{env}/cluster-creations/{id}",
            "DELETE /api/envs/{env}/clusters/{cluster}/services/{service}",
            "DELETE /api/envs/{env}/clusters/{name}",
            "DELETE /api/envs/{env}/notifications/destinations/{id}",
            "DELETE /api/envs/{env}/repositories/{name}",
            "DELETE /api/envs/{env}/task-definitions/{family}/revisions/{revision}",
            "DELETE /api/tokens/{id}",
            "DELETE /api/users/{name}",
            "GET /api/approvals",
            "GET /api/approvals/{id}",
            "GET /api/audit",
            "GET /api/auth/me",
            "GET /api/deployments",
            "GET /api/deployments/services",
            "GET /api/deployments/stats",
            "GET /api/deployments/{id}",
            "GET /api/deployments/{id}/redeploy",
            "GET /api/envs",
            "GET /api/envs/{env}/cluster-creations/{id}",
            "GET /api/envs/{env}/clusters",
            "GET /api/envs/{env}/clusters/{cluster}/services",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/addresses",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/export",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/logs",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/logs/follow",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/placement",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/rollback",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/rollout",
            "GET /api/envs/{env}/clusters/{cluster}/services/{service}/watch",
            "GET /api/envs/{env}/clusters/{cluster}/tasks/{task}",
            "GET /api/envs/{env}/clusters/{cluster}/tasks/{task}/logs",
            "GET /api/envs/{env}/clusters/{name}",
            "GET /api/envs/{env}/guardrails",
            "GET /api/envs/{env}/network/ec2-defaults",
            "GET /api/envs/{env}/network/instance-types",
            "GET /api/envs/{env}/network/key-pairs",
            "GET /api/envs/{env}/network/vpcs",
            "GET /api/envs/{env}/network/vpcs/{vpc}/security-groups",
            "GET /api/envs/{env}/network/vpcs/{vpc}/subnets",
            "GET /api/envs/{env}/notifications/destinations",
            "GET /api/envs/{env}/notifications/destinations/{id}/deliveries",
            "GET /api/envs/{env}/repositories",
            "GET /api/envs/{env}/repositories/{name}",
            "GET /api/envs/{env}/repositories/{name}/images",
            "GET /api/envs/{env}/task-definitions",
            "GET /api/envs/{env}/task-definitions/{family}/diff",
            "GET /api/envs/{env}/task-definitions/{family}/revisions",
            "GET /api/envs/{env}/task-definitions/{family}/revisions/{revision}",
            "GET /api/envs/{env}/task-definitions/{family}/revisions/{revision}/services",
            "GET /api/health",
            "GET /api/live",
            "GET /api/live/links",
            "GET /api/openapi.json",
            "GET /api/tokens",
            "GET /api/users",
            "POST /api/approvals/{id}/approve",
            "POST /api/approvals/{id}/reject",
            "POST /api/auth/login",
            "POST /api/auth/logout",
            "POST /api/deployments/{id}/acknowledge",
            "POST /api/deployments/{id}/redeploy",
            "POST /api/envs/{env}/clusters",
            "POST /api/envs/{env}/clusters/{cluster}/services/{service}/rollback",
            "POST /api/envs/{env}/clusters/{cluster}/services/{service}/rollout/answer",
            "POST /api/envs/{env}/clusters/{cluster}/services/{service}/rollout/stop",
            "POST /api/envs/{env}/clusters/{cluster}/services/{service}/stop-rollout",
            "POST /api/envs/{env}/deployments",
            "POST /api/envs/{env}/deployments/preview",
            "POST /api/envs/{env}/network/key-pairs",
            "POST /api/envs/{env}/notifications/destinations",
            "POST /api/envs/{env}/notifications/destinations/{id}/test",
            "POST /api/envs/{env}/promotions",
            "POST /api/envs/{env}/promotions/preview",
            "POST /api/envs/{env}/repositories",
            "POST /api/envs/{env}/repositories/{name}/local-push",
            "POST /api/envs/{env}/services",
            "POST /api/envs/{env}/services/update",
            "POST /api/envs/{env}/task-definitions",
            "POST /api/task-definitions/import",
            "POST /api/task-definitions/validate",
            "POST /api/tokens",
            "POST /api/users",
            "PUT /api/envs/{env}/clusters/{cluster}/services/{service}/desired-count",
            "PUT /api/envs/{env}/guardrails",
            "PUT /api/live/links",
            "PUT /api/users/{name}/grants",
        ]
    );
    // Logging out would end the session the walk uses: last.
    routes.sort_by_key(|r| r.ends_with("/logout"));
    for route in &routes {
        let (method, path) = route.split_once(' ').unwrap();
        let url = app.url(
            &path
                .replace("{env}", "local")
                .replace("{name}", "no-such-thing")
                .replace("{id}", "999999")
                .replace("{family}", "no-family")
                .replace("{revision}", "1")
                .replace("{vpc}", "vpc-0a1b2c3d")
                .replace("{cluster}", "no-cluster")
                .replace("{service}", "no-service"),
        ) + if path.ends_with("/diff") { "?from=1&to=2" } else { "" };
        let resp = app
            .admin
            .request(method.parse().unwrap(), &url.replace(&app.address, ""))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let fallback = status == 404 && body["message"].as_str().is_some_and(|m| m.starts_with("No API route"));
        assert!(!fallback && status != 405, "{route} is documented but not served ({status} {body})");
    }
}

#[tokio::test]
async fn an_unknown_environment_is_a_404_naming_it() {
    let app = TestApp::spawn().await;
    let body = json_with_status(app.get("/api/envs/prod/repositories").await, 404).await;
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["message"], "No environment named 'prod'. Configured: local.");
}

#[tokio::test]
async fn malformed_json_is_a_400_in_the_shared_error_shape() {
    let app = TestApp::spawn().await;
    let resp = app
        .admin
        .request(reqwest::Method::POST, "/api/envs/local/repositories")
        .header("content-type", "application/json")
        .body("{\"repositoryName\": ")
        .send()
        .await
        .unwrap();
    let body = json_with_status(resp, 400).await;
    assert_eq!(body["code"], "bad_request");
    assert!(body["message"].as_str().unwrap().starts_with("The body is not valid JSON"), "{body}");
}

#[tokio::test]
async fn a_wrong_type_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let resp = app
        .post_json("/api/envs/local/repositories", &json!({"repositoryName": "ok-name", "tags": [{"Key": 7}]}))
        .await;
    let body = json_with_status(resp, 422).await;
    assert_eq!(body["code"], "validation");
    assert_eq!(body["fields"][0]["path"], "tags[0].Key");
    assert_eq!(body["fields"][0]["message"], "invalid type: integer `7`, expected a string");
}

#[tokio::test]
async fn an_unknown_key_is_refused_naming_the_key() {
    let app = TestApp::spawn().await;
    let resp =
        app.post_json("/api/envs/local/repositories", &json!({"repositoryName": "ok-name", "scanOnPush": true})).await;
    let body = json_with_status(resp, 422).await;
    assert!(body["fields"][0]["message"].as_str().unwrap().starts_with("unknown field `scanOnPush`"), "{body}");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413() {
    let app = TestApp::spawn().await;
    let big = json!({ "repositoryName": "a".repeat(1024 * 1024 + 1) });
    let body = json_with_status(app.post_json("/api/envs/local/repositories", &big).await, 413).await;
    assert_eq!(body["code"], "payload_too_large");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = TestApp::spawn().await;
    let resp = app
        .admin
        .request(reqwest::Method::POST, "/api/envs/local/repositories")
        .body("repositoryName=x")
        .send()
        .await
        .unwrap();
    let body = json_with_status(resp, 415).await;
    assert_eq!(body["code"], "unsupported_media_type");
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let body = json_with_status(app.get("/api/nothing/here").await, 404).await;
    assert_eq!(body["message"], "No API route /api/nothing/here.");
    let body = json_with_status(app.delete("/api/health").await, 405).await;
    assert_eq!(body["code"], "method_not_allowed");
}

#[tokio::test]
async fn a_malformed_path_segment_is_a_400_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let body = json_with_status(app.get("/api/envs/local/repositories/%FF").await, 400).await;
    assert_eq!(body["code"], "bad_request");
}

#[tokio::test]
async fn unreachable_aws_is_a_503_naming_the_environment_and_nothing_internal() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let app = TestApp::spawn_with(|s| {
        s.environments[0].endpoint_url = Some(format!("http://{closed}"));
    })
    .await;
    let body = json_with_status(app.get("/api/envs/local/repositories").await, 503).await;
    assert_eq!(body["code"], "unavailable");
    assert_eq!(body["environment"], "local");
    let message = body["message"].as_str().unwrap();
    assert_eq!(message, "Environment 'local': AWS could not be reached (ecr:DescribeRepositories).");
    assert!(!message.contains(&closed.port().to_string()) && !message.contains("LOCALAWS"));
}

#[tokio::test]
async fn deep_links_get_the_front_end_and_api_responses_are_compressed() {
    let app = TestApp::spawn().await;
    let page = app.get("/e/local/repository/nginxweb").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>Berth</title>"), "run `trunk build --release` first");
    let resp = app
        .admin
        .request(reqwest::Method::GET, "/api/openapi.json")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-encoding"], "gzip");
}

/// The front end's files go out precompressed: brotli to a browser that accepts it (every current
/// one over HTTPS), gzip to one that accepts only that (plain HTTP), the file itself otherwise.
#[tokio::test]
async fn the_front_ends_files_are_sent_as_brotli_or_gzip_as_the_browser_accepts() {
    let app = TestApp::spawn().await;
    let html = app.get("/services/").await.text().await.unwrap();
    let wasm = html
        .split('"')
        .find(|s| s.starts_with("/services/") && s.ends_with(".wasm"))
        .expect("the services app's page names its wasm")
        .to_string();
    let raw_len =
        std::fs::metadata(crate::helpers::repo_root().join("dist").join(wasm.trim_start_matches('/'))).unwrap().len();
    let mut sizes = Vec::new();
    for (accepts, encoding) in [("gzip, deflate, br", Some("br")), ("gzip, deflate", Some("gzip")), ("identity", None)]
    {
        let resp = app
            .anonymous()
            .request(reqwest::Method::GET, &wasm)
            .header("accept-encoding", accepts)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{wasm}");
        assert_eq!(resp.headers().get("content-encoding").map(|v| v.to_str().unwrap()), encoding, "{accepts}");
        sizes.push(resp.bytes().await.unwrap().len() as u64);
    }
    assert!(sizes[0] < sizes[1] && sizes[1] < sizes[2] && sizes[2] == raw_len, "br < gzip < raw: {sizes:?}");
}
