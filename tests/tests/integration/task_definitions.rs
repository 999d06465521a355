//! Task definitions through the API.

use serde_json::json;
use shared::auth::Role;

use crate::helpers::{TestApp, json_with_status};

const SEED: &str = include_str!("../../fixtures/seed/task-definition-template.json");

#[tokio::test]
async fn any_logged_in_user_validates_a_document_and_gets_paths() {
    let app = TestApp::spawn().await;
    let viewer = app.user("val", "local", Role::Viewer).await;
    let seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
    let body = json_with_status(viewer.post_json("/api/task-definitions/validate", &seed).await, 200).await;
    assert_eq!(body["valid"], true);
    assert_eq!(body["errors"], json!([]));
    assert_eq!(body["warnings"][0]["path"], "containerDefinitions[0].image");

    let described = json!({"taskDefinition": {"family": "x y", "revision": 4, "containerDefinitions": []}});
    let body = json_with_status(viewer.post_json("/api/task-definitions/validate", &described).await, 200).await;
    assert_eq!(body["valid"], false);
    assert_eq!(body["dropped"], json!(["revision"]));
    let paths: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["family", "containerDefinitions"]);
}

#[tokio::test]
async fn the_seed_registers_lists_exports_equivalently_and_deregisters() {
    let app = TestApp::spawn().await;
    let seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
    let first = json_with_status(app.post_json("/api/envs/local/task-definitions", &seed).await, 201).await;
    assert_eq!(first["family"], "nginx-web");
    assert_eq!(first["revision"], 1);
    assert_eq!(first["status"], "ACTIVE");
    let registered = first["registeredAt"].as_str().unwrap_or_default();
    assert!(registered.starts_with("20") && registered.ends_with('Z'), "registered at an RFC 3339 time: {first}");
    let second = json_with_status(app.post_json("/api/envs/local/task-definitions", &seed).await, 201).await;
    assert_eq!(second["revision"], 2);

    let families = json_with_status(app.get("/api/envs/local/task-definitions").await, 200).await;
    assert_eq!(families, json!(["nginx-web"]));
    let revisions = json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions").await, 200).await;
    assert_eq!(revisions, json!([2, 1]), "newest first");

    // Export is the registration document: it equals the seed, and imports and registers again.
    let described =
        json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions/1").await, 200).await;
    assert_eq!(described["spec"], seed, "export gives the seed back");
    let third =
        json_with_status(app.post_json("/api/envs/local/task-definitions", &described["spec"]).await, 201).await;
    assert_eq!(third["revision"], 3);

    let mut changed = seed.clone();
    changed["containerDefinitions"][0]["image"] = json!("nginx:1.27");
    changed["memory"] = json!("512");
    json_with_status(app.post_json("/api/envs/local/task-definitions", &changed).await, 201).await;
    let changes =
        json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/diff?from=1&to=4").await, 200).await;
    assert_eq!(
        changes,
        json!([
            {"path": "containerDefinitions[\"nginx-web\"].image", "before": "757807667488.dkr.ecr.us-east-1.amazonaws.com/nginx:latest", "after": "nginx:1.27"},
            {"path": "memory", "before": "256", "after": "512"}
        ])
    );

    let gone = app.delete("/api/envs/local/task-definitions/nginx-web/revisions/1").await;
    assert_eq!(json_with_status(gone, 200).await["status"], "INACTIVE");
    let active = json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions").await, 200).await;
    assert_eq!(active, json!([4, 3, 2]));
    let inactive =
        json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions?status=INACTIVE").await, 200)
            .await;
    assert_eq!(inactive, json!([1]));
}

#[tokio::test]
async fn registration_refuses_what_aws_would_with_paths_and_needs_admin() {
    let app = TestApp::spawn().await;
    let bad = json!({"family": "web", "networkMode": "awsvpc", "containerDefinitions": [
        {"name": "web", "image": "nginx:1", "memory": 64, "portMappings": [{"containerPort": 80, "hostPort": 8080}]}]});
    let body = json_with_status(app.post_json("/api/envs/local/task-definitions", &bad).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "containerDefinitions[0].portMappings[0].hostPort");

    let unknown = json!({"family": "web", "containerDefinitions": [
        {"name": "web", "image": "nginx:1", "memory": 64, "linuxParameters": {"initProcessEnable": true}}]});
    let body = json_with_status(app.post_json("/api/envs/local/task-definitions", &unknown).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "containerDefinitions[0].linuxParameters.initProcessEnable");

    let viewer = app.user("vi", "local", Role::Viewer).await;
    let seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
    assert_eq!(viewer.post_json("/api/envs/local/task-definitions", &seed).await.status(), 403);
    assert_eq!(
        json_with_status(app.get("/api/envs/local/task-definitions/ghost/revisions/7").await, 404).await["code"],
        "not_found"
    );
}

