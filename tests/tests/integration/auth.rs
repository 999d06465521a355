//! Nobody gets in who shouldn't: authentication on every route, roles, CSRF, API tokens, session
//! expiry, login rate limiting, the audit log and security headers.

use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{PASSWORD, Session, TestApp, json_with_status};

const PUBLIC: [&str; 2] = ["GET /api/health", "POST /api/auth/login"];

/// Walks the route table from the code's OpenAPI document: a route added later is covered too.
#[tokio::test]
async fn every_route_except_health_and_login_answers_401_to_an_anonymous_request() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let doc = serde_json::to_value(berth::routes::doc()).unwrap();
    let mut public_seen = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let route = format!("{} {path}", method.to_uppercase());
            if PUBLIC.contains(&route.as_str()) {
                public_seen.push(route);
                continue;
            }
            let concrete = path
                .replace("{env}", "local")
                .replace("{name}", "nginxweb")
                .replace("{id}", "1")
                .replace("{family}", "web")
                .replace("{revision}", "1")
                .replace("{vpc}", "vpc-0a1b2c3d")
                .replace("{cluster}", "no-cluster")
                .replace("{service}", "no-service");
            let resp =
                anon.request(method.to_uppercase().parse().unwrap(), &concrete).json(&json!({})).send().await.unwrap();
            let body = json_with_status(resp, 401).await;
            assert_eq!(body["code"], "unauthorized", "{route}");
        }
    }
    public_seen.sort();
    assert_eq!(public_seen, PUBLIC);
    assert_eq!(anon.get("/api/health").await.status(), 200);
    assert_eq!(anon.get("/").await.status(), 200, "the static front end is public");
}

async fn status(resp: reqwest::Response) -> u16 {
    resp.status().as_u16()
}

/// What each role may do, in the environment it was granted and elsewhere.
#[tokio::test]
async fn the_role_matrix_holds() {
    let app = TestApp::spawn().await;
    let cases = [
        ("viewer", "local", Role::Viewer, [200, 403, 403, 403, 403]),
        ("deployer", "local", Role::Deployer, [200, 403, 403, 403, 403]),
        ("local-admin", "local", Role::Admin, [200, 201, 204, 403, 403]),
        ("elsewhere", "prod", Role::Admin, [403, 403, 403, 403, 403]),
        ("root", "*", Role::Admin, [200, 201, 204, 200, 200]),
    ];
    for (name, env, role, expected) in cases {
        let who = app.user(name, env, role).await;
        let repo = format!("repo-of-{name}");
        app.create_repository(&format!("{repo}-x")).await;
        let got = [
            status(who.get("/api/envs/local/repositories").await).await,
            status(who.post_json("/api/envs/local/repositories", &json!({"repositoryName": repo})).await).await,
            status(who.delete(&format!("/api/envs/local/repositories/{repo}-x")).await).await,
            status(who.get("/api/tokens").await).await,
            status(who.get("/api/audit").await).await,
        ];
        assert_eq!(got, expected, "{name} ({} in {env})", role.as_str());
    }
    let viewer = app.anonymous().login("viewer", PASSWORD).await.unwrap();
    let body = json_with_status(
        viewer.post_json("/api/envs/local/repositories", &json!({"repositoryName": "nope"})).await,
        403,
    )
    .await;
    assert_eq!(body["code"], "forbidden");
    assert_eq!(body["message"], "This needs the admin role in environment 'local'; you are viewer.");
    let me = json_with_status(viewer.get("/api/envs").await, 200).await;
    assert_eq!(me.as_array().unwrap().len(), 1, "the environment the viewer has a role in");
    let elsewhere = app.anonymous().login("elsewhere", PASSWORD).await.unwrap();
    assert_eq!(json_with_status(elsewhere.get("/api/envs").await, 200).await, json!([]));
}

