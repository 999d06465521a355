//! Logs in headless Chromium: a failing deploy's page shows the container's exit code and its last
//! log line (kept with the verdict); the service's Logs page follows new lines live, filters by
//! text, and a line's task opens the task's page, which has its own lines.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{Browser, PASSWORD, TestApp, json_with_status, save_screenshot};

#[tokio::test]
async fn a_failed_deploy_shows_its_last_line_and_the_logs_page_follows_new_lines_live() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    let body = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": format!("{uri}:v3-cannot-start")}]});
    let failed = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &body).await, 424).await;

    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1000).await.unwrap();
    browser.login(&app.address, &format!("/deployments/{}", failed["id"]), "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    let stopped = wait().for_element(Locator::Id("stoppedTasks")).await.unwrap().text().await.unwrap();
    assert!(stopped.contains("nginx-web exit 1"), "{stopped}");
    let kept = wait().for_element(Locator::Css("#verdict .log-line:last-child .log-message")).await.unwrap();
    let last = kept.text().await.unwrap();
    assert!(last.starts_with("nginx: [emerg] host not found in upstream"), "{last}");
    save_screenshot(c, "logs-failed-deployment").await;

    // The service's Logs page, from its button: the running (rolled back) tasks' lines, live.
    c.goto(&app.url("/e/local/services/itflex-nginx/nginx-web-access")).await.unwrap();
    wait().for_element(Locator::Id("logsLink")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Css("#logLines .log-line")).await.unwrap();
    let count = || async { c.find_all(Locator::Css("#logLines .log-line")).await.unwrap().len() };
    let before = count().await;
    let mut grew = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if count().await > before {
            grew = true;
            break;
        }
    }
    assert!(grew, "following adds new lines without a reload ({before} lines)");
    save_screenshot(c, "logs-service-1280").await;
    c.set_window_size(1024, 900).await.unwrap();
    save_screenshot(c, "logs-service-1024").await;

    // A text filter: only matching lines.
    let text = c.find(Locator::Id("logText")).await.unwrap();
    text.send_keys("ready for start up\n").await.unwrap();
    c.execute("document.getElementById('logText').dispatchEvent(new Event('change'))", vec![]).await.unwrap();
    let mut matching: Vec<String> = Vec::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        // Read in one go: following re-renders the lines while a one-by-one read walks them.
        let texts = c
            .execute("return [...document.querySelectorAll('#logLines .log-message')].map(e => e.textContent)", vec![])
            .await
            .unwrap();
        matching = serde_json::from_value(texts).unwrap();
        if !matching.is_empty() && matching.iter().all(|m| m.contains("ready for start up")) {
            break;
        }
    }
    assert!(!matching.is_empty() && matching.iter().all(|m| m.contains("ready for start up")), "{matching:?}");

    // A line's task opens the task's page, with its lines.
    c.execute("document.querySelector('#logLines .log-task').click()", vec![]).await.unwrap();
    wait().for_element(Locator::Id("taskStatus")).await.unwrap();
    let page_lines = wait().for_element(Locator::Css("#logLines .log-line")).await.unwrap().text().await.unwrap();
    assert!(!page_lines.is_empty());
    save_screenshot(c, "logs-task-page").await;
    browser.client.close().await.unwrap();
}
