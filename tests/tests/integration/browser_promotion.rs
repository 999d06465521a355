//! Environments as a pipeline in headless Chromium (issue 20): the live view shows `local` (staging
//! here) ahead of `prod`; an admin promotes the release from the service page; `prod` asks for
//! approval, so it waits on the Approvals page; another deployer approves it there; then the live
//! view shows both columns equal.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;
use shared::auth::Role;

use crate::helpers::{
    Browser, PASSWORD, click, json_with_status, save_screenshot, set_text, two_environments, wait_across_load,
};

#[tokio::test]
async fn promote_then_approve_as_a_second_user_and_both_columns_are_equal() {
    let (app, _other) = two_environments().await;
    // local runs v1 with a new variable, FEATURE=on (and a memory reservation prod keeps its own of).
    crate::promotions::release_in_a(&app).await;
    app.user("dee", "*", Role::Deployer).await;
    let row = "#live tr[data-service='itflex-nginx/nginx-web-access']";

    let admin = Browser::open().await;
    let c = &admin.client;
    c.set_window_size(1280, 1000).await.unwrap();
    admin.login(&app.address, "/live", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    let ahead = wait().for_element(Locator::Css(row)).await.unwrap();
    assert_eq!(ahead.attr("data-differs").await.unwrap().as_deref(), Some("true"), "staging is ahead");

    // prod's admin asks for approval before anything starts there.
    c.goto(&app.url("/admin/guardrails/prod")).await.unwrap();
    click(c, Locator::Css("#guardrailsForm input[name=approval]")).await;
    click(c, Locator::Css("#guardrailsForm button[type=submit]")).await;
    wait().for_element(Locator::Id("guardrailsSetBy")).await.unwrap();
    let rails = json_with_status(app.get("/api/envs/prod/guardrails").await, 200).await;
    assert_eq!(rails["guardrails"]["approval"], json!({"expiresAfterMinutes": 60}), "{rails}");

    // Promote from the service page: the plan lists the digest, then the request waits.
    c.goto(&app.url("/e/local/services/itflex-nginx/nginx-web-access")).await.unwrap();
    click(c, Locator::Id("promoteButton")).await;
    let images = wait().for_element(Locator::Css("#promotionImages tbody")).await.unwrap().text().await.unwrap();
    assert!(images.contains("@sha256:"), "exact digests: {images}");
    // Take the variable; keep prod's memory reservation (the default).
    let take = format!("#promotionFields tr[data-path='{}'] input", crate::promotions::FEATURE);
    click(c, Locator::Css(&take)).await;
    wait().for_element(Locator::Css(&format!("{take}:checked"))).await.unwrap();
    save_screenshot(c, "promote-dialog").await;
    click(c, Locator::Id("confirmPromote")).await;
    let card = wait_across_load(c, Locator::Css("section.approval[data-status='PENDING']"), 30).await;
    let text = card.text().await.unwrap();
    assert!(text.contains("promote deployment") && text.contains("Asked by admin"), "{text}");
    assert!(card.find(Locator::Css("button.approve")).await.is_err(), "the requester can't approve their own");
    save_screenshot(c, "approval-waiting").await;
    c.clone().close().await.unwrap();

    // A second user approves it.
    let second = Browser::open().await;
    let c = &second.client;
    c.set_window_size(1280, 1000).await.unwrap();
    second.login(&app.address, "/approvals", "dee", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    wait().for_element(Locator::Css("section.approval[data-status='PENDING'] button.approve")).await.unwrap();
    save_screenshot(c, "approval-to-decide").await;
    click(c, Locator::Css("section.approval button.approve")).await;
    wait().for_element(Locator::Id("noApprovals")).await.unwrap();
    let decided = json_with_status(app.get("/api/approvals?all=true").await, 200).await;
    assert_eq!((&decided[0]["status"], &decided[0]["decidedBy"]), (&json!("APPROVED"), &json!("dee")), "{decided}");
    let deployment = decided[0]["deployment"].as_i64().unwrap();
    for _ in 0..150 {
        let d = json_with_status(app.get(&format!("/api/deployments/{deployment}")).await, 200).await;
        if d["deployment"]["outcome"] != "IN_PROGRESS" {
            assert_eq!(d["deployment"]["outcome"], "SUCCEEDED", "{d}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Both columns equal now; prod's cell names the promotion.
    c.goto(&app.url("/live")).await.unwrap();
    let equal = wait().for_element(Locator::Css(row)).await.unwrap();
    assert_eq!(equal.attr("data-differs").await.unwrap().as_deref(), Some("false"));
    let prod = equal.find(Locator::Css("td[data-environment='prod']")).await.unwrap().text().await.unwrap();
    assert!(prod.contains("promotion by admin"), "{prod}");
    save_screenshot(c, "live-after-promotion").await;
    let prod =
        json_with_status(app.get("/api/envs/prod/clusters/itflex-nginx/services/nginx-web-access").await, 200).await;
    let revision = prod["taskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let spec = json_with_status(
        app.get(&format!("/api/envs/prod/task-definitions/nginx-web/revisions/{revision}")).await,
        200,
    )
    .await["spec"]
        .clone();
    let web = &spec["containerDefinitions"][0];
    assert_eq!(web["environment"], json!([{"name": "FEATURE", "value": "on"}]), "taken: {web}");
    assert_eq!(web["memoryReservation"], 256, "kept: {web}");
}

#[tokio::test]
async fn an_admin_links_services_named_differently_on_the_live_page() {
    let (app, _other) = two_environments().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1000).await.unwrap();
    browser.login(&app.address, "/live", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    click(c, Locator::Css("#liveLinks summary")).await;
    let area = wait().for_element(Locator::Css("#liveLinks textarea")).await.unwrap();
    for _ in 0..100 {
        if area.prop("value").await.unwrap().as_deref() == Some("[]") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let links = json!([{"name": "web", "services": [
        {"environment": "local", "cluster": "itflex-nginx", "service": "nginx-web-access"},
        {"environment": "prod", "cluster": "itflex-nginx", "service": "nginx-web-bluegreen"}]}]);
    set_text(c, &area, &links.to_string()).await;
    click(c, Locator::Css("#liveLinks button[type=submit]")).await;
    let row = wait_across_load(c, Locator::Css("#live tr[data-link='web']"), 30).await;
    let text = row.text().await.unwrap();
    assert!(text.starts_with("web linked"), "the row is headed by the link's name: {text}");
    let prod = row.find(Locator::Css("td[data-environment='prod'] a[title='itflex-nginx/nginx-web-bluegreen']")).await;
    assert!(prod.is_ok(), "prod's cell names its own service: {text}");
    save_screenshot(c, "live-linked").await;
    assert_eq!(json_with_status(app.get("/api/live/links").await, 200).await, links);
}
