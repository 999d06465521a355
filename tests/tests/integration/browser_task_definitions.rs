//! The task definition pages in headless Chromium: the wizard (inline errors from the shared
//! rules, the ECR image picker, registering), the JSON import, revisions and deregistration.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::helpers::{Browser, PASSWORD, TestApp, save_screenshot, set_text};

const SEED: &str = include_str!("../../fixtures/seed/task-definition-template.json");

async fn field(c: &Client, path: &str) -> Element {
    let css = format!("[name='{path}']");
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(&css)).await.unwrap()
}

/// Types into a field and leaves it (errors show once a field was left).
async fn fill(c: &Client, path: &str, text: &str) {
    let input = field(c, path).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
    c.execute("arguments[0].blur()", vec![serde_json::to_value(&input).unwrap()]).await.unwrap();
}

/// The message shown under a field, if any.
async fn message_at(c: &Client, path: &str) -> Option<String> {
    let css = format!("[data-for='{path}']");
    match c.find(Locator::Css(&css)).await {
        Ok(e) => Some(e.text().await.unwrap()),
        Err(_) => None,
    }
}

async fn wait_for_message(c: &Client, path: &str) -> String {
    let css = format!("[data-for='{path}']");
    c.wait().at_most(Duration::from_secs(5)).for_element(Locator::Css(&css)).await.unwrap().text().await.unwrap()
}

async fn click_button(c: &Client, text: &str) {
    c.find(Locator::XPath(&format!("//button[normalize-space()='{text}']"))).await.unwrap().click().await.unwrap();
}

async fn select(c: &Client, path: &str, value: &str) {
    field(c, path).await.select_by_value(value).await.unwrap();
}

