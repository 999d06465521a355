//! Berth in a container: configured from the environment alone (no file, no flags), logging JSON
//! lines for a log collector (`BERTH_LOG_FORMAT=json`).

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::helpers::{TestApp, berth_serve};

#[tokio::test]
async fn configured_from_the_environment_it_logs_json_lines_until_it_stops() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut command, port) = berth_serve(&dir.path().join("berth.db"), &app.account);
    command.env("BERTH_LOG_FORMAT", "json").env("RUST_LOG", "info").stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>());

    let http = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..100 {
        let answer = http.get(format!("http://127.0.0.1:{port}/api/health")).send().await;
        if answer.is_ok_and(|a| a.status() == 200) {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "berth serve answered /api/health");
    // The image's HEALTHCHECK and the task definition's health check: `berth healthcheck`.
    let check = |port: u16| {
        std::process::Command::new(crate::helpers::berth_binary())
            .args(["healthcheck", "--url", &format!("http://127.0.0.1:{port}")])
            .output()
            .unwrap()
    };
    assert!(check(port).status.success(), "{:?}", check(port));
    // As ECS stops a container: SIGTERM, then it shuts down.
    let stopped = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(status.success(), "{status}");
    let down = check(port);
    assert_eq!(down.status.code(), Some(1), "a stopped server is unhealthy");
    assert!(String::from_utf8_lossy(&down.stderr).contains("/api/health"), "{down:?}");
    let lines = reader.join().unwrap();
    assert!(!lines.is_empty());
    for line in &lines {
        let object: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(object["level"].is_string() && object["timestamp"].is_string(), "{line}");
    }
    assert!(lines.iter().any(|l| l.contains("\"message\":\"stopped\"")), "{lines:?}");
}

/// Berth's own ECS files: its task definition passes `berth validate` without a warning, and its
/// service is a create-service document that meets the rules with that task definition.
#[test]
fn berths_own_task_definition_and_service_pass_its_rules() {
    let root = crate::helpers::repo_root();
    let task_definition = root.join("deploy/ecs/task-definition.json");
    let out = std::process::Command::new(crate::helpers::berth_binary())
        .arg("validate")
        .arg(&task_definition)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.trim().is_empty(), "{said}");

    let spec = shared::ecs::task_definition::check_document(&std::fs::read_to_string(&task_definition).unwrap());
    assert!(spec.valid);
    let service = std::fs::read_to_string(root.join("deploy/ecs/service.json")).unwrap();
    let imported = shared::ecs::service::import(&service).unwrap();
    assert!(imported.nulls.is_empty());
    let td: shared::ecs::task_definition::TaskDefinitionSpec =
        serde_json::from_str(&std::fs::read_to_string(&task_definition).unwrap()).unwrap();
    shared::ecs::service::validate(&imported.spec, Some(&td)).unwrap();
}
