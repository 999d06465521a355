mod browser;
mod local_aws;
mod process;
mod raw_http;
mod receiver;
mod test_app;

pub use browser::{Browser, attr_of, click, save_screenshot, set_text, wait_across_load};
pub use local_aws::{forgetful_local_aws_url, local_aws_url};
pub use process::{Server, berth_binary, berth_serve, start_server, start_server_with};
pub use raw_http::RawConnection;
pub use receiver::Receiver;
pub use test_app::{PASSWORD, Session, TestApp, json_with_status};

/// The repository root (this crate lives in `tests/`).
/// A scratch database for a test's server: SQLite, or PostgreSQL when `BERTH_TEST_DATABASE` is
/// `postgres` (scripts/test runs the deployment tests both ways).
pub async fn scratch_database() -> berth::store::testing::Scratch {
    match std::env::var("BERTH_TEST_DATABASE").as_deref() {
        Ok("postgres") => berth::store::testing::Scratch::postgres().await,
        Ok("sqlite") | Err(_) => berth::store::testing::Scratch::sqlite(),
        Ok(other) => panic!("BERTH_TEST_DATABASE={other}: use sqlite or postgres"),
    }
}

pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The image a deployment registered for its first container: the tag it was asked for, pinned
/// by Berth to the digest the record keeps (`REPO@sha256:…`).
pub fn pinned_image(record: &serde_json::Value) -> String {
    let image = &record["images"][0];
    shared::deploy::pinned_to(image["image"].as_str().unwrap(), image["digest"].as_str().unwrap())
}

/// Two environments in the local AWS: `local` (this app's account) and `prod` (another account
/// with the same demo lab, kept alive by the second app returned).
pub async fn two_environments() -> (TestApp, TestApp) {
    let other = TestApp::spawn_demo_with(|_| {}).await;
    let account = other.account.clone();
    let app = TestApp::spawn_demo_with(move |s| {
        let mut prod = s.environments[0].clone();
        prod.name = "prod".into();
        prod.credentials = berth::config::Credentials::Local { account_id: account };
        s.environments.push(prod);
    })
    .await;
    (app, other)
}
