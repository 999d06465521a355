//! Guardrails (issue 20), against the local AWS: an environment's admins turn them on; the
//! failed-image guard refuses a digest that failed (or was rolled back) on the service, by any tag,
//! until a deployer acknowledges the failure with a reason, which the deployment's page and the
//! audit log keep.

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{TestApp, json_with_status};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";

fn request(image: &str) -> Value {
    json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
           "images": [{"container": "nginx-web", "image": image}]})
}

async fn deploy(app: &TestApp, image: &str, status: u16) -> Value {
    json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request(image)).await, status).await
}

async fn guard(app: &TestApp, on: bool) -> Value {
    json_with_status(app.put_json("/api/envs/local/guardrails", &json!({"failedImageGuard": on})).await, 200).await
}

async fn acknowledge(app: &TestApp, id: i64, reason: &str, status: u16) -> Value {
    let path = format!("/api/deployments/{id}/acknowledge");
    json_with_status(app.post_json(&path, &json!({"reason": reason})).await, status).await
}

#[tokio::test]
async fn guardrails_are_off_until_an_admin_sets_them_and_only_admins_may() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let unset = json_with_status(app.get("/api/envs/local/guardrails").await, 200).await;
    assert_eq!(unset["guardrails"]["failedImageGuard"], false, "{unset}");
    assert!(unset["updatedBy"].is_null());

    let deployer = app.user("dee", "local", Role::Deployer).await;
    let refused = deployer.put_json("/api/envs/local/guardrails", &json!({"failedImageGuard": false})).await;
    assert_eq!(refused.status(), 403);
    let viewer = app.user("vic", "local", Role::Viewer).await;
    assert_eq!(viewer.get("/api/envs/local/guardrails").await.status(), 200, "a viewer may read them");

    let typo = app.put_json("/api/envs/local/guardrails", &json!({"failedImageGard": true})).await;
    assert_eq!(typo.status(), 422, "an unknown guardrail is refused, not ignored");
    let set = guard(&app, true).await;
    assert_eq!((&set["guardrails"]["failedImageGuard"], &set["updatedBy"]), (&json!(true), &json!("admin")));
    let audit = json_with_status(app.get("/api/audit?action=guardrails.set").await, 200).await;
    assert!(audit.to_string().contains("failedImageGuard"), "{audit}");
}

#[tokio::test]
async fn a_failed_image_is_refused_by_digest_until_its_failure_is_acknowledged_with_a_reason() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    guard(&app, true).await;
    let broken = format!("{uri}:v3-cannot-start");
    let failed = deploy(&app, &broken, 424).await;
    let id = failed["id"].as_i64().unwrap();

    let refused = deploy(&app, &broken, 409).await;
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("failed-image guard") && message.contains(&format!("deployment #{id}")), "{message}");
    assert!(message.contains(&format!("/api/deployments/{id}/acknowledge")), "says how to proceed: {message}");
    assert_eq!(refused["fields"][0]["path"], "images[0].image", "{refused}");
    let history = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    assert_eq!(history["items"][0]["id"], id, "nothing was recorded for the refused deploy");
    // Deploying it again from the history is the same image: held back too, whatever the old flag says.
    let again = json!({"acknowledgeFailure": true});
    let redeploy = json_with_status(app.post_json(&format!("/api/deployments/{id}/redeploy"), &again).await, 409).await;
    assert!(redeploy["message"].as_str().unwrap().contains("failed-image guard"), "{redeploy}");

    // Another image is not held back.
    let good = deploy(&app, &format!("{uri}:v1"), 200).await;
    // Only a failure can be acknowledged, and only with a reason.
    let not_failed = acknowledge(&app, good["id"].as_i64().unwrap(), "it worked", 409).await;
    assert!(not_failed["message"].as_str().unwrap().contains("did not fail"), "{not_failed}");
    let no_reason = acknowledge(&app, id, "  ", 422).await;
    assert_eq!(no_reason["fields"][0]["path"], "reason");
    let viewer = app.user("vic", "local", Role::Viewer).await;
    let path = format!("/api/deployments/{id}/acknowledge");
    assert_eq!(viewer.post_json(&path, &json!({"reason": "trust me"})).await.status(), 403);

    let acknowledged = acknowledge(&app, id, "the image was never the problem: the port mapping was", 200).await;
    assert!(acknowledged["digests"][0].as_str().unwrap().starts_with("sha256:"), "{acknowledged}");
    assert_eq!(acknowledged["actor"], "admin");
    let page = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await;
    assert_eq!(page["acknowledgements"][0]["reason"], "the image was never the problem: the port mapping was");
    assert_eq!(page["countsAsFailed"], true);
    let audit = json_with_status(app.get("/api/audit?action=deployment.acknowledge").await, 200).await;
    assert!(audit.to_string().contains("the port mapping was"), "the reason is audited: {audit}");

    // Acknowledged: it may go out (and fails again); that new failure needs its own acknowledgement.
    let again = deploy(&app, &broken, 424).await;
    let refused = deploy(&app, &broken, 409).await;
    assert!(refused["message"].as_str().unwrap().contains(&format!("deployment #{}", again["id"])), "{refused}");

    // Off again: nothing is refused.
    guard(&app, false).await;
    deploy(&app, &broken, 424).await;
}

