//! Services through the API against the local AWS (with its ECS scheduler): the seed's DAEMON
//! service imported as is and updated with the seed's update template, a REPLICA service rolling
//! out, scaling, a failing image rolled back by the circuit breaker, deletion; cross-resource rules.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

const SEED_TASK: &str = include_str!("../../fixtures/seed/task-definition-template.json");
const SEED_CREATE: &str = include_str!("../../fixtures/seed/ecs-create-service-template.json");
const SEED_UPDATE: &str = include_str!("../../fixtures/seed/ecs-update-service-template.json");

async fn until(app: &TestApp, path: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let now = json_with_status(app.get(path).await, 200).await;
        if done(&now) {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{path} never got to: {what}");
}

fn primary(service: &Value) -> &Value {
    service["deployments"].as_array().unwrap().iter().find(|d| d["status"] == "PRIMARY").unwrap()
}

fn completed(s: &Value) -> bool {
    s["deployments"].as_array().unwrap().len() == 1 && primary(s)["rolloutState"] == "COMPLETED"
}

#[tokio::test]
async fn the_seeds_daemon_service_is_created_as_is_runs_one_task_per_instance_and_takes_the_seed_update() {
    // The demo data's cluster (2 instances); its REPLICA service of the same name makes way.
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let path = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
    assert_eq!(app.delete(&format!("{path}?force=true")).await.status(), 204);
    let seed_task: Value = serde_json::from_str(SEED_TASK).unwrap();
    let registered = json_with_status(app.post_json("/api/envs/local/task-definitions", &seed_task).await, 201).await;
    let first = format!("nginx-web:{}", registered["revision"]);
    let create: Value = serde_json::from_str(SEED_CREATE).unwrap();
    let created = json_with_status(app.post_json("/api/envs/local/services", &create).await, 201).await;
    assert_eq!(created["schedulingStrategy"], "DAEMON");
    assert_eq!(created["taskDefinition"], first.as_str(), "the family's latest revision");

    let steady = until(&app, path, "COMPLETED", completed).await;
    assert_eq!(
        (steady["desiredCount"].as_i64(), steady["runningCount"].as_i64()),
        (Some(2), Some(2)),
        "one per instance"
    );
    assert_eq!(steady["events"][0]["message"], "(service nginx-web-access) has reached a steady state.");

    // Export gives the seed's document back (with what ECS reports it did by default).
    let exported = json_with_status(app.get(&format!("{path}/export")).await, 200).await;
    for key in [
        "cluster",
        "serviceName",
        "launchType",
        "deploymentConfiguration",
        "schedulingStrategy",
        "enableECSManagedTags",
        "enableExecuteCommand",
    ] {
        assert_eq!(exported[key], create[key], "{key}");
    }
    assert_eq!(exported["taskDefinition"], first.as_str());
    assert_eq!(exported.get("desiredCount"), None, "a DAEMON service has none");

    // The seed pipeline's update-service document: a new deployment (forceNewDeployment).
    let registered = json_with_status(app.post_json("/api/envs/local/task-definitions", &seed_task).await, 201).await;
    let second = format!("nginx-web:{}", registered["revision"]);
    let update: Value = serde_json::from_str(SEED_UPDATE).unwrap();
    let answer = json_with_status(app.post_json("/api/envs/local/services/update", &update).await, 200).await;
    assert_eq!(answer["resolvedTaskDefinition"], second.as_str(), "the family's latest revision");
    let updated = &answer["service"];
    assert_eq!(primary(updated)["taskDefinition"], second.as_str());
    assert_ne!(primary(updated)["id"], primary(&steady)["id"]);
    let again = until(&app, path, "the update COMPLETED", completed).await;
    assert_eq!(again["taskDefinition"], second.as_str());
    // The history says who made that deployment: the update was made in Berth, not outside it.
    let history = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    let id = primary(updated)["id"].as_str().unwrap();
    let row = history["items"].as_array().unwrap().iter().find(|d| d["ecsDeploymentId"] == id).expect("recorded");
    assert_eq!(
        (&row["kind"], &row["actor"], &row["via"]),
        (&json!("external"), &json!("admin"), &json!("session")),
        "{row}"
    );

    let refused =
        json_with_status(app.put_json(&format!("{path}/desired-count"), &json!({"desiredCount": 3})).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "desiredCount");
}

#[tokio::test]
async fn a_replica_service_rolls_out_scales_rolls_back_a_failing_image_and_is_deleted() {
    let app = TestApp::spawn().await;
    json_with_status(app.post_json("/api/envs/local/clusters", &json!({"clusterName": "lab"})).await, 202).await;
    app.add_instances("lab", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for image in ["nginx:1.27", "nginxweb:cannot-start"] {
        let td = json!({"family": "web", "containerDefinitions": [{"name": "web", "image": image, "memory": 128,
            "portMappings": [{"containerPort": 80}]}]});
        json_with_status(app.post_json("/api/envs/local/task-definitions", &td).await, 201).await;
    }
    let spec = json!({"cluster": "lab", "serviceName": "web", "taskDefinition": "web:1", "desiredCount": 4,
        "launchType": "EC2", "schedulingStrategy": "REPLICA",
        "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true},
            "maximumPercent": 200, "minimumHealthyPercent": 100},
        "placementStrategy": [{"type": "spread", "field": "attribute:ecs.availability-zone"}]});
    json_with_status(app.post_json("/api/envs/local/services", &spec).await, 201).await;
    let again = json_with_status(app.post_json("/api/envs/local/services", &spec).await, 409).await;
    assert_eq!(again["fields"][0]["path"], "serviceName");

    let path = "/api/envs/local/clusters/lab/services/web";
    let steady = until(&app, path, "COMPLETED", completed).await;
    assert_eq!(steady["runningCount"], 4);
    let running: Vec<&Value> =
        steady["tasks"].as_array().unwrap().iter().filter(|t| t["lastStatus"] == "RUNNING").collect();
    assert_eq!(running.len(), 4);
    assert!(running.iter().all(|t| t["taskDefinition"] == "web:1" && t["startedAt"].is_string()));

    json_with_status(app.put_json(&format!("{path}/desired-count"), &json!({"desiredCount": 2})).await, 200).await;
    until(&app, path, "2 running", |s| s["runningCount"] == 2).await;

    let bad = json!({"cluster": "lab", "service": "web", "taskDefinition": "web:2"});
    json_with_status(app.post_json("/api/envs/local/services/update", &bad).await, 200).await;
    let back = until(&app, path, "rolled back", |s| completed(s) && s["taskDefinition"] == "web:1").await;
    let messages: Vec<&str> =
        back["events"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.ends_with("deployment failed: tasks failed to start.")), "{messages:?}");

    let still_running = json_with_status(app.delete(path).await, 422).await;
    assert!(
        still_running["message"].as_str().unwrap_or_default().contains("scaled above 0")
            || still_running["fields"][0]["message"].as_str().unwrap_or_default().contains("scaled above 0"),
        "{still_running}"
    );
    assert_eq!(app.delete(&format!("{path}?force=true")).await.status(), 204);
    assert_eq!(app.get(path).await.status(), 404);
}

