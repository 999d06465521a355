//! One local AWS (pinned moto + Berth's extensions) per test binary, started on first use. Tests
//! don't reset it: each uses its own account (see `TestApp`), so they run in parallel unaffected.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

struct LocalAws {
    url: String,
    // Held so its stdin stays open: the emulator exits when this process does.
    _child: Mutex<Child>,
}

static LOCAL_AWS: OnceLock<LocalAws> = OnceLock::new();
static FORGETFUL_LOCAL_AWS: OnceLock<LocalAws> = OnceLock::new();

pub fn local_aws_url() -> &'static str {
    &LOCAL_AWS.get_or_init(|| start(&[])).url
}

/// A second local AWS whose ECS forgets a stopped task after 3 seconds instead of an hour: what
/// Berth shows of a task ECS no longer has, within a test's patience.
pub fn forgetful_local_aws_url() -> &'static str {
    &FORGETFUL_LOCAL_AWS.get_or_init(|| start(&[("BERTH_LOCAL_ECS_STOPPED_TASK_SECONDS", "3")])).url
}

fn start(env: &[(&str, &str)]) -> LocalAws {
    let script = super::repo_root().join("scripts/local-aws");
    let stderr = if std::env::var_os("BERTH_TEST_LOCAL_AWS_LOG").is_some() { Stdio::inherit() } else { Stdio::null() };
    let mut child = Command::new(&script)
        .arg("--exit-on-stdin-eof")
        // The local ECS scheduler's phases: short, so rollouts end within a test's patience.
        .env("BERTH_LOCAL_ECS_STEP_SECONDS", "0.4")
        // A running container's access lines: often, so following picks new ones up quickly.
        .env("BERTH_LOCAL_LOGS_ACCESS_SECONDS", "0.5")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", script.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .next()
        .and_then(Result::ok)
        .filter(|l| l.starts_with("http://"))
        .expect("the local AWS prints its URL first (run scripts/install-local-aws to see why it did not)");
    // Keep draining stdout so the emulator can never block on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    LocalAws { url, _child: Mutex::new(child) }
}
