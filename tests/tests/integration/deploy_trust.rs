//! Deploys a team can trust (issue 13), against the local AWS: rollback never undoes the good
//! release, a failure's cause is kept and shown, an image ECR doesn't have is refused, an
//! update-service document is resolved before it is applied, the history has no stale entries,
//! and a service-scoped token can change nothing else.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status, repo_root};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";

/// The demo data, its service's first rollout COMPLETED, and its repository's URI.
async fn demo_with(adjust: impl FnOnce(&mut berth::config::Settings)) -> (TestApp, String) {
    let app = TestApp::spawn_demo_with(adjust).await;
    let uri = app.repository_uri("nginxweb").await;
    (app, uri)
}

async fn demo() -> (TestApp, String) {
    demo_with(|_| {}).await
}

fn request(image: &str) -> Value {
    json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
           "images": [{"container": "nginx-web", "image": image}]})
}

async fn deploy(app: &TestApp, image: &str, status: u16) -> Value {
    json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request(image)).await, status).await
}

/// The document of `revision` (the one running) with its container's image replaced.
async fn running_spec_with(app: &TestApp, revision: &str, image: &str) -> Value {
    let number = revision.rsplit(':').next().unwrap();
    let path = format!("/api/envs/local/task-definitions/nginx-web/revisions/{number}");
    let mut spec = json_with_status(app.get(&path).await, 200).await["spec"].clone();
    spec["containerDefinitions"][0]["image"] = json!(image);
    spec
}

async fn running(app: &TestApp) -> String {
    json_with_status(app.get(SERVICE).await, 200).await["taskDefinition"].as_str().unwrap().to_string()
}

fn expiry() -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

async fn token(app: &TestApp, role: &str, services: Value) -> crate::helpers::Session {
    let spec =
        json!({"name": "ci", "role": role, "environments": ["local"], "services": services, "expiresAt": expiry()});
    let made = json_with_status(app.post_json("/api/tokens", &spec).await, 201).await;
    app.anonymous().with_bearer(made["secret"].as_str().unwrap())
}

#[tokio::test]
async fn after_ecs_rolled_a_failed_deploy_back_roll_back_says_so_and_never_leaves_the_good_release() {
    let (app, uri) = demo().await;
    let first = running(&app).await;
    let good = deploy(&app, &format!("{uri}:v1"), 200).await;
    let good_revision = good["toTaskDefinition"].as_str().unwrap().to_string();
    let failed = deploy(&app, &format!("{uri}:v3-cannot-start"), 424).await;
    assert_eq!(failed["rolledBackTo"], good_revision.as_str());
    assert_eq!(running(&app).await, good_revision);

    let plan = json_with_status(app.get(&format!("{SERVICE}/rollback")).await, 200).await;
    let already = plan["alreadyRolledBack"].as_str().unwrap();
    assert_eq!(
        already,
        format!(
            "Deployment #{} failed and ECS rolled it back; the service already runs the last good release {good_revision}.",
            failed["id"]
        )
    );
    assert_eq!(plan["currentTaskDefinition"], good_revision.as_str());
    assert_eq!(plan["target"]["toTaskDefinition"], first.as_str(), "the earlier release, offered: {plan}");
    assert!(plan["message"].as_str().unwrap().contains("only if you mean to go further back"), "{plan}");

    // Confirming without choosing changes nothing: the service keeps the good release.
    let refused = json_with_status(app.post_json(&format!("{SERVICE}/rollback"), &json!({})).await, 409).await;
    assert!(refused["message"].as_str().unwrap().starts_with(already), "{refused}");
    assert_eq!(running(&app).await, good_revision);

    // The earlier one, chosen explicitly.
    let chosen = json!({"deployment": plan["target"]["id"]});
    let back = json_with_status(app.post_json(&format!("{SERVICE}/rollback?wait=true"), &chosen).await, 200).await;
    assert_eq!(back["kind"], "rollback");
    assert_eq!(back["toTaskDefinition"], first.as_str());
}

