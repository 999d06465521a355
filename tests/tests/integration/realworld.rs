//! The real-world corpus (tests/fixtures/realworld/) through the real programs: every published
//! task definition through the built `berth validate` binary, and published create-service
//! documents through the HTTP import route against the local AWS (each with the task definition
//! its repository registers beside it).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::helpers::berth_binary;
use crate::helpers::{TestApp, json_with_status, repo_root};

fn corpus() -> PathBuf {
    repo_root().join("tests/fixtures/realworld")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn validate(args: &[&str], files: &[PathBuf]) -> (i32, String) {
    let out = Command::new(berth_binary()).arg("validate").args(args).args(files).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).to_string())
}

#[test]
fn realworld_task_definitions_pass_the_berth_validate_binary_and_the_invalid_ones_fail_it() {
    let valid = json_files(&corpus().join("task-definitions/valid"));
    assert!(valid.len() >= 50, "{} valid files", valid.len());
    let (code, out) = validate(&[], &valid);
    assert_eq!(code, 0, "berth validate refused a valid real-world file:\n{out}");
    assert!(!out.lines().any(|l| !l.contains("warning:") && !l.contains("note:")), "only warnings and notes:\n{out}");

    for dir in std::fs::read_dir(corpus().join("task-definitions/invalid")).unwrap() {
        let dir = dir.unwrap().path();
        for file in json_files(&dir) {
            let (code, out) = validate(&[], std::slice::from_ref(&file));
            assert_eq!(code, 1, "{} passed:\n{out}", file.display());
            let errors: Vec<&str> = out.lines().filter(|l| !l.contains("warning:") && !l.contains("note:")).collect();
            assert!(!errors.is_empty(), "{}: no error line:\n{out}", file.display());
        }
    }
}

#[test]
fn realworld_nulls_are_warned_about_and_refused_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("with-null.json");
    // A published definition with one member set to null, as console exports write it.
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("task-definitions/valid/aws-containers--nginx_nginx_fargate.json"))
            .unwrap(),
    )
    .unwrap();
    doc["containerDefinitions"][0]["healthCheck"] = Value::Null;
    std::fs::write(&file, doc.to_string()).unwrap();
    let (code, out) = validate(&[], std::slice::from_ref(&file));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("containerDefinitions[0].healthCheck: warning: null"), "{out}");
    let (code, out) = validate(&["--strict"], std::slice::from_ref(&file));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("containerDefinitions[0].healthCheck: null"), "{out}");
}

/// Imports a published create-service document (after its task definition) through the route. Its
/// subnets and security groups are the publisher's account's, which this account doesn't have (AWS
/// answers InvalidSubnetID.NotFound, as it would): they are swapped for the local default VPC's.
async fn import_service(app: &TestApp, task_definition: &str, service: &str) -> Value {
    let read =
        |name: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(corpus().join(name)).unwrap()).unwrap() };
    let (task_definition, mut service) = (read(task_definition), read(service));
    if let Some(awsvpc) = service.pointer_mut("/networkConfiguration/awsvpcConfiguration") {
        let vpcs = json_with_status(app.get("/api/envs/local/network/vpcs").await, 200).await;
        let vpcs = vpcs.as_array().expect("VPCs");
        let vpc = vpcs.iter().find(|v| v["isDefault"] == true).unwrap_or(&vpcs[0])["id"].as_str().unwrap().to_string();
        let ids =
            |choices: Value| -> Value { choices.as_array().unwrap().iter().map(|c| c["id"].clone()).take(2).collect() };
        let subnets =
            json_with_status(app.get(&format!("/api/envs/local/network/vpcs/{vpc}/subnets")).await, 200).await;
        let groups =
            json_with_status(app.get(&format!("/api/envs/local/network/vpcs/{vpc}/security-groups")).await, 200).await;
        awsvpc["subnets"] = ids(subnets);
        awsvpc["securityGroups"] = ids(groups);
    }
    app.ecs("CreateCluster", serde_json::json!({"clusterName": service["cluster"]})).await;
    json_with_status(app.post_json("/api/envs/local/task-definitions", &task_definition).await, 201).await;
    json_with_status(app.post_json("/api/envs/local/services", &service).await, 201).await
}

#[tokio::test]
async fn realworld_create_service_documents_import_through_the_route() {
    let app = TestApp::spawn().await;
    let created = import_service(
        &app,
        "task-definitions/valid/codedeploy--ecs_taskdef.json",
        "services/valid/codedeploy--ecs_service.json",
    )
    .await;
    assert_eq!(created["serviceName"], "codedeploy-ecs-svc");
    let created = import_service(
        &app,
        "task-definitions/valid/fargate-workshop-app--ecs_task_definition.json",
        "services/valid/fargate-workshop-app--ecs_service.json",
    )
    .await;
    assert_eq!(created["taskDefinition"], "workshop:1");
}

#[tokio::test]
async fn realworld_an_invalid_create_service_document_is_refused_by_the_route_at_its_path() {
    let app = TestApp::spawn().await;
    let file = json_files(&corpus().join("services/invalid/document.required"))[0].clone();
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let refused = json_with_status(app.post_json("/api/envs/local/services", &document).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "serviceName", "{refused}");
    assert_eq!(refused["fields"][0]["message"], "required", "{refused}");
}
