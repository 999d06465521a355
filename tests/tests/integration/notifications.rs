//! Notifications against a receiver on loopback: a signed webhook gets a deploy's events (the
//! signature checked as a receiver would), Slack gets its message shape with the outcome colour and
//! links, a 500 is retried, a destination that keeps failing is given up after the limit, and
//! what was saved (URL, secret) never comes back in full.

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{Receiver, TestApp, json_with_status};

const DESTINATIONS: &str = "/api/envs/local/notifications/destinations";
const SECRET: &str = "whsec-notifications-test-0123456789";

fn deploy(image: &str) -> Value {
    json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
           "images": [{"container": "nginx-web", "image": image}]})
}

async fn add(app: &TestApp, destination: Value) -> Value {
    json_with_status(app.post_json(DESTINATIONS, &destination).await, 201).await
}

async fn log(app: &TestApp, id: i64) -> Vec<Value> {
    let log = json_with_status(app.get(&format!("{DESTINATIONS}/{id}/deliveries")).await, 200).await;
    log.as_array().unwrap().clone()
}

/// The destination's log once no delivery is pending (panics after 20 s).
async fn settled_log(app: &TestApp, id: i64, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let log = log(app, id).await;
        if log.len() >= count && log.iter().all(|d| d["status"] != "pending") {
            return log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("deliveries of #{id} still pending: {:?}", log(app, id).await);
}

#[tokio::test]
async fn a_signed_webhook_gets_a_deploys_events_with_links_and_its_filter_keeps_out_the_rest() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let receiver = Receiver::start("/hooks/berth-private-path", 0).await;
    let hook = add(
        &app,
        json!({"name": "ci hook", "kind": "webhook", "url": receiver.url, "secret": SECRET,
               "services": ["itflex-nginx/nginx-web-access"],
               "events": ["deployment.started", "deployment.succeeded", "deployment.failed"]}),
    )
    .await;
    let other = add(
        &app,
        json!({"name": "other service", "kind": "webhook", "url": receiver.url, "secret": SECRET,
               "services": ["itflex-nginx/other"], "events": ["deployment.succeeded"]}),
    )
    .await;
    // Saved, then shown back only as hints.
    let listed = app.get(DESTINATIONS).await.text().await.unwrap();
    assert!(!listed.contains(SECRET) && !listed.contains("berth-private-path"), "{listed}");
    assert_eq!(hook["secretHint"], "…6789");
    assert!(hook["urlHint"].as_str().unwrap().starts_with("http://127.0.0.1:"), "{hook}");

    let done = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &deploy(&format!("{uri}:v1"))).await,
        200,
    )
    .await;
    let id = done["id"].as_i64().unwrap();
    let got = receiver.wait_for(2).await;
    let events: Vec<Value> = got.iter().map(|r| r.json()["event"].clone()).collect();
    let bodies: Vec<Value> = got.iter().map(|r| r.json()).collect();
    assert_eq!(events, ["deployment.started", "deployment.succeeded"], "{bodies:#?}");
    for r in &got {
        assert!(r.signed_with(SECRET), "bad signature: {r:?}");
        assert!(!r.signed_with("another-secret-0123456789"));
        let body = r.json();
        assert_eq!(r.headers["x-berth-event"], body["event"].as_str().unwrap());
        assert_eq!(r.headers["x-berth-idempotency-key"], body["idempotencyKey"].as_str().unwrap());
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(body["deployment"]["id"], id);
        assert_eq!(body["links"]["deployment"], app.url(&format!("/deployments/{id}")));
        assert_eq!(body["links"]["service"], app.url("/e/local/services/itflex-nginx/nginx-web-access"));
    }
    assert_eq!(got[1].json()["idempotencyKey"], format!("deployment-{id}-succeeded"));
    assert_eq!(got[1].json()["deployment"]["outcome"], "SUCCEEDED");

    let delivered = settled_log(&app, hook["id"].as_i64().unwrap(), 2).await;
    assert!(delivered.iter().all(|d| d["status"] == "delivered" && d["attempts"] == 1), "{delivered:?}");
    assert!(log(&app, other["id"].as_i64().unwrap()).await.is_empty(), "another service's destination got it");

    // "Send test" reaches the destination whatever its filter, signed too.
    let test =
        json_with_status(app.post_json(&format!("{DESTINATIONS}/{}/test", hook["id"]), &json!({})).await, 202).await;
    assert_eq!(test["event"], "test");
    let got = receiver.wait_for(3).await;
    assert!(got[2].signed_with(SECRET));
    assert_eq!(got[2].json()["idempotencyKey"], test["idempotencyKey"]);
}

