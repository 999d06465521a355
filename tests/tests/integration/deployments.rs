//! The deploy engine against the local AWS (with its ECS scheduler), through the API: deploy ->
//! SUCCEEDED, a failing image -> FAILED and rolled back, roll back to a deregistered revision, two
//! concurrent deploys -> one 409, an idempotent retry, a CI token with `wait`, the history and a
//! deployment made outside Berth.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, json_with_status};

const SERVICE: &str = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";

/// The demo data, its service's first rollout COMPLETED, and its repository's URI.
async fn demo() -> (TestApp, String) {
    let app = TestApp::spawn_demo_with(|_| {}).await;
    let uri = app.repository_uri("nginxweb").await;
    (app, uri)
}

fn request(image: &str) -> Value {
    json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
           "images": [{"container": "nginx-web", "image": image}], "note": "from the tests"})
}

async fn service(app: &TestApp) -> Value {
    json_with_status(app.get(SERVICE).await, 200).await
}

async fn active_revisions(app: &TestApp) -> Vec<Value> {
    let revisions = json_with_status(app.get("/api/envs/local/task-definitions/nginx-web/revisions").await, 200).await;
    revisions.as_array().unwrap().clone()
}

fn revision_path(td: &str) -> String {
    format!("/api/envs/local/task-definitions/nginx-web/revisions/{}", td.rsplit(':').next().unwrap())
}

#[tokio::test]
async fn a_deploy_registers_a_revision_rolls_out_and_is_recorded_with_its_events() {
    let (app, uri) = demo().await;
    let before = service(&app).await["taskDefinition"].as_str().unwrap().to_string();
    let done = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v1"))).await,
        200,
    )
    .await;
    assert_eq!(done["outcome"], "SUCCEEDED", "{done}");
    assert_eq!(done["kind"], "deploy");
    assert_eq!(done["actor"], "admin");
    assert_eq!(done["fromTaskDefinition"], before.as_str());
    let to = done["toTaskDefinition"].as_str().unwrap().to_string();
    assert_ne!(to, before);
    assert_eq!(done["images"][0]["tag"], "v1");
    assert!(done["images"][0]["digest"].as_str().unwrap().starts_with("sha256:"), "{done}");
    assert!(done["durationMs"].as_i64().unwrap() > 0);
    assert_eq!(service(&app).await["taskDefinition"], to.as_str());

    let id = done["id"].as_i64().unwrap();
    let detail = json_with_status(app.get(&format!("/api/deployments/{id}")).await, 200).await;
    let changes = detail["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "only the image changed: {changes:?}");
    assert_eq!(changes[0]["path"], "containerDefinitions[\"nginx-web\"].image");
    // Registered by the digest v1 names now (the record keeps the tag and the digest).
    assert_eq!(changes[0]["after"], crate::helpers::pinned_image(&done).as_str());
    assert!(changes[0]["after"].as_str().unwrap().starts_with(&format!("{uri}@sha256:")));
    let events: Vec<&str> =
        detail["events"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(events.iter().any(|m| m.contains("has reached a steady state")), "{events:?}");

    // In the history, with the demo service's first deployment recorded as made outside Berth.
    let page = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    let kinds: Vec<&str> = page["items"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["deploy", "external"]);
    assert_eq!(page["items"][1]["toTaskDefinition"], before.as_str());
}

#[tokio::test]
async fn a_failing_image_is_recorded_failed_and_rolled_back_never_as_success() {
    let (app, uri) = demo().await;
    let before = service(&app).await["taskDefinition"].as_str().unwrap().to_string();
    let done = json_with_status(
        app.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v3-cannot-start"))).await,
        424,
    )
    .await;
    assert_eq!(done["outcome"], "FAILED", "{done}");
    assert_eq!(done["rolledBackTo"], before.as_str(), "{done}");
    assert!(done["reason"].as_str().unwrap().contains(&format!("Rolled back to {before}")), "{done}");
    // ECS's rollback is not a deployment made outside Berth.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let page = json_with_status(app.get("/api/deployments?service=nginx-web-access").await, 200).await;
    let kinds: Vec<&str> = page["items"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["deploy", "external"], "{page}");
    let failed = json_with_status(app.get("/api/deployments?outcome=FAILED").await, 200).await;
    assert_eq!(failed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn roll_back_re_registers_a_deregistered_revision_and_the_last_good_one_is_kept() {
    let (app, uri) = demo().await;
    let deploy = |image: String| {
        let app = &app;
        async move {
            json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request(&image)).await, 200).await
        }
    };
    let first = deploy(format!("{uri}:v1")).await;
    let second = deploy(format!("{uri}:v2")).await;
    let (one, two) = (first["toTaskDefinition"].as_str().unwrap(), second["toTaskDefinition"].as_str().unwrap());
    // The service's last known-good revision can't be deregistered; the one before can.
    let refused = json_with_status(app.delete(&revision_path(two)).await, 409).await;
    assert!(refused["message"].as_str().unwrap().contains("last known-good"), "{refused}");
    json_with_status(app.delete(&revision_path(one)).await, 200).await;

    let back = json_with_status(
        app.post_json(&format!("{SERVICE}/rollback?wait=true"), &json!({"note": "v2 is broken"})).await,
        200,
    )
    .await;
    assert_eq!(back["kind"], "rollback");
    assert_eq!(back["outcome"], "SUCCEEDED", "{back}");
    let now = back["toTaskDefinition"].as_str().unwrap();
    assert_ne!(now, one, "an INACTIVE revision can't be deployed: its content is registered again");
    let revision = json_with_status(app.get(&revision_path(now)).await, 200).await;
    let image = &revision["spec"]["containerDefinitions"][0]["image"];
    assert_eq!(image, crate::helpers::pinned_image(&first).as_str(), "v1's bytes, by digest");
    assert!(image.as_str().unwrap().starts_with(&format!("{uri}@sha256:")));
    assert_eq!(service(&app).await["taskDefinition"], now);
}

#[tokio::test]
async fn a_second_deploy_while_one_runs_is_a_409_naming_who_holds_it_and_a_retried_key_makes_one_deployment() {
    let (app, uri) = demo().await;
    let revisions = active_revisions(&app).await.len();
    let path = "/api/envs/local/deployments";
    let keyed = |key: &'static str, image: String| {
        let app = &app;
        async move {
            app.admin
                .request(reqwest::Method::POST, path)
                .header("idempotency-key", key)
                .json(&request(&image))
                .send()
                .await
                .unwrap()
        }
    };
    let (a, b) = tokio::join!(keyed("click-1", format!("{uri}:v1")), keyed("click-1", format!("{uri}:v1")));
    let (a_status, b_status) = (a.status().as_u16(), b.status().as_u16());
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    let mut statuses = [a_status, b_status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 202], "a double click makes one deployment: {a} {b}");
    assert_eq!(a["id"], b["id"]);
    assert_eq!(active_revisions(&app).await.len(), revisions + 1, "one revision registered");

    let other = json_with_status(keyed("click-2", format!("{uri}:v2")).await, 409).await;
    let message = other["message"].as_str().unwrap();
    assert!(message.contains("being deployed by admin") && message.contains(&format!("#{}", a["id"])), "{message}");
    assert_eq!(active_revisions(&app).await.len(), revisions + 1, "nothing registered for the refused one");
}