#[tokio::test]
async fn the_rollback_plan_shows_the_target_its_images_who_and_how_it_ended_and_the_diff() {
    let (app, uri) = demo().await;
    let one = deploy(&app, &format!("{uri}:v1"), 200).await;
    let two = deploy(&app, &format!("{uri}:v2"), 200).await;
    let plan = json_with_status(app.get(&format!("{SERVICE}/rollback")).await, 200).await;
    assert!(plan["alreadyRolledBack"].is_null(), "{plan}");
    let target = &plan["target"];
    assert_eq!(target["id"], one["id"]);
    assert_eq!(target["actor"], "admin");
    assert_eq!(target["outcome"], "SUCCEEDED");
    assert!(target["startedAt"].as_str().is_some());
    assert_eq!(target["images"][0]["tag"], "v1");
    assert!(target["images"][0]["digest"].as_str().unwrap().starts_with("sha256:"), "{plan}");
    assert_eq!(plan["currentImages"][0]["tag"], "v2", "{plan}");
    let change = &plan["changes"][0];
    assert_eq!(change["path"], "containerDefinitions[\"nginx-web\"].image");
    // Each revision names its image by the digest its tag named when it was deployed.
    assert_eq!(change["before"], crate::helpers::pinned_image(&two).as_str());
    assert_eq!(change["after"], crate::helpers::pinned_image(&one).as_str());
    assert_ne!(change["before"], change["after"]);
    assert!(plan["failedBefore"].is_null());
}

#[tokio::test]
async fn a_failed_deploy_keeps_its_verdict_in_the_ci_answer_the_deployment_page_and_the_history() {
    let (app, uri) = demo().await;
    let failed = deploy(&app, &format!("{uri}:v3-cannot-start"), 424).await;
    let verdict = &failed["verdict"];
    let summary = verdict["summary"].as_str().unwrap();
    // The demo's v3-cannot-start is in ECR: it is pulled, and its container exits 1.
    // The fitted lab service wants 2; the breaker stops the deployment at its third failed task.
    assert!(
        summary
            .ends_with("tasks stopped (2 wanted): Essential container in task exited (nginx-web exited with code 1)"),
        "{summary}"
    );
    assert_eq!(verdict["threshold"], 3, "{verdict}");
    assert!(verdict["failedTasks"].as_i64().unwrap() >= 3, "{verdict}");
    let task = &verdict["stoppedTasks"][0];
    assert_eq!(
        (&task["stopCode"], &task["stoppedReason"]),
        (&json!("EssentialContainerExited"), &json!("Essential container in task exited"))
    );
    assert_eq!(task["taskDefinition"], failed["toTaskDefinition"]);
    assert_eq!(task["containers"][0]["name"], "nginx-web", "{task}");
    assert_eq!(task["containers"][0]["exitCode"], 1, "{task}");

    let id = failed["id"].as_i64().unwrap();
    let page = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await;
    assert_eq!(page["deployment"]["verdict"]["summary"], summary);
    let history = json_with_status(app.get("/api/deployments?outcome=FAILED").await, 200).await;
    assert_eq!(history["items"][0]["verdict"]["summary"], summary);

    // Deploying that revision again needs the failure acknowledged.
    let plan = json_with_status(app.get(&format!("/api/deployments/{id}/redeploy")).await, 200).await;
    let why = plan["failedBefore"]["message"].as_str().unwrap();
    assert!(why.contains(&format!("failed on #{id}: {summary}")), "{why}");
    let refused =
        json_with_status(app.post_json(&format!("/api/deployments/{id}/redeploy"), &json!({})).await, 409).await;
    assert_eq!(refused["fields"][0]["path"], "acknowledgeFailure", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("Essential container in task exited"), "{refused}");
    let again = json!({"acknowledgeFailure": true});
    let retried =
        json_with_status(app.post_json(&format!("/api/deployments/{id}/redeploy?wait=true"), &again).await, 424).await;
    assert_eq!(retried["kind"], "redeploy");
}

#[tokio::test]
async fn an_ecr_image_that_does_not_exist_is_refused_before_anything_is_recorded_and_others_are_warned_about() {
    let (app, uri) = demo().await;
    let missing = json_with_status(
        app.post_json("/api/envs/local/deployments", &request(&format!("{uri}:cannot-start"))).await,
        422,
    )
    .await;
    assert_eq!(missing["fields"][0]["path"], "images[0].image");
    let message = missing["fields"][0]["message"].as_str().unwrap();
    assert!(message.contains("nginxweb") && message.contains("cannot-start"), "{message}");
    let other_repo = format!("{}/nope:v1", uri.rsplit_once('/').unwrap().0);
    let no_repo =
        json_with_status(app.post_json("/api/envs/local/deployments", &request(&other_repo)).await, 422).await;
    assert_eq!(no_repo["fields"][0]["path"], "images[0].image");
    let history = json_with_status(app.get("/api/deployments?actor=admin").await, 200).await;
    assert_eq!(history["items"], json!([]), "nothing recorded");

    let preview =
        json_with_status(app.post_json("/api/envs/local/deployments/preview", &request("nginx:1.27")).await, 200).await;
    assert_eq!(preview["warnings"][0]["path"], "images[0].image");
    assert!(preview["warnings"][0]["message"].as_str().unwrap().contains("Not in an ECR registry"), "{preview}");
    assert_eq!(preview["changes"][0]["after"], "nginx:1.27");
}

