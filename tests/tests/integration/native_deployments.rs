//! ECS's own deployments through Berth, against the local AWS: the demo's blue/green service
//! (BLUE_GREEN, a PAUSE hook before production traffic) deployed with `wait` answers 202
//! awaiting approval; four eyes refuses its starter and lets another deployer continue it (audited);
//! the traffic moves on the load balancer's rule; the record ends SUCCEEDED after the bake. A stop
//! rolls back; a canary switched on in the settings runs; a linear one moves traffic in its steps;
//! a service made outside Berth brings ECS's history with it.

use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::Role;

use crate::helpers::{TestApp, json_with_status};

const BG: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-bluegreen";

async fn demo(four_eyes: bool) -> (TestApp, String) {
    let app = TestApp::spawn_demo_with(|s| s.environments[0].approvals.four_eyes = four_eyes).await;
    // The blue/green service's first deployment (no hook yet) ends SUCCESSFUL.
    for _ in 0..100 {
        let rollout = json_with_status(app.get(&format!("{BG}/rollout")).await, 200).await;
        if rollout["status"] == "SUCCESSFUL" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let uri = app.repository_uri("nginxweb").await;
    (app, uri)
}

fn request(image: &str) -> Value {
    json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen",
           "images": [{"container": "nginx-web", "image": image}]})
}

async fn record(app: &TestApp, id: i64) -> Value {
    json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await["deployment"].clone()
}

async fn until_ended(app: &TestApp, id: i64) -> Value {
    for _ in 0..150 {
        let r = record(app, id).await;
        if r["outcome"] != "IN_PROGRESS" {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("deployment {id} never ended: {}", record(app, id).await);
}

/// The weights of the production rule's forward action, by target group name (DescribeRules).
async fn production_weights(app: &TestApp) -> String {
    let service = json_with_status(app.get(BG).await, 200).await;
    let rule =
        service["loadBalancers"][0]["advancedConfiguration"]["productionListenerRule"].as_str().unwrap().to_string();
    app.aws_query(
        "elasticloadbalancing",
        &[("Action", "DescribeRules"), ("Version", "2015-12-01"), ("RuleArns.member.1", &rule)],
    )
    .await
}

#[tokio::test]
async fn a_blue_green_deploy_waits_for_approval_four_eyes_refuse_its_starter_and_another_deployer_continues_it() {
    let (app, uri) = demo(true).await;
    let paused = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v1"))).await,
        202,
    )
    .await;
    assert_eq!(paused["outcome"], "IN_PROGRESS", "{paused}");
    assert_eq!(paused["awaitingApproval"]["targetType"], "PAUSE", "{paused}");
    assert_eq!(paused["awaitingApproval"]["status"], "AWAITING_ACTION");
    assert_eq!(paused["awaitingApproval"]["timeoutAction"], "ROLLBACK");
    let id = paused["id"].as_i64().unwrap();
    // The history and the deployment's page say so too.
    assert_eq!(record(&app, id).await["awaitingApproval"]["status"], "AWAITING_ACTION");
    let page = json_with_status(app.get("/api/deployments?service=nginx-web-bluegreen").await, 200).await;
    assert_eq!(page["items"][0]["awaitingApproval"]["targetType"], "PAUSE", "{page}");

    let rollout = json_with_status(app.get(&format!("{BG}/rollout")).await, 200).await;
    assert_eq!(rollout["strategy"], "BLUE_GREEN", "{rollout}");
    assert_eq!(rollout["stage"], "PRODUCTION_TRAFFIC_SHIFT", "{rollout}");
    assert_eq!(rollout["target"]["testTrafficWeight"], 100.0, "{rollout}");
    assert_eq!(rollout["target"]["productionTrafficWeight"], 0.0, "{rollout}");
    assert!(rollout["target"]["taskDefinition"].as_str().unwrap().starts_with("nginx-web-bg:"), "{rollout}");

    // Four eyes: the admin started it, so the admin may not approve it.
    let refused =
        json_with_status(app.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "CONTINUE"})).await, 403)
            .await;
    assert!(refused["message"].as_str().unwrap().contains("four eyes"), "{refused}");
    // A viewer may not either.
    let vera = app.user("vera", "local", Role::Viewer).await;
    json_with_status(vera.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "CONTINUE"})).await, 403).await;
    // Another deployer may.
    let dora = app.user("dora", "local", Role::Deployer).await;
    let answered =
        json_with_status(dora.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "CONTINUE"})).await, 200)
            .await;
    assert_ne!(answered["hooks"][0]["status"], "AWAITING_ACTION", "{answered}");

    let done = until_ended(&app, id).await;
    assert_eq!(done["outcome"], "SUCCEEDED", "{done}");
    assert!(done.get("awaitingApproval").is_none(), "{done}");
    let rules = production_weights(&app).await;
    assert!(rules.contains("nginx-web-alb-green"), "{rules}");
    let audit = json_with_status(app.get("/api/audit?action=rollout.continue").await, 200).await;
    let entries = audit["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["actor"] == "dora" && e["outcome"] == "success"), "{audit}");
    assert!(entries.iter().any(|e| e["actor"] == "admin" && e["outcome"] == "denied"), "{audit}");
}

