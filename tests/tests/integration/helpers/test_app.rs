use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use berth::aws::AwsEnv;
use berth::config::{Settings, local_environment};
use berth::startup::Application;
use reqwest::{Client, Response};
use serde_json::Value;

use super::{local_aws_url, repo_root};

/// A Berth server on port 0 with its own database file and its own AWS account in the local AWS.
pub struct TestApp {
    pub address: String,
    pub account: String,
    pub http: Client,
    /// The same environment the server uses, for seeding AWS state (e.g. pushing images).
    pub aws: AwsEnv,
    _dir: tempfile::TempDir,
}

/// A fresh 12-digit account per test: isolated state in the shared emulator, without resets.
fn fresh_account() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{:06}{:06}", std::process::id() % 1_000_000, n)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with settings adjusted by `adjust` (the account is fresh unless it changes it).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let account = fresh_account();
        let mut settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database: dir.path().join("berth.db"),
            static_dir: repo_root().join("dist"),
            environments: vec![local_environment(local_aws_url(), &account)],
            demo_data: false,
            aws_max_attempts: 1,
            aws_timeout: Duration::from_secs(15),
        };
        adjust(&mut settings);
        let aws = AwsEnv::connect(&settings.environments[0], 1, settings.aws_timeout).await;
        let app = Application::build(settings).await.expect("the application builds");
        let address = format!("http://{}", app.address());
        tokio::spawn(app.run_until_stopped());
        Self { address, account, http: Client::new(), aws, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.http.post(self.url(path)).json(body).send().await.expect("request sent")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.http.delete(self.url(path)).send().await.expect("request sent")
    }

    /// Creates a repository through the API and checks it worked.
    pub async fn create_repository(&self, name: &str) -> Value {
        let resp = self.post_json("/api/envs/local/repositories", &serde_json::json!({ "repositoryName": name })).await;
        assert_eq!(resp.status(), 201, "creating {name}");
        resp.json().await.unwrap()
    }
}

/// Reads a response's body as JSON, asserting its status first.
pub async fn json_with_status(resp: Response, status: u16) -> Value {
    let actual = resp.status().as_u16();
    let body = resp.text().await.unwrap();
    assert_eq!(actual, status, "body: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}
