//! The local AWS's ECS scheduler (localaws/berth_localaws/ecs_scheduler.py), called directly:
//! services roll out, keep their deployment configuration, and a failing image trips the circuit
//! breaker and rolls back — what Berth's services and deploys will be built and tested on.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn service(app: &TestApp) -> Value {
    let out = app.ecs("DescribeServices", json!({"cluster": "lab", "services": ["web"]})).await;
    out["services"][0].clone()
}

/// Polls until `done` holds for the service (at most 20 s).
async fn until(app: &TestApp, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let now = service(app).await;
        if done(&now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the service never got to: {what}\n{}", service(app).await);
}

fn primary(service: &Value) -> &Value {
    service["deployments"].as_array().unwrap().iter().find(|d| d["status"] == "PRIMARY").unwrap()
}

fn revision(arn: &Value) -> &str {
    arn.as_str().unwrap().rsplit('/').next().unwrap()
}

#[tokio::test]
async fn a_service_rolls_out_to_completed_and_a_failing_image_rolls_back() {
    let app = TestApp::spawn().await;
    app.ecs("CreateCluster", json!({"clusterName": "lab"})).await;
    app.add_instances("lab", 2).await;
    for image in ["nginx:1.27", "nginx:1.28", "nginxweb:cannot-start"] {
        let containers = json!([{"name": "web", "image": image, "memory": 128}]);
        app.ecs("RegisterTaskDefinition", json!({"family": "web", "containerDefinitions": containers})).await;
    }
    let config = json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true}, "maximumPercent": 200, "minimumHealthyPercent": 100});
    let created = app
        .ecs(
            "CreateService",
            json!({"cluster": "lab", "serviceName": "web", "taskDefinition": "web:1", "desiredCount": 4,
                "deploymentConfiguration": config, "enableECSManagedTags": true}),
        )
        .await;
    assert_eq!(created["service"]["deploymentConfiguration"], config, "kept, unlike plain moto");
    assert_eq!(created["service"]["enableECSManagedTags"], true);
    assert_eq!(primary(&created["service"])["pendingCount"], 4);

    let steady = until(&app, "COMPLETED", |s| primary(s)["rolloutState"] == "COMPLETED").await;
    assert_eq!((steady["runningCount"].as_i64(), steady["pendingCount"].as_i64()), (Some(4), Some(0)));
    let messages: Vec<&str> =
        steady["events"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(messages[0], "(service web) has reached a steady state.");
    assert!(messages.iter().any(|m| m.starts_with("(service web) has started 4 tasks:")), "{messages:?}");

    // A new revision: a new PRIMARY, the old one ACTIVE while it drains, then only the new one.
    let updated =
        app.ecs("UpdateService", json!({"cluster": "lab", "service": "web", "taskDefinition": "web:2"})).await;
    let deployments = updated["service"]["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 2);
    assert_eq!(
        (deployments[0]["status"].as_str(), revision(&deployments[0]["taskDefinition"])),
        (Some("PRIMARY"), "web:2")
    );
    assert_eq!(
        (deployments[1]["status"].as_str(), revision(&deployments[1]["taskDefinition"])),
        (Some("ACTIVE"), "web:1")
    );
    let second = until(&app, "web:2 COMPLETED alone", |s| {
        s["deployments"].as_array().unwrap().len() == 1 && primary(s)["rolloutState"] == "COMPLETED"
    })
    .await;
    assert_eq!(revision(&second["taskDefinition"]), "web:2");

    // An image that cannot start: the circuit breaker fails the rollout and rolls back to web:2.
    app.ecs("UpdateService", json!({"cluster": "lab", "service": "web", "taskDefinition": "web:3"})).await;
    let rolled_back = until(&app, "rolled back and COMPLETED", |s| {
        revision(&primary(s)["taskDefinition"]) == "web:2"
            && primary(s)["rolloutState"] == "COMPLETED"
            && s["deployments"].as_array().unwrap().len() == 1
    })
    .await;
    let messages: Vec<&str> =
        rolled_back["events"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.ends_with("deployment failed: tasks failed to start.")), "{messages:?}");
    assert!(messages.iter().any(|m| m.ends_with("rolling back to task definition web:2.")), "{messages:?}");

    // Scaling moves the counts without a new deployment.
    let before = primary(&rolled_back)["id"].clone();
    app.ecs("UpdateService", json!({"cluster": "lab", "service": "web", "desiredCount": 2})).await;
    let scaled = until(&app, "2 running", |s| s["runningCount"] == 2).await;
    assert_eq!(primary(&scaled)["id"], before);
}