#[tokio::test]
async fn a_paused_deployment_rolled_back_at_the_hook_or_stopped_ends_failed_with_ecs_reason() {
    let (app, uri) = demo(false).await;
    let paused = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v1"))).await,
        202,
    )
    .await;
    json_with_status(app.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "ROLLBACK"})).await, 200).await;
    let done = until_ended(&app, paused["id"].as_i64().unwrap()).await;
    assert_eq!(done["outcome"], "FAILED", "{done}");
    let reason = done["reason"].as_str().unwrap();
    assert!(reason.contains("Rolled back to nginx-web-bg:1") || reason.starts_with("Rolled back:"), "{done}");

    // Nothing waits now: an answer is a conflict, not an AWS error.
    json_with_status(app.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "CONTINUE"})).await, 409).await;
    let wrong =
        json_with_status(app.post_json(&format!("{BG}/rollout/stop"), &json!({"stopType": "PAUSE"})).await, 422).await;
    assert_eq!(wrong["fields"][0]["path"], "stopType", "{wrong}");

    let again = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v1"))).await,
        202,
    )
    .await;
    let stopped = json_with_status(app.post_json(&format!("{BG}/rollout/stop"), &json!({})).await, 200).await;
    assert!(stopped["status"].as_str().unwrap().starts_with("ROLLBACK"), "{stopped}");
    let done = until_ended(&app, again["id"].as_i64().unwrap()).await;
    assert_eq!(done["outcome"], "FAILED", "{done}");
    let audit = json_with_status(app.get("/api/audit?action=rollout.stop").await, 200).await;
    let outcomes: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes.len(), 2, "{audit}");
    assert_eq!(outcomes[0], "success", "{audit}");
    assert!(outcomes[1].starts_with("failed: stopType"), "{audit}");
}

#[tokio::test]
async fn switched_to_canary_in_its_settings_the_service_deploys_in_two_shifts() {
    let (app, uri) = demo(false).await;
    let update = json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen", "deploymentConfiguration": {
        "strategy": "CANARY", "bakeTimeInMinutes": 0, "canaryConfiguration": {"canaryPercent": 20.0, "canaryBakeTimeInMinutes": 1},
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}, "maximumPercent": 200, "minimumHealthyPercent": 100}});
    json_with_status(app.post_json("/api/envs/local/services/update", &update).await, 200).await;
    let settings = json_with_status(app.get(BG).await, 200).await;
    assert_eq!(settings["deploymentConfiguration"]["strategy"], "CANARY", "{settings}");
    assert_eq!(settings["deploymentConfiguration"]["canaryConfiguration"]["canaryPercent"], 20.0, "{settings}");
    let done = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v1"))).await,
        200,
    )
    .await;
    assert_eq!(done["outcome"], "SUCCEEDED", "{done}");
    let rollout = json_with_status(app.get(&format!("{BG}/rollout")).await, 200).await;
    assert_eq!(rollout["strategy"], "CANARY", "{rollout}");
    assert_eq!(rollout["status"], "SUCCESSFUL", "{rollout}");

    // A CANARY with a percentage ECS refuses is refused at its field.
    let bad = json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen", "deploymentConfiguration": {
        "strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.05}}});
    let refused = json_with_status(app.post_json("/api/envs/local/services/update", &bad).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "deploymentConfiguration.canaryConfiguration.canaryPercent", "{refused}");
}

