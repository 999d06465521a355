//! AWS reads shared between pages (`--aws-read-reuse-ms`): an answer serves identical reads for the
//! reuse time, a change made through Berth is seen at once, one made elsewhere within the reuse
//! time.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, json_with_status};

const SERVICES: &str = "/api/envs/local/clusters/itflex-nginx/services";

async fn desired(app: &TestApp) -> i64 {
    let list = json_with_status(app.get(SERVICES).await, 200).await;
    let lab = list.as_array().unwrap().iter().find(|s| s["serviceName"] == "nginx-web-access").unwrap();
    lab["desiredCount"].as_i64().unwrap()
}

#[tokio::test]
async fn a_change_through_berth_is_seen_at_once_and_one_made_elsewhere_within_the_reuse_time() {
    let reuse = Duration::from_secs(5);
    let app = TestApp::spawn_with(|s| {
        s.demo_data = true;
        s.aws_read_reuse = reuse;
    })
    .await;
    assert_eq!(desired(&app).await, 4, "the lab's service as it ships");

    // Through Berth: the scale forgets the shared answers; the next read asks ECS.
    let path = format!("{SERVICES}/nginx-web-access/desired-count");
    json_with_status(app.put_json(&path, &json!({"desiredCount": 2})).await, 200).await;
    assert_eq!(desired(&app).await, 2, "seen at once");

    // Elsewhere (the AWS CLI): the page keeps the answer it has for at most the reuse time.
    let changed = Instant::now();
    app.ecs("UpdateService", json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "desiredCount": 1}))
        .await;
    assert_eq!(desired(&app).await, 2, "the shared answer, younger than the reuse time");
    let mut seen = None;
    while changed.elapsed() < reuse * 2 {
        if desired(&app).await == 1 {
            seen = Some(changed.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen = seen.expect("the change made elsewhere shows within the reuse time");
    assert!(seen <= reuse + Duration::from_millis(500), "seen after {seen:?}");
}