#[tokio::test]
async fn the_wizard_builds_a_task_definition_shows_rule_errors_inline_and_registers_it() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 2400).await.unwrap();
    browser.login(&app.address, "/e/local/task-definitions", "admin", PASSWORD).await;
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::LinkText("Create new task definition"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // A family name AWS refuses: the shared rule's message, at the field, as soon as it is left.
    fill(c, "family", "web app").await;
    assert_eq!(wait_for_message(c, "family").await, "Family must be 1-255 letters, digits, hyphens and underscores.");
    fill(c, "family", "web-app").await;
    assert_eq!(message_at(c, "family").await, None, "fixed: the error is gone");

    fill(c, "containerDefinitions[0].name", "web").await;
    // The image from the environment's ECR: repository, then a tag.
    click_button(c, "Choose from ECR…").await;
    field(c, "pickRepository").await;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[name='pickRepository'] option[value='nginxweb']"))
        .await
        .unwrap();
    select(c, "pickRepository", "nginxweb").await;
    let tag_option = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[name='pickImage'] option[value$=':latest']"))
        .await
        .unwrap();
    let image = tag_option.attr("value").await.unwrap().unwrap();
    select(c, "pickImage", &image).await;
    assert_eq!(field(c, "containerDefinitions[0].image").await.prop("value").await.unwrap().unwrap(), image);
    fill(c, "containerDefinitions[0].memory", "256").await;

    // awsvpc with a host port different from the container port: AWS refuses it.
    select(c, "networkMode", "awsvpc").await;
    click_button(c, "Add port mapping").await;
    fill(c, "containerDefinitions[0].portMappings[0].containerPort", "80").await;
    fill(c, "containerDefinitions[0].portMappings[0].hostPort", "8080").await;
    let error = wait_for_message(c, "containerDefinitions[0].portMappings[0].hostPort").await;
    assert!(error.contains("awsvpc"), "{error}");
    save_screenshot(c, "task-definition-wizard-error").await;
    // Register is refused while an error stands: the list of problems names it.
    click_button(c, "Register").await;
    let problems = c.wait().at_most(Duration::from_secs(5)).for_element(Locator::Id("problems")).await.unwrap();
    assert!(problems.text().await.unwrap().contains("containerDefinitions[0].portMappings[0].hostPort"));
    fill(c, "containerDefinitions[0].portMappings[0].hostPort", "80").await;
    assert_eq!(message_at(c, "containerDefinitions[0].portMappings[0].hostPort").await, None);

    // Fargate: only its CPU/memory pairs are offered.
    field(c, "requiresCompatibilities.FARGATE").await.click().await.unwrap();
    select(c, "cpu", "256").await;
    let offered: Vec<String> = c
        .execute(
            "return [...document.querySelectorAll(\"[name='memory'] option\")].map(o => o.value).filter(v => v)",
            vec![],
        )
        .await
        .map(|v| serde_json::from_value(v).unwrap())
        .unwrap();
    assert_eq!(offered, ["512", "1024", "2048"]);
    select(c, "memory", "1024").await;

    // CloudWatch Logs, pre-filled for this family and the environment's region.
    c.find(Locator::XPath("//summary[text()='Logging']")).await.unwrap().click().await.unwrap();
    select(c, "containerDefinitions[0].logConfiguration.logDriver", "awslogs").await;
    let options =
        field(c, "containerDefinitions[0].logConfiguration.options").await.prop("value").await.unwrap().unwrap();
    assert!(
        options.contains("awslogs-group=/ecs/web-app") && options.contains("awslogs-region=us-east-1"),
        "{options}"
    );

    click_button(c, "Register").await;
    let status = crate::helpers::wait_across_load(c, Locator::Id("revisionStatus"), 30).await;
    assert_eq!(status.text().await.unwrap(), "ACTIVE");
    assert!(c.current_url().await.unwrap().path().ends_with("/task-definitions/family/web-app/1"));
    save_screenshot(c, "task-definition-revision").await;

    // What AWS holds is what the wizard built.
    let registered =
        app.get("/api/envs/local/task-definitions/web-app/revisions/1").await.json::<Value>().await.unwrap();
    let container = &registered["spec"]["containerDefinitions"][0];
    assert_eq!(container["image"], image.as_str());
    assert_eq!(container["portMappings"][0], serde_json::json!({"containerPort": 80, "hostPort": 80}));
    assert_eq!(registered["spec"]["networkMode"], "awsvpc");
    assert_eq!(registered["spec"]["requiresCompatibilities"], serde_json::json!(["FARGATE"]));
    assert_eq!(
        (registered["spec"]["cpu"].as_str(), registered["spec"]["memory"].as_str()),
        (Some("256"), Some("1024"))
    );
    assert_eq!(container["logConfiguration"]["options"]["awslogs-stream-prefix"], "ecs");
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn the_seed_task_definition_is_imported_through_the_ui_and_registered() {
    let app = TestApp::spawn().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 2400).await.unwrap();
    browser.login(&app.address, "/e/local/task-definitions/new?import=1", "admin", PASSWORD).await;
    let textarea = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("importJson")).await.unwrap();

    // describe-task-definition output: the read-only fields are dropped, and the notice names them.
    let mut described: Value = serde_json::from_str(SEED).unwrap();
    described["revision"] = 7.into();
    described["status"] = "ACTIVE".into();
    let described = serde_json::json!({ "taskDefinition": described });
    set_text(c, &textarea, &described.to_string()).await;
    click_button(c, "Import").await;
    let notice = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("importNotice")).await.unwrap();
    assert_eq!(
        notice.text().await.unwrap(),
        "Imported. Dropped read-only fields a registration does not take: revision, status."
    );

    // An unknown key is refused, naming it, and the form keeps what it held.
    set_text(c, &textarea, r#"{"family": "x", "colour": "blue"}"#).await;
    click_button(c, "Import").await;
    let errors = c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("importErrors")).await.unwrap();
    assert!(errors.text().await.unwrap().contains("colour"), "{}", errors.text().await.unwrap());
    assert_eq!(field(c, "family").await.prop("value").await.unwrap().unwrap(), "nginx-web");

    // The seed's document as is.
    set_text(c, &textarea, SEED).await;
    click_button(c, "Import").await;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("importNotice")).await.unwrap();
    assert_eq!(
        field(c, "containerDefinitions[0].memoryReservation").await.prop("value").await.unwrap().unwrap(),
        "256"
    );
    assert_eq!(
        field(c, "volumes[0].dockerVolumeConfiguration.scope").await.prop("value").await.unwrap().unwrap(),
        "shared"
    );
    save_screenshot(c, "task-definition-import").await;
    click_button(c, "Register").await;
    crate::helpers::wait_across_load(c, Locator::Id("revisionStatus"), 30).await;
    let exported = c.find(Locator::Id("exportJson")).await.unwrap().text().await.unwrap();
    assert_eq!(serde_json::from_str::<Value>(&exported).unwrap(), serde_json::from_str::<Value>(SEED).unwrap());

    // New revision from this one: the wizard starts from its content.
    c.find(Locator::Id("newRevision")).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[name='containerDefinitions[0].name']"))
        .await
        .unwrap();
    let name = field(c, "containerDefinitions[0].name").await;
    for _ in 0..100 {
        if name.prop("value").await.unwrap().as_deref() == Some("nginx-web") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(name.prop("value").await.unwrap().as_deref(), Some("nginx-web"), "the wizard holds revision 1");
    fill(c, "containerDefinitions[0].memoryReservation", "128").await;
    click_button(c, "Register").await;
    crate::helpers::wait_across_load(c, Locator::Id("revisionStatus"), 30).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/task-definitions/family/nginx-web/2"));

    // Compare 1 -> 2 field by field, then deregister 1.
    c.goto(&app.url("/e/local/task-definitions/family/nginx-web/diff?from=1&to=2")).await.unwrap();
    let diff = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Id("diff")).await.unwrap();
    let text = diff.text().await.unwrap();
    assert!(
        text.contains("containerDefinitions[\"nginx-web\"].memoryReservation")
            && text.contains("256")
            && text.contains("128"),
        "{text}"
    );
    save_screenshot(c, "task-definition-diff").await;
    c.goto(&app.url("/e/local/task-definitions/family/nginx-web/1")).await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath("//button[text()='Deregister']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//p[text()='No service runs this revision.']"))
        .await
        .unwrap();
    c.find(Locator::Id("confirmDeregister")).await.unwrap().click().await.unwrap();
    let status =
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#revisionStatus.muted")).await.unwrap();
    assert_eq!(status.text().await.unwrap(), "INACTIVE");
    browser.client.close().await.unwrap();
}
