//! Placement through Berth against the local AWS, which places tasks as ECS does: Berth's check
//! (the placement endpoint the scale control and deploy dialog read, the deploy and update
//! previews) says before anything is sent what ECS will then do — and ECS does it.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

const LAB: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
const SEED_TASK: &str = include_str!("../../fixtures/seed/task-definition-template.json");
const SEED_CREATE: &str = include_str!("../../fixtures/seed/ecs-create-service-template.json");

fn messages(warnings: &Value) -> Vec<(String, String)> {
    warnings
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["path"].as_str().unwrap().to_string(), w["message"].as_str().unwrap().to_string()))
        .collect()
}

/// The service's events once one says `text`.
async fn event_saying(app: &TestApp, path: &str, text: &str) -> Value {
    for _ in 0..150 {
        let service = json_with_status(app.get(path).await, 200).await;
        if service["events"].as_array().unwrap().iter().any(|e| e["message"].as_str().unwrap().contains(text)) {
            return service;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{path}: no event saying {text}: {}", json_with_status(app.get(path).await, 200).await["events"]);
}

/// The lab as it ships (4 tasks of 1024 CPU units with host ports 80 and 443 on two t2.micro):
/// Berth says 2 of 4 and that a rolling deployment with minimum healthy 100 % can't begin; scaled
/// to 2 with minimum 50 %, it says nothing — and the local ECS agrees on both.
#[tokio::test]
async fn the_labs_service_as_it_ships_is_said_to_place_2_of_4_and_a_rollout_to_never_begin() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let now = messages(&json_with_status(app.get(&format!("{LAB}/placement")).await, 200).await);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0].0, "desiredCount");
    assert!(now[0].1.starts_with("2 of 4 tasks can be placed: each needs host ports 80, 443 and 1024 CPU units and 256 MiB; the cluster's 2 instances have room for 2."), "{now:?}");
    event_saying(&app, LAB, "was unable to place a task because no container instance met all of its requirements")
        .await;

    let rollout = messages(&json_with_status(app.get(&format!("{LAB}/placement?rollout=true")).await, 200).await);
    assert_eq!(rollout.len(), 2, "{rollout:?}");
    assert_eq!(rollout[1].0, "deploymentConfiguration.minimumHealthyPercent");
    assert!(
        rollout[1].1.starts_with("The rolling deployment can't begin: minimum healthy 100 % keeps all 2 running tasks"),
        "{rollout:?}"
    );

    // The README's fix, previewed as an update: nothing to warn about.
    let fix = json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "desiredCount": 2, "forceNewDeployment": true,
        "deploymentConfiguration": {"minimumHealthyPercent": 50, "maximumPercent": 200}});
    let dry = json_with_status(app.post_json("/api/envs/local/services/update?dryRun=true", &fix).await, 200).await;
    assert_eq!(dry["warnings"], json!([]), "{dry}");
    // Scaling back to 4 is said before it is sent; a negative count is refused at the field.
    let scale = messages(&json_with_status(app.get(&format!("{LAB}/placement?desiredCount=4")).await, 200).await);
    assert!(scale[0].1.starts_with("2 of 4 tasks can be placed"), "{scale:?}");
    let refused = json_with_status(app.get(&format!("{LAB}/placement?desiredCount=-1")).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "desiredCount", "{refused}");
}

/// A revision needing more CPU than any instance has: the update's preview says 0 of 2 can be
/// placed; sent anyway, the deployment waits (IN_PROGRESS) with ECS's "insufficient CPU units"
/// event while the old revision keeps serving.
#[tokio::test]
async fn a_deploy_needing_more_cpu_than_any_instance_has_is_said_first_and_then_waits_with_ecs_event() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let mut bigger: Value = serde_json::from_str(SEED_TASK).unwrap();
    bigger["cpu"] = json!("2048");
    // Dynamic host ports: CPU is all that stops it.
    for mapping in bigger["containerDefinitions"][0]["portMappings"].as_array_mut().unwrap() {
        mapping["hostPort"] = json!(0);
    }
    let registered = json_with_status(app.post_json("/api/envs/local/task-definitions", &bigger).await, 201).await;
    let revision = format!("nginx-web:{}", registered["revision"]);
    let update = json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": revision});
    let dry = json_with_status(app.post_json("/api/envs/local/services/update?dryRun=true", &update).await, 200).await;
    let said = messages(&dry["warnings"]);
    assert!(
        said.iter().any(|(path, m)| path == "desiredCount"
            && m.starts_with("0 of 2 tasks can be placed: each needs 2048 CPU units and 256 MiB")),
        "{said:?}"
    );

    json_with_status(app.post_json("/api/envs/local/services/update", &update).await, 200).await;
    let service = event_saying(&app, LAB, "has insufficient CPU units available").await;
    let primary = service["deployments"].as_array().unwrap().iter().find(|d| d["status"] == "PRIMARY").unwrap();
    assert_eq!(
        (primary["taskDefinition"].as_str(), primary["runningCount"].as_i64()),
        (Some(revision.as_str()), Some(0)),
        "{service}"
    );
    assert_eq!(primary["rolloutState"], "IN_PROGRESS");
    let old_running: i64 = service["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["lastStatus"] == "RUNNING" && t["taskDefinition"] != revision.as_str())
        .count() as i64;
    assert!(old_running >= 1, "minimum healthy 50 % keeps one old task serving: {service}");
    let history = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    let latest = &history["items"][0];
    assert_eq!(
        (latest["toTaskDefinition"].as_str(), latest["outcome"].as_str()),
        (Some(revision.as_str()), Some("IN_PROGRESS")),
        "{history}"
    );
}