#[tokio::test]
async fn a_service_made_outside_berth_brings_ecs_deployment_history_with_it() {
    let (app, _) = demo(false).await;
    // The demo's blue/green service was created, then its settings updated, outside Berth's
    // deploy engine: ECS has its first deployment. Force a second one outside Berth too.
    app.ecs(
        "UpdateService",
        json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen", "forceNewDeployment": true}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ecs =
        app.ecs("ListServiceDeployments", json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen"})).await;
    assert!(ecs["serviceDeployments"].as_array().unwrap().len() >= 2, "{ecs}");
    // Berth sees the service for the first time (its page is watched).
    let mut kinds = Vec::new();
    for _ in 0..50 {
        let _ = app.get(&format!("{BG}/watch")).await;
        let page = json_with_status(app.get("/api/deployments?service=nginx-web-bluegreen").await, 200).await;
        kinds = page["items"].as_array().unwrap().clone();
        if kinds.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(kinds.len() >= 2, "{kinds:?}");
    let imported = kinds.last().unwrap();
    assert_eq!(imported["kind"], "external", "{imported}");
    assert_eq!(imported["outcome"], "SUCCEEDED", "{imported}");
    assert!(imported["ecsDeploymentId"].as_str().unwrap().contains(":service-deployment/"), "{imported}");
}

#[tokio::test]
async fn a_linear_deployment_moves_production_traffic_in_its_steps() {
    let (app, uri) = demo(false).await;
    let update = json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen", "deploymentConfiguration": {
        "strategy": "LINEAR", "bakeTimeInMinutes": 0, "linearConfiguration": {"stepPercent": 50.0, "stepBakeTimeInMinutes": 1},
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}, "maximumPercent": 200, "minimumHealthyPercent": 100}});
    json_with_status(app.post_json("/api/envs/local/services/update", &update).await, 200).await;
    let started =
        json_with_status(app.post_json("/api/envs/local/deployments", &request(&format!("{uri}:v1"))).await, 202).await;
    // ECS's record, read as the service page does, shows each step's weight on the way.
    let mut weights = Vec::new();
    for _ in 0..200 {
        let rollout = json_with_status(app.get(&format!("{BG}/rollout")).await, 200).await;
        if let Some(w) = rollout["target"]["productionTrafficWeight"].as_f64()
            && rollout["strategy"] == "LINEAR"
            && weights.last() != Some(&w)
        {
            weights.push(w);
        }
        if rollout["status"] == "SUCCESSFUL" && rollout["strategy"] == "LINEAR" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(weights.contains(&50.0) && weights.last() == Some(&100.0), "{weights:?}");
    let done = until_ended(&app, started["id"].as_i64().unwrap()).await;
    assert_eq!(done["outcome"], "SUCCEEDED", "{done}");
}

#[tokio::test]
async fn four_eyes_knows_who_started_a_deployment_from_the_service_settings() {
    let (app, _) = demo(true).await;
    // Changing a service's settings is an admin's.
    let dora = app.user("dora", "local", Role::Admin).await;
    // Dora forces a new deployment from "Update service" (recorded as her service update).
    let update = json!({"cluster": "itflex-nginx", "service": "nginx-web-bluegreen", "forceNewDeployment": true});
    json_with_status(dora.post_json("/api/envs/local/services/update", &update).await, 200).await;
    let mut waiting = Value::Null;
    for _ in 0..100 {
        waiting = json_with_status(app.get(&format!("{BG}/rollout")).await, 200).await;
        if waiting["hooks"].as_array().is_some_and(|h| h.iter().any(|h| h["status"] == "AWAITING_ACTION")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(waiting["status"], "IN_PROGRESS", "{waiting}");
    let refused =
        json_with_status(dora.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "CONTINUE"})).await, 403)
            .await;
    assert!(refused["message"].as_str().unwrap().contains("dora"), "{refused}");
    json_with_status(app.post_json(&format!("{BG}/rollout/answer"), &json!({"action": "CONTINUE"})).await, 200).await;
}
