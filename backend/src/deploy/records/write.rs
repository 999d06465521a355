//! Writes to the `deployments` table: a deployment recorded before acting, each step after it is
//! done, its ending, verdict and events.

use crate::store::Db;
use crate::store::Json;
use shared::deploy::{DeployStep, DeployedImage, DeploymentKind, Outcome, Verdict};
use shared::ecs::service::ServiceEvent;
use shared::ecs::task_definition::TaskDefinitionSpec;

use super::{Asked, Row, in_flight_of, now_ms};
use crate::notify::{self, Change};
use crate::store::{Doing, StoreResult};

/// What a new Berth deployment records before acting.
pub(crate) struct NewDeployment<'a> {
    pub environment: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    pub kind: DeploymentKind,
    pub actor: &'a str,
    pub via: &'a str,
    pub note: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub request: Asked,
    /// A redeploy knows its target from the start.
    pub to_task_definition: Option<&'a str>,
    pub to_spec: Option<&'a TaskDefinitionSpec>,
    /// Made during a freeze window: the window and the admin's reason.
    pub freeze_override: Option<&'a str>,
    /// Started by another deployer's approval of its request.
    pub approved_by: Option<&'a str>,
    /// A promotion: the source deployment (of another environment).
    pub promoted_from: Option<(i64, &'a str)>,
}

pub(crate) enum Inserted {
    New(i64),
    /// The same actor sent the same idempotency key before.
    Repeated(i64),
    /// Another deployment of the service is in flight.
    Locked(Box<Row>),
}

/// The deployment the same actor started with the same idempotency key.
async fn by_key(pool: &Db, new: &NewDeployment<'_>) -> StoreResult<Option<i64>> {
    let Some(key) = new.idempotency_key else { return Ok(None) };
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM deployments WHERE actor = $1 AND idempotency_key = $2")
        .bind(new.actor)
        .bind(key)
        .fetch_optional(pool)
        .await
        .doing(|| format!("looking up idempotency key {key}"))?;
    Ok(found.map(|(id,)| id))
}

/// Who drives a deployment in flight, and until when (unix ms) unless renewed (`deploy::lease`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lease<'a> {
    pub owner: &'a str,
    pub until: i64,
}

pub(crate) async fn insert(pool: &Db, new: &NewDeployment<'_>, lease: Lease<'_>) -> StoreResult<Inserted> {
    if let Some(id) = by_key(pool, new).await? {
        return Ok(Inserted::Repeated(id));
    }
    let result = sqlx::query_scalar::<_, i64>(
        "INSERT INTO deployments (environment, cluster, service, kind, actor, via, note, idempotency_key, request, \
         step, outcome, to_task_definition, to_spec, started_at, lease_owner, lease_until, freeze_override, \
         approved_by, promoted_from, promoted_from_environment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(new.environment)
    .bind(new.cluster)
    .bind(new.service)
    .bind(new.kind)
    .bind(new.actor)
    .bind(new.via)
    .bind(new.note)
    .bind(new.idempotency_key)
    .bind(Json(&new.request))
    .bind(DeployStep::Recorded)
    .bind(Outcome::InProgress)
    .bind(new.to_task_definition)
    .bind(new.to_spec.map(Json))
    .bind(now_ms())
    .bind(lease.owner)
    .bind(lease.until)
    .bind(new.freeze_override)
    .bind(new.approved_by)
    .bind(new.promoted_from.map(|(id, _)| id))
    .bind(new.promoted_from.map(|(_, env)| env))
    .fetch_one(pool)
    .await;
    let what = || format!("recording a deployment of {}/{}", new.cluster, new.service);
    match result {
        Ok(id) => Ok(Inserted::New(id)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            // Two requests with one key raced: the first one's row wins.
            if let Some(id) = by_key(pool, new).await? {
                return Ok(Inserted::Repeated(id));
            }
            match in_flight_of(pool, new.environment, new.cluster, new.service).await? {
                Some(holder) => Ok(Inserted::Locked(Box::new(holder))),
                None => Err(sqlx::Error::Database(e)).doing(what),
            }
        }
        Err(e) => Err(e).doing(what),
    }
}

/// Drops a deployment refused before anything changed in AWS.
pub(crate) async fn delete(pool: &Db, id: i64) -> StoreResult<()> {
    let query = sqlx::query("DELETE FROM deployments WHERE id = $1 AND step = $2").bind(id).bind(DeployStep::Recorded);
    query.execute(pool).await.map(drop).doing(|| format!("dropping deployment #{id}"))
}

pub(crate) async fn set_from(pool: &Db, id: i64, task_definition: &str, spec: &TaskDefinitionSpec) -> StoreResult<()> {
    sqlx::query("UPDATE deployments SET from_task_definition = $1, from_spec = $2 WHERE id = $3")
        .bind(task_definition)
        .bind(Json(spec))
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
        .doing(|| format!("recording deployment #{id}'s starting revision"))
}

pub(crate) async fn set_registered(
    pool: &Db,
    id: i64,
    task_definition: &str,
    spec: &TaskDefinitionSpec,
    images: &[DeployedImage],
) -> StoreResult<()> {
    sqlx::query("UPDATE deployments SET step = $1, to_task_definition = $2, to_spec = $3, images = $4 WHERE id = $5")
        .bind(DeployStep::Registered)
        .bind(task_definition)
        .bind(Json(spec))
        .bind(Json(images))
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
        .doing(|| format!("recording deployment #{id}'s registered revision"))
}

/// The service update is recorded with the `deployment.started` notification, in one transaction.
pub(crate) async fn set_updated(pool: &Db, id: i64, ecs_deployment_id: &str) -> StoreResult<()> {
    let what = || format!("recording deployment #{id}'s service update");
    let mut tx = pool.begin().await.doing(what)?;
    sqlx::query("UPDATE deployments SET step = $1, ecs_deployment_id = $2 WHERE id = $3")
        .bind(DeployStep::Updated)
        .bind(ecs_deployment_id)
        .bind(id)
        .execute(&mut *tx)
        .await
        .doing(what)?;
    notify::outbox::enqueue(&mut tx, id, Change::Started).await?;
    tx.commit().await.doing(what)
}

/// How a deployment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ending {
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// With a circuit-breaker rollback: the revision and the ECS deployment that rolled back.
    pub rolled_back_to: Option<(String, String)>,
    /// When it ended, if not now (unix ms: an external rollout seen after it ended).
    pub ended_at: Option<i64>,
}

