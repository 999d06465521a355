//! Wide content stays inside the window: a 200-character image reference with its digest wraps in
//! its cell on the deployment page, the task definition diff and the deploy dialog, at 1280 and
//! 1024 px, and the "After" column stays in view. Screenshots land in /tmp for a person to look at.

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::helpers::{Browser, PASSWORD, TestApp, click, json_with_status, set_text};

const REPOSITORY: &str = "platform-team/payments/settlement-reconciliation-worker-with-a-long-descriptive-name";

fn manifest() -> String {
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 100,
                   "digest": format!("sha256:{}", "c".repeat(64))},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1000,
                    "digest": format!("sha256:{}", "7".repeat(64))}],
    })
    .to_string()
}

/// The long reference, by digest, of an image pushed to a long-named repository.
async fn long_reference(app: &TestApp) -> String {
    let repo = app.create_repository(REPOSITORY).await;
    app.aws.push_image(REPOSITORY, Some("v1"), &manifest()).await.unwrap();
    let path = format!("/api/envs/local/repositories/{}/images", REPOSITORY.replace('/', "%2F"));
    let images = json_with_status(app.get(&path).await, 200).await;
    let reference =
        format!("{}@{}", repo["repositoryUri"].as_str().unwrap(), images[0]["imageDigest"].as_str().unwrap());
    assert!(reference.len() >= 200, "{} characters: {reference}", reference.len());
    reference
}

/// What the window shows of `table` (scrolled into view): the page's width, the window's, the right
/// edges of the table's last column and of the dialog holding it (if any), and the cells whose text
/// runs out of them.
async fn measure(c: &Client, table: &str) -> Value {
    let script = r#"
        const table = document.querySelector(arguments[0]);
        const rights = [...table.querySelectorAll('tr > :last-child')].map(cell => cell.getBoundingClientRect().right);
        const dialog = table.closest('.modal');
        const spilling = [...table.querySelectorAll('td, th')].filter(cell => cell.scrollWidth > cell.clientWidth + 1);
        table.scrollIntoView();
        return { page: document.documentElement.scrollWidth, window: window.innerWidth,
                 after: Math.max(...rights), box: dialog ? dialog.getBoundingClientRect().right : null,
                 inner: dialog ? dialog.scrollWidth - dialog.clientWidth : 0,
                 spilling: spilling.map(cell => cell.textContent.slice(0, 40)) };"#;
    c.execute(script, vec![table.into()]).await.unwrap()
}

fn assert_fits(width: u32, what: &str, m: &Value) {
    let n = |k: &str| m[k].as_f64().unwrap_or(0.0);
    assert!(n("page") <= n("window"), "{what} at {width} px: the page scrolls sideways {m}");
    assert!(n("after") <= n("window"), "{what} at {width} px: the After column is cut off {m}");
    assert_eq!(m["spilling"], serde_json::json!([]), "{what} at {width} px: text runs out of its cell {m}");
    if !m["box"].is_null() {
        assert!(n("box") <= n("window") && n("after") <= n("box"), "{what} at {width} px: outside the dialog {m}");
        assert_eq!(n("inner"), 0.0, "{what} at {width} px: the dialog scrolls sideways {m}");
    }
}

async fn shot(c: &Client, name: &str) {
    std::fs::write(format!("/tmp/berth-{name}.png"), c.screenshot().await.unwrap()).unwrap();
}

#[tokio::test]
async fn a_200_character_image_reference_wraps_and_the_after_column_stays_in_view_at_1280_and_1024_px() {
    let app = TestApp::spawn_with(|s| s.demo_data = true).await;
    app.fit_lab_service().await;
    let reference = long_reference(&app).await;
    let service = "/api/envs/local/clusters/itflex-nginx/services/nginx-web-access";
    for _ in 0..50 {
        let s = json_with_status(app.get(service).await, 200).await;
        if s["deployments"].as_array().unwrap().iter().all(|d| d["rolloutState"] == "COMPLETED") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let request = json!({"cluster": "itflex-nginx", "service": "nginx-web-access",
        "images": [{"container": "nginx-web", "image": reference}]});
    let done = json_with_status(app.post_json("/api/envs/local/deployments?wait=true", &request).await, 200).await;
    let id = done["id"].as_i64().unwrap();
    let to = done["toTaskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();
    let from = done["fromTaskDefinition"].as_str().unwrap().rsplit(':').next().unwrap().to_string();

    let browser = Browser::open().await;
    let c = &browser.client;
    browser.login(&app.address, &format!("/deployments/{id}"), "admin", PASSWORD).await;
    let wait = || c.wait().at_most(Duration::from_secs(30));
    for width in [1280, 1024] {
        c.set_window_size(width, 900).await.unwrap();
        c.goto(&app.url(&format!("/deployments/{id}"))).await.unwrap();
        let row = wait().for_element(Locator::Css("#changes tbody tr")).await.unwrap();
        assert!(row.text().await.unwrap().contains("sha256:"), "the long reference is in the diff");
        assert_fits(width, "deployment page, changes", &measure(c, "#changes").await);
        assert_fits(width, "deployment page, images", &measure(c, "#images").await);
        shot(c, &format!("deployment-{width}")).await;

        let diff = format!("/e/local/task-definitions/family/nginx-web/diff?from={from}&to={to}");
        c.goto(&app.url(&diff)).await.unwrap();
        wait().for_element(Locator::Css("#diff tbody tr")).await.unwrap();
        assert_fits(width, "task definition diff", &measure(c, "#diff").await);
        shot(c, &format!("taskdef-diff-{width}")).await;

        // The deploy dialog, back to the demo's image: its preview has the long one as "Now".
        c.goto(&app.url("/e/local/services/itflex-nginx/nginx-web-access")).await.unwrap();
        click(c, Locator::Id("deployButton")).await;
        let field = wait()
            .for_element(Locator::Css("fieldset[data-container='nginx-web'] input[name='newImage']"))
            .await
            .unwrap();
        set_text(c, &field, "nginx:1.27-alpine").await;
        c.find(Locator::Id("previewDeploy")).await.unwrap().click().await.unwrap();
        wait().for_element(Locator::Css("#deployPreview tbody tr")).await.unwrap();
        assert_fits(width, "deploy dialog", &measure(c, "#deployPreview").await);
        shot(c, &format!("deploy-dialog-{width}")).await;
    }
    browser.client.close().await.unwrap();
}
