//! Berth as a separate process (the crash tests kill -9 it): the `berth` binary beside this test
//! binary, run on a database and a local AWS account, on a free port.

use std::process::{Command, Stdio};

use super::{local_aws_url, repo_root};

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