impl Ending {
    pub(crate) fn new(outcome: Outcome, reason: impl Into<String>) -> Self {
        Self { outcome, reason: Some(reason.into()), rolled_back_to: None, ended_at: None }
    }
}

/// Ends a deployment (once) and records its notification in the same transaction.
pub(crate) async fn finish(pool: &Db, id: i64, ending: &Ending) -> StoreResult<()> {
    let what = || format!("ending deployment #{id}");
    let mut tx = pool.begin().await.doing(what)?;
    let done = sqlx::query(
        "UPDATE deployments SET step = $1, outcome = $2, reason = $3, rolled_back_to = $4, \
         rollback_ecs_deployment_id = $5, ended_at = $6, awaiting_approval = NULL WHERE id = $7 AND ended_at IS NULL",
    )
    .bind(DeployStep::Ended)
    .bind(ending.outcome)
    .bind(&ending.reason)
    .bind(ending.rolled_back_to.as_ref().map(|r| &r.0))
    .bind(ending.rolled_back_to.as_ref().map(|r| &r.1))
    .bind(ending.ended_at.unwrap_or_else(now_ms))
    .bind(id)
    .execute(&mut *tx)
    .await
    .doing(what)?;
    if done.rows_affected() == 1 {
        notify::outbox::enqueue(&mut tx, id, Change::Ended).await?;
    }
    tx.commit().await.doing(what)
}

/// Keeps why a deployment failed (before it is ended, so whoever waits for the ending reads it).
/// The PAUSE hook the deployment's rollout waits at (`None`: it doesn't), while it runs.
pub(crate) async fn set_awaiting_approval(
    pool: &Db,
    id: i64,
    hook: Option<&shared::deploy::HookState>,
) -> StoreResult<()> {
    sqlx::query("UPDATE deployments SET awaiting_approval = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(hook.map(Json))
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
        .doing(|| format!("marking deployment #{id} awaiting approval"))
}

pub(crate) async fn set_verdict(pool: &Db, id: i64, verdict: &Verdict) -> StoreResult<()> {
    sqlx::query("UPDATE deployments SET verdict = $1 WHERE id = $2 AND ended_at IS NULL")
        .bind(Json(verdict))
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
        .doing(|| format!("keeping deployment #{id}'s verdict"))
}

/// Keeps the rollout's events (ECS keeps only the latest 100 of a service).
pub(crate) async fn add_events(pool: &Db, id: i64, events: &[ServiceEvent]) -> StoreResult<()> {
    for e in events {
        sqlx::query(
            "INSERT INTO deployment_events (deployment_id, event_id, created_at, message) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(&e.id)
        .bind(&e.created_at)
        .bind(&e.message)
        .execute(pool)
        .await
        .doing(|| format!("keeping deployment #{id}'s events"))?;
    }
    Ok(())
}
