//! The service wizard and the live service page in headless Chromium: a service created through
//! the wizard, its deployment reaching COMPLETED on the page without a reload.

use std::time::Duration;

use fantoccini::Locator;

use crate::helpers::{Browser, PASSWORD, TestApp, attr_of, click, save_screenshot, set_text};

#[tokio::test]
async fn a_service_created_in_the_wizard_rolls_out_live_on_its_page() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    // The lab's service holds both instances' CPU and host ports: it makes way (each task of the
    // lab's task definition needs a whole t2.micro and its ports 80 and 443).
    app.ecs(
        "UpdateService",
        serde_json::json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "desiredCount": 0}),
    )
    .await;
    let lab = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
    let mut freed = false;
    for _ in 0..100 {
        if crate::helpers::json_with_status(app.get(lab).await, 200).await["runningCount"] == 0 {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(freed, "the lab's tasks never stopped");
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/cluster/itflex-nginx", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::Id("createService")).await.unwrap().click().await.unwrap();

    let name = wait().for_element(Locator::Css("input[name='serviceName']")).await.unwrap();
    name.send_keys("web-replica").await.unwrap();
    wait().for_element(Locator::Css("select[name='family'] option[value='nginx-web']")).await.unwrap();
    c.find(Locator::Css("select[name='family']")).await.unwrap().select_by_value("nginx-web").await.unwrap();
    wait().for_element(Locator::Css("select[name='revision'] option[value='1']")).await.unwrap();
    let count = c.find(Locator::Css("input[name='desiredCount']")).await.unwrap();
    count.clear().await.unwrap();
    // The lab's numbers: ECS could place only 2 of 4 (host ports 80/443 and 1024 CPU units each on
    // 2 t2.micro); the wizard says so before Create.
    count.send_keys("4").await.unwrap();
    // A number is committed when the field is left.
    c.find(Locator::Css("input[name='serviceName']")).await.unwrap().click().await.unwrap();
    let warning = wait().for_element(Locator::Id("placementWarning")).await.unwrap().text().await.unwrap();
    assert!(
        warning.starts_with("2 of 4 tasks can be placed: each needs host ports 80, 443 and 1024 CPU units"),
        "{warning}"
    );
    assert!(warning.contains("the cluster's 2 instances have room for 2"), "{warning}");
    save_screenshot(c, "service-wizard-placement").await;
    count.clear().await.unwrap();
    count.send_keys("2").await.unwrap();
    c.find(Locator::Css("input[name='serviceName']")).await.unwrap().click().await.unwrap();
    let mut gone = false;
    for _ in 0..100 {
        if c.find(Locator::Id("placementWarning")).await.is_err() {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(gone, "2 tasks fit: no warning");
    save_screenshot(c, "service-wizard").await;
    c.find(Locator::Css("button#createService")).await.unwrap().click().await.unwrap();

    // The page polls: the deployment moves from IN_PROGRESS to COMPLETED with no reload.
    crate::helpers::wait_across_load(c, Locator::Css("#deployments tr[data-status='PRIMARY']"), 30).await;
    let marker: String = c
        .execute("window.__sameDocument = 'yes'; return window.__sameDocument", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .into();
    assert_eq!(marker, "yes");
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#deployments tr[data-status='PRIMARY'][data-rollout='COMPLETED']"))
        .await
        .unwrap();
    let same: serde_json::Value = c.execute("return window.__sameDocument || null", vec![]).await.unwrap();
    assert_eq!(same, "yes", "no reload happened");
    let events = c.find(Locator::Id("events")).await.unwrap().text().await.unwrap();
    assert!(events.contains("has reached a steady state"), "{events}");
    assert!(c.find(Locator::Id("counts")).await.unwrap().text().await.unwrap().contains("2 running"));
    let running = c.find_all(Locator::Css("#tasks tr[data-status='RUNNING']")).await.unwrap();
    assert_eq!(running.len(), 2, "the tasks, running");
    save_screenshot(c, "service-page").await;

    // Update settings on the "Update service" page: force a new deployment; back on the service
    // page, it rolls out.
    c.find(Locator::Id("updateService")).await.unwrap().click().await.unwrap();
    wait()
        .for_element(Locator::Css("#settings input[name='forceNewDeployment']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // With static host ports a new task can't start beside an old one: the deployment may stop
    // one old task first (minimum healthy 50 %), as on ECS.
    let minimum = c.find(Locator::Css("#settings input[name='minimumHealthyPercent']")).await.unwrap();
    minimum.clear().await.unwrap();
    minimum.send_keys("50").await.unwrap();
    save_screenshot(c, "service-update-page").await;
    c.find(Locator::Id("applySettings")).await.unwrap().click().await.unwrap();
    // (The page once read the server's answer as the wrong type and showed an error after applying.)
    // The service page's latest deployment is the one the update started (its ECS deployments
    // may already be down to one: the replaced one drains within seconds), followed to its end.
    // (Until the page's next snapshot, the latest is the creation, SUCCEEDED too.)
    let mut rollout = String::new();
    for _ in 0..150 {
        rollout = text_of(c, "#rollout[data-outcome='SUCCEEDED']").await;
        if rollout.contains("service update by admin") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(rollout.contains("service update by admin"), "{rollout}");
    let service = crate::helpers::json_with_status(
        app.get("/api/envs/local/clusters/itflex-nginx/services/web-replica").await,
        200,
    )
    .await;
    assert_eq!(service["deployments"].as_array().unwrap().len(), 1, "{service}");
    let history = crate::helpers::json_with_status(app.get("/api/deployments?service=web-replica").await, 200).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 2, "created, then forced anew: {history}");
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn the_seeds_create_service_json_is_imported_in_the_wizard_and_runs_one_task_per_instance() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    // The demo's REPLICA service has the seed's name: it makes way.
    let demo = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access?force=true";
    assert_eq!(app.delete(demo).await.status(), 204);
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/services/new?cluster=itflex-nginx", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::Css("details.import summary")).await.unwrap().click().await.unwrap();
    let textarea = wait().for_element(Locator::Id("importService")).await.unwrap();
    let seed = include_str!("../../fixtures/seed/ecs-create-service-template.json");
    set_text(c, &textarea, seed).await;
    c.find(Locator::Id("importServiceButton")).await.unwrap().click().await.unwrap();
    let daemon = wait().for_element(Locator::Css("input[name='scheduling'][value='DAEMON']")).await.unwrap();
    assert_eq!(daemon.prop("checked").await.unwrap().as_deref(), Some("true"));
    wait().for_element(Locator::Css("select[name='revision'] option[value='1']")).await.unwrap();
    c.find(Locator::Css("button#createService")).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#deployments tr[data-status='PRIMARY'][data-rollout='COMPLETED']"))
        .await
        .unwrap();
    let running = c.find_all(Locator::Css("#tasks tr[data-status='RUNNING']")).await.unwrap();
    assert_eq!(running.len(), 2, "one task on each of the cluster's 2 instances");
    browser.client.close().await.unwrap();
}

#[tokio::test]
async fn the_seeds_update_service_json_is_applied_on_the_update_page_and_only_to_the_service_it_names() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    app.fit_lab_service().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::Css("#deployments tr[data-status='PRIMARY'][data-rollout='COMPLETED']")).await.unwrap();
    assert_eq!(
        c.find(Locator::Id("breaker")).await.unwrap().text().await.unwrap(),
        "on, rolls back a failed deployment"
    );
    c.find(Locator::Id("updateService")).await.unwrap().click().await.unwrap();
    let textarea = wait().for_element(Locator::Id("updateServiceJson")).await.unwrap();

    // A document for another service is refused on the page: nothing is sent.
    let seed = include_str!("../../fixtures/seed/ecs-update-service-template.json");
    set_text(c, &textarea, &seed.replace("\"nginx-web-access\"", "\"other-service\"")).await;
    c.find(Locator::Id("previewUpdateJson")).await.unwrap().click().await.unwrap();
    let refusal = wait().for_element(Locator::Css("#updateJson .field-error")).await.unwrap().text().await.unwrap();
    assert!(refusal.contains("other-service") && refusal.contains("not this one"), "{refusal}");
    // An unknown key is the server's refusal, named by path.
    set_text(c, &textarea, &seed.replace("\"forceNewDeployment\"", "\"forceNewDeploymnet\"")).await;
    c.find(Locator::Id("previewUpdateJson")).await.unwrap().click().await.unwrap();
    let banner = wait().for_element(Locator::Css("#updateJson [role='alert']")).await.unwrap().text().await.unwrap();
    assert!(banner.contains("forceNewDeploymnet"), "{banner}");
    let service = crate::helpers::json_with_status(
        app.get("/api/envs/local/clusters/itflex-nginx/services/nginx-web-access").await,
        200,
    )
    .await;
    assert_eq!(service["deployments"].as_array().unwrap().len(), 1, "nothing was applied: {service}");

    // The seed's document as is: circuit breaker off, 100 % / 0 %, a new deployment rolls out.
    // Previewed first: the family name resolved to the exact revision, the circuit breaker warning.
    set_text(c, &textarea, seed).await;
    c.find(Locator::Id("previewUpdateJson")).await.unwrap().click().await.unwrap();
    let preview = wait().for_element(Locator::Id("updatePreview")).await.unwrap().text().await.unwrap();
    assert!(
        preview.contains("Keeps nginx-web:1") && preview.contains("turns the deployment circuit breaker off"),
        "{preview}"
    );
    save_screenshot(c, "service-update-json").await;
    c.find(Locator::Id("applyUpdateJson")).await.unwrap().click().await.unwrap();
    // Back on the service page, live: the settings change shows, and the latest deployment is the
    // one the update started, named for who made it, followed to its end.
    wait().for_element(Locator::Id("breaker")).await.unwrap();
    let (mut breaker, mut latest, mut outcome) = (String::new(), String::new(), None);
    for _ in 0..150 {
        breaker = c.find(Locator::Id("breaker")).await.unwrap().text().await.unwrap();
        let rollout = c.find(Locator::Id("rollout")).await.unwrap();
        latest = rollout.text().await.unwrap();
        outcome = rollout.attr("data-outcome").await.unwrap();
        if breaker == "off" && latest.contains("service update by admin") && outcome.as_deref() == Some("SUCCEEDED") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(breaker, "off");
    assert!(latest.contains("service update by admin (session)"), "who made it, not 'outside Berth': {latest}");
    assert_eq!(outcome.as_deref(), Some("SUCCEEDED"), "{latest}");
    let service = crate::helpers::json_with_status(
        app.get("/api/envs/local/clusters/itflex-nginx/services/nginx-web-access").await,
        200,
    )
    .await;
    let config = &service["deploymentConfiguration"];
    assert_eq!((&config["maximumPercent"], &config["minimumHealthyPercent"]), (&100.into(), &0.into()), "{service}");
    browser.client.close().await.unwrap();
}

/// The page stays live while a person works in it: a value typed during a rollout survives the
/// snapshots that follow; scaling and deleting (scale to 0, then delete) go through the page.
#[tokio::test]
async fn scaling_and_deleting_from_the_page_and_typing_survives_live_updates() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    app.fit_lab_service().await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    wait().for_element(Locator::Css("#deployments tr[data-status='PRIMARY'][data-rollout='COMPLETED']")).await.unwrap();

    // The person types a new count; a rollout starts elsewhere (the CLI) while it sits unsent.
    let count = c.find(Locator::Id("desiredCount")).await.unwrap();
    count.clear().await.unwrap();
    // Before Scale: 4 can't all be placed on the lab's two t2.micro, and the page says so.
    count.send_keys("4").await.unwrap();
    let warning = wait().for_element(Locator::Css("#scaleWarning p")).await.unwrap();
    let said = warning.text().await.unwrap();
    assert!(said.starts_with("2 of 4 tasks can be placed: each needs host ports 80, 443"), "{said}");
    save_screenshot(c, "scale-placement-warning").await;
    let count = c.find(Locator::Id("desiredCount")).await.unwrap();
    count.clear().await.unwrap();
    count.send_keys("1").await.unwrap();
    for _ in 0..50 {
        if c.find(Locator::Id("scaleWarning")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.find(Locator::Id("scaleWarning")).await.is_err(), "1 task fits: no warning");
    let updated = app
        .ecs(
            "UpdateService",
            serde_json::json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "forceNewDeployment": true}),
        )
        .await;
    let primary = updated["service"]["deployments"].as_array().unwrap().iter().find(|d| d["status"] == "PRIMARY");
    let rollout = primary.unwrap()["id"].as_str().unwrap().to_string();
    // (The lab's rollout takes about a second: the page may never show it ACTIVE, but it shows it
    // completed, redrawn by the snapshots that came meanwhile.)
    let mut deployments = String::new();
    for _ in 0..150 {
        deployments = text_of(c, "#deployments").await;
        if deployments.contains(&format!("ECS deployment {rollout} completed.")) && !deployments.contains("ACTIVE") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(deployments.contains(&format!("ECS deployment {rollout} completed.")), "{deployments}");
    let kept = c.find(Locator::Id("desiredCount")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("1"), "what was typed survived the rollout's snapshots");
    c.find(Locator::Css("#scaleForm button[type='submit']")).await.unwrap().click().await.unwrap();
    let mut counts = String::new();
    for _ in 0..150 {
        // Read in the page: the live page may redraw the element between a find and a read.
        counts = text_of(c, "#counts").await;
        if counts.starts_with("1 desired, 1 running") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(counts.starts_with("1 desired, 1 running"), "{counts}");

    // Delete: the dialog offers "scale to 0 and delete" (and force); the page then goes to the cluster.
    c.find(Locator::Id("deleteService")).await.unwrap().click().await.unwrap();
    wait().for_element(Locator::Css(".modal")).await.unwrap();
    let dialog = text_of(c, ".modal").await;
    assert!(dialog.contains("It runs 1 task."), "{dialog}");
    assert!(c.find(Locator::Id("forceDelete")).await.is_ok(), "force is offered");
    save_screenshot(c, "service-delete").await;
    c.find(Locator::Id("confirmDelete")).await.unwrap().click().await.unwrap();
    for _ in 0..150 {
        if c.current_url().await.unwrap().path() == "/e/local/cluster/itflex-nginx" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(c.current_url().await.unwrap().path(), "/e/local/cluster/itflex-nginx");
    let service = app
        .ecs("DescribeServices", serde_json::json!({"cluster": "itflex-nginx", "services": ["nginx-web-access"]}))
        .await;
    assert_eq!(service["services"][0]["status"], "INACTIVE", "{service}");
    assert_eq!(service["services"][0]["desiredCount"], 0, "scaled to 0 first: {service}");
    browser.client.close().await.unwrap();
}

/// A Fargate-only task definition picks the Fargate launch type (and the page says so); its awsvpc
/// network is asked for, and the service runs.
#[tokio::test]
async fn a_fargate_only_task_definition_picks_fargate_and_asks_for_its_network() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let fargate = serde_json::json!({"family": "fg-web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
        "cpu": "256", "memory": "512",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": true, "portMappings": [{"containerPort": 80}]}]});
    crate::helpers::json_with_status(app.post_json("/api/envs/local/task-definitions", &fargate).await, 201).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1400).await.unwrap();
    browser.login(&app.address, "/e/local/services/new?cluster=itflex-nginx", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    wait().for_element(Locator::Css("input[name='serviceName']")).await.unwrap().send_keys("fg-service").await.unwrap();
    wait().for_element(Locator::Css("select[name='family'] option[value='fg-web']")).await.unwrap();
    c.find(Locator::Css("select[name='family']")).await.unwrap().select_by_value("fg-web").await.unwrap();
    let why = wait().for_element(Locator::Id("launchTypeSwitched")).await.unwrap().text().await.unwrap();
    assert!(why.contains("Fargate only"), "{why}");
    let compute = c.find(Locator::Css("select[name='compute']")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(compute.as_deref(), Some("FARGATE"));

    // Without subnets the rule answers on the network; with one, the service is created and runs.
    c.find(Locator::Css("button#createService")).await.unwrap().click().await.unwrap();
    let error = wait().for_element(Locator::Css(".field-error")).await.unwrap().text().await.unwrap();
    assert!(error.contains("subnets"), "{error}");
    wait().for_element(Locator::Css("input[name='subnet']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("button#createService")).await.unwrap().click().await.unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#deployments tr[data-status='PRIMARY'][data-rollout='COMPLETED']"))
        .await
        .unwrap();
    let facts = c.find(Locator::Css("dl.facts")).await.unwrap().text().await.unwrap();
    assert!(facts.contains("FARGATE"), "{facts}");
    browser.client.close().await.unwrap();
}

/// The lab's final test, one click away: the service page lists where it answers (the instances'
/// public IPs), and a task row opens the task's page with its instance and port bindings.
#[tokio::test]
async fn the_service_page_opens_the_app_and_a_task_row_opens_its_task_page() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1100).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(20));
    // Local mode: the local AWS's stand-ins on this machine; the AWS address (the instance's
    // public IP, port 443 as https) is in each link's title.
    let title = attr_of(c, Locator::Css("#openAddresses a[href^='http://127.0.0.1:']"), "title").await.unwrap();
    let on_aws = title.split("on AWS: ").nth(1).unwrap_or_default();
    assert!(on_aws.starts_with("http") && on_aws.split('.').count() == 4, "an IPv4 address: {title}");
    assert!(c.find(Locator::Css("#openAddresses a[title*='on AWS: https://']")).await.is_ok(), "port 443 as https");
    save_screenshot(c, "service-open").await;
    // The create-service JSON export, as the server wrote it, indented.
    c.execute("document.querySelector('.json-panel').open = true", vec![]).await.unwrap();
    let export = wait().for_element(Locator::Id("exportJson")).await.unwrap();
    let mut text = String::new();
    for _ in 0..40 {
        text = export.text().await.unwrap();
        if !text.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exported: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (exported["serviceName"].as_str(), exported["desiredCount"].as_i64()),
        (Some("nginx-web-access"), Some(4))
    );
    assert!(text.contains("\n  \"serviceName\": \"nginx-web-access\""), "indented: {text}");

    let task = wait().for_element(Locator::Css("#tasks tr[data-status='RUNNING'] a")).await.unwrap();
    task.click().await.unwrap();
    let host = wait().for_element(Locator::Id("taskHost")).await.unwrap().text().await.unwrap();
    assert!(host.contains("t2.micro") && host.contains("i-"), "{host}");
    assert_eq!(c.find(Locator::Id("taskStatus")).await.unwrap().text().await.unwrap(), "RUNNING");
    let containers = c.find(Locator::Id("taskContainers")).await.unwrap().text().await.unwrap();
    assert!(containers.contains("80 → 80/tcp") && containers.contains("443 → 443/tcp"), "{containers}");
    save_screenshot(c, "task-page").await;
    c.set_window_size(1024, 900).await.unwrap();
    save_screenshot(c, "task-page-1024").await;
}

/// An element's text read in the page (a live page may redraw it between a find and a read).
async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    let script = "return document.querySelector(arguments[0])?.innerText || ''";
    c.execute(script, vec![css.into()]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// The lab's service as it ships (4 desired, minimum healthy 100 %, host ports 80 and 443): the
/// Deploy dialog says before anything is sent that a rolling deployment can't begin, and what to
/// change.
#[tokio::test]
async fn the_deploy_dialog_says_when_a_rollout_can_never_begin() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    let browser = Browser::open().await;
    let c = &browser.client;
    c.set_window_size(1280, 1000).await.unwrap();
    browser.login(&app.address, "/e/local/services/itflex-nginx/nginx-web-access", "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    click(c, Locator::Id("deployButton")).await;
    let warnings = wait().for_element(Locator::Css("#deployPlacement")).await.unwrap().text().await.unwrap();
    assert!(warnings.contains("2 of 4 tasks can be placed"), "{warnings}");
    assert!(
        warnings.contains("The rolling deployment can't begin: minimum healthy 100 % keeps all 2 running tasks")
            && warnings.contains("minimum healthy percent 25 %"),
        "{warnings}"
    );
    save_screenshot(c, "deploy-dialog-placement").await;
}
