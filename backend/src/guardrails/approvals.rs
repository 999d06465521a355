//! The `approval_requests` table: a deploy, rollback, redeploy or promotion waiting for another
//! deployer's decision, what starts once it is approved (`Operation`), and how it was decided. A
//! request is decided once: approve and reject claim it (`PENDING` -> …) in one statement, so two
//! deployers deciding at once (on any replica) can't both win.

use serde::{Deserialize, Serialize};
use shared::approvals::{ApprovalRequest, ApprovalStatus};
use shared::deploy::promotion::PromotionRequest;
use shared::deploy::{DeployRequest, DeploymentKind, RedeployRequest};
use shared::ecs::task_definition::Change;

use crate::deploy::records::now_ms;
use crate::notify::rfc3339_ms;
use crate::store::{Db, Doing, Json, StoreResult};

/// What starts once the request is approved: the request as its requester sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "operation", deny_unknown_fields)]
pub(crate) enum Operation {
    Deploy {
        request: DeployRequest,
    },
    Rollback {
        request: RedeployRequest,
    },
    Redeploy {
        deployment: i64,
        request: RedeployRequest,
    },
    /// With the target service resolved when asked (a link changed later does not move it).
    Promotion {
        request: PromotionRequest,
    },
}

/// What must still hold when the request is approved for what starts to be what the approver saw;
/// anything else is refused ("reject it and ask again").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Expected {
    /// The service's task definition when asked (it moves: the diff shown is stale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// A rollback's or redeploy's target deployment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<i64>,
    /// A deploy's images by tag: the digest each named when asked (a tag pushed again since names
    /// other bytes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digests: Vec<(String, String)>,
    /// A promotion's source deployment and the images it would put in place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoted: Option<(i64, Vec<String>)>,
    /// An admin's freeze override, kept only when it was used: the window it overrode (another
    /// window on at approval is not overridden by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freeze_window: Option<String>,
}

impl Operation {
    pub(crate) fn drop_freeze_override(&mut self) {
        match self {
            Self::Deploy { request, .. } => request.freeze_override = None,
            Self::Rollback { request, .. } | Self::Redeploy { request, .. } => request.freeze_override = None,
            Self::Promotion { request, .. } => request.freeze_override = None,
        }
    }
}

/// A request to record.
pub(crate) struct NewRequest<'a> {
    pub environment: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    pub kind: DeploymentKind,
    pub summary: String,
    pub operation: Operation,
    pub expected: Expected,
    pub changes: Vec<Change>,
    pub requested_by: &'a str,
    pub requested_via: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub note: Option<&'a str>,
    pub expires_after_minutes: u32,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Stored {
    pub id: i64,
    pub environment: String,
    pub cluster: String,
    pub service: String,
    pub kind: DeploymentKind,
    pub summary: String,
    /// JSON of [`Operation`], read when approved (a row an older Berth wrote that no longer reads
    /// spoils that request, not the list).
    pub operation: String,
    pub expected: String,
    pub changes: Json<Vec<Change>>,
    pub requested_by: String,
    pub requested_via: String,
    pub note: Option<String>,
    pub requested_at: i64,
    pub expires_at: i64,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    pub deployment_id: Option<i64>,
}

const COLUMNS: &str = "id, environment, cluster, service, kind, summary, operation, expected, changes, requested_by, \
    requested_via, note, requested_at, expires_at, status, decided_by, decided_at, reason, deployment_id";

impl Stored {
    /// What starts once approved, and what must still hold.
    pub(crate) fn operation(&self) -> Option<(Operation, Expected)> {
        Some((serde_json::from_str(&self.operation).ok()?, serde_json::from_str(&self.expected).ok()?))
    }

    pub(crate) fn status(&self) -> ApprovalStatus {
        let status = ApprovalStatus::parse(&self.status).unwrap_or(ApprovalStatus::Expired);
        if status == ApprovalStatus::Pending && self.expires_at <= now_ms() { ApprovalStatus::Expired } else { status }
    }

    pub(crate) fn request(&self) -> ApprovalRequest {
        ApprovalRequest {
            id: self.id,
            environment: self.environment.clone(),
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            kind: self.kind,
            summary: self.summary.clone(),
            requested_by: self.requested_by.clone(),
            requested_via: self.requested_via.clone(),
            note: self.note.clone(),
            requested_at: rfc3339_ms(self.requested_at),
            expires_at: rfc3339_ms(self.expires_at),
            status: self.status(),
            decided_by: self.decided_by.clone(),
            decided_at: self.decided_at.map(rfc3339_ms),
            reason: self.reason.clone(),
            deployment: self.deployment_id,
            changes: self.changes.0.clone(),
        }
    }
}