#[tokio::test]
async fn a_release_rolled_back_in_berth_is_guarded_under_every_tag_of_its_digest() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    guard(&app, true).await;
    deploy(&app, &format!("{uri}:v1"), 200).await;
    let bad = deploy(&app, &format!("{uri}:v2"), 200).await;
    let back = json_with_status(app.post_json(&format!("{SERVICE}/rollback?wait=true"), &json!({})).await, 200).await;
    assert_eq!(back["kind"], "rollback");
    // `latest` is the same image as v2 (the demo's repository): the digest is what is refused.
    let refused = deploy(&app, &format!("{uri}:latest"), 409).await;
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains(&format!("deployment #{} (later rolled back in Berth)", bad["id"])), "{message}");
    let page = json_with_status(app.get(&format!("/api/deployments/{}", bad["id"])).await, 200).await;
    assert_eq!(page["countsAsFailed"], true, "its page offers the acknowledgement");
    // Rolling back to it by name is held back too.
    let named = json!({"deployment": bad["id"]});
    let refused = json_with_status(app.post_json(&format!("{SERVICE}/rollback"), &named).await, 409).await;
    assert!(refused["message"].as_str().unwrap().contains("failed-image guard"), "{refused}");
}

fn rfc3339(offset: time::Duration) -> String {
    (time::OffsetDateTime::now_utc() + offset).format(&time::format_description::well_known::Rfc3339).unwrap()
}

#[tokio::test]
async fn a_freeze_window_refuses_deploys_with_its_name_and_end_unless_an_admin_overrides_with_a_reason() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let first = deploy(&app, &format!("{uri}:v1"), 200).await;

    let bad_zone = json!({"freezeWindows": [{"name": "nightly", "days": ["MON"], "from": "22:00", "to": "06:00",
        "timeZone": "Europe/Lisbn"}]});
    let refused = json_with_status(app.put_json("/api/envs/local/guardrails", &bad_zone).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "freezeWindows[0].timeZone", "{refused}");
    let end = rfc3339(time::Duration::hours(2));
    let window =
        json!({"freezeWindows": [{"name": "release freeze", "start": rfc3339(-time::Duration::hours(1)), "end": end}]});
    json_with_status(app.put_json("/api/envs/local/guardrails", &window).await, 200).await;

    let deployer = app.user("dee", "local", Role::Deployer).await;
    let frozen = deployer.post_json("/api/envs/local/deployments", &request(&format!("{uri}:v2"))).await;
    let frozen = json_with_status(frozen, 409).await;
    let message = frozen["message"].as_str().unwrap();
    assert!(message.contains("\"release freeze\" is on until") && message.contains("freezeOverride"), "{message}");
    assert_eq!(frozen["fields"][0]["path"], "freezeOverride");
    let mut overriding = request(&format!("{uri}:v2"));
    overriding["freezeOverride"] = json!("hotfix for the outage");
    let not_admin = deployer.post_json("/api/envs/local/deployments", &overriding).await;
    let not_admin = json_with_status(not_admin, 403).await;
    assert!(not_admin["message"].as_str().unwrap().contains("Only an admin"), "{not_admin}");
    let redeploy = format!("/api/deployments/{}/redeploy", first["id"]);
    assert_eq!(app.post_json(&redeploy, &json!({})).await.status(), 409, "a redeploy is a deploy too");

    let overridden =
        json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &overriding).await, 200).await;
    assert_eq!(overridden["freezeOverride"], "release freeze: hotfix for the outage", "{overridden}");
    let history = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    assert_eq!(history["items"][0]["freezeOverride"], "release freeze: hotfix for the outage");
    let audit = json_with_status(app.get("/api/audit?action=freeze.override").await, 200).await;
    assert!(audit.to_string().contains("hotfix for the outage"), "{audit}");

    // Rolling back to a release the caller names is a deploy like any other: frozen.
    let named = json!({"deployment": first["id"]});
    let frozen = json_with_status(app.post_json(&format!("{SERVICE}/rollback"), &named).await, 409).await;
    assert_eq!(frozen["fields"][0]["path"], "freezeOverride", "{frozen}");
    // Berth's own rollback is not frozen: it puts back the last good release.
    json_with_status(app.post_json(&format!("{SERVICE}/rollback?wait=true"), &json!({})).await, 200).await;

    // Once the window is over, deploys go out.
    let past = json!({"freezeWindows": [{"name": "release freeze", "start": rfc3339(-time::Duration::hours(3)),
        "end": rfc3339(-time::Duration::hours(1))}]});
    json_with_status(app.put_json("/api/envs/local/guardrails", &past).await, 200).await;
    let after = deploy(&app, &format!("{uri}:v2"), 200).await;
    assert!(after["freezeOverride"].is_null(), "{after}");
}
