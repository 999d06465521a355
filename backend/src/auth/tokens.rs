//! API tokens for CI: random secrets shown once, stored as SHA-256; revocable; expiring.

use shared::auth::{Grant, Role, TokenInfo, TokenSpec, token_grants, token_narrowing};
use sqlx::SqlitePool;

use super::secrets::{random_secret, sha256_hex};
use super::time::{now, to_rfc3339};
use super::users;

/// Prefix of every token secret: makes leaked tokens easy to find (e.g. by secret scanners).
pub const SECRET_PREFIX: &str = "berth_";

type Row =
    (i64, String, String, String, String, Option<String>, i64, String, i64, Option<i64>, Option<i64>, i64, Option<i64>);

/// The token query with `$tail` appended (a literal: sqlx accepts only literal SQL).
macro_rules! select_tokens {
    ($tail:literal) => {
        concat!(
            "SELECT t.id, t.name, t.prefix, t.role, t.environments, t.services, t.expires_at, u.name, ",
            "t.created_at, t.last_used_at, t.revoked_at, u.id, u.disabled_at ",
            "FROM api_tokens t JOIN users u ON u.id = t.created_by ",
            $tail
        )
    };
}

/// A token as listed, with what its creator's current rights leave it.
async fn info(pool: &SqlitePool, row: Row) -> anyhow::Result<TokenInfo> {
    let (
        id,
        name,
        prefix,
        role,
        environments,
        services,
        expires_at,
        created_by,
        created_at,
        last_used_at,
        revoked_at,
        creator_id,
        creator_disabled_at,
    ) = row;
    let role = Role::parse(&role).unwrap_or(Role::Viewer);
    let environments: Vec<String> = serde_json::from_str(&environments).unwrap_or_default();
    let creator_grants = users::grants(pool, creator_id).await?;
    let disabled = creator_disabled_at.is_some();
    let effective_grants = if disabled { Vec::new() } else { token_grants(role, &environments, &creator_grants) };
    let narrowed_by = token_narrowing(role, &environments, &created_by, &creator_grants, disabled);
    Ok(TokenInfo {
        id,
        name,
        prefix,
        role,
        environments,
        services: services.and_then(|s| serde_json::from_str(&s).ok()),
        expires_at: to_rfc3339(expires_at),
        created_by,
        created_at: to_rfc3339(created_at),
        last_used_at: last_used_at.map(to_rfc3339),
        revoked_at: revoked_at.map(to_rfc3339),
        effective_grants,
        narrowed_by,
    })
}

/// Stores a token; returns it with its secret (the only time the secret exists outside the caller).
pub async fn create(
    pool: &SqlitePool,
    spec: &TokenSpec,
    expires_at: i64,
    created_by: i64,
) -> anyhow::Result<(TokenInfo, String)> {
    let secret = format!("{SECRET_PREFIX}{}", random_secret());
    let prefix: String = secret.chars().take(SECRET_PREFIX.len() + 6).collect();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, prefix, secret_hash, role, environments, services, expires_at, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(spec.name.trim())
    .bind(&prefix)
    .bind(sha256_hex(&secret))
    .bind(spec.role.as_str())
    .bind(serde_json::to_string(&spec.environments)?)
    .bind(spec.services.as_ref().map(serde_json::to_string).transpose()?)
    .bind(expires_at)
    .bind(created_by)
    .bind(now())
    .fetch_one(pool)
    .await?;
    let token = get(pool, id).await?.ok_or_else(|| anyhow::anyhow!("token {id} vanished"))?;
    Ok((token, secret))
}

pub async fn get(pool: &SqlitePool, id: i64) -> anyhow::Result<Option<TokenInfo>> {
    let row: Option<Row> = sqlx::query_as(select_tokens!("WHERE t.id = ?")).bind(id).fetch_optional(pool).await?;
    match row {
        Some(row) => Ok(Some(info(pool, row).await?)),
        None => Ok(None),
    }
}

pub async fn list(pool: &SqlitePool) -> anyhow::Result<Vec<TokenInfo>> {
    let rows: Vec<Row> = sqlx::query_as(select_tokens!("ORDER BY t.id DESC")).fetch_all(pool).await?;
    let mut tokens = Vec::with_capacity(rows.len());
    for row in rows {
        tokens.push(info(pool, row).await?);
    }
    Ok(tokens)
}

/// Revokes a live token; `false` when there is no such token or it was already revoked.
pub async fn revoke(pool: &SqlitePool, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub enum Lookup {
    /// A live token and the grants it has now (see [`TokenInfo::effective_grants`]).
    Valid(Box<TokenInfo>, Vec<Grant>),
    Expired,
    Revoked,
    /// The user who created it is disabled (named, so the refusal can say why).
    CreatorDisabled(String),
    Unknown,
}

/// Finds the token for a presented secret and records its use. Its rights are worked out here,
/// at each use, from its creator's current grants.
pub async fn authenticate(pool: &SqlitePool, secret: &str) -> anyhow::Result<Lookup> {
    let hash = sha256_hex(secret);
    let row: Option<(i64, i64, Option<i64>, String, Option<i64>)> = sqlx::query_as(
        "SELECT t.id, t.expires_at, t.revoked_at, u.name, u.disabled_at \
         FROM api_tokens t JOIN users u ON u.id = t.created_by WHERE t.secret_hash = ?",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await?;
    let Some((id, expires_at, revoked_at, creator, creator_disabled_at)) = row else { return Ok(Lookup::Unknown) };
    // Disabling revokes too: name the cause, which says more than "revoked".
    if creator_disabled_at.is_some() {
        return Ok(Lookup::CreatorDisabled(creator));
    }
    if revoked_at.is_some() {
        return Ok(Lookup::Revoked);
    }
    if expires_at <= now() {
        return Ok(Lookup::Expired);
    }
    sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").bind(now()).bind(id).execute(pool).await?;
    let token = get(pool, id).await?.ok_or_else(|| anyhow::anyhow!("token {id} vanished"))?;
    let grants = token.effective_grants.clone();
    Ok(Lookup::Valid(Box::new(token), grants))
}