#[tokio::test]
async fn the_labs_update_service_document_is_resolved_previewed_and_applied_as_the_exact_revision() {
    let (app, uri) = demo().await;
    let before = running(&app).await;
    // A newer revision of the family, with an image that can't start: what the lab's template
    // (`taskDefinition: nginx-web`, circuit breaker off) would deploy without saying.
    let spec = running_spec_with(&app, &before, &format!("{uri}:v3-cannot-start")).await;
    let registered = json_with_status(app.post_json("/api/envs/local/task-definitions", &spec).await, 201).await;
    let latest = format!("nginx-web:{}", registered["revision"]);
    let document: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("tests/fixtures/seed/ecs-update-service-template.json")).unwrap(),
    )
    .unwrap();

    let preview =
        json_with_status(app.post_json("/api/envs/local/services/update?dryRun=true", &document).await, 200).await;
    assert_eq!(preview["resolvedTaskDefinition"], latest.as_str(), "{preview}");
    assert_eq!(preview["currentTaskDefinition"], before.as_str());
    assert_eq!(preview["dryRun"], true);
    assert!(preview["service"].is_null());
    assert!(
        preview["changes"].as_array().unwrap().iter().any(|c| c["path"] == "containerDefinitions[\"nginx-web\"].image")
    );
    let warnings: Vec<&str> =
        preview["warnings"].as_array().unwrap().iter().map(|w| w["message"].as_str().unwrap()).collect();
    assert!(warnings.iter().any(|w| w.contains("circuit breaker off")), "{warnings:?}");
    assert_eq!(running(&app).await, before, "a dry run changes nothing");

    let applied = json_with_status(app.post_json("/api/envs/local/services/update", &document).await, 200).await;
    assert_eq!(applied["resolvedTaskDefinition"], latest.as_str());
    assert_eq!(applied["service"]["taskDefinition"], latest.as_str());

    // It keeps failing (no circuit breaker): "Stop this rollout" goes back to the last good revision.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let stopped = json_with_status(app.post_json(&format!("{SERVICE}/stop-rollout"), &json!({})).await, 202).await;
    assert_eq!(stopped["kind"], "rollback");
    let done = wait_for(&app, stopped["id"].as_i64().unwrap()).await;
    assert_eq!(done["outcome"], "SUCCEEDED", "{done}");
    assert_eq!(running(&app).await, done["toTaskDefinition"].as_str().unwrap());
    // The stuck service update is not left IN_PROGRESS.
    let open = json_with_status(app.get("/api/deployments?outcome=IN_PROGRESS").await, 200).await;
    assert_eq!(open["items"], json!([]), "{open}");
}

