//! Promotions (issue 20), with two environments in the local AWS (two accounts, each with the
//! demo's lab): `local` (A) runs a release with a new environment variable and a smaller memory
//! reservation; promoting it to `prod` (B) moves exactly A's image digest, takes the variable and
//! keeps B's memory, is recorded as a `promotion` naming A's deployment, and leaves the two
//! columns of the live view equal. Links line up services named differently.

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{TestApp, json_with_status, two_environments};

pub(crate) const FEATURE: &str = "containerDefinitions[\"nginx-web\"].environment[\"FEATURE\"]";
const MEMORY: &str = "containerDefinitions[\"nginx-web\"].memoryReservation";

/// A's service gets a revision (outside Berth, as the lab's CLI would) with `FEATURE=on` and a
/// memory reservation B does not have; then Berth deploys v1 onto it: the release to promote.
pub(crate) async fn release_in_a(app: &TestApp) -> Value {
    let service =
        json_with_status(app.get("/api/envs/local/clusters/itflex-nginx/services/nginx-web-access").await, 200).await;
    let revision = service["taskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let path = format!("/api/envs/local/task-definitions/nginx-web/revisions/{revision}");
    let mut spec = json_with_status(app.get(&path).await, 200).await["spec"].clone();
    spec["containerDefinitions"][0]["environment"] = json!([{"name": "FEATURE", "value": "on"}]);
    spec["containerDefinitions"][0]["memoryReservation"] = json!(64);
    let registered = app.ecs("RegisterTaskDefinition", spec).await;
    let arn = registered["taskDefinition"]["taskDefinitionArn"].as_str().unwrap();
    app.ecs("UpdateService", json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": arn}))
        .await;
    let uri = app.repository_uri("nginxweb").await;
    let deploy = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v1")}]});
    json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &deploy).await, 200).await
}

fn promotion(take: &[&str]) -> Value {
    json!({"from": "local", "cluster": "itflex-nginx", "service": "nginx-web-access", "take": take, "note": "tested in local"})
}

fn row<'a>(view: &'a Value, service: &str) -> &'a Value {
    view["rows"].as_array().unwrap().iter().find(|r| r["service"] == service).unwrap_or_else(|| panic!("{view}"))
}

#[tokio::test]
async fn a_promotion_moves_exactly_a_s_digest_and_the_fields_taken_and_keeps_the_rest() {
    let (app, _other) = two_environments().await;
    let source = release_in_a(&app).await;
    let before = json_with_status(app.get("/api/live?service=nginx-web-access").await, 200).await;
    assert_eq!(row(&before, "nginx-web-access")["cells"][1]["differs"], true, "prod runs v2, local v1");

    let plan =
        json_with_status(app.post_json("/api/envs/prod/promotions/preview", &promotion(&[FEATURE])).await, 200).await;
    assert_eq!(plan["source"]["id"], source["id"], "{plan}");
    let digest = source["images"][0]["digest"].as_str().unwrap();
    assert_eq!(plan["images"][0]["digest"], digest);
    let promoted = plan["images"][0]["promoted"].as_str().unwrap();
    let prod_uri = plan["images"][0]["now"].as_str().unwrap().split(['@', ':']).next().unwrap().to_string();
    assert!(promoted.ends_with(&format!("@{digest}")), "{plan}");
    assert!(promoted.starts_with(prod_uri.split('/').next().unwrap()), "from prod's own registry: {plan}");
    let fields: Vec<(&str, bool)> = plan["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["taken"].as_bool().unwrap()))
        .collect();
    assert!(fields.contains(&(FEATURE, true)) && fields.contains(&(MEMORY, false)), "{fields:?}");

    let unknown = json_with_status(app.post_json("/api/envs/prod/promotions", &promotion(&["cpuu"])).await, 422).await;
    assert_eq!(unknown["fields"][0]["path"], "take[0]", "{unknown}");
    let to_itself = app.post_json("/api/envs/local/promotions", &promotion(&[])).await;
    assert_eq!(to_itself.status(), 422);

    let done =
        json_with_status(app.post_json("/api/envs/prod/promotions?wait=true", &promotion(&[FEATURE])).await, 200).await;
    assert_eq!((&done["kind"], &done["outcome"]), (&json!("promotion"), &json!("SUCCEEDED")), "{done}");
    assert_eq!(done["promotedFrom"], json!({"id": source["id"], "environment": "local"}));
    assert_eq!(done["images"][0]["digest"], digest);
    assert_eq!(done["note"], "tested in local");

    let prod =
        json_with_status(app.get("/api/envs/prod/clusters/itflex-nginx/services/nginx-web-access").await, 200).await;
    let revision = prod["taskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let spec = json_with_status(
        app.get(&format!("/api/envs/prod/task-definitions/nginx-web/revisions/{revision}")).await,
        200,
    )
    .await["spec"]
        .clone();
    let web = &spec["containerDefinitions"][0];
    assert_eq!(web["environment"], json!([{"name": "FEATURE", "value": "on"}]), "taken: {web}");
    assert_eq!(web["memoryReservation"], 256, "kept prod's (the lab's), not local's 64: {web}");
    assert_eq!(web["image"], promoted);

    let after = json_with_status(app.get("/api/live?service=nginx-web-access").await, 200).await;
    let web_row = row(&after, "nginx-web-access");
    assert_eq!(web_row["differs"], false, "{web_row}");
    assert_eq!(web_row["cells"][1]["last"]["kind"], "promotion");
    let history =
        json_with_status(app.get("/api/deployments?environment=prod&service=nginx-web-access").await, 200).await;
    assert_eq!(
        (&history["items"][0]["id"], &history["items"][0]["kind"]),
        (&done["id"], &json!("promotion")),
        "{history}"
    );

    // A viewer of prod may preview but not promote.
    let viewer = app.user("vic", "*", Role::Viewer).await;
    assert_eq!(viewer.post_json("/api/envs/prod/promotions", &promotion(&[])).await.status(), 403);
}

#[tokio::test]
async fn only_a_release_that_succeeded_is_promoted() {
    let (app, _other) = two_environments().await;
    let uri = app.repository_uri("nginxweb").await;
    let deploy = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v1")}]});
    let started = json_with_status(app.post_json("/api/envs/local/deployments", &deploy).await, 202).await;
    let refused =
        json_with_status(app.post_json("/api/envs/prod/promotions/preview", &promotion(&[])).await, 409).await;
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("deployment #{}", started["id"])) && message.contains("IN_PROGRESS"),
        "{message}"
    );
    assert!(message.contains("only a release that succeeded is promoted"), "{message}");
}

