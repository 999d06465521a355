//! Server-side sessions: the cookie carries a random id; the store keeps only its hash. The CSRF
//! token is derived from the cookie value (see [`csrf_token`]), so it is never stored either:
//! whoever reads the database can neither resume a session nor forge its CSRF token.

use crate::store::Db;
use anyhow::Context;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::secrets::{random_secret, sha256_hex};
use super::time::now;
use crate::config::AuthSettings;

pub(crate) const COOKIE: &str = "berth_session";

/// The session's CSRF token: SHA-256 of a label and the cookie value. The label keeps it apart
/// from the stored hash of the id; without the cookie (256 random bits) it can't be computed.
pub(crate) fn csrf_token(cookie_value: &str) -> String {
    let digest = Sha256::new().chain_update(b"berth csrf token v1\0").chain_update(cookie_value.as_bytes()).finalize();
    URL_SAFE_NO_PAD.encode(digest)
}

pub(crate) struct NewSession {
    /// The cookie value: shown to the browser once, never stored.
    pub id: String,
    pub csrf_token: String,
}

pub(crate) struct LiveSession {
    pub id_hash: String,
    pub user_id: i64,
    pub name: String,
    pub csrf_token: String,
}

pub(crate) async fn create(pool: &Db, user_id: i64) -> anyhow::Result<NewSession> {
    let id = random_secret();
    let session = NewSession { csrf_token: csrf_token(&id), id };
    let t = now();
    sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4)")
        .bind(sha256_hex(&session.id))
        .bind(user_id)
        .bind(t)
        .bind(t)
        .execute(pool)
        .await
        .with_context(|| format!("creating a session for user #{user_id}"))?;
    Ok(session)
}

/// The session for a cookie value, if it is neither idle too long nor too old; touches it.
pub(crate) async fn resume(pool: &Db, id: &str, limits: &AuthSettings) -> anyhow::Result<Option<LiveSession>> {
    let t = now();
    let idle_cutoff = t - limits.session_idle.as_secs() as i64;
    let age_cutoff = t - limits.session_max.as_secs() as i64;
    // Expired sessions go as soon as anyone calls: the table holds live sessions only.
    sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_cutoff)
        .bind(age_cutoff)
        .execute(pool)
        .await
        .context("resuming a session")?;
    let id_hash = sha256_hex(id);
    let user_id: Option<i64> =
        sqlx::query_scalar("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 RETURNING user_id")
            .bind(t)
            .bind(&id_hash)
            .fetch_optional(pool)
            .await
            .context("resuming a session")?;
    let Some(user_id) = user_id else { return Ok(None) };
    let name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
        .context("resuming a session")?;
    Ok(Some(LiveSession { id_hash, user_id, name, csrf_token: csrf_token(id) }))
}

pub(crate) async fn end(pool: &Db, id_hash: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await
        .context("ending a session")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_is_derived_from_the_cookie_and_differs_from_the_stored_hash() {
        let id = random_secret();
        assert_eq!(csrf_token(&id), csrf_token(&id));
        assert_ne!(csrf_token(&id), csrf_token(&random_secret()));
        assert_eq!(csrf_token(&id).len(), 43);
        assert!(!sha256_hex(&id).contains(&csrf_token(&id)));
    }
}