#[tokio::test]
async fn ci_deploys_with_a_deployer_token_limited_to_its_service_and_waits_for_the_outcome() {
    let (app, uri) = demo().await;
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let token = |services: Value| {
        let app = &app;
        let expires = expires.clone();
        async move {
            let spec = json!({"name": "gitlab-ci", "role": "deployer", "environments": ["local"], "services": services, "expiresAt": expires});
            let made = json_with_status(app.post_json("/api/tokens", &spec).await, 201).await;
            app.anonymous().with_bearer(made["secret"].as_str().unwrap())
        }
    };
    let other = token(json!(["itflex-nginx/another-service"])).await;
    let refused =
        json_with_status(other.post_json("/api/envs/local/deployments", &request(&format!("{uri}:v1"))).await, 403)
            .await;
    assert_eq!(
        refused["message"],
        "This token may change only itflex-nginx/another-service; not itflex-nginx/nginx-web-access."
    );

    let ci = token(json!(["itflex-nginx/nginx-web-access"])).await;
    let done = json_with_status(
        ci.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v1"))).await,
        200,
    )
    .await;
    assert_eq!(done["outcome"], "SUCCEEDED");
    assert!(done["via"].as_str().unwrap().starts_with("token "), "{done}");
    let failed =
        ci.post_json("/api/envs/local/deployments?wait=true", &request(&format!("{uri}:v3-cannot-start"))).await;
    assert_eq!(failed.status(), 424, "a CI job fails when the rollout fails");
}

