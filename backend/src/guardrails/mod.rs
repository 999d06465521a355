//! The guardrails' store and checks (`shared::guardrails` says what each one is): an environment's
//! settings, and the failed-image guard with its acknowledgements.

pub(crate) mod approvals;
pub(crate) mod freeze;

use shared::deploy::{DeploymentKind, Outcome};
use shared::guardrails::{Acknowledgement, Guardrails, GuardrailsInfo};

use crate::deploy::records::{LIST_COLUMNS, Row, now_ms};
use crate::notify::rfc3339_ms;
use crate::store::{Db, Doing, StoreResult};

/// The environment's guardrails (all off while nobody has set them).
pub(crate) async fn get(pool: &Db, environment: &str) -> StoreResult<GuardrailsInfo> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT settings, updated_by, updated_at FROM environment_guardrails WHERE environment = $1")
            .bind(environment)
            .fetch_optional(pool)
            .await
            .doing(|| format!("reading the guardrails of {environment}"))?;
    Ok(match row {
        // Written by `set` from the same type: a document that no longer reads is all off, not an error
        // that would stop every deploy.
        Some((settings, by, at)) => GuardrailsInfo {
            environment: environment.to_string(),
            guardrails: serde_json::from_str(&settings).unwrap_or_else(|e| {
                tracing::warn!(environment, error = %e, "stored guardrails do not read: treated as all off");
                Guardrails::default()
            }),
            updated_by: Some(by),
            updated_at: Some(rfc3339_ms(at)),
        },
        None => GuardrailsInfo {
            environment: environment.to_string(),
            guardrails: Guardrails::default(),
            updated_by: None,
            updated_at: None,
        },
    })
}

pub(crate) async fn set(
    pool: &Db,
    environment: &str,
    guardrails: &Guardrails,
    by: &str,
) -> StoreResult<GuardrailsInfo> {
    let settings = serde_json::to_string(guardrails).unwrap_or_else(|_| "{}".into());
    sqlx::query(
        "INSERT INTO environment_guardrails (environment, settings, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (environment) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
    )
    .bind(environment)
    .bind(settings)
    .bind(by)
    .bind(now_ms())
    .execute(pool)
    .await
    .doing(|| format!("setting the guardrails of {environment}"))?;
    get(pool, environment).await
}

/// A deployment whose images must not go out again unacknowledged: it FAILED, ECS's circuit
/// breaker rolled it back, or a Berth rollback (that succeeded) took its service off its revision.
/// A rollback that failed is not one: its images are the last good release's, and holding them
/// back would block the way back. A deployment that TIMED_OUT is not one either (it may be slow,
/// not broken). The states are written in as their stored names (constants of ours, not input).
fn failed_or_rolled_back() -> String {
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let failed = name(serde_json::json!(Outcome::Failed));
    let succeeded = name(serde_json::json!(Outcome::Succeeded));
    let rollback = name(serde_json::json!(DeploymentKind::Rollback));
    format!(
        "d.kind <> '{rollback}' AND (d.outcome = '{failed}' OR d.rolled_back_to IS NOT NULL OR EXISTS (SELECT 1 FROM deployments r \
         WHERE r.environment = d.environment AND r.cluster = d.cluster AND r.service = d.service \
         AND r.kind = '{rollback}' AND r.outcome = '{succeeded}' AND r.id > d.id \
         AND r.from_task_definition = d.to_task_definition))"
    )
}

/// Whether the deployment counts as failed for the guard.
pub(crate) async fn failed(pool: &Db, id: i64) -> StoreResult<bool> {
    let sql = format!("SELECT {LIST_COLUMNS} FROM deployments d WHERE d.id = $1 AND {}", failed_or_rolled_back());
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await
        .doing(|| format!("checking whether deployment #{id} failed"))?;
    Ok(row.is_some())
}

