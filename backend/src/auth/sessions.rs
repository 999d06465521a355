//! Server-side sessions: the cookie carries a random id; the store keeps only its hash.

use sqlx::SqlitePool;

use super::secrets::{random_secret, sha256_hex};
use super::time::now;
use crate::config::AuthSettings;

pub const COOKIE: &str = "berth_session";

pub struct NewSession {
    /// The cookie value: shown to the browser once, never stored.
    pub id: String,
    pub csrf_token: String,
}

pub struct LiveSession {
    pub id_hash: String,
    pub user_id: i64,
    pub name: String,
    pub csrf_token: String,
}

pub async fn create(pool: &SqlitePool, user_id: i64) -> anyhow::Result<NewSession> {
    let session = NewSession { id: random_secret(), csrf_token: random_secret() };
    let t = now();
    sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)")
        .bind(sha256_hex(&session.id))
        .bind(user_id)
        .bind(&session.csrf_token)
        .bind(t)
        .bind(t)
        .execute(pool)
        .await?;
    Ok(session)
}

/// The session for a cookie value, if it is neither idle too long nor too old; touches it.
pub async fn resume(pool: &SqlitePool, id: &str, limits: &AuthSettings) -> anyhow::Result<Option<LiveSession>> {
    let t = now();
    let idle_cutoff = t - limits.session_idle.as_secs() as i64;
    let age_cutoff = t - limits.session_max.as_secs() as i64;
    // Expired sessions go as soon as anyone calls: the table holds live sessions only.
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?")
        .bind(idle_cutoff)
        .bind(age_cutoff)
        .execute(pool)
        .await?;
    let id_hash = sha256_hex(id);
    let row: Option<(i64, String)> =
        sqlx::query_as("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? RETURNING user_id, csrf_token")
            .bind(t)
            .bind(&id_hash)
            .fetch_optional(pool)
            .await?;
    let Some((user_id, csrf_token)) = row else { return Ok(None) };
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = ?").bind(user_id).fetch_one(pool).await?;
    Ok(Some(LiveSession { id_hash, user_id, name, csrf_token }))
}

pub async fn end(pool: &SqlitePool, id_hash: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = ?").bind(id_hash).execute(pool).await?;
    Ok(())
}
