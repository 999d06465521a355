//! Holes found by probing as an attacker would (issue 13): parallel logins past the rate limits,
//! tokens outliving their creator's rights, CPU work on the async workers, connections dropped
//! after an early 401, the audit log's REPLACE bypass, cached secrets, echoed inputs, stored CSRF
//! tokens, and an OpenAPI document that put query parameters in the path.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use shared::auth::Role;
use tokio::task::JoinSet;

use crate::helpers::{PASSWORD, RawConnection, TestApp, json_with_status};

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

fn in_secs(secs: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(secs);
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

async fn token_for(session: &crate::helpers::Session, role: &str) -> String {
    let spec = json!({"name": "ci", "role": role, "environments": ["local"], "expiresAt": in_secs(3600)});
    json_with_status(session.post_json("/api/tokens", &spec).await, 201).await["secret"].as_str().unwrap().to_string()
}

/// A change only deployers may make, with a count no one may set: a deployer is told the count
/// is wrong (422, before any AWS call), others that they lack the role (403).
async fn try_scale(ci: &crate::helpers::Session) -> reqwest::Response {
    ci.put_json("/api/envs/local/clusters/c/services/s/desired-count", &json!({"desiredCount": -1})).await
}

#[tokio::test]
async fn a_token_has_at_most_its_creators_current_rights() {
    let app = TestApp::spawn().await;
    let ops = app.user("ops", "*", Role::Admin).await;
    let ci = app.anonymous().with_bearer(&token_for(&ops, "deployer").await);
    assert_eq!(try_scale(&ci).await.status(), 422, "a deployer token may scale");

    let demote = app.put_json("/api/users/ops/grants", &json!([{"environment": "*", "role": "viewer"}])).await;
    assert_eq!(demote.status(), 200);
    let body = json_with_status(try_scale(&ci).await, 403).await;
    assert_eq!(body["message"], "This needs the deployer role in environment 'local'; you are viewer.");
    let me = json_with_status(ci.get("/api/auth/me").await, 200).await;
    assert_eq!(me["grants"], json!([{"environment": "local", "role": "viewer"}]));
    let listed = json_with_status(app.get("/api/tokens").await, 200).await;
    assert_eq!(listed[0]["role"], "deployer", "what it was given");
    assert_eq!(listed[0]["effectiveGrants"], json!([{"environment": "local", "role": "viewer"}]));
    assert_eq!(listed[0]["narrowedBy"], "Narrowed to its creator's current rights: ops now has viewer in local.");

    let promote = app.put_json("/api/users/ops/grants", &json!([{"environment": "*", "role": "admin"}])).await;
    assert_eq!(promote.status(), 200);
    assert_eq!(try_scale(&ci).await.status(), 422, "rights come back with the creator's");

    assert_eq!(app.delete("/api/users/ops").await.status(), 204);
    let body = json_with_status(try_scale(&ci).await, 401).await;
    assert_eq!(body["message"], "This API token no longer works: ops, who created it, is disabled.");
    let listed = json_with_status(app.get("/api/tokens").await, 200).await;
    assert_eq!(listed[0]["effectiveGrants"], json!([]));
}

#[tokio::test]
async fn an_early_401_on_a_post_with_a_body_leaves_a_well_formed_connection() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let body = json!({"repositoryName": "x".repeat(256 * 1024)}).to_string();
    for i in 0..40 {
        let resp = http
            .post(app.url("/api/envs/local/repositories"))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e:?}"));
        assert_eq!(resp.status(), 401, "request {i}");
        let error: Value = resp.json().await.unwrap_or_else(|e| panic!("request {i}: {e:?}"));
        assert_eq!(error["code"], "unauthorized");
    }
    let no_csrf = app.admin.without_csrf();
    for i in 0..10 {
        let resp = no_csrf
            .request(Method::POST, "/api/envs/local/repositories")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("request {i} without CSRF: {e:?}"));
        assert_eq!(json_with_status(resp, 403).await["code"], "forbidden");
    }
}