#[tokio::test]
async fn links_line_up_services_named_differently_and_are_a_promotions_default_target() {
    let (app, _other) = two_environments().await;
    let links = json!([{"name": "web", "services": [
        {"environment": "local", "cluster": "itflex-nginx", "service": "nginx-web-access"},
        {"environment": "prod", "cluster": "itflex-nginx", "service": "nginx-web-bluegreen"}]}]);
    let deployer = app.user("dee", "*", Role::Deployer).await;
    assert_eq!(deployer.put_json("/api/live/links", &links).await.status(), 403, "admins of every environment");
    let twice = json!([{"name": "web", "services": [
        {"environment": "local", "cluster": "c", "service": "a"}, {"environment": "local", "cluster": "c", "service": "b"}]}]);
    let refused = json_with_status(app.put_json("/api/live/links", &twice).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "[0].services[1].environment", "{refused}");
    json_with_status(app.put_json("/api/live/links", &links).await, 200).await;
    assert_eq!(json_with_status(app.get("/api/live/links").await, 200).await, links);

    let view = json_with_status(app.get("/api/live").await, 200).await;
    let linked = view["rows"].as_array().unwrap().iter().find(|r| r["link"] == "web").expect("a row for the link");
    assert_eq!(linked["cells"][0]["service"], "nginx-web-access");
    assert_eq!(linked["cells"][1]["service"], "nginx-web-bluegreen");
    // Filtered by one member's name, the linked row keeps its other cell.
    let filtered = json_with_status(app.get("/api/live?service=web-access").await, 200).await;
    let linked = filtered["rows"].as_array().unwrap().iter().find(|r| r["link"] == "web").expect("the linked row");
    assert_eq!(linked["cells"][1]["service"], "nginx-web-bluegreen", "{filtered}");

    release_in_a(&app).await;
    let plan = json_with_status(app.post_json("/api/envs/prod/promotions/preview", &promotion(&[])).await, 200).await;
    assert_eq!(
        (&plan["targetCluster"], &plan["targetService"]),
        (&json!("itflex-nginx"), &json!("nginx-web-bluegreen"))
    );
}

#[tokio::test]
async fn an_approved_promotion_starts_only_the_release_that_was_asked() {
    let (app, _other) = two_environments().await;
    let source = release_in_a(&app).await;
    let rails = json!({"approval": {"expiresAfterMinutes": 60}});
    json_with_status(app.put_json("/api/envs/prod/guardrails", &rails).await, 200).await;
    let dee = app.user("dee", "*", Role::Deployer).await;
    let asked = json_with_status(app.post_json("/api/envs/prod/promotions", &promotion(&[FEATURE])).await, 202).await;
    assert_eq!((&asked["kind"], &asked["status"]), (&json!("promotion"), &json!("PENDING")), "{asked}");
    assert!(asked["summary"].as_str().unwrap().contains(&format!("deployment #{}", source["id"])), "{asked}");

    // local moves on before anyone approves: what was asked is no longer what would go out.
    let uri = app.repository_uri("nginxweb").await;
    let v2 = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v2")}]});
    let moved = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &v2).await, 200).await;
    let approve = |id: &Value| format!("/api/approvals/{id}/approve");
    let refused = json_with_status(dee.post_json(&approve(&asked["id"]), &json!({})).await, 409).await;
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains(&format!("deployment #{} now, not #{}", moved["id"], source["id"])), "{message}");

    // Asked again and approved: it starts, the promoter's, approved by dee, from the new release.
    let again = json_with_status(app.post_json("/api/envs/prod/promotions", &promotion(&[FEATURE])).await, 202).await;
    let approved = json_with_status(dee.post_json(&approve(&again["id"]), &json!({})).await, 200).await;
    let id = approved["deployment"].as_i64().unwrap();
    let mut done = Value::Null;
    for _ in 0..300 {
        done = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await["deployment"].clone();
        if done["outcome"] != "IN_PROGRESS" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!((&done["outcome"], &done["kind"]), (&json!("SUCCEEDED"), &json!("promotion")), "{done}");
    assert_eq!((&done["actor"], &done["approvedBy"]), (&json!("admin"), &json!("dee")));
    assert_eq!(done["promotedFrom"], json!({"id": moved["id"], "environment": "local"}));
}
