//! The SQLite store. Migrations are embedded in the binary and run at start-up. Every query says
//! what it was doing ([`Doing`]): a failure's log line names it, and nothing turns a bare
//! `sqlx::Error` into an API error.

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

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

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) and migrates the database file.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        sqlx::migrate!("./migrations").run(&pool).await.context("migrating the database")?;
        sqlx::query("INSERT OR IGNORE INTO instance (id, created_by_version) VALUES (1, ?)")
            .bind(env!("CARGO_PKG_VERSION"))
            .execute(&pool)
            .await?;
        Ok(Self { pool })
    }

    /// True when the database answers a query.
    pub(crate) async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_file_is_created_migrated_and_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("berth.db");
        let store = Store::open(&path).await.unwrap();
        assert!(store.ping().await);
        drop(store);
        let again = Store::open(&path).await.unwrap();
        let (rows,): (i64,) = sqlx::query_as("SELECT count(*) FROM instance").fetch_one(again.pool()).await.unwrap();
        assert_eq!(rows, 1);
    }
}
