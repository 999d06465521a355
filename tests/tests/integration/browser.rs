//! The built front end in headless Chromium, against a real server and the local AWS.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::helpers::{Browser, PASSWORD, TestApp, save_screenshot};

#[tokio::test]
async fn a_user_logs_in_sees_the_console_logs_out_and_is_back_at_login() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));

    c.goto(&app.url("/e/local/repositories")).await.unwrap();
    wait().for_element(Locator::Id("loginName")).await.unwrap().send_keys("admin").await.unwrap();
    c.find(Locator::Id("loginPassword")).await.unwrap().send_keys("not-the-password").await.unwrap();
    c.find(Locator::Css(".login-card button[type=submit]")).await.unwrap().click().await.unwrap();
    let error = wait().for_element(Locator::Css(".login-card .field-error")).await.unwrap();
    assert_eq!(error.text().await.unwrap(), "Wrong user or password.");

    browser.login(&app.address, "/e/local/repositories", "admin", PASSWORD).await;
    wait().for_element(Locator::LinkText("nginxweb")).await.unwrap();
    assert!(c.find(Locator::Css(".user")).await.unwrap().text().await.unwrap().starts_with("admin · admin"));
    let stored: serde_json::Value = c
        .execute("return [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage)]", vec![])
        .await
        .unwrap();
    assert_eq!(stored, serde_json::json!(["", "{}", "{}"]), "the session lives only in the HttpOnly cookie");

    c.find(Locator::Css("button.logout")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Id("loginName")).await.unwrap();
    c.refresh().await.unwrap();
    wait().for_element(Locator::Id("loginName")).await.unwrap();
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn a_viewer_sees_no_create_or_delete_buttons() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    app.user("vic", "local", shared::auth::Role::Viewer).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, "/e/local/repository/nginxweb", "vic", PASSWORD).await;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//button[text()='View push commands']"))
        .await
        .unwrap();
    assert!(c.find(Locator::XPath("//button[text()='Delete']")).await.is_err());
    c.goto(&app.url("/e/local/repositories")).await.unwrap();
    c.wait().at_most(Duration::from_secs(20)).for_element(Locator::LinkText("nginxweb")).await.unwrap();
    assert!(c.find(Locator::LinkText("Create repository")).await.is_err());
    assert!(c.find(Locator::LinkText("API tokens")).await.is_err(), "no admin pages in the navigation");
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn the_wizard_shows_an_invalid_name_inline_then_creates_the_repository() {
    let app = TestApp::spawn().await;
    let browser = Browser::open().await;
    let c = &browser.client;

    browser.login(&app.address, "/", "admin", PASSWORD).await;
    // `/` lands on the first environment's repositories; start the wizard from there.
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::LinkText("Create repository"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let name = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("repositoryName")).await.unwrap();

    name.send_keys("Web App").await.unwrap();
    let error =
        c.wait().at_most(Duration::from_secs(5)).for_element(Locator::Id("repositoryName-error")).await.unwrap();
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

    // The same name again: AWS's refusal lands under the name field, the input is kept.
    c.goto(&app.url("/e/local/repositories/new")).await.unwrap();
    let name = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("repositoryName")).await.unwrap();
    name.send_keys("web-app").await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("form.wizard button[type=submit]:not([disabled])"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error =
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("repositoryName-error")).await.unwrap();
    assert_eq!(error.text().await.unwrap(), "A repository named 'web-app' already exists in environment 'local'.");
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some("web-app"));
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn unreachable_aws_shows_a_banner_naming_the_environment_and_the_cause() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let app = TestApp::spawn_with(|s| s.environments[0].endpoint_url = Some(format!("http://{closed}"))).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, "/e/local/repositories", "admin", PASSWORD).await;
    let banner = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(".banner.error")).await.unwrap();
    let text = banner.text().await.unwrap();
    assert!(text.contains("AWS is unreachable"), "{text}");
    assert!(text.contains("environment: local"), "{text}");
    assert!(text.contains("Environment 'local': AWS could not be reached (ecr:DescribeRepositories)."), "{text}");
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn push_commands_are_shown_and_deleting_needs_the_name_typed_and_images_confirmed() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(15));

    browser.login(&app.address, "/e/local/repository/nginxweb", "admin", PASSWORD).await;
    wait().for_element(Locator::Css("td .chip")).await.unwrap();
    save_screenshot(c, "repository").await;
    wait().for_element(Locator::XPath("//button[text()='View push commands']")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Css(".push-commands")).await.unwrap();
    let commands = c.find_all(Locator::Css(".push-commands pre")).await.unwrap();
    let mut texts = Vec::new();
    for command in &commands {
        texts.push(command.text().await.unwrap());
    }
    // Local mode: no registry to docker push to; the commands say how to push here.
    assert_eq!(
        texts,
        [
            "target/debug/berth local push nginxweb:v3 --tag latest",
            "berth local push nginxweb:$CI_COMMIT_SHORT_SHA --tag latest"
        ]
    );
    let hint = c.find(Locator::Css(".modal .hint")).await.unwrap().text().await.unwrap();
    assert!(hint.contains("Simulate a push"), "{hint}");
    assert_eq!(c.find_all(Locator::Css(".push-commands button.copy")).await.unwrap().len(), 2, "a copy button each");
    save_screenshot(c, "push-commands").await;
    c.find(Locator::Css("button[aria-label=Close]")).await.unwrap().click().await.unwrap();

    c.find(Locator::XPath("//div[@class='buttons']/button[text()='Delete']")).await.unwrap().click().await.unwrap();
    let confirm = wait().for_element(Locator::Id("confirmName")).await.unwrap();
    let delete = c.find(Locator::XPath("//div[@class='modal']//button[text()='Delete repository']")).await.unwrap();
    confirm.send_keys("nginxweb").await.unwrap();
    assert!(
        delete.attr("disabled").await.unwrap().is_some(),
        "the repository holds images: 'delete images too' is required"
    );
    c.find(Locator::Id("deleteImages")).await.unwrap().click().await.unwrap();
    save_screenshot(c, "delete-dialog").await;
    wait()
        .for_element(Locator::XPath("//div[@class='modal']//button[text()='Delete repository' and not(@disabled)]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    wait().for_element(Locator::XPath("//p[text()='No repositories in this environment yet.']")).await.unwrap();
    assert_eq!(json_status(&app, "/api/envs/local/repositories/nginxweb").await, 404);
    browser.client.close().await.unwrap();
}

async fn json_status(app: &TestApp, path: &str) -> u16 {
    app.get(path).await.status().as_u16()
}

#[tokio::test]
async fn an_admin_creates_a_token_sees_its_secret_once_and_finds_it_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    browser.login(&app.address, "/", "admin", PASSWORD).await;

    wait().for_element(Locator::LinkText("API tokens")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Id("tokenName")).await.unwrap().send_keys("gitlab-ci").await.unwrap();
    wait()
        .for_element(Locator::XPath("//div[@class='envs']//input[@type='checkbox']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::XPath("//button[text()='Create token']")).await.unwrap().click().await.unwrap();
    let secret = wait().for_element(Locator::Id("newTokenSecret")).await.unwrap().text().await.unwrap();
    assert!(secret.starts_with("berth_"), "{secret}");
    let row = wait().for_element(Locator::XPath("//td[text()='gitlab-ci']/..")).await.unwrap().text().await.unwrap();
    assert!(
        row.contains("deployer") && row.contains("local") && row.contains("never") && row.contains("Active"),
        "{row}"
    );
    assert!(!row.contains(&secret), "the list shows a prefix only");
    save_screenshot(c, "tokens").await;

    // The secret works as a bearer token.
    let ci = app.anonymous().with_bearer(&secret);
    assert_eq!(ci.get("/api/envs/local/repositories").await.status(), 200);

    c.find(Locator::LinkText("Audit log")).await.unwrap().click().await.unwrap();
    let entry =
        wait().for_element(Locator::XPath("//td[text()='token.create']/..")).await.unwrap().text().await.unwrap();
    assert!(entry.contains("admin") && entry.contains("session") && entry.contains("success"), "{entry}");
    save_screenshot(c, "audit").await;
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn an_admin_adds_a_user_changes_their_roles_and_disables_them() {
    let app = TestApp::spawn().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    browser.login(&app.address, "/", "admin", PASSWORD).await;

    wait().for_element(Locator::LinkText("Users")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Id("userName")).await.unwrap().send_keys("erin").await.unwrap();
    c.find(Locator::Id("userPassword")).await.unwrap().send_keys("short").await.unwrap();
    let roles = c.find(Locator::Id("userRoles")).await.unwrap();
    roles.clear().await.unwrap();
    roles.send_keys("local:deployer").await.unwrap();
    c.find(Locator::XPath("//button[text()='Add user']")).await.unwrap().click().await.unwrap();
    let problem = wait().for_element(Locator::Css("form.wizard .field-error")).await.unwrap();
    assert_eq!(problem.text().await.unwrap(), "Passwords must have at least 10 characters.");
    c.find(Locator::Id("userPassword")).await.unwrap().send_keys("-but-longer").await.unwrap();
    c.find(Locator::XPath("//button[text()='Add user']")).await.unwrap().click().await.unwrap();

    let input = wait().for_element(Locator::Css("input[aria-label='Roles of erin']")).await.unwrap();
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("local:deployer"));
    save_screenshot(c, "users").await;
    input.send_keys(", *:viewer").await.unwrap();
    c.find(Locator::XPath("//input[@aria-label='Roles of erin']/../..//button[text()='Save roles']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let erin = app.anonymous().login("erin", "short-but-longer").await.unwrap();
    for _ in 0..50 {
        if erin.get("/api/auth/me").await.json::<serde_json::Value>().await.unwrap()["grants"].as_array().unwrap().len()
            == 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let me: serde_json::Value = erin.get("/api/auth/me").await.json().await.unwrap();
    assert_eq!(
        me["grants"],
        serde_json::json!([{"environment": "*", "role": "viewer"}, {"environment": "local", "role": "deployer"}])
    );

    c.find(Locator::XPath("//input[@aria-label='Roles of erin']/../..//button[text()='Disable']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..50 {
        if c.find(Locator::Css("input[aria-label='Roles of erin']")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.find(Locator::Css("input[aria-label='Roles of erin']")).await.is_err(), "erin is gone from the list");
    assert_eq!(erin.get("/api/auth/me").await.status(), 401);
    browser.client.close().await.unwrap();
}
