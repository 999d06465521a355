//! Container logs against the local AWS, whose tasks write nginx's lines to CloudWatch Logs (the
//! demo's revision sends them to `/ecs/nginx-web`, prefix `ecs`): a service's lines filtered by
//! container, task and text; following picks up new lines; a stopped task's lines; a container
//! without CloudWatch logs says how to turn them on; a failed deployment keeps its container's last
//! lines after the task and its log group are gone.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
const TASKS: &str = "/api/envs/local/clusters/itflex-nginx/tasks";

fn messages(logs: &Value) -> Vec<&str> {
    logs["lines"].as_array().unwrap().iter().map(|l| l["message"].as_str().unwrap()).collect()
}

/// The service's lines once `ready` holds for them (the local tasks write as time passes).
async fn logs_when(app: &TestApp, query: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let mut logs = Value::Null;
    for _ in 0..50 {
        logs = json_with_status(app.get(&format!("{SERVICE}/logs{query}")).await, 200).await;
        if ready(&logs) {
            return logs;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the logs never became ready: {logs}");
}

#[tokio::test]
async fn a_service_s_lines_come_from_its_tasks_streams_filtered_by_container_task_and_text() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let logs = logs_when(&app, "", |l| {
        l["lines"].as_array().unwrap().iter().any(|l| l["message"].as_str().unwrap().contains("\"GET / HTTP/1.1\" 200"))
    })
    .await;
    assert_eq!(logs["sources"][0]["group"], "/ecs/nginx-web", "{logs}");
    assert_eq!(logs["sources"][0]["naming"], json!({"kind": "awslogs", "prefix": "ecs"}));
    assert_eq!(logs["unreadable"], json!([]));
    let lines = logs["lines"].as_array().unwrap();
    assert!(messages(&logs).iter().any(|m| m.contains("Configuration complete; ready for start up")), "{logs}");
    let running: Vec<&str> = lines.iter().map(|l| l["taskId"].as_str().unwrap()).collect();
    assert!(
        lines.iter().all(|l| l["container"] == "nginx-web" && logs["tasks"][l["taskId"].as_str().unwrap()].is_string())
    );
    let times: Vec<i64> = lines.iter().map(|l| l["timestamp"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let one = running[0];
    let of_task = json_with_status(app.get(&format!("{SERVICE}/logs?task={one}")).await, 200).await;
    assert!(!messages(&of_task).is_empty() && of_task["lines"].as_array().unwrap().iter().all(|l| l["taskId"] == one));
    let text = json_with_status(app.get(&format!("{SERVICE}/logs?text=start%20worker")).await, 200).await;
    assert!(!messages(&text).is_empty() && messages(&text).iter().all(|m| m.contains("start worker")), "{text}");
    let other = json_with_status(app.get(&format!("{SERVICE}/logs?container=sidecar")).await, 200).await;
    assert_eq!(other["lines"], json!([]));
    let later = json_with_status(app.get(&format!("{SERVICE}/logs?start={}", i64::MAX / 2)).await, 200).await;
    assert_eq!(later["lines"], json!([]), "the time range applies");

    // The task's own page reads the same stream.
    let page = json_with_status(app.get(&format!("{TASKS}/{one}/logs")).await, 200).await;
    assert!(messages(&page).iter().any(|m| m.contains("ready for start up")), "{page}");
}

#[tokio::test]
async fn following_a_service_sends_the_recent_lines_then_new_ones_once() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let mut stream = app.admin.get(&format!("{SERVICE}/logs/follow?text=HTTP")).await;
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut buffer = String::new();
    let mut seen = std::collections::HashSet::new();
    let mut batches = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while batches < 3 {
        let chunk =
            tokio::time::timeout_at(deadline, stream.chunk()).await.expect("new lines keep coming").unwrap().unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else { continue };
            assert!(event.contains("event: lines"), "{event}");
            let lines: Vec<Value> = serde_json::from_str(data).unwrap();
            for line in &lines {
                assert!(line["message"].as_str().unwrap().contains("HTTP"), "the viewer's filter applies: {line}");
                assert!(seen.insert(line["eventId"].as_str().unwrap().to_string()), "a line arrives once: {line}");
            }
            batches += 1;
        }
    }
    assert!(seen.len() >= 2, "new access lines arrived: {seen:?}");
}

#[tokio::test]
async fn a_stopped_task_s_lines_end_with_nginx_s_graceful_stop() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let before = json_with_status(app.get(SERVICE).await, 200).await;
    let old = before["tasks"].as_array().unwrap().iter().find(|t| t["lastStatus"] == "RUNNING").unwrap()["taskId"]
        .as_str()
        .unwrap()
        .to_string();
    let uri = app.repository_uri("nginxweb").await;
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v1")}]});
    json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 200).await;
    let logs = json_with_status(app.get(&format!("{TASKS}/{old}/logs")).await, 200).await;
    let last = *messages(&logs).last().unwrap();
    assert!(last.ends_with("[notice] 1#1: exit"), "{logs}");
    // The service's lines still include the stopped task's.
    let service = logs_when(&app, &format!("?task={old}"), |l| !l["lines"].as_array().unwrap().is_empty()).await;
    assert!(messages(&service).iter().any(|m| m.contains("SIGQUIT")), "{service}");
}