/// DAEMON: one task per instance; an instance without room is named before (Berth's check) and
/// after (ECS's event), and the service runs where it fits.
#[tokio::test]
async fn a_daemon_on_a_full_instance_runs_where_it_fits_and_both_berth_and_ecs_name_the_full_one() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    assert_eq!(app.delete(&format!("{LAB}?force=true")).await.status(), 204);
    let cluster = json_with_status(app.get("/api/envs/local/clusters/itflex-nginx").await, 200).await;
    let full = cluster["containerInstances"][0]["ec2InstanceId"].as_str().unwrap().to_string();
    // A task holding all of one t2.micro's CPU, pinned there.
    let hog = json!({"family": "hog", "cpu": "1024", "memory": "128",
        "containerDefinitions": [{"name": "hog", "image": "busybox", "essential": true}]});
    json_with_status(app.post_json("/api/envs/local/task-definitions", &hog).await, 201).await;
    app.ecs("CreateService", json!({"cluster": "itflex-nginx", "serviceName": "hog", "taskDefinition": "hog", "desiredCount": 1,
        "launchType": "EC2", "placementConstraints": [{"type": "memberOf", "expression": format!("ec2InstanceId == {full}")}]}))
        .await;
    event_saying(&app, "/api/envs/local/clusters/itflex-nginx/services/hog", "has reached a steady state").await;

    let seed_task: Value = serde_json::from_str(SEED_TASK).unwrap();
    json_with_status(app.post_json("/api/envs/local/task-definitions", &seed_task).await, 201).await;
    let create: Value = serde_json::from_str(SEED_CREATE).unwrap();
    json_with_status(app.post_json("/api/envs/local/services", &create).await, 201).await;
    let mut service = event_saying(&app, LAB, "has insufficient CPU units available").await;
    assert_eq!(service["schedulingStrategy"], "DAEMON");
    let running = |s: &Value| s["tasks"].as_array().unwrap().iter().filter(|t| t["lastStatus"] == "RUNNING").count();
    for _ in 0..50 {
        if running(&service) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        service = json_with_status(app.get(LAB).await, 200).await;
    }
    // The placed task starts; the other stays unplaced.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let service = json_with_status(app.get(LAB).await, 200).await;
    assert_eq!(
        (running(&service), service["desiredCount"].as_i64()),
        (1, Some(2)),
        "one task, on the instance with room: {service}"
    );
    let said = messages(&json_with_status(app.get(&format!("{LAB}/placement")).await, 200).await);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].1.starts_with("1 of 2 tasks can be placed"), "{said:?}");
    assert!(said[0].1.contains(&format!("No room on {full} (0 of 1024 CPU units left)")), "{said:?}");
}

/// The README's other fix: dynamic host ports (hostPort 0) and a smaller CPU reservation place all
/// 4 of the lab's tasks on its two t2.micro — Berth says nothing, and ECS runs 4.
#[tokio::test]
async fn dynamic_host_ports_place_all_4_of_the_labs_tasks() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let mut dynamic: Value = serde_json::from_str(SEED_TASK).unwrap();
    dynamic["cpu"] = json!("256");
    for mapping in dynamic["containerDefinitions"][0]["portMappings"].as_array_mut().unwrap() {
        mapping["hostPort"] = json!(0);
    }
    let registered = json_with_status(app.post_json("/api/envs/local/task-definitions", &dynamic).await, 201).await;
    let revision = format!("nginx-web:{}", registered["revision"]);
    // Minimum healthy 100 % (or 50 %) would keep both old tasks, which hold all of the CPU: Berth
    // says so, and ECS would wait. 25 % lets ECS stop one to make room.
    let mut update = json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": revision, "desiredCount": 4});
    let stalls =
        json_with_status(app.post_json("/api/envs/local/services/update?dryRun=true", &update).await, 200).await;
    let said = messages(&stalls["warnings"]);
    assert!(
        said.iter().any(|(path, m)| path == "deploymentConfiguration.minimumHealthyPercent"
            && m.contains("minimum healthy percent 25 %")),
        "{said:?}"
    );
    update["deploymentConfiguration"] = json!({"minimumHealthyPercent": 25, "maximumPercent": 200});
    let dry = json_with_status(app.post_json("/api/envs/local/services/update?dryRun=true", &update).await, 200).await;
    assert_eq!(dry["warnings"], json!([]), "{dry}");
    json_with_status(app.post_json("/api/envs/local/services/update", &update).await, 200).await;
    for _ in 0..100 {
        let service = json_with_status(app.get(LAB).await, 200).await;
        let primary =
            service["deployments"].as_array().unwrap().iter().find(|d| d["status"] == "PRIMARY").unwrap().clone();
        if primary["rolloutState"] == "COMPLETED" {
            assert_eq!(
                (primary["runningCount"].as_i64(), primary["taskDefinition"].as_str()),
                (Some(4), Some(revision.as_str()))
            );
            assert!(
                json_with_status(app.get(&format!("{LAB}/placement")).await, 200).await.as_array().unwrap().is_empty()
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("4 tasks with dynamic host ports never completed: {}", json_with_status(app.get(LAB).await, 200).await);
}
