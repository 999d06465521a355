//! The live view and the failed-image guard in headless Chromium (issue 20): two environments (two
//! accounts of the local AWS) side by side, the one that runs other images marked; a failed
//! deployment's page takes an acknowledgement and lists it; an admin turns the failed-image guard
//! on from the guardrails page; during a freeze the deploy dialog offers the admin an override.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, click, json_with_status, save_screenshot, set_text, two_environments};

#[tokio::test]
async fn the_live_view_marks_the_environment_that_differs_and_a_failure_is_acknowledged_on_its_page() {
    let (app, _other) = two_environments().await;
    let uri = app.repository_uri("nginxweb").await;
    let deploy = |tag: &str| {
        json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:{tag}")}]})
    };
    json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &deploy("v1")).await, 200).await;
    let failed =
        json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &deploy("v3-cannot-start")).await, 424)
            .await;

    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1000).await.unwrap();
    browser.login(&app.address, "/live", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    let heads = wait().for_element(Locator::Css("#live thead")).await.unwrap().text().await.unwrap();
    assert!(heads.contains("local") && heads.contains("prod"), "{heads}");
    let row = Locator::Css("#live tr[data-service='itflex-nginx/nginx-web-access']");
    let row = wait().for_element(row).await.unwrap();
    assert_eq!(row.attr("data-differs").await.unwrap().as_deref(), Some("true"));
    let prod = row.find(Locator::Css("td[data-environment='prod']")).await.unwrap();
    assert_eq!(prod.attr("data-differs").await.unwrap().as_deref(), Some("true"));
    assert!(prod.text().await.unwrap().contains("differs"));
    let local = row.find(Locator::Css("td[data-environment='local']")).await.unwrap().text().await.unwrap();
    assert!(local.contains(&format!("#{}", failed["id"])) && local.contains("FAILED"), "the last deployment: {local}");
    let same = c.find(Locator::Css("#live tr[data-service='itflex-nginx/nginx-web-bluegreen']")).await.unwrap();
    assert_eq!(same.attr("data-differs").await.unwrap().as_deref(), Some("false"));
    save_screenshot(c, "live-view").await;

    // "Differs only" leaves the one row.
    c.find(Locator::Css("#liveFilters input[name=differsOnly]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("#liveFilters button[type=submit]")).await.unwrap().click().await.unwrap();
    wait()
        .for_element(Locator::Css("#live tbody tr:only-child[data-service='itflex-nginx/nginx-web-access']"))
        .await
        .unwrap();

    // The failed deployment's page takes an acknowledgement, then lists it.
    c.goto(&app.url(&format!("/deployments/{}", failed["id"]))).await.unwrap();
    let reason = wait().for_element(Locator::Css("#acknowledgeForm input[name=reason]")).await.unwrap();
    set_text(c, &reason, "the container's command was wrong, not the image").await;
    c.find(Locator::Css("#acknowledgeForm button[type=submit]")).await.unwrap().click().await.unwrap();
    let listed = wait().for_element(Locator::Css("#acknowledgements li")).await.unwrap().text().await.unwrap();
    assert!(listed.contains("admin: the container's command was wrong, not the image"), "{listed}");
    save_screenshot(c, "deployment-acknowledged").await;

    // An admin turns the failed-image guard on from the environment's guardrails page.
    c.goto(&app.url("/admin/guardrails/local")).await.unwrap();
    let guard = wait().for_element(Locator::Css("#guardrailsForm input[name=failedImageGuard]")).await.unwrap();
    guard.click().await.unwrap();
    c.find(Locator::Css("#guardrailsForm button[type=submit]")).await.unwrap().click().await.unwrap();
    let set_by = wait().for_element(Locator::Id("guardrailsSetBy")).await.unwrap().text().await.unwrap();
    assert!(set_by.contains("Last set by admin"), "{set_by}");
    save_screenshot(c, "guardrails").await;
    let rails = json_with_status(app.get("/api/envs/local/guardrails").await, 200).await;
    assert_eq!(rails["guardrails"]["failedImageGuard"], true, "{rails}");
    // The acknowledged failure lets the image go out (it fails again, as it must); then it is held.
    json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &deploy("v3-cannot-start")).await, 424)
        .await;
    json_with_status(app.post_json("/api/envs/local/deployments", &deploy("v3-cannot-start")).await, 409).await;

    // A freeze is on: the deploy dialog refuses, names the window, and offers the admin an override.
    let now = time::OffsetDateTime::now_utc();
    let at = |d: time::Duration| (now + d).format(&time::format_description::well_known::Rfc3339).unwrap();
    let window = json!({"failedImageGuard": true, "freezeWindows": [{"name": "release freeze",
        "start": at(-time::Duration::hours(1)), "end": at(time::Duration::hours(1))}]});
    json_with_status(app.put_json("/api/envs/local/guardrails", &window).await, 200).await;
    c.goto(&app.url("/e/local/services/itflex-nginx/nginx-web-access")).await.unwrap();
    click(c, Locator::Id("deployButton")).await;
    let field =
        wait().for_element(Locator::Css("fieldset[data-container='nginx-web'] input[name='newImage']")).await.unwrap();
    field.send_keys(&format!("{uri}:v2")).await.unwrap();
    c.find(Locator::Id("confirmDeploy")).await.unwrap().click().await.unwrap();
    let refusal = wait().for_element(Locator::Css(".modal .banner.error")).await.unwrap().text().await.unwrap();
    assert!(refusal.contains("\"release freeze\" is on until"), "{refusal}");
    let reason = wait().for_element(Locator::Css(".modal input[name='freezeOverride']")).await.unwrap();
    reason.send_keys("customer outage, v2 fixes it").await.unwrap();
    save_screenshot(c, "freeze-override").await;
    c.find(Locator::Id("confirmDeploy")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Css("#rollout[data-kind='deploy'][data-outcome='SUCCEEDED']")).await.unwrap();
    let history = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    assert_eq!(history["items"][0]["freezeOverride"], "release freeze: customer outage, v2 fixes it", "{history}");
}