/// The newest deployment of the service that failed (or was rolled back) with `digest` and whose
/// failure nobody has acknowledged since.
pub(crate) async fn unacknowledged_failure(
    pool: &Db,
    environment: &str,
    cluster: &str,
    service: &str,
    digest: &str,
) -> StoreResult<Option<Row>> {
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM deployments d WHERE d.environment = $1 AND d.cluster = $2 AND d.service = $3 \
         AND d.images LIKE $4 AND {} ORDER BY d.id DESC LIMIT 1",
        failed_or_rolled_back()
    );
    let newest: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(environment)
        .bind(cluster)
        .bind(service)
        .bind(format!("%\"{digest}\"%"))
        .fetch_optional(pool)
        .await
        .doing(|| format!("looking for failed deployments of {digest} on {cluster}/{service}"))?;
    let Some(newest) = newest else { return Ok(None) };
    let (acknowledged,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM image_acknowledgements WHERE environment = $1 AND cluster = $2 AND service = $3 \
         AND digest = $4 AND deployment_id >= $5",
    )
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .bind(digest)
    .bind(newest.id)
    .fetch_one(pool)
    .await
    .doing(|| format!("looking for acknowledgements of {digest} on {cluster}/{service}"))?;
    Ok((acknowledged == 0).then_some(newest))
}

/// Records that `row`'s failure was read: its digests may go out to its service again.
pub(crate) async fn acknowledge(
    pool: &Db,
    row: &Row,
    digests: &[String],
    by: &str,
    reason: &str,
) -> StoreResult<Acknowledgement> {
    let at = now_ms();
    let mut tx = pool.begin().await.doing(|| format!("acknowledging deployment #{}", row.id))?;
    for digest in digests {
        sqlx::query(
            "INSERT INTO image_acknowledgements (environment, cluster, service, digest, deployment_id, actor, reason, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.environment)
        .bind(&row.cluster)
        .bind(&row.service)
        .bind(digest)
        .bind(row.id)
        .bind(by)
        .bind(reason)
        .bind(at)
        .execute(&mut *tx)
        .await
        .doing(|| format!("acknowledging deployment #{}", row.id))?;
    }
    tx.commit().await.doing(|| format!("acknowledging deployment #{}", row.id))?;
    Ok(Acknowledgement {
        deployment: row.id,
        digests: digests.to_vec(),
        actor: by.to_string(),
        reason: reason.to_string(),
        at: rfc3339_ms(at),
    })
}

/// The acknowledgements of a deployment's failure, oldest first.
pub(crate) async fn acknowledgements(pool: &Db, id: i64) -> StoreResult<Vec<Acknowledgement>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT digest, actor, reason, at_ms FROM image_acknowledgements WHERE deployment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .doing(|| format!("reading the acknowledgements of deployment #{id}"))?;
    let mut out: Vec<Acknowledgement> = Vec::new();
    for (digest, actor, reason, at) in rows {
        match out.last_mut() {
            Some(last) if last.actor == actor && last.reason == reason && last.at == rfc3339_ms(at) => {
                last.digests.push(digest);
            }
            _ => out.push(Acknowledgement { deployment: id, digests: vec![digest], actor, reason, at: rfc3339_ms(at) }),
        }
    }
    Ok(out)
}

/// The digests a deployment put out (those Berth found in ECR).
pub(crate) fn digests(row: &Row) -> Vec<String> {
    let mut digests: Vec<String> =
        row.images.0.iter().filter_map(|i| i.digest.clone()).filter(|d| is_digest(d)).collect();
    digests.sort();
    digests.dedup();
    digests
}

/// `sha256:` and 64 hex digits: the only digests the guard looks for (nothing else reaches its
/// `LIKE` pattern).
pub(crate) fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:").is_some_and(|hex| hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_sha256_digest_is_looked_for() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(super::is_digest(&format!("sha256:{hex}")));
        assert!(!super::is_digest("sha256:%"), "a LIKE wildcard never reaches the query");
        assert!(!super::is_digest(&format!("sha256:{}", &hex[1..])));
        assert!(!super::is_digest(&format!("sha512:{hex}")));
    }
}