#[tokio::test]
async fn bad_requests_name_the_field_and_record_nothing() {
    let (app, uri) = demo().await;
    let wrong = json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "images": [{"container": "web", "image": format!("{uri}:v1")}]});
    let body = json_with_status(app.post_json("/api/envs/local/deployments", &wrong).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "images[0].container");
    assert!(
        body["fields"][0]["message"].as_str().unwrap().contains("has no container web; it has nginx-web"),
        "{body}"
    );
    let empty = json!({"cluster": "itflex-nginx", "service": "nginx-web-access", "images": []});
    let body = json_with_status(app.post_json("/api/envs/local/deployments", &empty).await, 422).await;
    assert_eq!(body["fields"][0]["path"], "images");
    let missing =
        json!({"cluster": "itflex-nginx", "service": "nope", "images": [{"container": "web", "image": "x:1"}]});
    json_with_status(app.post_json("/api/envs/local/deployments", &missing).await, 404).await;
    let page = json_with_status(app.get("/api/deployments?kind=deploy").await, 400).await;
    assert!(page["message"].as_str().unwrap().contains("unknown field `kind`"), "unknown filters are refused: {page}");
    let page = json_with_status(app.get("/api/deployments?outcome=GREAT").await, 422).await;
    assert_eq!(page["fields"][0]["path"], "outcome");
    let viewer = app.user("vera", "local", shared::auth::Role::Viewer).await;
    json_with_status(viewer.post_json("/api/envs/local/deployments", &request(&format!("{uri}:v1"))).await, 403).await;
    let page = json_with_status(app.get("/api/deployments?from=yesterday").await, 422).await;
    assert_eq!(page["fields"][0]["path"], "from");
    let none = json_with_status(app.get("/api/deployments?actor=admin").await, 200).await;
    assert_eq!(none["items"], json!([]));
}

#[tokio::test]
async fn the_watch_stream_sends_snapshots_and_a_deployment_outside_berth_is_recorded_as_external() {
    let (app, uri) = demo().await;
    // Outside Berth: the AWS CLI registers a revision and updates the service.
    let current = service(&app).await;
    let short = app.deploy_outside_berth(&format!("{uri}:v1")).await;

    let mut stream = app.admin.get(&format!("{SERVICE}/watch")).await;
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !text.contains("\"rolloutState\":\"COMPLETED\"") || !text.contains(&short) {
        let chunk =
            tokio::time::timeout_at(deadline, stream.chunk()).await.expect("snapshots keep coming").unwrap().unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.starts_with("event: snapshot\ndata: {"), "{}", &text[..80.min(text.len())]);
    drop(stream);
    let page = json_with_status(app.get("/api/deployments?actor=external").await, 200).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items[0]["toTaskDefinition"], short.as_str(), "{page}");
    assert_eq!(items[0]["kind"], "external");
    assert_eq!(items[0]["fromTaskDefinition"], current["taskDefinition"]);
}

/// GitLab jobs as the snippet writes them: `(name, script, variables)`, each `- |` block of a job's
/// `script:` joined into one bash script.
fn jobs(pipeline: &str) -> Vec<(String, String, Vec<(String, String)>)> {
    let mut jobs: Vec<(String, String, Vec<(String, String)>)> = Vec::new();
    let mut section = "";
    for line in pipeline.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && line.ends_with(':') {
            jobs.push((line.trim_end_matches(':').to_string(), String::new(), Vec::new()));
        } else if let Some(job) = jobs.last_mut() {
            match line.trim_end() {
                "  script:" => section = "script",
                "  variables:" => section = "variables",
                l if l.starts_with("  ") && !l.starts_with("    ") => section = "",
                l if section == "script" && l.starts_with("      ") => job.1.push_str(&format!("{}\n", &l[6..])),
                l if section == "variables" && l.starts_with("    ") => {
                    let (k, v) = l.trim().split_once(": ").unwrap();
                    job.2.push((k.to_string(), v.to_string()));
                }
                _ => {}
            }
        }
    }
    jobs
}

