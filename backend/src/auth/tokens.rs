//! API tokens for CI: random secrets shown once, stored as SHA-256; revocable; expiring.

use crate::store::Db;
use crate::store::Json;
use anyhow::Context;
use shared::auth::{Grant, Role, TokenInfo, TokenSpec, token_grants, token_narrowing};

use super::secrets::{random_secret, sha256_hex};
use super::time::{now, to_rfc3339};
use super::users;

/// Prefix of every token secret: makes leaked tokens easy to find (e.g. by secret scanners).
pub(crate) const SECRET_PREFIX: &str = "berth_";

/// A stored token as read, typed: a value that does not decode is an error, never a default (a
/// `services` list read as "any service" would widen the token).
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    prefix: String,
    role: Role,
    environments: Json<Vec<String>>,
    services: Option<Json<Vec<String>>>,
    expires_at: i64,
    created_by: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    creator_id: i64,
    creator_disabled_at: Option<i64>,
}

/// The token query with `$tail` appended (a literal: sqlx accepts only literal SQL).
macro_rules! select_tokens {
    ($tail:literal) => {
        concat!(
            "SELECT t.id, t.name, t.prefix, t.role, t.environments, t.services, t.expires_at, u.name AS created_by, ",
            "t.created_at, t.last_used_at, t.revoked_at, u.id AS creator_id, u.disabled_at AS creator_disabled_at ",
            "FROM api_tokens t JOIN users u ON u.id = t.created_by ",
            $tail
        )
    };
}

/// A token as listed, with what its creator's current rights leave it.
async fn info(pool: &Db, row: Row) -> anyhow::Result<TokenInfo> {
    let Row {
        id,
        name,
        prefix,
        role,
        environments: Json(environments),
        services,
        expires_at,
        created_by,
        created_at,
        last_used_at,
        revoked_at,
        creator_id,
        creator_disabled_at,
    } = row;
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
        services: services.map(|s| s.0),
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
pub(crate) async fn create(
    pool: &Db,
    spec: &TokenSpec,
    expires_at: i64,
    created_by: i64,
) -> anyhow::Result<(TokenInfo, String)> {
    let secret = format!("{SECRET_PREFIX}{}", random_secret());
    let prefix: String = secret.chars().take(SECRET_PREFIX.len() + 6).collect();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, prefix, secret_hash, role, environments, services, expires_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(spec.name.trim())
    .bind(&prefix)
    .bind(sha256_hex(&secret))
    .bind(spec.role)
    .bind(Json(&spec.environments))
    .bind(spec.services.as_ref().map(Json))
    .bind(expires_at)
    .bind(created_by)
    .bind(now())
    .fetch_one(pool)
    .await.with_context(|| format!("creating token {}", spec.name.trim()))?;
    let token = get(pool, id).await?.ok_or_else(|| anyhow::anyhow!("token {id} vanished"))?;
    Ok((token, secret))
}

pub(crate) async fn get(pool: &Db, id: i64) -> anyhow::Result<Option<TokenInfo>> {
    let row: Option<Row> = sqlx::query_as(select_tokens!("WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .with_context(|| format!("reading token #{id}"))?;
    match row {
        Some(row) => Ok(Some(info(pool, row).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn list(pool: &Db) -> anyhow::Result<Vec<TokenInfo>> {
    let rows: Vec<Row> =
        sqlx::query_as(select_tokens!("ORDER BY t.id DESC")).fetch_all(pool).await.context("listing the tokens")?;
    let mut tokens = Vec::with_capacity(rows.len());
    for row in rows {
        tokens.push(info(pool, row).await?);
    }
    Ok(tokens)
}

/// Revokes a live token; `false` when there is no such token or it was already revoked.
pub(crate) async fn revoke(pool: &Db, id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(id)
        .execute(pool)
        .await
        .with_context(|| format!("revoking token #{id}"))?;
    Ok(done.rows_affected() == 1)
}

pub(crate) enum Lookup {
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
pub(crate) async fn authenticate(pool: &Db, secret: &str) -> anyhow::Result<Lookup> {
    let hash = sha256_hex(secret);
    let row: Option<(i64, i64, Option<i64>, String, Option<i64>)> = sqlx::query_as(
        "SELECT t.id, t.expires_at, t.revoked_at, u.name, u.disabled_at \
         FROM api_tokens t JOIN users u ON u.id = t.created_by WHERE t.secret_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(pool)
    .await
    .context("looking up a token")?;
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
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(pool)
        .await
        .context("looking up a token")?;
    let token = get(pool, id).await?.ok_or_else(|| anyhow::anyhow!("token {id} vanished"))?;
    let grants = token.effective_grants.clone();
    Ok(Lookup::Valid(Box::new(token), grants))
}

#[cfg(test)]
mod tests {
    use shared::auth::{Grant, Role, TokenSpec};

    use super::*;
    use crate::store::Store;

    async fn token(services: Option<Vec<String>>) -> (Store, tempfile::TempDir, i64, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("berth.db")).await.unwrap();
        let grant = Grant { environment: "*".into(), role: Role::Admin };
        let creator = users::add(store.pool(), "ci-owner", "a-long-password-1", &grant).await.unwrap();
        let spec = TokenSpec {
            name: "gitlab-ci".into(),
            role: Role::Deployer,
            environments: vec!["prod".into()],
            services: services.clone(),
            expires_at: String::new(),
        };
        let (info, secret) = create(store.pool(), &spec, now() + 3600, creator).await.unwrap();
        assert_eq!((info.role, info.services), (Role::Deployer, services));
        (store, dir, info.id, secret)
    }

    #[tokio::test]
    async fn a_token_reads_back_with_its_types() {
        let (store, _dir, id, secret) = token(Some(vec!["prod/web".into()])).await;
        let Lookup::Valid(found, _) = authenticate(store.pool(), &secret).await.unwrap() else { panic!("not valid") };
        assert_eq!(
            (found.id, found.environments, found.services),
            (id, vec!["prod".to_string()], Some(vec!["prod/web".to_string()]))
        );
    }

    /// A stored scope that does not decode must not read as "any service"
    /// nor as no environment: the token is refused with an error that names what was being read.
    #[tokio::test]
    async fn a_stored_scope_that_does_not_decode_is_an_error_not_a_wider_token() {
        for (column, value) in [("services", "prod/web"), ("services", "{}"), ("environments", "[1]")] {
            let (store, _dir, id, secret) = token(Some(vec!["prod/web".into()])).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE api_tokens SET {column} = $1 WHERE id = $2")))
                .bind(value)
                .bind(id)
                .execute(store.pool())
                .await
                .unwrap();
            let error = authenticate(store.pool(), &secret)
                .await
                .err()
                .unwrap_or_else(|| panic!("{column} = {value} was read"));
            assert!(format!("{error:#}").contains(&format!("reading token #{id}")), "{error:#}");
        }
    }
}