/// A body that is still on its way when the server refuses the request: the connection must
/// either be told `Connection: close` or stay usable for the next request.
#[tokio::test]
async fn a_request_refused_before_its_body_arrived_leaves_a_usable_or_announced_closed_connection() {
    let app = TestApp::spawn().await;
    let address = app.address.clone();
    let (refused, next) = tokio::task::spawn_blocking(move || {
        let body = format!(r#"{{"repositoryName": "{}"}}"#, "x".repeat(64 * 1024));
        let (first, rest) = body.split_at(1024);
        let mut connection = RawConnection::open(&address).unwrap();
        let head = format!(
            "POST /api/envs/local/repositories HTTP/1.1\r\nHost: berth\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{first}",
            body.len()
        );
        connection.send(head.as_bytes()).unwrap();
        let _ = connection.has_answer_within(Duration::from_millis(300));
        let _ = connection.send(rest.as_bytes());
        let refused = connection.read_response().expect("a well-formed answer");
        let next = if refused.header("connection") == Some("close") {
            None
        } else {
            let _ = connection.send(b"GET /api/health HTTP/1.1\r\nHost: berth\r\n\r\n");
            Some(connection.read_response())
        };
        (refused, next)
    })
    .await
    .unwrap();
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("\"code\":\"unauthorized\""), "{}", refused.body);
    if let Some(next) = next {
        let next = next.expect("the connection was kept alive, so it must answer the next request");
        assert_eq!(next.status, 200);
    }
}

#[tokio::test]
async fn the_audit_log_refuses_a_replace_of_an_existing_entry() {
    let app = TestApp::spawn().await;
    let pool = app.store.pool();
    let (id, actor): (i64, String) =
        sqlx::query_as("SELECT id, actor FROM audit_log ORDER BY id LIMIT 1").fetch_one(pool).await.unwrap();
    for statement in [
        "REPLACE INTO audit_log (id, at, actor, via, action, outcome) VALUES ($1, 0, 'mallory', 'x', 'x', 'x')",
        "INSERT OR REPLACE INTO audit_log (id, at, actor, via, action, outcome) VALUES ($1, 0, 'mallory', 'x', 'x', 'x')",
        "INSERT INTO audit_log (id, at, actor, via, action, outcome) VALUES ($1, 0, 'mallory', 'x', 'x', 'x') \
         ON CONFLICT(id) DO UPDATE SET actor = 'mallory'",
    ] {
        let tampered = sqlx::query(statement).bind(id).execute(pool).await;
        assert!(tampered.expect_err(statement).to_string().contains("append-only"), "{statement}");
    }
    let (still,): (String,) =
        sqlx::query_as("SELECT actor FROM audit_log WHERE id = $1").bind(id).fetch_one(pool).await.unwrap();
    assert_eq!(still, actor);
    let appended =
        sqlx::query("INSERT INTO audit_log (at, actor, via, action, outcome) VALUES (0, 'a', 'b', 'c', 'd')")
            .execute(pool)
            .await;
    assert!(appended.is_ok(), "appending still works: {appended:?}");
}