#[tokio::test]
async fn slack_gets_the_outcome_colour_and_links_and_a_500_is_retried_with_the_same_message() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let slack = Receiver::start("/services/T000/B000/XXXXXXXXXXXXXXXXXXXX", 1).await;
    let dest = add(
        &app,
        json!({"name": "#deploys", "kind": "slack", "url": slack.url,
               "events": ["deployment.failed", "deployment.rolled_back"]}),
    )
    .await;
    assert!(dest.get("secretHint").is_none());
    let failed = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &deploy(&format!("{uri}:v3-cannot-start"))).await,
        424,
    )
    .await;
    let id = failed["id"].as_i64().unwrap();
    let got = slack.wait_for(2).await;
    assert_eq!(got[0].body, got[1].body, "the retry sends the same message");
    assert!(!got[0].headers.contains_key("x-berth-signature"), "Slack's URL is its secret: no signature");
    let message = got[1].json();
    let attachment = &message["attachments"][0];
    assert_eq!(attachment["color"], "#daa038", "rolled back by the circuit breaker: {message}");
    assert_eq!(attachment["title_link"], app.url(&format!("/deployments/{id}")));
    assert!(attachment["title"].as_str().unwrap().starts_with("Rolled back: nginx-web-access"), "{message}");
    let service_link =
        format!("<{}|itflex-nginx/nginx-web-access>", app.url("/e/local/services/itflex-nginx/nginx-web-access"));
    assert_eq!(attachment["fields"][0]["value"], service_link.as_str());
    let summary = failed["verdict"]["summary"].as_str().unwrap_or_default();
    assert!(!summary.is_empty() && attachment["text"] == summary, "the verdict's summary: {message}");
    assert!(message["text"].as_str().unwrap().contains("itflex-nginx/nginx-web-access"), "{message}");
    let log = settled_log(&app, dest["id"].as_i64().unwrap(), 1).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64()), (Some("delivered"), Some(2)), "{log:?}");
}

#[tokio::test]
async fn a_destination_that_keeps_failing_is_given_up_after_the_limit() {
    // The tests' limit is 3 attempts (the default is 10).
    let app = TestApp::spawn().await;
    let down = Receiver::start("/hook", usize::MAX).await;
    let dest = add(
        &app,
        json!({"name": "down", "kind": "webhook", "url": down.url, "secret": SECRET, "events": ["deployment.failed"]}),
    )
    .await;
    let id = dest["id"].as_i64().unwrap();
    json_with_status(app.post_json(&format!("{DESTINATIONS}/{id}/test"), &json!({})).await, 202).await;
    let log = settled_log(&app, id, 1).await;
    assert_eq!(log[0]["status"], "gave_up", "{log:?}");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["lastStatus"], 500);
    assert_eq!(down.received().len(), 3);
    let keys: Vec<String> = down.received().iter().map(|r| r.headers["x-berth-idempotency-key"].clone()).collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "one key for every attempt: {keys:?}");
}

#[tokio::test]
async fn bad_destinations_name_the_field_and_only_admins_of_the_environment_manage_them() {
    let app = TestApp::spawn().await;
    let bad = json!({"name": "", "kind": "webhook", "url": "http://example.com/hook", "secret": "short",
                     "services": ["web"], "events": []});
    let body = json_with_status(app.post_json(DESTINATIONS, &bad).await, 422).await;
    let paths: Vec<&str> = body["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["name", "url", "secret", "services[0]", "events"], "{body}");
    assert!(!body.to_string().contains("short"), "the secret is not quoted back: {body}");

    let ok = json!({"name": "hook", "kind": "webhook", "url": "https://example.com/hook", "secret": SECRET,
                    "events": ["deployment.failed"]});
    let hook = add(&app, ok.clone()).await;
    let taken = json_with_status(app.post_json(DESTINATIONS, &ok).await, 409).await;
    assert_eq!(taken["fields"][0]["path"], "name", "{taken}");

    let deployer = app.user("dora", "local", Role::Deployer).await;
    json_with_status(deployer.get(DESTINATIONS).await, 403).await;
    json_with_status(deployer.post_json(DESTINATIONS, &ok).await, 403).await;
    let local_admin = app.user("ada", "local", Role::Admin).await;
    json_with_status(local_admin.get(DESTINATIONS).await, 200).await;
    let remove = local_admin.delete(&format!("{DESTINATIONS}/{}", hook["id"])).await;
    assert_eq!(remove.status(), 204);
    json_with_status(app.get(&format!("{DESTINATIONS}/{}/deliveries", hook["id"])).await, 404).await;
}

#[tokio::test]
async fn a_deployment_made_outside_berth_is_announced_but_not_the_start_of_a_services_history() {
    let app = TestApp::spawn_with(|s| {
        s.demo_data = true;
        s.deploy.external_sweep = Some(std::time::Duration::from_millis(300));
    })
    .await;
    app.fit_lab_service().await;
    let receiver = Receiver::start("/hook", 0).await;
    add(
        &app,
        json!({"name": "outside", "kind": "webhook", "url": receiver.url, "secret": SECRET,
               "events": ["deployment.external", "deployment.succeeded"]}),
    )
    .await;
    // The sweep records the service's current deployment, the start of its history, and it ends.
    let ended = async {
        for _ in 0..100 {
            let page = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
            if page["items"].as_array().unwrap().iter().any(|d| d["outcome"] == "SUCCEEDED") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        panic!("the service's first deployment was never recorded as ended");
    };
    ended.await;
    let short = app.deploy_outside_berth("nginx:1.27").await;

    let got = receiver.wait_for(2).await;
    let bodies: Vec<Value> = got.iter().map(|r| r.json()).collect();
    assert_eq!(bodies[0]["event"], "deployment.external", "{bodies:#?}");
    assert_eq!(bodies[0]["deployment"]["actor"], "external");
    assert_eq!(bodies[0]["deployment"]["toTaskDefinition"], short.as_str());
    assert_eq!(bodies[1]["event"], "deployment.succeeded", "{bodies:#?}");
    assert!(bodies.iter().all(|b| b["deployment"]["id"] == bodies[0]["deployment"]["id"]), "{bodies:#?}");
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), 2, "nothing about the start of the service's history");
}
