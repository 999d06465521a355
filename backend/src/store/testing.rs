//! Scratch databases for the tests, on either backend: a SQLite file in the temporary directory, or
//! a database of its own on the project's test PostgreSQL (`scripts/postgres`, started on first
//! use). Each is removed when dropped.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use super::Backend;

/// An empty database a test opens with `Store::open(scratch.location())`.
pub struct Scratch {
    location: String,
    backend: Backend,
    /// PostgreSQL: the admin URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl Scratch {
    /// One of each backend: SQLite first.
    pub async fn each() -> Vec<Scratch> {
        vec![Self::sqlite(), Self::postgres().await]
    }

    pub fn sqlite() -> Scratch {
        let path = std::env::temp_dir().join(format!("berth-scratch-{}.db", unique()));
        Scratch { location: path.to_string_lossy().into_owned(), backend: Backend::Sqlite, postgres: None }
    }

    /// A new database on the test server. Panics when the server can't be started: a test that
    /// needs PostgreSQL fails rather than passing without it.
    pub async fn postgres() -> Scratch {
        let admin = admin_url();
        let name = format!("berth_scratch_{}", unique().replace('-', "_"));
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let location = admin.rsplit_once('/').map(|(server, _)| format!("{server}/{name}")).expect("a URL with a path");
        Scratch { location, backend: Backend::Postgres, postgres: Some((admin, name)) }
    }

    /// The path or URL to open.
    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        match &self.postgres {
            Some((admin, name)) => {
                let _ = Command::new("psql")
                    .args([admin.as_str(), "-qc", &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")])
                    .output();
            }
            None => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.location));
                }
            }
        }
    }
}

fn unique() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{}-{}-{nanos}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The test server's admin URL, from `scripts/postgres` (which starts it when it isn't running).
pub fn admin_url() -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres");
    let out = Command::new(&script).output().unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    assert!(out.status.success(), "scripts/postgres failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The certificate the test server's TLS uses (for `localhost`), from `scripts/postgres ca`.
pub fn ca_certificate() -> String {
    let _ = admin_url();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres");
    let out = Command::new(&script).arg("ca").output().unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn psql(url: &str, statement: &str) {
    let out = Command::new("psql").args([url, "-qc", statement]).output().expect("psql runs");
    assert!(out.status.success(), "psql {statement}: {}", String::from_utf8_lossy(&out.stderr));
}
