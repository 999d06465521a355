//! What a person whose role can't use a page sees: the role it needs instead of a form the
//! server would refuse; and error banners titled with what happened, not "Something went wrong".

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;
use shared::auth::Role;

use crate::helpers::{Browser, PASSWORD, TestApp, json_with_status};

/// Opens `path` and returns the role message shown in place of the page, checking there is no form.
async fn refusal(c: &Client, app: &TestApp, path: &str) -> String {
    c.goto(&app.url(path)).await.unwrap();
    let note = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("roleNeeded")).await.unwrap();
    let text = note.text().await.unwrap();
    assert!(c.find_all(Locator::Css("form")).await.unwrap().is_empty(), "{path}: no form to fill in");
    text
}

#[tokio::test]
async fn a_viewer_opening_create_pages_by_url_is_told_the_role_they_need_instead_of_a_form() {
    let app = TestApp::spawn().await;
    app.user("vera", "local", Role::Viewer).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, "/e/local/repositories", "vera", PASSWORD).await;
    for (path, doing) in [
        ("/e/local/repositories/new", "Creating a repository"),
        ("/e/local/clusters/new", "Creating a cluster"),
        ("/e/local/task-definitions/new", "Registering a task definition"),
        ("/e/local/task-definitions/new?from=nginx-web:1", "Registering a task definition"),
        ("/e/local/services/new?cluster=lab", "Creating a service"),
        ("/e/local/services/itflex-nginx/nginx-web-access/update", "Updating a service"),
    ] {
        let text = refusal(c, &app, path).await;
        assert!(
            text.contains(&format!("{doing} needs the admin role in environment 'local'; you are viewer.")),
            "{path}: {text}"
        );
        assert!(text.contains("Not allowed") && !text.contains("Something went wrong"), "{path}: {text}");
    }
    for (path, doing) in [
        ("/admin/users", "Managing users"),
        ("/admin/tokens", "Managing API tokens"),
        ("/admin/audit", "Reading the audit log"),
    ] {
        let text = refusal(c, &app, path).await;
        assert!(
            text.contains(&format!(
                "{doing} needs the admin role in every environment (*); you are viewer in 'local'."
            )),
            "{path}: {text}"
        );
    }
    crate::helpers::save_screenshot(c, "role-needed").await;
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn an_admin_of_one_environment_gets_the_create_forms_there_but_not_the_admin_pages() {
    let app = TestApp::spawn().await;
    app.user("ada", "local", Role::Admin).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, "/e/local/repositories/new", "ada", PASSWORD).await;
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("repositoryName")).await.unwrap();
    assert!(c.find(Locator::Id("roleNeeded")).await.is_err());
    let text = refusal(c, &app, "/admin/users").await;
    assert!(text.contains("you are admin in 'local'."), "{text}");
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn a_conflict_the_server_explains_is_titled_already_exists_with_its_message() {
    let app = TestApp::spawn().await;
    let erin = json!({"name": "erin", "password": PASSWORD, "grants": [{"environment": "local", "role": "viewer"}]});
    json_with_status(app.post_json("/api/users", &erin).await, 201).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, "/admin/users", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::Id("userName")).await.unwrap().send_keys("erin").await.unwrap();
    c.find(Locator::Id("userPassword")).await.unwrap().send_keys("another-long-password").await.unwrap();
    c.find(Locator::Css("form.wizard button[type=submit]")).await.unwrap().click().await.unwrap();
    let banner = wait().for_element(Locator::Css("form.wizard .banner.error")).await.unwrap();
    let title = banner.find(Locator::Css("strong")).await.unwrap().text().await.unwrap();
    assert_eq!(title, "Already exists");
    let text = banner.text().await.unwrap();
    assert!(text.contains("The name 'erin' is taken"), "the server's message: {text}");
    browser.client.close().await.unwrap();
}
