//! The lab, end to end in local mode: push an image without Docker (ECR's PutImage, as a push
//! ends), deploy it, and open the service's address — the local AWS's stand-in for the container
//! answers on this machine and writes its access line to the task's log stream.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
const PUSH: &str = "/api/envs/local/repositories/nginxweb/local-push";

#[tokio::test]
async fn a_local_push_is_a_new_image_that_deploys_and_answers_on_its_stand_in_with_an_access_line() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    // The push: a new image with a digest of its own, its layers' size and a push time; latest moves.
    let pushed = json_with_status(app.post_json(PUSH, &json!({"tags": ["v9", "latest"]})).await, 201).await;
    let digest = pushed["imageDigest"].as_str().unwrap().to_string();
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{pushed}");
    let tags: Vec<&str> = pushed["imageTags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tags.contains(&"v9") && tags.contains(&"latest"), "{pushed}");
    assert!(pushed["sizeBytes"].as_i64().unwrap() > 70_000_000, "the layers' size: {pushed}");
    assert!(pushed["pushedAt"].is_string(), "{pushed}");
    let images = json_with_status(app.get("/api/envs/local/repositories/nginxweb/images").await, 200).await;
    let latest = images
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["imageTags"].as_array().unwrap().contains(&json!("latest")))
        .unwrap();
    assert_eq!(latest["imageDigest"], digest.as_str(), "latest is the new image: {images}");
    let again = json_with_status(app.post_json(PUSH, &json!({"tags": ["v10"]})).await, 201).await;
    assert_ne!(again["imageDigest"], digest.as_str(), "each push is a new image");

    // What is refused, at its field or by name.
    let bad = json_with_status(app.post_json(PUSH, &json!({"tags": ["-v"]})).await, 422).await;
    assert_eq!(bad["fields"][0]["path"], "tags[0]", "{bad}");
    let missing = app.post_json("/api/envs/local/repositories/nope/local-push", &json!({"tags": ["v1"]})).await;
    let missing = json_with_status(missing, 404).await;
    assert!(missing["message"].as_str().unwrap().contains("nope"), "{missing}");

    // Deployed by tag (pinned by digest), it runs; its stand-in answers and logs the request.
    let uri = app.repository_uri("nginxweb").await;
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v9")}]});
    let record = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 200).await;
    assert_eq!(record["outcome"], "SUCCEEDED", "{record}");
    assert_eq!(record["images"][0]["digest"], digest.as_str(), "{record}");
    let revision = record["toTaskDefinition"].as_str().unwrap().to_string();
    let number = revision.rsplit(':').next().unwrap();
    let registered =
        json_with_status(app.get(&format!("/api/envs/local/task-definitions/nginx-web/revisions/{number}")).await, 200)
            .await;
    let pinned = format!("{uri}@{digest}");
    assert_eq!(registered["spec"]["containerDefinitions"][0]["image"], pinned.as_str(), "v9, by its digest");

    let mut addresses = Value::Null;
    for _ in 0..50 {
        addresses = json_with_status(app.get(&format!("{SERVICE}/addresses")).await, 200).await;
        let all = addresses["addresses"].as_array().unwrap();
        if all.len() == 2 * 2 && all.iter().all(|a| a["url"].as_str().unwrap().starts_with("http://127.0.0.1:")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let all = addresses["addresses"].as_array().unwrap();
    assert_eq!(all.len(), 4, "2 tasks × ports 80 and 443: {addresses}");
    let first = all.iter().find(|a| a["containerPort"] == 80).unwrap();
    let url = first["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{addresses}");
    assert!(first["onAws"].as_str().unwrap().starts_with("http://"), "the address as on AWS: {first}");
    assert!(addresses["notes"].to_string().contains("stand-in"), "{addresses}");
    let task = first["taskId"].as_str().unwrap().to_string();
    let page = reqwest::Client::new()
        .get(format!("{url}/index.html"))
        .header("user-agent", "berth-lab-test")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains(&task) && body.contains(&revision) && body.contains(&pinned), "{body}");
    assert!(body.contains("Its tags in ECR now</th><td><code>latest, v9</code>"), "the pinned image's tags: {body}");
    assert!(body.contains("stand-in"), "{body}");

    let tasks_logs = format!("/api/envs/local/clusters/itflex-nginx/tasks/{task}/logs?text=berth-lab-test");
    for _ in 0..50 {
        let logs = json_with_status(app.get(&tasks_logs).await, 200).await;
        if let Some(line) = logs["lines"].as_array().unwrap().first() {
            let message = line["message"].as_str().unwrap();
            assert!(
                message.contains("\"GET /index.html HTTP/1.1\" 200") && message.starts_with("127.0.0.1 "),
                "{message}"
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no access line for the request in task {task}'s log stream");
}

/// The CI snippets name Berth as CI reaches it: `--public-url` when set, else the address it
/// listens on (`/api/auth/me`'s `publicUrl`; absent for a wildcard address, where the browser's
/// own address is used).
#[tokio::test]
async fn ci_snippets_name_berths_public_url() {
    let app = TestApp::spawn().await;
    let me = json_with_status(app.get("/api/auth/me").await, 200).await;
    assert_eq!(me["publicUrl"], app.address.as_str(), "{me}");
    let configured = TestApp::spawn_with(|s| s.notify.public_url = Some("https://berth.example.com/".into())).await;
    let me = json_with_status(configured.get("/api/auth/me").await, 200).await;
    assert_eq!(me["publicUrl"], "https://berth.example.com", "{me}");
}
