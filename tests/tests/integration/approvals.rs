//! Approval before start (issue 20), against the local AWS: where an environment's admins turn it
//! on, a deploy or rollback becomes a request that another deployer approves (which starts it, as
//! the requester's) or rejects; never its requester; an undecided request expires; CI's `wait`
//! waits for the decision and then the rollout; destinations that take `approval.requested` are
//! told.

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{Receiver, TestApp, json_with_status};

const DEPLOYMENTS: &str = "/api/envs/local/deployments";

fn request(image: &str) -> Value {
    json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "note": "ship it",
           "images": [{"container": "nginx-web", "image": image}]})
}

async fn ask_approval(app: &TestApp) {
    let rails = json!({"approval": {"expiresAfterMinutes": 60}});
    json_with_status(app.put_json("/api/envs/local/guardrails", &rails).await, 200).await;
}

/// Polls a deployment until it has ended.
async fn ended(app: &TestApp, id: i64) -> Value {
    for _ in 0..300 {
        let detail = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await;
        if detail["deployment"]["outcome"] != "IN_PROGRESS" {
            return detail["deployment"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("deployment #{id} did not end");
}

async fn history_len(app: &TestApp) -> usize {
    let page = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_deploy_waits_for_another_deployer_who_approves_it_and_it_starts_as_the_requesters() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let receiver = Receiver::start("/hooks/approvals", 0).await;
    let hook = json!({"name": "approvers", "kind": "webhook", "url": receiver.url,
                      "secret": "whsec-approvals-test-0123456789", "events": ["approval.requested"]});
    json_with_status(app.post_json("/api/envs/local/notifications/destinations", &hook).await, 201).await;
    ask_approval(&app).await;
    let before = history_len(&app).await;

    let dee = app.user("dee", "local", Role::Deployer).await;
    let asked = json_with_status(dee.post_json(DEPLOYMENTS, &request(&format!("{uri}:v1"))).await, 202).await;
    assert_eq!(
        (&asked["status"], &asked["requestedBy"], &asked["kind"]),
        (&json!("PENDING"), &json!("dee"), &json!("deploy"))
    );
    let id = asked["id"].as_i64().unwrap();
    assert!(asked["summary"].as_str().unwrap().contains(":v1"), "{asked}");
    let change = asked["changes"].as_array().unwrap().iter().find(|c| c["path"].as_str().unwrap().ends_with(".image"));
    assert!(
        change.is_some_and(|c| c["after"].as_str().unwrap().ends_with(":v1")),
        "the request shows the diff: {asked}"
    );
    assert_eq!(history_len(&app).await, before, "nothing started");

    // The destination hears of it.
    let got = receiver.wait_for(1).await;
    let notice = got[0].json();
    assert_eq!(notice["event"], "approval.requested", "{notice}");
    assert!(notice["message"].as_str().unwrap().contains(&format!("dee asks to deploy")), "{notice}");

    // Never its requester; never a viewer.
    let own = json_with_status(dee.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await, 403).await;
    assert!(own["message"].as_str().unwrap().contains("never its requester"), "{own}");
    let vic = app.user("vic", "local", Role::Viewer).await;
    assert_eq!(vic.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await.status(), 403);
    let waiting = json_with_status(vic.get("/api/approvals").await, 200).await;
    assert_eq!(waiting[0]["id"], id, "a viewer sees what waits: {waiting}");
    // An approval is a person's: not an API token's, whoever made it.
    let ci = app.anonymous().with_bearer(&token(&app).await);
    let by_token = json_with_status(ci.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await, 403).await;
    assert!(by_token["message"].as_str().unwrap().contains("an API token can't"), "{by_token}");

    let approved = json_with_status(
        app.post_json(&format!("/api/approvals/{id}/approve"), &json!({"reason": "looks right"})).await,
        200,
    )
    .await;
    assert_eq!((&approved["status"], &approved["decidedBy"]), (&json!("APPROVED"), &json!("admin")));
    let deployment = approved["deployment"].as_i64().expect("it started");
    let done = ended(&app, deployment).await;
    assert_eq!(done["outcome"], "SUCCEEDED", "{done}");
    assert_eq!(
        (&done["actor"], &done["approvedBy"], &done["note"]),
        (&json!("dee"), &json!("admin"), &json!("ship it"))
    );
    assert_eq!(done["images"][0]["tag"], "v1");

    // Decided once.
    let again = json_with_status(app.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await, 409).await;
    assert!(again["message"].as_str().unwrap().contains("already approved by admin"), "{again}");
    let audit = json_with_status(app.get("/api/audit?action=approval.approve").await, 200).await;
    assert!(audit.to_string().contains(&format!("request #{id}")), "{audit}");
    let asked_audit = json_with_status(app.get("/api/audit?action=approval.request").await, 200).await;
    assert!(asked_audit.to_string().contains("dee"), "{asked_audit}");

    // A rollback asks too.
    let back = json_with_status(
        dee.post_json("/api/envs/local/clusters/itflex-nginx/services/nginx-web-access/rollback", &json!({})).await,
        202,
    )
    .await;
    assert_eq!((&back["kind"], &back["status"]), (&json!("rollback"), &json!("PENDING")), "{back}");
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_an_undecided_request_expires() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    ask_approval(&app).await;
    let dee = app.user("dee", "local", Role::Deployer).await;
    let asked = json_with_status(dee.post_json(DEPLOYMENTS, &request(&format!("{uri}:v1"))).await, 202).await;
    let id = asked["id"].as_i64().unwrap();

    let bare = json_with_status(app.post_json(&format!("/api/approvals/{id}/reject"), &json!({})).await, 422).await;
    assert_eq!(bare["fields"][0]["path"], "reason");
    let rejected = json_with_status(
        app.post_json(&format!("/api/approvals/{id}/reject"), &json!({"reason": "not during the sale"})).await,
        200,
    )
    .await;
    assert_eq!((&rejected["status"], &rejected["reason"]), (&json!("REJECTED"), &json!("not during the sale")));
    let late = json_with_status(app.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await, 409).await;
    assert!(late["message"].as_str().unwrap().contains("already rejected"), "{late}");

    // An hour passes (the store's clock moved back: the server reads expiry from it).
    let second = json_with_status(dee.post_json(DEPLOYMENTS, &request(&format!("{uri}:v2"))).await, 202).await;
    let second_id = second["id"].as_i64().unwrap();
    sqlx::query("UPDATE approval_requests SET expires_at = expires_at - 3600001 WHERE id = $1")
        .bind(second_id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let expired =
        json_with_status(app.post_json(&format!("/api/approvals/{second_id}/approve"), &json!({})).await, 409).await;
    assert!(expired["message"].as_str().unwrap().contains("expired"), "{expired}");
    let shown = json_with_status(app.get(&format!("/api/approvals/{second_id}")).await, 200).await;
    assert_eq!(shown["status"], "EXPIRED");
    let waiting = json_with_status(app.get("/api/approvals").await, 200).await;
    assert_eq!(waiting, json!([]), "neither waits any more");
    let all = json_with_status(app.get("/api/approvals?all=true").await, 200).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let audit = json_with_status(app.get("/api/audit?action=approval.reject").await, 200).await;
    assert!(audit.to_string().contains(&format!("request #{id}")), "the rejection is audited: {audit}");

    // A freeze that began after the request: the approval can't start it; the request waits again
    // (for after the freeze, or for a rejection), and the approver is told why.
    let fourth = json_with_status(dee.post_json(DEPLOYMENTS, &request(&format!("{uri}:v1"))).await, 202).await;
    let now = time::OffsetDateTime::now_utc();
    let at = |d: time::Duration| (now + d).format(&time::format_description::well_known::Rfc3339).unwrap();
    let frozen = json!({"approval": {"expiresAfterMinutes": 60}, "freezeWindows": [{"name": "sale",
        "start": at(time::Duration::minutes(-1)), "end": at(time::Duration::hours(1))}]});
    json_with_status(app.put_json("/api/envs/local/guardrails", &frozen).await, 200).await;
    let path = format!("/api/approvals/{}/approve", fourth["id"]);
    let held = json_with_status(app.post_json(&path, &json!({})).await, 409).await;
    assert!(held["message"].as_str().unwrap().contains("\"sale\" is on until"), "{held}");
    let again = json_with_status(app.get(&format!("/api/approvals/{}", fourth["id"])).await, 200).await;
    assert_eq!((&again["status"], &again["decidedBy"]), (&json!("PENDING"), &Value::Null), "{again}");
    json_with_status(
        dee.post_json(&format!("/api/approvals/{}/reject", fourth["id"]), &json!({"reason": "later"})).await,
        200,
    )
    .await;
    // An admin's override of the window that is on is carried to the approval; a deployer can't
    // send one.
    let mut overriding = request(&format!("{uri}:v1"));
    overriding["freezeOverride"] = json!("hotfix for the sale");
    assert_eq!(dee.post_json(DEPLOYMENTS, &overriding).await.status(), 403, "a deployer's override");
    let asked = json_with_status(app.post_json(DEPLOYMENTS, &overriding).await, 202).await;
    let approved =
        json_with_status(dee.post_json(&format!("/api/approvals/{}/approve", asked["id"]), &json!({})).await, 200)
            .await;
    let done = ended(&app, approved["deployment"].as_i64().unwrap()).await;
    assert_eq!(done["freezeOverride"], "sale: hotfix for the sale", "{done}");
    assert_eq!((&done["actor"], &done["approvedBy"]), (&json!("admin"), &json!("dee")));
    ask_approval(&app).await;

    // A requester disabled since asking is not deployed for.
    let rae = app.user("rae", "local", Role::Deployer).await;
    let theirs = json_with_status(rae.post_json(DEPLOYMENTS, &request(&format!("{uri}:v1"))).await, 202).await;
    assert!(app.delete("/api/users/rae").await.status().is_success());
    let gone =
        json_with_status(dee.post_json(&format!("/api/approvals/{}/approve", theirs["id"]), &json!({})).await, 409)
            .await;
    assert!(gone["message"].as_str().unwrap().contains("may no longer deploy"), "{gone}");
    json_with_status(
        dee.post_json(&format!("/api/approvals/{}/reject", theirs["id"]), &json!({"reason": "rae left"})).await,
        200,
    )
    .await;

    // The requester may withdraw their own.
    let third = json_with_status(dee.post_json(DEPLOYMENTS, &request(&format!("{uri}:v1"))).await, 202).await;
    let withdrawn = json_with_status(
        dee.post_json(&format!("/api/approvals/{}/reject", third["id"]), &json!({"reason": "wrong tag"})).await,
        200,
    )
    .await;
    assert_eq!((&withdrawn["status"], &withdrawn["decidedBy"]), (&json!("REJECTED"), &json!("dee")));
}

#[tokio::test]
async fn ci_with_wait_waits_for_the_decision_then_the_rollout() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    ask_approval(&app).await;
    let ci = app.anonymous().with_bearer(&token(&app).await);
    let dee = app.user("dee", "local", Role::Deployer).await;

    // Approved while CI waits: CI gets the rollout's outcome.
    let body = request(&format!("{uri}:v1"));
    let waiting = {
        let ci = ci.clone();
        tokio::spawn(async move { ci.post_json(&format!("{DEPLOYMENTS}?wait=true"), &body).await })
    };
    let id = pending_id(&app).await;
    // The token acts for the admin who made it: the admin can't approve what their token asked.
    assert_eq!(app.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await.status(), 403);
    json_with_status(dee.post_json(&format!("/api/approvals/{id}/approve"), &json!({})).await, 200).await;
    let done = json_with_status(waiting.await.unwrap(), 200).await;
    assert_eq!(
        (&done["outcome"], &done["approvedBy"], &done["actor"]),
        (&json!("SUCCEEDED"), &json!("dee"), &json!("admin"))
    );
    assert!(done["via"].as_str().unwrap().contains("gitlab-ci"), "{done}");

    // Rejected while CI waits: a 409 saying by whom and why.
    let body = request(&format!("{uri}:v2"));
    let waiting = {
        let ci = ci.clone();
        tokio::spawn(async move { ci.post_json(&format!("{DEPLOYMENTS}?wait=true"), &body).await })
    };
    let id = pending_id(&app).await;
    json_with_status(
        dee.post_json(&format!("/api/approvals/{id}/reject"), &json!({"reason": "v2 is not tested"})).await,
        200,
    )
    .await;
    let refused = json_with_status(waiting.await.unwrap(), 409).await;
    assert_eq!(refused["message"], format!("Request #{id} was rejected by dee: v2 is not tested"));
}

/// A deployer token for `local`, made by the admin.
async fn token(app: &TestApp) -> String {
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let expires = expires.format(&time::format_description::well_known::Rfc3339).unwrap();
    let spec = json!({"name": "gitlab-ci", "role": "deployer", "environments": ["local"], "expiresAt": expires});
    let token = json_with_status(app.post_json("/api/tokens", &spec).await, 201).await;
    token["secret"].as_str().unwrap().to_string()
}

/// The request waiting now (one at a time in these tests).
async fn pending_id(app: &TestApp) -> i64 {
    for _ in 0..100 {
        let waiting = json_with_status(app.get("/api/approvals").await, 200).await;
        if let Some(id) = waiting[0]["id"].as_i64() {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no request came");
}

#[tokio::test]
async fn an_approval_starts_only_what_was_asked_and_a_repeated_key_finds_the_request() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let push = |tag: &str| json!({"tags": [tag]});
    json_with_status(app.post_json("/api/envs/local/repositories/nginxweb/local-push", &push("v9")).await, 201).await;
    ask_approval(&app).await;
    let dee = app.user("dee", "local", Role::Deployer).await;

    // The same Idempotency-Key sent again finds the same request.
    let send = |key: &'static str| {
        let (dee, body) = (dee.clone(), request(&format!("{uri}:v9")));
        async move {
            dee.request(reqwest::Method::POST, DEPLOYMENTS)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let before = history_len(&app).await;
    let first = send("ci-7").await;
    let location = first.headers()["location"].to_str().unwrap().to_string();
    let first = json_with_status(first, 202).await;
    assert_eq!(location, format!("/api/approvals/{}", first["id"]), "where to poll it");
    let again = json_with_status(send("ci-7").await, 202).await;
    assert_eq!(again["id"], first["id"]);
    assert!(first["summary"].as_str().unwrap().contains(":v9 (sha256:"), "the digest the tag names: {first}");

    // The tag is pushed again: it names other bytes than the approver would be approving.
    json_with_status(app.post_json("/api/envs/local/repositories/nginxweb/local-push", &push("v9")).await, 201).await;
    let refused =
        json_with_status(app.post_json(&format!("/api/approvals/{}/approve", first["id"]), &json!({})).await, 409)
            .await;
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("as when the request was made") && message.contains("reject it and ask again"),
        "{message}"
    );
    let still = json_with_status(app.get(&format!("/api/approvals/{}", first["id"])).await, 200).await;
    assert_eq!(still["status"], "PENDING");
    assert_eq!(history_len(&app).await, before, "nothing started");
}