#[tokio::test]
async fn a_cookie_request_that_changes_state_needs_the_csrf_token() {
    let app = TestApp::spawn().await;
    let body = json_with_status(
        app.admin.without_csrf().post_json("/api/envs/local/repositories", &json!({"repositoryName": "csrf"})).await,
        403,
    )
    .await;
    assert_eq!(body["message"], "Missing or wrong x-csrf-token header: state-changing requests need it.");
    let wrong = Session { csrf: Some("forged".into()), ..app.admin.clone() };
    assert_eq!(status(wrong.delete("/api/envs/local/repositories/csrf").await).await, 403);
    assert_eq!(
        status(app.admin.without_csrf().get("/api/envs/local/repositories").await).await,
        200,
        "reads need no token"
    );
    assert_eq!(
        status(app.admin.post_json("/api/envs/local/repositories", &json!({"repositoryName": "csrf"})).await).await,
        201
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict_and_logout_ends_it() {
    let app = TestApp::spawn().await;
    let resp = app
        .anonymous()
        .request(reqwest::Method::POST, "/api/auth/login")
        .json(&json!({"name": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP here");
    let body = resp.text().await.unwrap();
    assert!(!body.contains("argon2") && !body.contains(cookie.split(';').next().unwrap().split('=').nth(1).unwrap()));

    let resp = app.admin.request(reqwest::Method::POST, "/api/auth/logout").send().await.unwrap();
    assert_eq!(resp.status(), 204);
    assert!(resp.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let body = json_with_status(app.admin.get("/api/auth/me").await, 401).await;
    assert_eq!(body["message"], "Your session has ended: log in again.");
}

#[tokio::test]
async fn sessions_end_after_the_idle_limit_and_the_absolute_limit() {
    let idle = TestApp::spawn_with(|s| s.auth.session_idle = Duration::from_secs(1)).await;
    assert_eq!(status(idle.admin.get("/api/auth/me").await).await, 200);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(status(idle.admin.get("/api/auth/me").await).await, 401);

    let absolute = TestApp::spawn_with(|s| s.auth.session_max = Duration::from_secs(2)).await;
    for _ in 0..4 {
        assert_eq!(status(absolute.admin.get("/api/auth/me").await).await, 200, "active, within the limit");
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(status(absolute.admin.get("/api/auth/me").await).await, 401, "active, but too old");
}

#[tokio::test]
async fn failed_logins_are_generic_and_rate_limited_per_user() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let unknown_user = anon.login("nobody", "whatever-password").await.unwrap_err();
    let unknown = json_with_status(unknown_user, 401).await;
    for _ in 0..4 {
        let wrong = json_with_status(anon.login("admin", "wrong-password!").await.unwrap_err(), 401).await;
        assert_eq!(wrong, unknown, "a wrong password and an unknown user look the same");
    }
    assert_eq!(unknown["message"], "Wrong user or password.");
    let _ = anon.login("admin", "wrong-again!!").await;
    let limited = anon.login("admin", PASSWORD).await.unwrap_err();
    assert_eq!(limited.status(), 429, "even the right password waits");
    assert!(limited.headers().contains_key("retry-after"));
    let body = json_with_status(limited, 429).await;
    assert_eq!(body["code"], "rate_limited");
}

#[tokio::test]
async fn behind_a_proxy_the_address_limit_counts_the_forwarded_client() {
    let app = TestApp::spawn_with(|s| s.auth.client_ip_header = Some("X-Forwarded-For".into())).await;
    let try_login = |ip: &'static str, user: String| {
        let anon = app.anonymous();
        async move {
            anon.request(reqwest::Method::POST, "/api/auth/login")
                .header("x-forwarded-for", format!("{ip}, 10.0.0.1"))
                .json(&json!({"name": user, "password": "wrong-password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for i in 0..20 {
        assert_eq!(try_login("203.0.113.7", format!("guess{i}")).await, 401);
    }
    assert_eq!(try_login("203.0.113.7", "guess-more".into()).await, 429, "that client is limited");
    assert_eq!(try_login("198.51.100.9", "someone".into()).await, 401, "another client behind the same proxy is not");
}

async fn create_token(app: &TestApp, spec: Value) -> reqwest::Response {
    app.post_json("/api/tokens", &spec).await
}

fn in_secs(secs: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn an_api_token_is_shown_once_works_as_bearer_records_its_use_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let spec = json!({"name": "gitlab-ci", "role": "deployer", "environments": ["local"], "services": ["itflex-nginx/nginx-web-access"], "expiresAt": in_secs(86_400)});
    let created = json_with_status(create_token(&app, spec).await, 201).await;
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("berth_") && secret.len() > 40);
    let id = created["token"]["id"].as_i64().unwrap();

    let ci = app.anonymous().with_bearer(&secret);
    assert_eq!(status(ci.get("/api/envs/local/repositories").await).await, 200);
    let body =
        json_with_status(ci.post_json("/api/envs/local/repositories", &json!({"repositoryName": "by-ci"})).await, 403)
            .await;
    assert_eq!(
        body["message"], "This needs the admin role in environment 'local'; you are deployer.",
        "a token is no CSRF problem, but a role one"
    );
    assert_eq!(status(ci.get("/api/tokens").await).await, 403, "a token never administers");

    let listed = app.get("/api/tokens").await.text().await.unwrap();
    assert!(!listed.contains(&secret), "the secret is never listed");
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["name"], "gitlab-ci");
    assert!(listed[0]["lastUsedAt"].is_string(), "last use recorded");
    assert_eq!(listed[0]["services"], json!(["itflex-nginx/nginx-web-access"]));

    assert_eq!(status(app.delete(&format!("/api/tokens/{id}")).await).await, 204);
    let body = json_with_status(ci.get("/api/envs/local/repositories").await, 401).await;
    assert_eq!(body["message"], "This API token has been revoked.");
    assert_eq!(status(app.delete(&format!("/api/tokens/{id}")).await).await, 404, "already revoked");
    let body = json_with_status(app.anonymous().with_bearer("berth_made-up").get("/api/envs").await, 401).await;
    assert_eq!(body["message"], "This API token is not valid.");
}

#[tokio::test]
async fn tokens_are_refused_when_they_would_administer_or_name_unknown_environments_or_bad_expiry() {
    let app = TestApp::spawn().await;
    let body = json_with_status(
        create_token(&app, json!({"name": "x", "role": "admin", "environments": ["prod"], "expiresAt": in_secs(-60)}))
            .await,
        422,
    )
    .await;
    let paths: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["role"], "the shared rules first");
    let body = json_with_status(
        create_token(
            &app,
            json!({"name": "x", "role": "deployer", "environments": ["prod"], "expiresAt": in_secs(-60)}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["fields"][0], json!({"path": "environments[0]", "message": "No environment named 'prod'."}));
    assert_eq!(body["fields"][1], json!({"path": "expiresAt", "message": "The expiry must be in the future."}));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let spec = json!({"name": "short", "role": "viewer", "environments": ["local"], "expiresAt": in_secs(2)});
    let secret = json_with_status(create_token(&app, spec).await, 201).await["secret"].as_str().unwrap().to_string();
    let ci = app.anonymous().with_bearer(&secret);
    assert_eq!(status(ci.get("/api/envs").await).await, 200);
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let body = json_with_status(ci.get("/api/envs").await, 401).await;
    assert_eq!(body["message"], "This API token has expired.");
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_and_cannot_be_changed() {
    let app = TestApp::spawn().await;
    app.create_repository("audited").await;
    let viewer = app.user("vera", "local", Role::Viewer).await;
    viewer.delete("/api/envs/local/repositories/audited").await;

    let page = json_with_status(app.get("/api/audit?environment=local").await, 200).await;
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["actor"], "vera");
    assert_eq!(entries[0]["action"], "repository.delete");
    assert_eq!(entries[0]["outcome"], "denied");
    assert_eq!(entries[0]["resource"], "repository audited");
    assert_eq!(entries[1]["actor"], "admin");
    assert_eq!(entries[1]["via"], "session");
    assert_eq!(entries[1]["outcome"], "success");

    let denied = json_with_status(app.get("/api/audit?outcome=denied").await, 200).await;
    assert_eq!(denied["entries"].as_array().unwrap().len(), 1);
    let logins = json_with_status(app.get("/api/audit?action=auth.login&limit=1").await, 200).await;
    assert_eq!(logins["entries"].as_array().unwrap().len(), 1);
    assert!(logins["nextBefore"].is_i64(), "two logins: a next page");

    assert_eq!(status(app.delete("/api/audit").await).await, 405, "no route changes the log");
    let tampered = sqlx::query("UPDATE audit_log SET actor = 'someone-else'").execute(app.store.pool()).await;
    assert!(tampered.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in ["/", "/api/health", "/api/envs"] {
        let resp = app.anonymous().get(path).await;
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
    }
}

#[tokio::test]
async fn an_admin_manages_users_and_cannot_lock_everyone_out() {
    let app = TestApp::spawn().await;
    let new = json!({"name": "dana", "password": "dana-password-1", "grants": [{"environment": "local", "role": "deployer"}]});
    let user = json_with_status(app.post_json("/api/users", &new).await, 201).await;
    assert_eq!(user["grants"], json!([{"environment": "local", "role": "deployer"}]));
    assert!(!user.to_string().contains("argon2") && !user.to_string().contains("dana-password-1"));

    let body = json_with_status(app.post_json("/api/users", &new).await, 409).await;
    assert_eq!(body["fields"][0]["path"], "name");
    let bad = json!({"name": "bad name", "password": "short", "grants": [{"environment": "prod", "role": "admin"}]});
    let body = json_with_status(app.post_json("/api/users", &bad).await, 422).await;
    let paths: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["name", "password"]);

    let dana = app.anonymous().login("dana", "dana-password-1").await.unwrap();
    assert_eq!(status(dana.get("/api/users").await).await, 403, "only admins of * manage users");

    let promoted = app
        .admin
        .request(reqwest::Method::PUT, "/api/users/dana/grants")
        .json(&json!([{"environment": "local", "role": "admin"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(json_with_status(promoted, 200).await["grants"][0]["role"], "admin");
    assert_eq!(
        status(dana.post_json("/api/envs/local/repositories", &json!({"repositoryName": "by-dana"})).await).await,
        201,
        "the new role applies at once"
    );

    assert_eq!(status(app.delete("/api/users/dana").await).await, 204);
    assert_eq!(status(dana.get("/api/auth/me").await).await, 401, "her sessions ended");
    assert!(app.anonymous().login("dana", "dana-password-1").await.is_err(), "and she can't log in");
    let names: Vec<String> = json_with_status(app.get("/api/users").await, 200)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["admin"]);

    let body = json_with_status(app.delete("/api/users/admin").await, 409).await;
    assert_eq!(body["message"], "'admin' is the last admin of every environment: make someone else one first.");
    let demote = app
        .admin
        .request(reqwest::Method::PUT, "/api/users/admin/grants")
        .json(&json!([{"environment": "*", "role": "viewer"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(demote.status(), 409);
}

#[tokio::test]
async fn disabling_a_user_revokes_the_tokens_they_created() {
    let app = TestApp::spawn().await;
    let ops = app.user("ops", "*", Role::Admin).await;
    let spec = json!({"name": "ci", "role": "viewer", "environments": ["local"], "expiresAt": in_secs(3600)});
    let secret =
        json_with_status(ops.post_json("/api/tokens", &spec).await, 201).await["secret"].as_str().unwrap().to_string();
    let ci = app.anonymous().with_bearer(&secret);
    assert_eq!(status(ci.get("/api/envs").await).await, 200);
    assert_eq!(status(app.delete("/api/users/ops").await).await, 204);
    let body = json_with_status(ci.get("/api/envs").await, 401).await;
    assert_eq!(body["message"], "This API token no longer works: ops, who created it, is disabled.");
}
