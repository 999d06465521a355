//! Task definitions through the API.

use serde_json::json;
use shared::auth::Role;

use crate::helpers::{TestApp, json_with_status};

const SEED: &str = include_str!("../../../../shared/seed/fixtures/task-definition-template.json");

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