#[tokio::test]
async fn a_revision_without_cloudwatch_logs_says_so_and_how_to_turn_them_on() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    // The lab's own task definition, as its CI registers it: no log configuration.
    let mut spec: Value =
        serde_json::from_str(include_str!("../../fixtures/seed/task-definition-template.json")).unwrap();
    spec["containerDefinitions"][0]["image"] = json!(format!("{}:v1", app.repository_uri("nginxweb").await));
    let arn = app.ecs("RegisterTaskDefinition", spec).await["taskDefinition"]["taskDefinitionArn"]
        .as_str()
        .unwrap()
        .to_string();
    app.ecs("UpdateService", json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": arn}))
        .await;
    let logs = logs_when(&app, "", |l| !l["unreadable"].as_array().unwrap().is_empty()).await;
    let unreadable = &logs["unreadable"][0];
    assert_eq!(unreadable["container"], "nginx-web");
    let reason = unreadable["reason"].as_str().unwrap();
    assert!(reason.contains("No log configuration") && reason.contains("awslogs"), "{reason}");
}

#[tokio::test]
async fn a_failed_deployment_keeps_its_container_s_last_lines_after_the_log_group_is_gone() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v3-cannot-start")}]});
    let failed = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 424).await;
    let id = failed["id"].as_i64().unwrap();
    let container = &failed["verdict"]["stoppedTasks"][0]["containers"][0];
    assert_eq!(container["exitCode"], 1, "{failed}");
    let kept = container["lastLines"].as_array().unwrap();
    assert!(kept.len() <= 50 && kept.len() >= 2, "{container}");
    let last = kept.last().unwrap()["message"].as_str().unwrap();
    assert!(last.starts_with("nginx: [emerg]"), "the crash's own words end the kept lines: {last}");

    // CloudWatch's retention drops the lines; the deployment still explains the failure.
    app.cloudwatch_logs("DeleteLogGroup", json!({"logGroupName": "/ecs/nginx-web"})).await;
    let detail = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await;
    let again = &detail["deployment"]["verdict"]["stoppedTasks"][0]["containers"][0]["lastLines"];
    assert_eq!(again.as_array().unwrap().len(), kept.len(), "{detail}");
    let task = failed["verdict"]["stoppedTasks"][0]["taskId"].as_str().unwrap();
    let now = json_with_status(app.get(&format!("{TASKS}/{task}/logs")).await, 200).await;
    assert_eq!(now["lines"], json!([]), "the group is gone: no lines, no error");
}