#[tokio::test]
async fn services_are_refused_where_aws_would_refuse_them_with_paths() {
    let app = TestApp::spawn().await;
    json_with_status(app.post_json("/api/envs/local/clusters", &json!({"clusterName": "lab"})).await, 202).await;
    let seed_task: Value = serde_json::from_str(SEED_TASK).unwrap();
    json_with_status(app.post_json("/api/envs/local/task-definitions", &seed_task).await, 201).await;
    let refused = |body: Value| {
        let app = &app;
        async move { json_with_status(app.post_json("/api/envs/local/services", &body).await, 422).await }
    };
    let paths = |body: &Value| -> Vec<String> {
        body["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_string()).collect()
    };
    let fargate = refused(json!({"cluster": "lab", "serviceName": "web", "taskDefinition": "nginx-web", "launchType": "FARGATE", "desiredCount": 1})).await;
    assert_eq!(paths(&fargate), ["taskDefinition"]);
    let missing =
        refused(json!({"cluster": "lab", "serviceName": "web", "taskDefinition": "nope:3", "desiredCount": 1})).await;
    assert_eq!(paths(&missing), ["taskDefinition"]);
    let daemon = refused(
        json!({"cluster": "lab", "serviceName": "web", "taskDefinition": "nginx-web", "schedulingStrategy": "DAEMON",
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 0}}),
    )
    .await;
    assert_eq!(paths(&daemon), ["deploymentConfiguration.maximumPercent"]);
    let unknown = json_with_status(
        app.post_json("/api/envs/local/services", &json!({"serviceName": "web", "colour": "red"})).await,
        422,
    )
    .await;
    assert!(
        unknown["message"].as_str().unwrap().contains("colour") || unknown.to_string().contains("colour"),
        "{unknown}"
    );
}
