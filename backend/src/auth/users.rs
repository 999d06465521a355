//! Users and their grants.

use crate::store::Db;
use anyhow::Context;
use shared::auth::{Grant, Role};

use shared::auth::UserInfo;
pub(crate) use shared::auth::validate_password;
pub use shared::auth::validate_user_name as validate_name;

use super::secrets::hash_password_blocking;
use super::time::{now, to_rfc3339};

pub async fn add(pool: &Db, name: &str, password: &str, grant: &Grant) -> anyhow::Result<i64> {
    add_with_grants(pool, name, password, std::slice::from_ref(grant)).await
}

pub(crate) async fn add_with_grants(pool: &Db, name: &str, password: &str, grants: &[Grant]) -> anyhow::Result<i64> {
    validate_name(name).map_err(anyhow::Error::msg)?;
    validate_password(password).map_err(anyhow::Error::msg)?;
    let hash = hash_password_blocking(password).await?;
    let mut tx = pool.begin().await.with_context(|| format!("adding user {name}"))?;
    let id: i64 =
        sqlx::query_scalar("INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(name)
            .bind(hash)
            .bind(now())
            .fetch_one(&mut *tx)
            .await
            .with_context(|| format!("adding user {name} (does it exist already?)"))?;
    insert_grants(&mut tx, id, grants).await?;
    tx.commit().await.with_context(|| format!("adding user {name}"))?;
    Ok(id)
}

async fn insert_grants(tx: &mut crate::store::DbConnection, user_id: i64, grants: &[Grant]) -> anyhow::Result<()> {
    for grant in grants {
        sqlx::query("INSERT INTO grants (user_id, environment, role) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(&grant.environment)
            .bind(grant.role)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("granting roles to user #{user_id}"))?;
    }
    Ok(())
}

/// Active users, by name.
pub(crate) async fn list(pool: &Db) -> anyhow::Result<Vec<UserInfo>> {
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, name, created_at FROM users WHERE disabled_at IS NULL ORDER BY name")
            .fetch_all(pool)
            .await
            .context("listing the users")?;
    let mut users = Vec::with_capacity(rows.len());
    for (id, name, created_at) in rows {
        users.push(UserInfo { name, grants: grants(pool, id).await?, created_at: to_rfc3339(created_at) });
    }
    Ok(users)
}

pub(crate) async fn info(pool: &Db, name: &str) -> anyhow::Result<Option<UserInfo>> {
    Ok(list(pool).await?.into_iter().find(|u| u.name == name))
}

/// Replaces a user's grants; `false` when there is no such active user.
pub(crate) async fn set_grants(pool: &Db, name: &str, new: &[Grant]) -> anyhow::Result<bool> {
    let Some((id, _)) = credentials(pool, name).await? else { return Ok(false) };
    let mut tx = pool.begin().await.with_context(|| format!("changing the roles of user {name}"))?;
    sqlx::query("DELETE FROM grants WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("changing the roles of user {name}"))?;
    insert_grants(&mut tx, id, new).await?;
    tx.commit().await.with_context(|| format!("changing the roles of user {name}"))?;
    Ok(true)
}

/// Disables a user: their sessions end and their tokens are revoked; the name stays taken so the
/// audit log keeps meaning one person. `false` when there is no such active user.
pub(crate) async fn disable(pool: &Db, name: &str) -> anyhow::Result<bool> {
    let Some((id, _)) = credentials(pool, name).await? else { return Ok(false) };
    let mut tx = pool.begin().await.with_context(|| format!("disabling user {name}"))?;
    let t = now();
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
        .bind(t)
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("disabling user {name}"))?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("ending the sessions of user {name}"))?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE created_by = $2 AND revoked_at IS NULL")
        .bind(t)
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("revoking the tokens of user {name}"))?;
    tx.commit().await.with_context(|| format!("disabling user {name}"))?;
    Ok(true)
}

/// How many active users are admins of every environment.
pub(crate) async fn global_admins(pool: &Db) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM users u JOIN grants g ON g.user_id = u.id \
         WHERE u.disabled_at IS NULL AND g.environment = '*' AND g.role = 'admin'",
    )
    .fetch_one(pool)
    .await
    .context("counting the global admins")?)
}

pub async fn set_password(pool: &Db, name: &str, password: &str) -> anyhow::Result<()> {
    validate_password(password).map_err(anyhow::Error::msg)?;
    let hash = hash_password_blocking(password).await?;
    let mut tx = pool.begin().await.with_context(|| format!("setting the password of user {name}"))?;
    let id: Option<i64> = sqlx::query_scalar("UPDATE users SET password_hash = $1 WHERE name = $2 RETURNING id")
        .bind(hash)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await
        .with_context(|| format!("setting the password of user {name}"))?;
    let id = id.with_context(|| format!("no user named {name}"))?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .with_context(|| format!("setting the password of user {name}"))?;
    tx.commit().await.with_context(|| format!("setting the password of user {name}"))?;
    Ok(())
}

/// `(id, password hash)` of an active user.
pub async fn credentials(pool: &Db, name: &str) -> anyhow::Result<Option<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, password_hash FROM users WHERE name = $1 AND disabled_at IS NULL")
        .bind(name)
        .fetch_optional(pool)
        .await
        .with_context(|| format!("reading the credentials of user {name}"))?)
}

/// Whether the name is taken (by an active or a disabled user).
pub(crate) async fn exists(pool: &Db, name: &str) -> anyhow::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await
        .with_context(|| format!("looking up user {name}"))?;
    Ok(found.is_some())
}

pub async fn grants(pool: &Db, user_id: i64) -> anyhow::Result<Vec<Grant>> {
    let rows: Vec<(String, Role)> =
        sqlx::query_as("SELECT environment, role FROM grants WHERE user_id = $1 ORDER BY environment")
            .bind(user_id)
            .fetch_all(pool)
            .await
            .with_context(|| format!("reading the roles of user #{user_id}"))?;
    Ok(rows.into_iter().map(|(environment, role)| Grant { environment, role }).collect())
}
