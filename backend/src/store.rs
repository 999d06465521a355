//! The SQLite store. Migrations are embedded in the binary and run at start-up.

use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

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
    pub async fn ping(&self) -> bool {
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
