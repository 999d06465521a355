//! ECR repositories through the API, against the local AWS over HTTP.

use serde_json::json;
use shared::ecr::validate_repository_name;

use crate::helpers::{TestApp, json_with_status};

fn manifest(layer: char) -> String {
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 100,
                   "digest": format!("sha256:{}", "c".repeat(64))},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1000,
                    "digest": format!("sha256:{}", layer.to_string().repeat(64))}],
    })
    .to_string()
}

#[tokio::test]
async fn a_created_repository_is_listed_with_its_settings() {
    let app = TestApp::spawn().await;
    let spec = json!({
        "repositoryName": "team/web",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": true},
        "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": "alias/web"},
        "tags": [{"Key": "team", "Value": "web"}]
    });
    let created = json_with_status(app.post_json("/api/envs/local/repositories", &spec).await, 201).await;
    let uri = format!("{}.dkr.ecr.us-east-1.amazonaws.com/team/web", app.account);
    assert_eq!(created["repositoryUri"], uri);

    let list = json_with_status(app.get("/api/envs/local/repositories").await, 200).await;
    let repo = &list.as_array().unwrap()[0];
    assert_eq!(repo["repositoryName"], "team/web");
    assert_eq!(repo["imageTagMutability"], "IMMUTABLE");
    assert_eq!(repo["scanOnPush"], true);
    assert_eq!(repo["encryptionType"], "KMS");
    assert_eq!(repo["imageCount"], 0);
    assert!(repo["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_duplicate_name_is_a_409_on_the_name_field() {
    let app = TestApp::spawn().await;
    app.create_repository("nginxweb").await;
    let resp = app.post_json("/api/envs/local/repositories", &json!({"repositoryName": "nginxweb"})).await;
    let body = json_with_status(resp, 409).await;
    assert_eq!(body["code"], "conflict");
    assert_eq!(body["fields"][0]["path"], "repositoryName");
    assert_eq!(body["fields"][0]["message"], "A repository named 'nginxweb' already exists in environment 'local'.");
}

#[tokio::test]
async fn an_invalid_name_is_refused_with_the_shared_rules_message() {
    let app = TestApp::spawn().await;
    for name in ["Nginx", "a", "team//app", "-app", "a..b"] {
        let resp = app.post_json("/api/envs/local/repositories", &json!({"repositoryName": name})).await;
        let body = json_with_status(resp, 422).await;
        assert_eq!(body["fields"][0]["path"], "repositoryName");
        assert_eq!(body["fields"][0]["message"], validate_repository_name(name).unwrap_err(), "{name}");
    }
    let list = json_with_status(app.get("/api/envs/local/repositories").await, 200).await;
    assert_eq!(list, json!([]), "nothing reached AWS");
}

/// The local AWS pages DescribeRepositories by 100, as AWS does: 105 need two pages.
#[tokio::test]
async fn listing_reads_every_page() {
    let app = TestApp::spawn().await;
    for i in 0..105 {
        app.aws.create_repository(&shared::ecr::RepositorySpec::named(format!("repo-{i:03}"))).await.unwrap();
    }
    let list = json_with_status(app.get("/api/envs/local/repositories").await, 200).await;
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["repositoryName"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 105);
    assert_eq!(names[104], "repo-104");
}

#[tokio::test]
async fn images_are_listed_newest_first_with_untagged_ones_marked() {
    let app = TestApp::spawn().await;
    app.create_repository("app").await;
    app.aws.push_image("app", Some("v1"), &manifest('1')).await.unwrap();
    app.aws.push_image("app", None, &manifest('2')).await.unwrap();
    app.aws.push_image("app", Some("v2"), &manifest('3')).await.unwrap();
    app.aws.push_image("app", Some("latest"), &manifest('3')).await.unwrap();

    let images = json_with_status(app.get("/api/envs/local/repositories/app/images").await, 200).await;
    let tags: Vec<_> = images.as_array().unwrap().iter().map(|i| i["imageTags"].clone()).collect();
    assert_eq!(tags, [json!(["v2", "latest"]), json!([]), json!(["v1"])]);
    for image in images.as_array().unwrap() {
        assert!(image["imageDigest"].as_str().unwrap().starts_with("sha256:"));
        assert!(image["pushedAt"].is_string());
    }
    let detail = json_with_status(app.get("/api/envs/local/repositories/app").await, 200).await;
    assert_eq!(detail["repository"]["imageCount"], 3);
}

/// In local mode there is no registry to `docker push` to: the push commands are local mode's
/// (AWS's four, for an AWS account, are `shared::ecr::push_commands`, unit-tested there).
#[tokio::test]
async fn the_repository_page_has_local_push_commands_and_no_lifecycle_policy() {
    let app = TestApp::spawn().await;
    app.create_repository("team/api").await;
    let detail = json_with_status(app.get("/api/envs/local/repositories/team%2Fapi").await, 200).await;
    let commands: Vec<&str> =
        detail["pushCommands"].as_array().unwrap().iter().map(|c| c["command"].as_str().unwrap()).collect();
    assert_eq!(
        commands,
        [
            "target/debug/berth local push team/api:v3 --tag latest",
            "berth local push team/api:$CI_COMMIT_SHORT_SHA --tag latest"
        ]
    );
    assert!(detail["pushCommands"][0]["title"].as_str().unwrap().contains("no registry to docker push to"), "{detail}");
    assert_eq!(detail["lifecyclePolicy"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_unknown_repository_is_a_404_naming_it() {
    let app = TestApp::spawn().await;
    let body = json_with_status(app.get("/api/envs/local/repositories/ghost").await, 404).await;
    assert_eq!(body["message"], "No repository named 'ghost' in environment 'local'.");
    let body = json_with_status(app.get("/api/envs/local/repositories/ghost/images").await, 404).await;
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn an_empty_repository_is_deleted() {
    let app = TestApp::spawn().await;
    app.create_repository("short-lived").await;
    assert_eq!(app.delete("/api/envs/local/repositories/short-lived").await.status(), 204);
    assert_eq!(app.get("/api/envs/local/repositories/short-lived").await.status(), 404);
}

#[tokio::test]
async fn a_repository_with_images_is_deleted_only_with_force() {
    let app = TestApp::spawn().await;
    app.create_repository("busy").await;
    app.aws.push_image("busy", Some("v1"), &manifest('1')).await.unwrap();

    let body = json_with_status(app.delete("/api/envs/local/repositories/busy").await, 409).await;
    assert_eq!(body["code"], "conflict");
    assert_eq!(body["message"], "Repository 'busy' still holds images: delete the images too to remove it.");
    assert_eq!(app.get("/api/envs/local/repositories/busy").await.status(), 200, "still there");

    assert_eq!(app.delete("/api/envs/local/repositories/busy?force=true").await.status(), 204);
    assert_eq!(app.get("/api/envs/local/repositories/busy").await.status(), 404);
}

#[tokio::test]
async fn demo_data_holds_the_seed_labs_images_and_loads_twice_safely() {
    let first = TestApp::spawn_with(|s| s.demo_data = true).await;
    let account = first.account.clone();
    let again = TestApp::spawn_with(|s| {
        s.demo_data = true;
        s.environments[0] = berth::config::local_environment(crate::helpers::local_aws_url(), &account);
    })
    .await;
    let images = json_with_status(again.get("/api/envs/local/repositories/nginxweb/images").await, 200).await;
    let mut tags: Vec<String> = images
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["imageTags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()))
        .collect();
    tags.sort();
    assert_eq!(tags, ["latest", "v1", "v2", "v3-cannot-start"]);
}
