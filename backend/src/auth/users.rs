//! Users and their grants.

use anyhow::Context;
use shared::auth::{Grant, Role};
use sqlx::SqlitePool;

use super::secrets::{PASSWORD_MIN, hash_password};
use super::time::now;

/// User names: 1–64 of letters, digits, `.` `_` `@` `-`.
pub fn validate_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || ".-_@".contains(c);
    if name.is_empty() || name.len() > 64 || !name.chars().all(ok_char) {
        return Err("User names are 1-64 letters, digits, and . _ @ -".into());
    }
    Ok(())
}

pub fn validate_password(password: &str) -> Result<(), String> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(format!("Passwords must have at least {PASSWORD_MIN} characters."));
    }
    Ok(())
}

pub async fn add(pool: &SqlitePool, name: &str, password: &str, grant: &Grant) -> anyhow::Result<i64> {
    validate_name(name).map_err(anyhow::Error::msg)?;
    validate_password(password).map_err(anyhow::Error::msg)?;
    let hash = hash_password(password)?;
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar("INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?) RETURNING id")
        .bind(name)
        .bind(hash)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .with_context(|| format!("adding user {name} (does it exist already?)"))?;
    sqlx::query("INSERT INTO grants (user_id, environment, role) VALUES (?, ?, ?)")
        .bind(id)
        .bind(&grant.environment)
        .bind(grant.role.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_password(pool: &SqlitePool, name: &str, password: &str) -> anyhow::Result<()> {
    validate_password(password).map_err(anyhow::Error::msg)?;
    let hash = hash_password(password)?;
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar("UPDATE users SET password_hash = ? WHERE name = ? RETURNING id")
        .bind(hash)
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    let id = id.with_context(|| format!("no user named {name}"))?;
    sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// `(id, password hash)` of a user.
pub async fn credentials(pool: &SqlitePool, name: &str) -> anyhow::Result<Option<(i64, String)>> {
    Ok(sqlx::query_as("SELECT id, password_hash FROM users WHERE name = ?").bind(name).fetch_optional(pool).await?)
}

pub async fn exists(pool: &SqlitePool, name: &str) -> anyhow::Result<bool> {
    Ok(credentials(pool, name).await?.is_some())
}

pub async fn grants(pool: &SqlitePool, user_id: i64) -> anyhow::Result<Vec<Grant>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT environment, role FROM grants WHERE user_id = ? ORDER BY environment")
            .bind(user_id)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(environment, role)| Role::parse(&role).map(|role| Grant { environment, role }))
        .collect())
}