async fn wait_for(app: &TestApp, id: i64) -> Value {
    for _ in 0..150 {
        let record = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await;
        if record["deployment"]["outcome"] != "IN_PROGRESS" {
            return record["deployment"].clone();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("deployment #{id} never ended");
}

#[tokio::test]
async fn an_outside_deployment_replaced_before_it_ended_is_superseded_and_keeps_its_images() {
    let (app, uri) = demo_with(|s| s.deploy.external_sweep = Some(Duration::from_millis(200))).await;
    let before = running(&app).await;
    let register = |image: String| {
        let (app, before) = (&app, &before);
        async move {
            let spec = running_spec_with(app, before, &image).await;
            app.ecs("RegisterTaskDefinition", spec).await["taskDefinition"]["taskDefinitionArn"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let stuck = register(format!("{uri}:v3-cannot-start")).await;
    let fine = register(format!("{uri}:v2")).await;
    let off = json!({"deploymentCircuitBreaker": {"enable": false, "rollback": false}, "maximumPercent": 200, "minimumHealthyPercent": 100});
    app.ecs("UpdateService", json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": stuck, "deploymentConfiguration": off})).await;
    let short = |arn: &str| arn.rsplit('/').next().unwrap().to_string();
    let mut first = Value::Null;
    for _ in 0..100 {
        let page = json_with_status(app.get("/api/deployments?actor=external").await, 200).await;
        if let Some(found) =
            page["items"].as_array().unwrap().iter().find(|d| d["toTaskDefinition"] == short(&stuck).as_str())
        {
            first = found.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(first["outcome"], "IN_PROGRESS", "recorded while it fails: {first}");
    assert_eq!(first["images"][0]["tag"], "v3-cannot-start", "{first}");
    let detail = json_with_status(app.get(&format!("/api/deployments/{}", first["id"])).await, 200).await;
    assert_eq!(detail["changes"][0]["path"], "containerDefinitions[\"nginx-web\"].image", "{detail}");

    app.ecs("UpdateService", json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "taskDefinition": fine}))
        .await;
    let ended = wait_for(&app, first["id"].as_i64().unwrap()).await;
    assert_eq!(ended["outcome"], "SUPERSEDED", "{ended}");
    assert!(ended["reason"].as_str().unwrap().contains(&short(&fine)), "{ended}");
}

#[tokio::test]
async fn a_service_created_in_berth_starts_its_history_as_created_by_its_creator() {
    let (app, _) = demo().await;
    let spec = json!({"cluster": "itflex-nginx", "serviceName": "second", "taskDefinition": "nginx-web",
        "desiredCount": 1, "launchType": "EC2"});
    json_with_status(app.post_json("/api/envs/local/services", &spec).await, 201).await;
    let page = json_with_status(app.get("/api/deployments?cluster=itflex-nginx&service=second").await, 200).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["kind"], "create");
    assert_eq!(items[0]["actor"], "admin");
    assert!(items[0]["images"][0]["image"].as_str().is_some(), "{page}");
}

#[tokio::test]
async fn a_token_limited_to_one_service_changes_no_other_and_counts_beyond_the_quota_are_refused() {
    let (app, uri) = demo().await;
    let bare = json!({"name": "ci", "role": "deployer", "environments": ["local"], "services": ["nginx-web-access"], "expiresAt": expiry()});
    let refused = json_with_status(app.post_json("/api/tokens", &bare).await, 422).await;
    assert_eq!(refused["fields"][0]["path"], "services[0]");
    assert!(refused["fields"][0]["message"].as_str().unwrap().contains("cluster/service"));

    let other = token(&app, "deployer", json!(["itflex-nginx/other"])).await;
    let scale = other.put_json(&format!("{SERVICE}/desired-count"), &json!({"desiredCount": 0})).await;
    let body = json_with_status(scale, 403).await;
    assert!(body["message"].as_str().unwrap().contains("only itflex-nginx/other"), "{body}");
    let back = other.post_json(&format!("{SERVICE}/rollback"), &json!({})).await;
    assert_eq!(back.status(), 403);
    // Same service name, another cluster: not this one.
    let elsewhere = token(&app, "deployer", json!(["elsewhere/nginx-web-access"])).await;
    let deployed = elsewhere.post_json("/api/envs/local/deployments", &request(&format!("{uri}:v1"))).await;
    assert_eq!(deployed.status(), 403);
    assert_eq!(json_with_status(app.get(SERVICE).await, 200).await["desiredCount"], 2);

    let mine = token(&app, "deployer", json!(["itflex-nginx/nginx-web-access"])).await;
    let huge = mine
        .put_json(&format!("{SERVICE}/desired-count"), &json!({"desiredCount": 9_223_372_036_854_775_807i64}))
        .await;
    let body = json_with_status(huge, 422).await;
    assert_eq!(body["fields"][0]["path"], "desiredCount");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("5000"), "{body}");
    let update = json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "desiredCount": 5001});
    let body = json_with_status(app.post_json("/api/envs/local/services/update", &update).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "desiredCount");
    json_with_status(mine.put_json(&format!("{SERVICE}/desired-count"), &json!({"desiredCount": 2})).await, 200).await;
}

#[tokio::test]
async fn a_viewer_asking_to_roll_back_is_refused_for_the_role_before_anything_is_asked_of_aws() {
    let app = TestApp::spawn().await;
    let viewer = app.user("vera", "local", shared::auth::Role::Viewer).await;
    // No such service exists: a 403 (not a 404 or 409) shows the role was checked first.
    let path = "/api/envs/local/clusters/nowhere/services/nothing/rollback";
    let body = json_with_status(viewer.post_json(path, &json!({})).await, 403).await;
    assert!(body["message"].as_str().unwrap().contains("deployer"), "{body}");
}