/// Records a request; one the same requester sent with the same idempotency key before is
/// returned instead (`true`: repeated).
pub(crate) async fn insert(pool: &Db, new: NewRequest<'_>) -> StoreResult<(Stored, bool)> {
    if let Some(found) = by_key(pool, new.requested_by, new.idempotency_key).await? {
        return Ok((found, true));
    }
    let now = now_ms();
    let expires = now + i64::from(new.expires_after_minutes) * 60_000;
    let what = || format!("recording an approval request for {}/{}", new.cluster, new.service);
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO approval_requests (environment, cluster, service, kind, summary, operation, expected, changes, \
         requested_by, requested_via, idempotency_key, note, requested_at, expires_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(new.environment)
    .bind(new.cluster)
    .bind(new.service)
    .bind(new.kind)
    .bind(&new.summary)
    .bind(Json(&new.operation))
    .bind(Json(&new.expected))
    .bind(Json(&new.changes))
    .bind(new.requested_by)
    .bind(new.requested_via)
    .bind(new.idempotency_key)
    .bind(new.note)
    .bind(now)
    .bind(expires)
    .bind(ApprovalStatus::Pending.as_str())
    .fetch_one(pool)
    .await;
    match inserted {
        Ok(id) => Ok((get(pool, id).await?.ok_or_else(|| sqlx::Error::RowNotFound).doing(what)?, false)),
        // Two requests with one key raced: the first one's row wins.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            match by_key(pool, new.requested_by, new.idempotency_key).await? {
                Some(found) => Ok((found, true)),
                None => Err(sqlx::Error::Database(e)).doing(what),
            }
        }
        Err(e) => Err(e).doing(what),
    }
}

async fn by_key(pool: &Db, by: &str, key: Option<&str>) -> StoreResult<Option<Stored>> {
    let Some(key) = key else { return Ok(None) };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approval_requests WHERE requested_by = $1 AND idempotency_key = $2"
    )))
    .bind(by)
    .bind(key)
    .fetch_optional(pool)
    .await
    .doing(|| format!("looking up approval idempotency key {key}"))
}

pub(crate) async fn get(pool: &Db, id: i64) -> StoreResult<Option<Stored>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM approval_requests WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
        .doing(|| format!("reading approval request #{id}"))
}

/// The requests of these environments, newest first: the pending ones (not yet expired), or all.
pub(crate) async fn list(pool: &Db, environments: &[String], pending_only: bool) -> StoreResult<Vec<Stored>> {
    if environments.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..environments.len()).map(|i| format!("${}", i + 2)).collect();
    let pending = if pending_only { "AND status = 'PENDING' AND expires_at > $1" } else { "AND $1 = $1" };
    let sql = format!(
        "SELECT {COLUMNS} FROM approval_requests WHERE environment IN ({}) {pending} ORDER BY id DESC LIMIT 200",
        marks.join(", ")
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now_ms());
    for env in environments {
        query = query.bind(env);
    }
    query.fetch_all(pool).await.doing(|| "listing approval requests".to_string())
}

/// Decides a pending, unexpired request: `true` if this call did (nobody decided it before).
pub(crate) async fn decide(
    pool: &Db,
    id: i64,
    status: ApprovalStatus,
    by: &str,
    reason: Option<&str>,
) -> StoreResult<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE approval_requests SET status = $1, decided_by = $2, decided_at = $3, reason = $4 \
         WHERE id = $5 AND status = 'PENDING' AND expires_at > $3",
    )
    .bind(status.as_str())
    .bind(by)
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(pool)
    .await
    .doing(|| format!("deciding approval request #{id}"))?;
    Ok(done.rows_affected() == 1)
}

/// An approval whose deployment could not start goes back to waiting (the approver is told why,
/// and may approve again once it can).
pub(crate) async fn reopen(pool: &Db, id: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE approval_requests SET status = 'PENDING', decided_by = NULL, decided_at = NULL, reason = NULL \
         WHERE id = $1 AND deployment_id IS NULL",
    )
    .bind(id)
    .execute(pool)
    .await
    .doing(|| format!("reopening approval request #{id}"))
    .map(drop)
}

