//! The history's filter choices and filters name a service by environment, cluster and service:
//! two clusters each running a service of one name are two services, listed apart, whose
//! histories and figures never mix.

use std::time::Duration;

use serde_json::{Value, json};
use shared::auth::Role;

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

/// Clusters `blue` and `green`, each with a service `web` whose first rollout has COMPLETED.
pub async fn two_clusters_with_a_web_service(app: &TestApp) -> String {
    let repo = app.create_repository("web").await;
    let uri = repo["repositoryUri"].as_str().unwrap().to_string();
    app.aws.push_image("web", Some("v1"), &manifest('1')).await.unwrap();
    app.aws.push_image("web", Some("v2"), &manifest('2')).await.unwrap();
    app.aws.push_image("web", Some("cannot-start"), &manifest('3')).await.unwrap();
    let containers = json!([{"name": "web", "image": format!("{uri}:v1"), "memory": 128}]);
    app.ecs("RegisterTaskDefinition", json!({"family": "web", "containerDefinitions": containers})).await;
    let config = json!({"deploymentCircuitBreaker": {"enable": true, "rollback": true}, "maximumPercent": 200, "minimumHealthyPercent": 100});
    for cluster in ["blue", "green"] {
        app.ecs("CreateCluster", json!({"clusterName": cluster})).await;
        app.add_instances(cluster, 2).await;
        app.ecs(
            "CreateService",
            json!({"cluster": cluster, "serviceName": "web", "taskDefinition": "web:1", "desiredCount": 2,
                "deploymentConfiguration": config}),
        )
        .await;
    }
    for cluster in ["blue", "green"] {
        for _ in 0..100 {
            let out = app.ecs("DescribeServices", json!({"cluster": cluster, "services": ["web"]})).await;
            let deployments = out["services"][0]["deployments"].as_array().unwrap().clone();
            if deployments.iter().all(|d| d["rolloutState"] == "COMPLETED") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    uri
}

pub async fn deploy(app: &TestApp, cluster: &str, image: &str, status: u16) -> i64 {
    let request = json!({"cluster": cluster, "service": "web", "images": [{"container": "web", "image": image}]});
    let done = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, status).await;
    done["id"].as_i64().unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn same_named_services_of_two_clusters_are_listed_apart_and_filtered_apart() {
    let app = TestApp::spawn().await;
    let uri = two_clusters_with_a_web_service(&app).await;
    let good = deploy(&app, "green", &format!("{uri}:v2"), 200).await;
    let failed = deploy(&app, "blue", &format!("{uri}:cannot-start"), 424).await;

    let choices = json_with_status(app.get("/api/deployments/services").await, 200).await;
    assert_eq!(
        choices,
        json!([{"environment": "local", "cluster": "blue", "service": "web"},
               {"environment": "local", "cluster": "green", "service": "web"}])
    );

    // The history of one of them holds only its own deployments.
    let blue =
        json_with_status(app.get("/api/deployments?environment=local&cluster=blue&service=web").await, 200).await;
    assert!(blue["items"].as_array().unwrap().iter().all(|d| d["cluster"] == "blue"), "{blue}");
    assert!(ids(&blue).contains(&failed) && !ids(&blue).contains(&good), "{blue}");
    let green =
        json_with_status(app.get("/api/deployments?environment=local&cluster=green&service=web").await, 200).await;
    assert!(green["items"].as_array().unwrap().iter().all(|d| d["cluster"] == "green"), "{green}");
    assert!(ids(&green).contains(&good) && !ids(&green).contains(&failed), "{green}");

    // Their figures too: blue's failure does not count against green.
    let stats = |cluster: &'static str| {
        let app = &app;
        async move {
            let path = format!("/api/deployments/stats?environment=local&cluster={cluster}&service=web");
            json_with_status(app.get(&path).await, 200).await
        }
    };
    let (blue_stats, green_stats) = (stats("blue").await, stats("green").await);
    assert_eq!(green_stats["changeFailureRate"], 0.0, "{green_stats}");
    assert!(blue_stats["changeFailureRate"].as_f64().unwrap() > 0.0, "{blue_stats}");
    let total = |s: &Value| s["days"].as_array().unwrap().iter().map(|d| d["total"].as_i64().unwrap()).sum::<i64>();
    let both = json_with_status(app.get("/api/deployments/stats?service=web").await, 200).await;
    assert_eq!(total(&blue_stats) + total(&green_stats), total(&both), "{blue_stats} {green_stats} {both}");

    // Only the environments the caller can see.
    let outsider = app.user("olga", "prod", Role::Viewer).await;
    assert_eq!(json_with_status(outsider.get("/api/deployments/services").await, 200).await, json!([]));
}
