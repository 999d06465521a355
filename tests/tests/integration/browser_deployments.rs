//! Deploying from the service page in headless Chromium: pick an image from ECR in the Deploy
//! dialog, preview the change, watch the live progress end SUCCEEDED, find it in the history (with
//! its charts and page), and roll back.

use std::time::Duration;

use fantoccini::Locator;

use crate::helpers::{Browser, PASSWORD, TestApp, click, save_screenshot};

#[tokio::test]
async fn a_deploy_from_the_service_page_finishes_live_is_in_the_history_and_rolls_back() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    app.fit_lab_service().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1600).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    // The demo service's first rollout, followed live, is recorded as made outside Berth.
    wait().for_element(Locator::Css("#rollout[data-kind='external'][data-outcome='SUCCEEDED']")).await.unwrap();

    click(c, Locator::Id("deployButton")).await;
    // The container's repository is preselected from its current image; pick v1, pinned by digest.
    wait()
        .for_element(Locator::Css("fieldset[data-container='nginx-web'] select[name='pickImage'] option:nth-child(2)"))
        .await
        .unwrap();
    let images = c.find(Locator::Css("fieldset[data-container='nginx-web'] select[name='pickImage']")).await.unwrap();
    let v1 = images
        .find(Locator::XPath(".//option[starts-with(normalize-space(.), 'v1 ') and contains(., 'by digest')]"))
        .await
        .unwrap();
    let reference = v1.attr("value").await.unwrap().unwrap();
    let digest = reference.split_once('@').map(|(_, d)| d.to_string()).expect("a reference by digest");
    assert!(digest.starts_with("sha256:"), "{reference}");
    v1.click().await.unwrap();
    let field = c.find(Locator::Css("fieldset[data-container='nginx-web'] input[name='newImage']")).await.unwrap();
    let chosen = field.prop("value").await.unwrap().unwrap();
    assert!(chosen.ends_with(&format!("/nginxweb@{digest}")), "pinned by digest: {chosen}");
    c.find(Locator::Css(".modal input[name='note']")).await.unwrap().send_keys("back to v1").await.unwrap();
    c.find(Locator::Id("previewDeploy")).await.unwrap().click().await.unwrap();
    let preview = wait().for_element(Locator::Css("#deployPreview tbody tr")).await.unwrap().text().await.unwrap();
    assert!(preview.contains("containerDefinitions[\"nginx-web\"].image") && preview.contains(&digest), "{preview}");
    save_screenshot(c, "deploy-dialog").await;
    c.find(Locator::Id("confirmDeploy")).await.unwrap().click().await.unwrap();

    // Live: in progress, then SUCCEEDED, with no reload.
    c.execute("window.__sameDocument = 'yes'", vec![]).await.unwrap();
    let done =
        wait().for_element(Locator::Css("#rollout[data-kind='deploy'][data-outcome='SUCCEEDED']")).await.unwrap();
    let id = done.attr("data-id").await.unwrap().unwrap();
    let same: serde_json::Value = c.execute("return window.__sameDocument || null", vec![]).await.unwrap();
    assert_eq!(same, "yes", "no reload happened");
    save_screenshot(c, "service-deployed").await;

    // In the history, filtered to the service: its page has the image change and the events.
    c.find(Locator::Id("historyLink")).await.unwrap().click().await.unwrap();
    let row = wait().for_element(Locator::Css(&format!("#history tr[data-id='{id}']"))).await.unwrap();
    assert!(row.text().await.unwrap().contains("SUCCEEDED"));
    wait().for_element(Locator::Css("#timeline circle.ok")).await.unwrap();
    let count = wait().for_element(Locator::Id("deploymentCount")).await.unwrap().text().await.unwrap();
    assert_eq!(count, "2", "the external first rollout and this deploy");
    save_screenshot(c, "history").await;
    row.find(Locator::Css("a")).await.unwrap().click().await.unwrap();
    let changes = wait().for_element(Locator::Css("#changes tbody tr")).await.unwrap().text().await.unwrap();
    assert!(changes.contains(&digest), "{changes}");
    let facts = c.find(Locator::Id("deploymentFacts")).await.unwrap().text().await.unwrap();
    assert!(facts.contains("back to v1") && facts.contains("admin (session)"), "{facts}");
    assert!(c.find(Locator::Id("events")).await.unwrap().text().await.unwrap().contains("has reached a steady state"));
    save_screenshot(c, "deployment-page").await;

    // Back on the service page: roll back to the demo's revision.
    c.find(Locator::Css(".page-head a[href^='/e/local/services/']")).await.unwrap().click().await.unwrap();
    click(c, Locator::Id("rollbackButton")).await;
    // The dialog shows the target before confirming: the demo's revision, deployed outside Berth.
    let target = wait().for_element(Locator::Id("planTarget")).await.unwrap().text().await.unwrap();
    assert!(target.contains("nginx-web:1") && target.contains("made outside Berth"), "{target}");
    c.find(Locator::Id("confirmRollback")).await.unwrap().click().await.unwrap();
    let back =
        wait().for_element(Locator::Css("#rollout[data-kind='rollback'][data-outcome='SUCCEEDED']")).await.unwrap();
    assert!(back.text().await.unwrap().contains("→ nginx-web:1"), "{}", back.text().await.unwrap());
    let counts = c.find(Locator::Id("ci")).await.unwrap();
    counts.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
    let gitlab = c.find(Locator::Id("gitlabSnippet")).await.unwrap().text().await.unwrap();
    assert!(
        gitlab.contains("/api/envs/local/deployments?wait=true") && gitlab.contains("nginxweb:$CI_COMMIT_SHORT_SHA"),
        "{gitlab}"
    );
    save_screenshot(c, "service-rolled-back").await;
    browser.client.close().await.unwrap();
}