#[tokio::test]
async fn api_answers_are_never_cached_and_the_api_root_is_a_json_404() {
    let app = TestApp::spawn().await;
    let login = app
        .anonymous()
        .request(Method::POST, "/api/auth/login")
        .json(&json!({"name": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    assert_eq!(login.headers()["cache-control"], "no-store", "the login answer holds the CSRF token");
    for path in ["/api/auth/me", "/api/envs", "/api/health", "/api/openapi.json", "/api/nothing-here"] {
        assert_eq!(app.get(path).await.headers()["cache-control"], "no-store", "{path}");
    }
    assert_eq!(app.anonymous().get("/api/envs").await.headers()["cache-control"], "no-store", "a 401 too");
    for path in ["/api", "/api/"] {
        let resp = app.get(path).await;
        assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
        let body = json_with_status(resp, 404).await;
        assert_eq!(body["code"], "not_found", "{path}");
    }
    assert_ne!(
        app.anonymous().get("/").await.headers()["cache-control"],
        "no-store",
        "the web page may be revalidated"
    );
}

#[tokio::test]
async fn errors_do_not_echo_long_inputs_back_in_full() {
    let app = TestApp::spawn().await;
    let long = "x".repeat(10_000);
    let answers = [
        app.get(&format!("/api/audit?{long}=1")).await,
        app.get(&format!("/api/{long}")).await,
        app.get(&format!("/api/envs/{long}/repositories")).await,
        app.get(&format!("/api/deployments/{long}")).await,
        app.post_json("/api/envs/local/repositories", &json!({"repositoryName": "ab", long.clone(): 1})).await,
        app.post_json("/api/envs/local/repositories", &json!({"repositoryName": long})).await,
        app.post_json(
            "/api/task-definitions/validate",
            &json!({"family": "f", "networkMode": long, "containerDefinitions": [{"name": "a", "image": "nginx:1", "memory": 16}]}),
        )
        .await,
    ];
    for (i, resp) in answers.into_iter().enumerate() {
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(text.len() < 2_000, "answer {i} ({status}) is {} bytes: {}…", text.len(), &text[..200]);
        assert!(!text.contains(&"x".repeat(300)), "answer {i} echoes the input");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("answer {i} is not JSON ({e})"));
        assert!(body["message"].is_string() || body["errors"].is_array(), "answer {i}: {body}");
        assert_ne!(status, 500, "answer {i}");
    }
}

#[tokio::test]
async fn csrf_tokens_are_not_stored_and_still_guard_changes() {
    let app = TestApp::spawn().await;
    let csrf = app.admin.csrf.clone().unwrap();
    let columns: Vec<(i64, String, String, i64, Option<String>, i64)> =
        sqlx::query_as("PRAGMA table_info(sessions)").fetch_all(app.store.pool()).await.unwrap();
    let names: Vec<&str> = columns.iter().map(|c| c.1.as_str()).collect();
    assert_eq!(names, ["id_hash", "user_id", "created_at", "last_seen_at"]);
    let (id_hash,): (String,) =
        sqlx::query_as("SELECT id_hash FROM sessions").fetch_one(app.store.pool()).await.unwrap();
    assert_ne!(id_hash, csrf);

    let me = json_with_status(app.get("/api/auth/me").await, 200).await;
    assert_eq!(me["csrfToken"], csrf.as_str(), "/me gives the same token as the login");
    let created = app.post_json("/api/envs/local/repositories", &json!({"repositoryName": "guarded"})).await;
    assert_eq!(created.status(), 201, "the token works");
    let mut forged = app.admin.clone();
    let last = if csrf.ends_with('A') { 'B' } else { 'A' };
    forged.csrf = Some(format!("{}{last}", &csrf[..csrf.len() - 1]));
    let body =
        json_with_status(forged.post_json("/api/envs/local/repositories", &json!({"repositoryName": "g2"})).await, 403)
            .await;
    assert_eq!(body["code"], "forbidden");
    let other = app.anonymous().login("admin", PASSWORD).await.unwrap();
    assert_ne!(other.csrf, app.admin.csrf, "each session has its own");
}

/// Query parameters a handler can't do without.
const REQUIRED_QUERY: [(&str, &str); 2] = [
    ("get /api/envs/{env}/task-definitions/{family}/diff", "from"),
    ("get /api/envs/{env}/task-definitions/{family}/diff", "to"),
];

#[tokio::test]
async fn every_documented_parameter_is_where_the_handler_reads_it() {
    let app = TestApp::spawn().await;
    let doc = serde_json::to_value(berth::routes::doc()).unwrap();
    let mut wrong = Vec::new();
    let mut queried = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let route = format!("{method} {path}");
            for p in operation["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let required = p["required"].as_bool().unwrap_or(false);
                match p["in"].as_str().unwrap() {
                    "path" if !path.contains(&format!("{{{name}}}")) => {
                        wrong.push(format!("{route}: '{name}' is not in the path"))
                    }
                    "path" if !required => wrong.push(format!("{route}: path parameter '{name}' not required")),
                    "query" if required != REQUIRED_QUERY.contains(&(route.as_str(), name)) => {
                        wrong.push(format!("{route}: query parameter '{name}' required: {required}"))
                    }
                    "query" => queried.push(route.clone()),
                    _ => {}
                }
            }
            for name in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
                let documented = operation["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
                if !documented {
                    wrong.push(format!("{route}: path parameter '{name}' is not documented"));
                }
            }
        }
    }
    assert_eq!(wrong, Vec::<String>::new());

    // A bogus query parameter: refused in the shared shape where the handler denies unknown
    // fields, ignored elsewhere; never a 500.
    queried.dedup();
    for route in queried.iter().filter(|r| r.starts_with("get ")) {
        let path = route["get ".len()..]
            .replace("{env}", "local")
            .replace("{family}", "web")
            .replace("{cluster}", "no-cluster")
            .replace("{service}", "no-service");
        let needs = if REQUIRED_QUERY.iter().any(|(r, _)| r == route) { "from=1&to=2&" } else { "" };
        let resp = app.get(&format!("{path}?{needs}bogusParameter=1")).await;
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or_else(|e| panic!("{route}: not JSON ({e})"));
        assert!(status < 500, "{route}: {status} {body}");
        if status == 400 {
            assert_eq!(body["code"], "bad_request", "{route}");
            assert!(body["message"].as_str().unwrap().contains("bogusParameter"), "{route}: {body}");
        }
    }
    assert!(queried.iter().any(|r| r == "get /api/audit"), "the audit filters are query parameters");
}
