//! The demo's load-balanced service (BLUE_GREEN with a PAUSE hook before production traffic) in
//! headless Chromium: deploy a new image, watch the stages and the traffic split, approve at the
//! pause, see SUCCEEDED after the bake with all production traffic on the new revision and its
//! targets healthy, find the approval in the audit log; then switch the service to CANARY in its
//! settings and deploy again.

use std::time::Duration;

use fantoccini::{Client, Locator};

use crate::helpers::{Browser, PASSWORD, TestApp, click, save_screenshot};

const PAGE: &str = "/e/local/services/itflex-nginx/nginx-web-bluegreen";

/// Deploys the image tagged `tag` from the service page's Deploy dialog.
async fn deploy(c: &Client, tag: &str) {
    let wait = || c.wait().at_most(Duration::from_secs(30));
    click(c, Locator::Id("deployButton")).await;
    let select = "fieldset[data-container='nginx-web'] select[name='pickImage']";
    wait().for_element(Locator::Css(&format!("{select} option:nth-child(2)"))).await.unwrap();
    let images = c.find(Locator::Css(select)).await.unwrap();
    let xpath = format!(".//option[starts-with(normalize-space(.), '{tag} ')]");
    images.find(Locator::XPath(&xpath)).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("previewDeploy")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Css("#deployPreview tbody tr")).await.unwrap();
    c.find(Locator::Id("confirmDeploy")).await.unwrap().click().await.unwrap();
}

/// A property of the page read in the browser (the panel re-renders at every snapshot).
async fn read(c: &Client, script: &str) -> String {
    c.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_blue_green_deploy_pauses_for_approval_moves_traffic_and_then_runs_as_a_canary() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1600).await.unwrap();
    browser.login(&app.address, PAGE, "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(60));
    // The first release (made when the demo was loaded) runs BLUE_GREEN to the end.
    wait().for_element(Locator::Css("#nativeRollout[data-status='SUCCESSFUL']")).await.unwrap();

    deploy(c, "v1").await;
    let banner = wait().for_element(Locator::Id("awaitingApproval")).await.unwrap();
    assert!(banner.text().await.unwrap().contains("Awaiting approval"));
    let now = read(c, "return document.querySelector('#stageTrack li.now')?.dataset.stage || ''").await;
    assert_eq!(now, "PRODUCTION_TRAFFIC_SHIFT");
    let weight = read(c, "return document.querySelector('#trafficSplit')?.dataset.targetWeight || ''").await;
    assert_eq!(weight, "0", "production traffic waits for the approval");
    save_screenshot(c, "blue-green-awaiting-approval").await;
    c.set_window_size(1024, 1400).await.unwrap();
    save_screenshot(c, "blue-green-awaiting-approval-1024").await;
    c.set_window_size(1280, 1600).await.unwrap();

    click(c, Locator::Id("approveContinue")).await;
    let first =
        wait().for_element(Locator::Css("#rollout[data-kind='deploy'][data-outcome='SUCCEEDED']")).await.unwrap();
    let first = first.attr("data-id").await.unwrap().unwrap();
    wait()
        .for_element(Locator::Css("#nativeRollout[data-status='SUCCESSFUL'] #trafficSplit[data-target-weight='100']"))
        .await
        .unwrap();
    assert!(c.find(Locator::Id("awaitingApproval")).await.is_err(), "nothing waits any more");
    // The load balancer's view of the new tasks: healthy targets in the group that now serves.
    wait().for_element(Locator::Css("#targets tbody tr[data-state='healthy']")).await.unwrap();
    // Each target names the task behind it (its instance and host port), linked to its page.
    wait()
        .for_element(Locator::Css("#targets tbody tr[data-state='healthy'] a[href*='/tasks/itflex-nginx/']"))
        .await
        .unwrap();
    save_screenshot(c, "blue-green-succeeded").await;

    // The approval is in the audit log, with who.
    c.goto(&format!("{}/admin/audit", app.address)).await.unwrap();
    let row = wait().for_element(Locator::XPath("//tr[td[normalize-space(.)='rollout.continue']]")).await.unwrap();
    let text = row.text().await.unwrap();
    assert!(text.contains("admin") && text.contains("success"), "{text}");

    // Settings: CANARY, 20 % first.
    c.goto(&format!("{}{PAGE}/update", app.address)).await.unwrap();
    let strategy = wait().for_element(Locator::Css("select[name='strategy']")).await.unwrap();
    strategy.find(Locator::Css("option[value='CANARY']")).await.unwrap().click().await.unwrap();
    let percent = wait().for_element(Locator::Css("input[name='canaryPercent']")).await.unwrap();
    percent.send_keys("20").await.unwrap();
    c.find(Locator::Css("input[name='canaryBakeTimeInMinutes']")).await.unwrap().send_keys("1").await.unwrap();
    // The load balancer's traffic-shifting settings are there to change, as the service has them.
    let alternate = c.find(Locator::Css("#balancerSettings input[name='alternateTargetGroupArn']")).await.unwrap();
    assert!(alternate.prop("value").await.unwrap().unwrap_or_default().contains(":targetgroup/"), "prefilled");
    // The demo's pause is one row of the hooks editor, with its stage.
    let stage = c.find(Locator::Css("input[name='hookStage'][value='PRE_PRODUCTION_TRAFFIC_SHIFT']")).await.unwrap();
    assert_eq!(stage.prop("checked").await.unwrap().as_deref(), Some("true"));
    // CloudWatch alarms ECS watches, rolling back when one fires.
    let alarms = c.find(Locator::Css("textarea[name$='alarms.alarmNames']")).await.unwrap();
    alarms.send_keys("nginx-web-5xx").await.unwrap();
    c.find(Locator::Css("input[name='alarmsEnable']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("input[name='alarmsRollback']")).await.unwrap().click().await.unwrap();
    // The approval pause is left on from the demo; a canary runs without it here.
    let pause = c.find(Locator::Css("input[name='approvalPause']")).await.unwrap();
    if pause.prop("checked").await.unwrap().as_deref() == Some("true") {
        pause.click().await.unwrap();
    }
    save_screenshot(c, "blue-green-settings-canary").await;
    c.find(Locator::Id("applySettings")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Id("deployButton")).await.unwrap();
    let settings: serde_json::Value = crate::helpers::json_with_status(
        app.get("/api/envs/local/clusters/itflex-nginx/services/nginx-web-bluegreen").await,
        200,
    )
    .await;
    assert_eq!(settings["deploymentConfiguration"]["strategy"], "CANARY", "{settings}");
    assert_eq!(settings["deploymentConfiguration"]["canaryConfiguration"]["canaryPercent"], 20.0, "{settings}");
    assert_eq!(
        settings["deploymentConfiguration"]["alarms"],
        serde_json::json!({"alarmNames": ["nginx-web-5xx"], "enable": true, "rollback": true}),
        "{settings}"
    );
    let hooks = settings["deploymentConfiguration"]["lifecycleHooks"].as_array().cloned().unwrap_or_default();
    assert!(hooks.is_empty(), "the pause is gone: {settings}");

    deploy(c, "v2").await;
    wait().for_element(Locator::XPath("//section[@id='nativeRollout']/h3[contains(., 'CANARY')]")).await.unwrap();
    let second = format!("#rollout[data-kind='deploy'][data-outcome='SUCCEEDED']:not([data-id='{first}'])");
    let done = wait().for_element(Locator::Css(&second)).await;
    assert!(done.is_ok(), "the canary deployment succeeds");
    save_screenshot(c, "canary-succeeded").await;
}
