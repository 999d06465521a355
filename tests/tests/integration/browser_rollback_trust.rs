//! The sequence that broke trust, replayed in headless Chromium: a good deploy, a failing one that
//! ECS rolls back, then Roll back — the dialog says the service already runs the last good
//! release and offers the earlier one only as a choice; redeploying the failed revision from the
//! history asks for an acknowledgement; the failed deployment's page and the CI answer say why.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, TestApp, click, json_with_status, save_screenshot};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";

#[tokio::test]
async fn after_a_failed_deploy_rolled_back_by_ecs_the_dialogs_say_what_happened_and_why() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let deploy = |tag: &'static str, status: u16| {
        let (app, uri) = (&app, uri.clone());
        async move {
            let body = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
                "images": [{"container": "nginx-web", "image": format!("{uri}:{tag}")}]});
            json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &body).await, status).await
        }
    };
    let good = deploy("v1", 200).await;
    // The CI answer (424) carries why it failed.
    let failed = deploy("v3-cannot-start", 424).await;
    let summary = failed["verdict"]["summary"].as_str().unwrap().to_string();
    assert!(summary.contains("Essential container in task exited (nginx-web exited with code 1)"), "{failed}");
    let good_revision = good["toTaskDefinition"].as_str().unwrap();

    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    // The service page's latest deployment says why it failed.
    let verdict = wait().for_element(Locator::Css("#rollout #verdict")).await.unwrap().text().await.unwrap();
    assert_eq!(verdict, summary);

    click(c, Locator::Id("rollbackButton")).await;
    let already = wait().for_element(Locator::Id("alreadyRolledBack")).await.unwrap().text().await.unwrap();
    assert_eq!(
        already,
        format!(
            "Deployment #{} failed and ECS rolled it back; the service already runs the last good release {good_revision}.",
            failed["id"]
        )
    );
    let target = c.find(Locator::Id("planTarget")).await.unwrap().text().await.unwrap();
    assert!(target.contains("nginx-web:1") && target.contains("made outside Berth"), "the earlier one: {target}");
    let confirm = c.find(Locator::Id("confirmRollback")).await.unwrap();
    assert_eq!(confirm.attr("disabled").await.unwrap().as_deref(), Some("true"), "not the default");
    save_screenshot(c, "rollback-already-rolled-back").await;
    c.find(Locator::Css(".modal .modal-head button")).await.unwrap().click().await.unwrap();

    // The failed deployment's page: why first; deploying it again asks for an acknowledgement.
    c.goto(&app.url(&format!("/deployments/{}", failed["id"]))).await.unwrap();
    let why = wait().for_element(Locator::Css("#verdict strong")).await.unwrap().text().await.unwrap();
    assert_eq!(why, summary);
    let stopped = c.find(Locator::Id("stoppedTasks")).await.unwrap().text().await.unwrap();
    assert!(stopped.contains("EssentialContainerExited"), "{stopped}");
    c.find(Locator::Id("redeploy")).await.unwrap().click().await.unwrap();
    let failed_before = wait().for_element(Locator::Id("failedBefore")).await.unwrap().text().await.unwrap();
    assert!(
        failed_before.contains(&format!("failed on #{}", failed["id"]))
            && failed_before.contains("Essential container in task exited"),
        "{failed_before}"
    );
    let confirm = c.find(Locator::Id("confirmRedeploy")).await.unwrap();
    assert_eq!(confirm.attr("disabled").await.unwrap().as_deref(), Some("true"));
    c.find(Locator::Id("acknowledgeFailure")).await.unwrap().click().await.unwrap();
    assert_eq!(confirm.attr("disabled").await.unwrap(), None, "ticked: it may go");
    save_screenshot(c, "redeploy-failed-revision").await;
    browser.client.close().await.unwrap();
}

/// The lab's update-service template (circuit breaker off) applied with a revision whose image
/// can't start: the service page shows the rollout as stuck, and "Stop this rollout" takes the
/// service back to its last good revision.
#[tokio::test]
async fn a_rollout_that_keeps_failing_without_the_circuit_breaker_is_shown_stuck_and_can_be_stopped() {
    // The demo's first rollout COMPLETED: the last good release to go back to.
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let before = json_with_status(app.get(SERVICE).await, 200).await["taskDefinition"].as_str().unwrap().to_string();
    let uri = app.repository_uri("nginxweb").await;
    let revision = before.rsplit(':').next().unwrap();
    let current = json_with_status(
        app.get(&format!("/api/envs/local/task-definitions/nginx-web/revisions/{revision}")).await,
        200,
    )
    .await;
    let mut spec = current["spec"].clone();
    spec["containerDefinitions"][0]["image"] = json!(format!("{uri}:v3-cannot-start"));
    json_with_status(app.post_json("/api/envs/local/task-definitions", &spec).await, 201).await;
    let template: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/seed/ecs-update-service-template.json")).unwrap();
    json_with_status(app.post_json("/api/envs/local/services/update", &template).await, 200).await;

    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    let stuck = wait().for_element(Locator::Id("stuckRollout")).await.unwrap().text().await.unwrap();
    assert!(stuck.contains("keeps failing") && stuck.contains("tasks failed"), "{stuck}");
    assert!(stuck.contains("Essential container in task exited"), "the latest stop reason: {stuck}");
    save_screenshot(c, "rollout-stuck").await;
    c.find(Locator::Id("stopRollout")).await.unwrap().click().await.unwrap();
    let back =
        wait().for_element(Locator::Css("#rollout[data-kind='rollback'][data-outcome='SUCCEEDED']")).await.unwrap();
    assert!(back.text().await.unwrap().contains(&format!("→ {before}")), "{}", back.text().await.unwrap());
    browser.client.close().await.unwrap();
}
