//! `berth user add` / `berth user passwd`: the password comes from stdin, never from argv.

use std::io::Write;
use std::process::{Command, Stdio};

use berth::auth::{secrets, users};
use berth::store::Store;

fn berth(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/seed/task-definition-template.json");

#[test]
fn validate_passes_the_seed_and_fails_a_bad_file_naming_file_path_and_rule() {
    let ok = berth(&["validate", SEED], "");
    assert!(ok.status.success());
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        format!("{SEED}: containerDefinitions[0].image: warning: ':latest' changes under you: pin a tag or digest.\n")
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"family":"web","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"256","memory":"4096",
        "containerDefinitions":[{"name":"web","image":"nginx:1"}]}"#,
    )
    .unwrap();
    let out = berth(&["validate", bad.to_str().unwrap(), SEED], "");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!(
            "{}: memory: With 256 CPU units Fargate offers 512, 1024, 2048 MiB, not 4096.\n",
            bad.display()
        )),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_user_is_added_with_the_password_from_stdin_and_can_change_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("berth.db");
    let db = db.to_str().unwrap();

    let out = berth(&["user", "add", "ops", "--role", "admin", "--database", db], "first-password-1\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "User ops added: admin in *.\n");

    let store = Store::open(dir.path().join("berth.db").as_path()).await.unwrap();
    let (id, hash) = users::credentials(store.pool(), "ops").await.unwrap().unwrap();
    assert!(secrets::verify_password("first-password-1", &hash));
    assert_eq!(users::grants(store.pool(), id).await.unwrap()[0].environment, "*");

    let again = berth(&["user", "add", "ops", "--role", "viewer", "--database", db], "another-password\n");
    assert!(!again.status.success(), "a name is taken once");

    let short = berth(&["user", "passwd", "ops", "--database", db], "short\n");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));

    let out = berth(&["user", "passwd", "ops", "--database", db], "second-password-2\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, hash) = users::credentials(store.pool(), "ops").await.unwrap().unwrap();
    assert!(secrets::verify_password("second-password-2", &hash));

    let bad_role = berth(&["user", "add", "x", "--role", "root", "--database", db], "whatever-password\n");
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("is not a role"));
}