/// An approval whose start was cut short (a crash, a replica restarted) without a deployment linked
/// a while after it was decided: linked to the deployment it recorded (`approval-ID` is its
/// idempotency key), else waiting again.
pub(crate) async fn settle(pool: &Db, found: &mut Stored) -> StoreResult<()> {
    const GRACE_MS: i64 = 120_000;
    let stale = found.decided_at.is_some_and(|at| at + GRACE_MS < now_ms());
    if found.status() != ApprovalStatus::Approved || found.deployment_id.is_some() || !stale {
        return Ok(());
    }
    match crate::deploy::records::id_by_key(pool, &found.requested_by, &key_of(found.id)).await? {
        Some(deployment) => set_deployment(pool, found.id, deployment).await?,
        None => reopen(pool, found.id).await?,
    }
    if let Some(now) = get(pool, found.id).await? {
        *found = now;
    }
    Ok(())
}

/// The idempotency key of the deployment an approved request starts (as its requester's).
pub(crate) fn key_of(request: i64) -> String {
    format!("approval-{request}")
}

pub(crate) async fn set_deployment(pool: &Db, id: i64, deployment: i64) -> StoreResult<()> {
    sqlx::query("UPDATE approval_requests SET deployment_id = $1 WHERE id = $2")
        .bind(deployment)
        .bind(id)
        .execute(pool)
        .await
        .doing(|| format!("linking approval request #{id} to deployment #{deployment}"))
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::testing::Scratch;

    fn new_request(key: Option<&str>) -> NewRequest<'_> {
        NewRequest {
            environment: "prod",
            cluster: "c",
            service: "web",
            kind: DeploymentKind::Deploy,
            summary: "deploy web=repo:v2 to c/web".into(),
            operation: Operation::Deploy {
                request: DeployRequest { cluster: "c".into(), service: "web".into(), ..Default::default() },
            },
            expected: Expected { base: Some("web:3".into()), ..Default::default() },
            changes: Vec::new(),
            requested_by: "ann",
            requested_via: "session",
            idempotency_key: key,
            note: None,
            expires_after_minutes: 60,
        }
    }

    /// Two replicas deciding one request at once: exactly one decision is taken, on each backend;
    /// a key sent again finds the same request.
    #[tokio::test]
    async fn a_request_is_decided_once_and_a_repeated_key_finds_it() {
        for scratch in Scratch::each().await {
            let (a, b) =
                (Store::open(scratch.location()).await.unwrap(), Store::open(scratch.location()).await.unwrap());
            let (made, repeated) = insert(a.pool(), new_request(Some("ci-42"))).await.unwrap();
            assert!(!repeated);
            let (again, repeated) = insert(b.pool(), new_request(Some("ci-42"))).await.unwrap();
            assert!(repeated && again.id == made.id);
            assert_eq!(made.request().status, ApprovalStatus::Pending);
            let (pa, pb) = (a.pool().clone(), b.pool().clone());
            let decisions = futures::future::join_all([
                tokio::spawn(async move { decide(&pa, made.id, ApprovalStatus::Approved, "bo", None).await.unwrap() }),
                tokio::spawn(
                    async move { decide(&pb, made.id, ApprovalStatus::Rejected, "cy", Some("no")).await.unwrap() },
                ),
            ])
            .await;
            let won: Vec<bool> = decisions.into_iter().map(Result::unwrap).collect();
            assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
            let decided = get(a.pool(), made.id).await.unwrap().unwrap();
            assert_ne!(decided.request().status, ApprovalStatus::Pending);
            assert!(!decide(a.pool(), made.id, ApprovalStatus::Approved, "dee", None).await.unwrap(), "decided once");

            // Past its expiry, it reads as EXPIRED and can't be decided.
            let (late, _) = insert(a.pool(), new_request(None)).await.unwrap();
            sqlx::query("UPDATE approval_requests SET expires_at = 1 WHERE id = $1")
                .bind(late.id)
                .execute(a.pool())
                .await
                .unwrap();
            let late = get(a.pool(), late.id).await.unwrap().unwrap();
            assert_eq!(late.request().status, ApprovalStatus::Expired);
            assert!(!decide(a.pool(), late.id, ApprovalStatus::Approved, "bo", None).await.unwrap());
            assert!(list(a.pool(), &["prod".into()], true).await.unwrap().is_empty(), "nothing waits");
            assert_eq!(list(a.pool(), &["prod".into()], false).await.unwrap().len(), 2);
        }
    }
}