/// The lab's pipeline as the service page shows it in local mode, run as GitLab runs its jobs'
/// scripts (bash): the build job pushes the commit's image with `berth local push`, the deploy job
/// deploys that tag (pinned by digest) and waits; a commit whose image can't start fails the job.
#[tokio::test]
async fn the_gitlab_pipeline_snippet_pushes_deploys_and_fails_the_job_when_the_rollout_fails() {
    use shared::deploy::snippets::{CiContext, SnippetContainer, gitlab};
    let (app, uri) = demo().await;
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let spec = json!({"name": "gitlab-ci", "role": "deployer", "environments": ["local"],
        "services": ["itflex-nginx/nginx-web-access"], "expiresAt": expires});
    let token =
        json_with_status(app.post_json("/api/tokens", &spec).await, 201).await["secret"].as_str().unwrap().to_string();
    let containers = [SnippetContainer { name: "nginx-web".into(), repository: uri.clone() }];
    let ci = CiContext {
        berth_url: &app.address,
        environment: "local",
        region: "us-east-1",
        local: true,
        cluster: "itflex-nginx",
        service: "nginx-web-access",
        containers: &containers,
    };
    let pipeline = jobs(&gitlab(&ci));
    let names: Vec<&str> = pipeline.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["build:nginxweb", "deploy:nginx-web-access"]);
    let berth_url = pipeline[1].2.iter().find(|(k, _)| k == "BERTH_URL").map(|(_, v)| v.clone()).unwrap();
    assert_eq!(berth_url, app.address, "the server's public URL (its listen address by default)");
    let bin_dir = crate::helpers::berth_binary().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let run = |script: String, sha: &'static str, job_id: &'static str| {
        let (token, url, path) = (token.clone(), berth_url.clone(), path.clone());
        let (endpoint, account) = (app.endpoint.clone(), app.account.clone());
        tokio::task::spawn_blocking(move || {
            std::process::Command::new("bash")
                .args(["-eo", "pipefail", "-c", &script])
                .env("PATH", path)
                .env("BERTH_URL", url)
                .env("BERTH_TOKEN", token)
                .env("BERTH_LOCAL_AWS_URL", endpoint)
                .env("BERTH_LOCAL_AWS_ACCOUNT", account)
                .env("CI_COMMIT_SHORT_SHA", sha)
                .env("CI_JOB_ID", job_id)
                .env("CI_PIPELINE_URL", "https://gitlab.example.com/p/1")
                .output()
                .unwrap()
        })
    };
    let said = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };

    let built = run(pipeline[0].1.clone(), "a1b2c3d", "100").await.unwrap();
    assert!(built.status.success(), "{}", said(&built));
    let images = json_with_status(app.get("/api/envs/local/repositories/nginxweb/images").await, 200).await;
    let pushed =
        images.as_array().unwrap().iter().find(|i| i["imageTags"].as_array().unwrap().contains(&json!("a1b2c3d")));
    let digest = pushed.expect("the build job pushed the commit's tag")["imageDigest"].as_str().unwrap().to_string();
    let deployed = run(pipeline[1].1.clone(), "a1b2c3d", "101").await.unwrap();
    assert!(deployed.status.success(), "{}", said(&deployed));
    let record: Value = serde_json::from_slice(&deployed.stdout).unwrap();
    assert_eq!(record["outcome"], "SUCCEEDED");
    assert_eq!(record["note"], "https://gitlab.example.com/p/1");
    assert_eq!(
        (record["images"][0]["tag"].as_str(), record["images"][0]["digest"].as_str()),
        (Some("a1b2c3d"), Some(digest.as_str()))
    );
    assert_eq!(service(&app).await["taskDefinition"], record["toTaskDefinition"]);
    let number = record["toTaskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let revision =
        json_with_status(app.get(&format!("/api/envs/local/task-definitions/nginx-web/revisions/{number}")).await, 200)
            .await;
    let registered = revision["spec"]["containerDefinitions"][0]["image"].as_str().unwrap();
    assert!(
        registered.ends_with(&format!("/nginxweb@{digest}")),
        "deployed by the commit's tag, pinned by digest: {registered}"
    );

    // A commit whose image can't start (the local AWS's `cannot-start` convention): the job fails.
    let built = run(pipeline[0].1.clone(), "cannot-start-9", "102").await.unwrap();
    assert!(built.status.success(), "{}", said(&built));
    let failed = run(pipeline[1].1.clone(), "cannot-start-9", "103").await.unwrap();
    assert_eq!(failed.status.code(), Some(22), "curl --fail-with-body exits 22 on the 424: {}", said(&failed));
    let record: Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(record["outcome"], "FAILED");
}

/// With nobody watching the service, the periodic sweep still records a deployment made with the
/// AWS CLI.
#[tokio::test]
async fn the_sweep_records_an_outside_deployment_of_a_service_nobody_watches() {
    let app = TestApp::spawn_with(|s| {
        s.demo_data = true;
        s.deploy.external_sweep = Some(Duration::from_millis(300));
    })
    .await;
    app.fit_lab_service().await;
    let short = app.deploy_outside_berth("nginx:1.27").await;
    for _ in 0..60 {
        let page = json_with_status(app.get("/api/deployments?actor=external&outcome=SUCCEEDED").await, 200).await;
        if page["items"].as_array().unwrap().iter().any(|d| d["toTaskDefinition"] == short) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the outside deployment to {short} was never recorded");
}
