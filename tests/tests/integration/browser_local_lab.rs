//! The lab's last steps in local mode, in headless Chromium: push an image from the repository
//! page ("Simulate a push"), deploy it from the service page, and open the service's address —
//! the local AWS's stand-in for the container answers.

use std::time::Duration;

use fantoccini::Locator;

use crate::helpers::{Browser, PASSWORD, TestApp, click, save_screenshot};

#[tokio::test]
async fn push_from_the_repository_page_deploy_it_and_open_the_service() {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1200).await.unwrap();
    browser.login(&app.address, "/e/local/repository/nginxweb", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));

    let tag = wait().for_element(Locator::Id("pushTag")).await.unwrap();
    tag.clear().await.unwrap();
    tag.send_keys("v7").await.unwrap();
    c.find(Locator::Css("#simulatePush button[type='submit']")).await.unwrap().click().await.unwrap();
    let pushed = wait().for_element(Locator::Id("pushed")).await.unwrap().text().await.unwrap();
    assert!(pushed.starts_with("Pushed nginxweb:") && pushed.contains("v7") && pushed.contains("latest"), "{pushed}");
    wait().for_element(Locator::XPath("//table//td[contains(., 'v7')]")).await.unwrap();
    save_screenshot(c, "repository-local-push").await;

    c.goto(&format!("{}/e/local/services/itflex-nginx/nginx-web-access", app.address)).await.unwrap();
    click(c, Locator::Id("deployButton")).await;
    let picker = "fieldset[data-container='nginx-web'] select[name='pickImage']";
    wait().for_element(Locator::Css(&format!("{picker} option:nth-child(2)"))).await.unwrap();
    let v7 = c
        .find(Locator::Css(picker))
        .await
        .unwrap()
        .find(Locator::XPath(".//option[starts-with(normalize-space(.), 'v7') and contains(., 'by digest')]"))
        .await
        .unwrap();
    let reference = v7.attr("value").await.unwrap().unwrap();
    let digest = reference.split_once('@').map(|(_, d)| d.to_string()).expect("pinned by digest");
    v7.click().await.unwrap();
    c.find(Locator::Id("confirmDeploy")).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#rollout[data-kind='deploy'][data-outcome='SUCCEEDED']"))
        .await
        .unwrap();

    // "Open": the local stand-ins of the new tasks' containers, on this machine.
    let mut href = String::new();
    for _ in 0..30 {
        c.refresh().await.unwrap();
        let links = c
            .wait()
            .at_most(Duration::from_secs(3))
            .for_element(Locator::Css("#openAddresses a[href^='http://127.0.0.1:']"));
        if let Ok(link) = links.await {
            let title = link.attr("title").await.unwrap().unwrap_or_default();
            href = link.attr("href").await.unwrap().unwrap();
            let task = title.split_whitespace().nth(1).unwrap_or_default().to_string();
            let detail = app.get(&format!("/api/envs/local/clusters/itflex-nginx/tasks/{task}")).await;
            if detail.text().await.unwrap().contains(&digest) {
                break;
            }
        }
        href.clear();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(!href.is_empty(), "an address of a task of the new image");
    let open = c.find(Locator::Id("openAddresses")).await.unwrap().text().await.unwrap();
    assert!(open.contains("local stand-in"), "{open}");
    save_screenshot(c, "service-open-local").await;
    c.goto(&href).await.unwrap();
    let page = wait().for_element(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(page.contains("stand-in for container nginx-web") && page.contains(&digest), "{page}");
    save_screenshot(c, "local-stand-in-page").await;
}