#[tokio::test]
async fn import_reads_describe_output_names_dropped_fields_and_refuses_unknown_keys() {
    let app = TestApp::spawn().await;
    let viewer = app.user("imp", "local", Role::Viewer).await;
    let seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
    let mut inner = seed.clone();
    inner["taskDefinitionArn"] = json!("arn:aws:ecs:us-east-1:1:task-definition/nginx-web:3");
    inner["registeredBy"] = json!("arn:aws:iam::1:user/ci");
    let described = json!({"taskDefinition": inner, "tags": [{"key": "team", "value": "web"}]});
    let body = json_with_status(viewer.post_json("/api/task-definitions/import", &described).await, 200).await;
    assert_eq!(body["dropped"], json!(["taskDefinitionArn", "registeredBy"]));
    let mut expected = seed.clone();
    expected["tags"] = json!([{"key": "team", "value": "web"}]);
    assert_eq!(body["spec"], expected);

    let unknown = json!({"family": "web", "containerDefinitions": [{"name": "a", "image": "b", "colour": "blue"}]});
    let body = json_with_status(viewer.post_json("/api/task-definitions/import", &unknown).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "containerDefinitions[0].colour");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("colour"), "{body}");

    let malformed = viewer
        .request(reqwest::Method::POST, "/api/task-definitions/import")
        .header("content-type", "application/json")
        .body("{\"family\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(json_with_status(malformed, 400).await["code"], "bad_request");
}

#[tokio::test]
async fn deregistering_warns_about_the_services_that_run_the_revision() {
    let app = TestApp::spawn().await;
    let seed: serde_json::Value = serde_json::from_str(SEED).unwrap();
    let first = json_with_status(app.post_json("/api/envs/local/task-definitions", &seed).await, 201).await;
    json_with_status(app.post_json("/api/envs/local/task-definitions", &seed).await, 201).await;
    app.ecs("CreateCluster", json!({"clusterName": "itflex-nginx"})).await;
    app.ecs(
        "CreateService",
        json!({"cluster": "itflex-nginx", "serviceName": "nginx-web-access", "taskDefinition": "nginx-web:1", "desiredCount": 0}),
    )
    .await;

    let users = app.get("/api/envs/local/task-definitions/nginx-web/revisions/1/services").await;
    assert_eq!(
        json_with_status(users, 200).await,
        json!([{"cluster": "itflex-nginx", "service": "nginx-web-access", "deploymentStatus": "PRIMARY"}])
    );
    assert_eq!(first["taskDefinitionArn"].as_str().unwrap().rsplit('/').next(), Some("nginx-web:1"));
    let unused = app.get("/api/envs/local/task-definitions/nginx-web/revisions/2/services").await;
    assert_eq!(json_with_status(unused, 200).await, json!([]));
    let missing = app.get("/api/envs/local/task-definitions/nginx-web/revisions/9/services").await;
    assert_eq!(json_with_status(missing, 404).await["code"], "not_found");
}

/// Every member the wizard only shows registers and exports back unchanged (two documents: some
/// members are EC2-only, others Fargate-only).
#[tokio::test]
async fn the_members_the_wizard_does_not_edit_register_and_export_unchanged() {
    let app = TestApp::spawn().await;
    let ec2 = json!({
        "family": "everything-ec2",
        "networkMode": "bridge",
        "requiresCompatibilities": ["EC2"],
        "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}],
        "containerDefinitions": [{
            "name": "web", "image": "nginx:1.27", "cpu": 128, "memory": 256, "essential": true,
            "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:hub"},
            "restartPolicy": {"enabled": true, "ignoredExitCodes": [0], "restartAttemptPeriod": 60},
            "environmentFiles": [{"value": "arn:aws:s3:::config/web.env", "type": "s3"}],
            "linuxParameters": {
                "capabilities": {"add": ["SYS_PTRACE"], "drop": ["NET_RAW"]},
                "devices": [{"hostPath": "/dev/fuse", "containerPath": "/dev/fuse", "permissions": ["read", "write"]}],
                "initProcessEnabled": true, "sharedMemorySize": 64,
                "tmpfs": [{"containerPath": "/scratch", "size": 64, "mountOptions": ["rw"]}],
                "maxSwap": 512, "swappiness": 60
            },
            "extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}],
            "systemControls": [{"namespace": "net.core.somaxconn", "value": "1024"}],
            "resourceRequirements": [{"value": "1", "type": "GPU"}],
            "firelensConfiguration": {"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}}
        }],
        "volumes": [{"name": "shared", "efsVolumeConfiguration": {
            "fileSystemId": "fs-0123456789abcdef0", "rootDirectory": "/", "transitEncryption": "ENABLED",
            "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "ENABLED"}}}]
    });
    let fargate = json!({
        "family": "everything-fargate",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256", "memory": "512",
        "proxyConfiguration": {"type": "APPMESH", "containerName": "envoy",
            "properties": [{"name": "AppPorts", "value": "80"}, {"name": "ProxyIngressPort", "value": "15000"}]},
        "ephemeralStorage": {"sizeInGiB": 30},
        "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "containerDefinitions": [
            {"name": "app", "image": "nginx:1.27", "cpu": 0, "essential": true},
            {"name": "envoy", "image": "envoyproxy/envoy:v1.31", "cpu": 0, "essential": true, "user": "1337"}
        ]
    });
    for document in [ec2, fargate] {
        let family = document["family"].as_str().unwrap().to_string();
        let registered =
            json_with_status(app.post_json("/api/envs/local/task-definitions", &document).await, 201).await;
        assert_eq!(registered["spec"], document, "{family}: registered as sent");
        let path = format!("/api/envs/local/task-definitions/{family}/revisions/1");
        assert_eq!(json_with_status(app.get(&path).await, 200).await["spec"], document, "{family}: exported unchanged");
    }
}
