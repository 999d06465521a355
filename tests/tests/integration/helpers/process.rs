//! Berth as a separate process (the crash tests kill -9 it): the `berth` binary beside this test
//! binary, run on a database and a local AWS account, on a free port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::{PASSWORD, local_aws_url, repo_root};

/// The `berth` binary `cargo test --workspace` built beside this test binary.
pub fn berth_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(|deps| deps.parent()).unwrap().join("berth");
    assert!(path.exists(), "{} is missing: run the tests with scripts/test (cargo test --workspace)", path.display());
    path
}

/// `berth serve` on `db` and the local AWS `account` (quick polls, no retries, no test hooks
/// inherited from the environment), on a free port; its stdout discarded.
pub fn berth_serve(db: &std::path::Path, account: &str) -> (Command, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(berth_binary());
    command
        .arg("serve")
        .env("BERTH_LISTEN", format!("127.0.0.1:{port}"))
        .env("BERTH_DATABASE", db)
        .env("BERTH_STATIC_DIR", repo_root().join("dist"))
        .env("BERTH_LOCAL_AWS_URL", local_aws_url())
        .env("BERTH_LOCAL_AWS_ACCOUNT", account)
        .env("BERTH_POLL_INTERVAL_MS", "200")
        .env("BERTH_AWS_MAX_ATTEMPTS", "1")
        .env_remove("BERTH_PAUSE_AFTER_STEP")
        .env_remove("BERTH_NOTIFY_HOLD")
        .stdout(Stdio::null());
    (command, port)
}

/// A `berth serve` process; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

/// Starts the server process on `db` (a file or a `postgres://` URL), its stderr lines sent to the
/// receiver; with `pause`, a deployment stops after that step (the crash tests).
pub fn start_server(
    db: &std::path::Path,
    account: &str,
    pause: Option<&str>,
) -> (Server, std::sync::mpsc::Receiver<String>) {
    start_server_with(db, account, pause, &[])
}

/// [`start_server`] with more environment variables.
pub fn start_server_with(
    db: &std::path::Path,
    account: &str,
    pause: Option<&str>,
    env: &[(&str, &str)],
) -> (Server, std::sync::mpsc::Receiver<String>) {
    let (mut command, port) = berth_serve(db, account);
    command.stderr(Stdio::piped()).envs(env.iter().copied());
    if let Some(step) = pause {
        command.env("BERTH_PAUSE_AFTER_STEP", step);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (Server { child, port }, rx)
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Logs in as `ops` (once the server answers): its cookie and CSRF token.
    pub async fn login(&self, http: &reqwest::Client) -> (String, String) {
        for _ in 0..150 {
            let resp =
                http.post(self.url("/api/auth/login")).json(&json!({"name": "ops", "password": PASSWORD})).send().await;
            if let Some(resp) = resp.ok().filter(|r| r.status() == 200) {
                let cookie = resp.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
                let me: Value = resp.json().await.unwrap();
                return (cookie, me["csrfToken"].as_str().unwrap().to_string());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server never came up");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
