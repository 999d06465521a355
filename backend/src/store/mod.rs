//! The store: a SQLite file (local mode's embedded default) or PostgreSQL (`postgres://…`, for
//! several replicas). Both through sqlx's `Any` driver, so every query is written once, in the SQL
//! both speak: `$1`-style parameters, `ON CONFLICT`, `RETURNING`. Each has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`), embedded in the binary and run at start-up.
//! Every query says what it was doing ([`Doing`]): a failure's log line names it, and nothing turns
//! a bare `sqlx::Error` into an API error.

use std::path::Path;
use std::sync::Once;
use std::time::Duration;

use anyhow::Context;
use sqlx::ConnectOptions;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;

mod json;
#[doc(hidden)]
pub mod testing;

pub use json::Json;

/// The pool every store function takes.
pub type Db = sqlx::AnyPool;
/// One connection of it (a transaction derefs to one).
pub type DbConnection = sqlx::AnyConnection;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// A store call that failed, and what it was doing.
#[derive(Debug, thiserror::Error)]
#[error("the store, {doing}")]
pub(crate) struct StoreError {
    doing: String,
    #[source]
    source: sqlx::Error,
}

pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// Names what a store call was doing: `query.await.doing(|| format!("reading deployment #{id}"))`.
pub(crate) trait Doing<T> {
    fn doing(self, what: impl FnOnce() -> String) -> StoreResult<T>;
}

impl<T> Doing<T> for sqlx::Result<T> {
    fn doing(self, what: impl FnOnce() -> String) -> StoreResult<T> {
        self.map_err(|source| StoreError { doing: what(), source })
    }
}

/// Which database a store is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is a SQLite file's path.
    pub fn of(database: &str) -> Self {
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: Db,
    backend: Backend,
    /// PostgreSQL's URL, for the connections replicas coordinate on (`replicas`).
    url: Option<String>,
}

impl Store {
    /// Opens the database (a SQLite file, created when missing, or a `postgres://` URL) and
    /// migrates it.
    pub async fn open(database: impl AsRef<Path>) -> anyhow::Result<Self> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let database = database.as_ref().to_string_lossy().into_owned();
        let backend = Backend::of(&database);
        let (pool, migrator) = match backend {
            Backend::Sqlite => (open_sqlite(&database).await?, &SQLITE_MIGRATIONS),
            Backend::Postgres => (open_postgres(&database).await?, &POSTGRES_MIGRATIONS),
        };
        migrator.run(&pool).await.context("migrating the database")?;
        sqlx::query("INSERT INTO instance (id, created_by_version) VALUES (1, $1) ON CONFLICT DO NOTHING")
            .bind(env!("CARGO_PKG_VERSION"))
            .execute(&pool)
            .await?;
        let url = (backend == Backend::Postgres).then_some(database);
        Ok(Self { pool, backend, url })
    }

    /// True when the database answers a query.
    pub(crate) async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub fn pool(&self) -> &Db {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn postgres_url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

/// WAL (readers don't wait for the writer), foreign keys on, and a writer waits up to 5 s for
/// another's lock rather than failing at once.
async fn open_sqlite(path: &str) -> anyhow::Result<Db> {
    // SQLite's own options write the URL (percent-encoding what a path may hold); `Any` reads it.
    let url = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(true).to_url_lossy();
    let options = AnyConnectOptions::from_url(&url)?;
    AnyPoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                    .execute(conn)
                    .await
                    .map(|_| ())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {path}"))
}

/// Gives up on a connection after 10 s rather than hanging a request.
async fn open_postgres(url: &str) -> anyhow::Result<Db> {
    let options = AnyConnectOptions::from_url(&url.parse().context("the database URL")?)?;
    AnyPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("connecting to PostgreSQL (the URL's password, if any, is not repeated here)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_database_is_created_migrated_and_reopened() {
        for scratch in testing::Scratch::each().await {
            let store = Store::open(scratch.location()).await.unwrap();
            assert!(store.ping().await);
            assert_eq!(store.backend(), scratch.backend());
            drop(store);
            let again = Store::open(scratch.location()).await.unwrap();
            let (rows,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM instance").fetch_one(again.pool()).await.unwrap();
            assert_eq!(rows, 1, "{:?}", scratch.backend());
        }
    }

    /// RDS refuses plain connections: Berth speaks TLS to PostgreSQL and, with `verify-full`,
    /// checks the server's certificate against the given CA and its name.
    #[tokio::test]
    async fn postgres_over_tls_checks_the_servers_certificate_and_name() {
        let scratch = testing::Scratch::postgres().await;
        let tls = format!("?sslmode=verify-full&sslrootcert={}", testing::ca_certificate());
        let by_name = scratch.location().replace("@127.0.0.1:", "@localhost:") + &tls;
        let store = Store::open(&by_name).await.expect("TLS to the name on the certificate");
        let (ssl,): (bool,) = sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(ssl, "the connection is encrypted");
        let by_address = scratch.location().to_string() + &tls;
        let refused = Store::open(&by_address).await.err().expect("127.0.0.1 is not the certificate's name");
        assert!(format!("{refused:#}").contains("connecting to PostgreSQL"), "{refused:#}");
    }

    #[tokio::test]
    async fn a_sqlite_file_is_in_wal_mode_with_foreign_keys_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("berth.db")).await.unwrap();
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(store.pool()).await.unwrap();
        let (keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys").fetch_one(store.pool()).await.unwrap();
        assert_eq!((mode.as_str(), keys), ("wal", 1));
    }

    #[test]
    fn a_postgres_url_is_postgres_and_anything_else_a_file() {
        assert_eq!(Backend::of("postgres://berth@db:5432/berth"), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://db/berth"), Backend::Postgres);
        assert_eq!(Backend::of("berth.db"), Backend::Sqlite);
        assert_eq!(Backend::of("/var/lib/postgres://x"), Backend::Sqlite);
    }
}
