//! The built front end in headless Chromium, against a real server and the local AWS.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::helpers::{Browser, TestApp};

#[tokio::test]
async fn the_wizard_shows_an_invalid_name_inline_then_creates_the_repository() {
    let app = TestApp::spawn().await;
    let browser = Browser::open().await;
    let c = &browser.client;

    c.goto(&app.url("/")).await.unwrap();
    // `/` lands on the first environment's repositories; start the wizard from there.
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::LinkText("Create repository")).await.unwrap().click().await.unwrap();
    let name = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("repositoryName")).await.unwrap();

    name.send_keys("Web App").await.unwrap();
    let error = c.wait().at_most(Duration::from_secs(5)).for_element(Locator::Id("repositoryName-error")).await.unwrap();
    assert_eq!(
        error.text().await.unwrap(),
        "Repository name can't contain 'W' (use lowercase): use lowercase letters, digits, and . _ - /"
    );
    let submit = c.find(Locator::Css("form.wizard button[type=submit]")).await.unwrap();
    assert!(submit.attr("disabled").await.unwrap().is_some(), "submit is disabled while the name is invalid");

    for _ in 0.."Web App".len() {
        name.send_keys(&char::from(Key::Backspace).to_string()).await.unwrap();
    }
    name.send_keys("web-app").await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("form.wizard button[type=submit]:not([disabled])"))
        .await
        .unwrap();
    assert!(c.find(Locator::Id("repositoryName-error")).await.is_err(), "the error is gone once the name is valid");

    c.find(Locator::Css("form.wizard button[type=submit]")).await.unwrap().click().await.unwrap();
    let link = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::LinkText("web-app")).await.unwrap();
    assert!(link.attr("href").await.unwrap().unwrap().ends_with("/e/local/repository/web-app"));
    assert!(c.current_url().await.unwrap().as_str().contains("/e/local/repositories?created=web-app"));

    let status = json_status(&app, "/api/envs/local/repositories/web-app").await;
    assert_eq!(status, 200, "the repository exists in the local AWS");
    browser.client.close().await.unwrap();
}

async fn json_status(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.status().as_u16()
}
