//! The `deployments` table: one row per deployment, written before the first AWS call and updated
//! after each step.

use shared::deploy::{DeployedImage, DeploymentKind, DeploymentRecord, Outcome, Verdict};
use shared::ecs::service::ServiceEvent;
use shared::ecs::task_definition::TaskDefinitionSpec;
use sqlx::SqlitePool;

use crate::auth::time::to_rfc3339;

pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos().div_euclid(1_000_000) as i64
}

fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| to_rfc3339(ms / 1000))
}

/// A row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub environment: String,
    pub cluster: String,
    pub service: String,
    pub kind: String,
    pub actor: String,
    pub via: String,
    pub note: Option<String>,
    pub request: String,
    pub step: String,
    pub outcome: String,
    pub reason: Option<String>,
    pub from_task_definition: Option<String>,
    pub to_task_definition: Option<String>,
    pub from_spec: Option<String>,
    pub to_spec: Option<String>,
    pub images: String,
    pub ecs_deployment_id: Option<String>,
    pub rolled_back_to: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub verdict: Option<sqlx::types::Json<Verdict>>,
}

pub const COLUMNS: &str = "id, environment, cluster, service, kind, actor, via, note, request, step, outcome, reason, \
    from_task_definition, to_task_definition, from_spec, to_spec, images, ecs_deployment_id, rolled_back_to, \
    started_at, ended_at, verdict";

/// The columns of a history line (no documents).
pub const LIST_COLUMNS: &str = "id, environment, cluster, service, kind, actor, via, note, '' AS request, step, \
    outcome, reason, from_task_definition, to_task_definition, NULL AS from_spec, NULL AS to_spec, images, \
    ecs_deployment_id, rolled_back_to, started_at, ended_at, verdict";

/// A history line with what was asked (a rollback's source).
const PLAN_COLUMNS: &str = "id, environment, cluster, service, kind, actor, via, note, request, step, \
    outcome, reason, from_task_definition, to_task_definition, NULL AS from_spec, NULL AS to_spec, images, \
    ecs_deployment_id, rolled_back_to, started_at, ended_at, verdict";

impl Row {
    pub fn record(&self) -> DeploymentRecord {
        DeploymentRecord {
            id: self.id,
            environment: self.environment.clone(),
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            kind: DeploymentKind::parse(&self.kind).unwrap_or(DeploymentKind::Deploy),
            actor: self.actor.clone(),
            via: self.via.clone(),
            note: self.note.clone(),
            outcome: Outcome::parse(&self.outcome).unwrap_or(Outcome::InProgress),
            reason: self.reason.clone(),
            step: self.step.clone(),
            from_task_definition: self.from_task_definition.clone(),
            to_task_definition: self.to_task_definition.clone(),
            rolled_back_to: self.rolled_back_to.clone(),
            images: serde_json::from_str(&self.images).unwrap_or_default(),
            ecs_deployment_id: self.ecs_deployment_id.clone(),
            started_at: rfc3339_ms(self.started_at),
            ended_at: self.ended_at.map(rfc3339_ms),
            duration_ms: self.ended_at.map(|e| e - self.started_at),
            verdict: self.verdict.as_ref().map(|v| v.0.clone()),
        }
    }

    pub fn spec(text: &Option<String>) -> Option<TaskDefinitionSpec> {
        text.as_deref().and_then(|t| serde_json::from_str(t).ok())
    }
}

/// What a new Berth deployment records before acting.
pub struct NewDeployment<'a> {
    pub environment: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    pub kind: DeploymentKind,
    pub actor: &'a str,
    pub via: &'a str,
    pub note: Option<&'a str>,
    pub idempotency_key: Option<&'a str>,
    pub request: serde_json::Value,
    /// A redeploy knows its target from the start.
    pub to_task_definition: Option<&'a str>,
    pub to_spec: Option<&'a str>,
}

pub enum Inserted {
    New(i64),
    /// The same actor sent the same idempotency key before.
    Repeated(i64),
    /// Another deployment of the service is in flight.
    Locked(Box<Row>),
}

/// The deployment the same actor started with the same idempotency key.
async fn by_key(pool: &SqlitePool, new: &NewDeployment<'_>) -> sqlx::Result<Option<i64>> {
    let Some(key) = new.idempotency_key else { return Ok(None) };
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM deployments WHERE actor = ? AND idempotency_key = ?")
        .bind(new.actor)
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(found.map(|(id,)| id))
}

pub async fn insert(pool: &SqlitePool, new: &NewDeployment<'_>) -> sqlx::Result<Inserted> {
    if let Some(id) = by_key(pool, new).await? {
        return Ok(Inserted::Repeated(id));
    }
    let result = sqlx::query(
        "INSERT INTO deployments (environment, cluster, service, kind, actor, via, note, idempotency_key, request, \
         step, outcome, to_task_definition, to_spec, started_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'recorded', 'IN_PROGRESS', ?, ?, ?)",
    )
    .bind(new.environment)
    .bind(new.cluster)
    .bind(new.service)
    .bind(new.kind.as_str())
    .bind(new.actor)
    .bind(new.via)
    .bind(new.note)
    .bind(new.idempotency_key)
    .bind(new.request.to_string())
    .bind(new.to_task_definition)
    .bind(new.to_spec)
    .bind(now_ms())
    .execute(pool)
    .await;
    match result {
        Ok(done) => Ok(Inserted::New(done.last_insert_rowid())),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            // Two requests with one key raced: the first one's row wins.
            if let Some(id) = by_key(pool, new).await? {
                return Ok(Inserted::Repeated(id));
            }
            match in_flight_of(pool, new.environment, new.cluster, new.service).await? {
                Some(holder) => Ok(Inserted::Locked(Box::new(holder))),
                None => Err(sqlx::Error::Database(e)),
            }
        }
        Err(e) => Err(e),
    }
}

/// Drops a deployment refused before anything changed in AWS.
pub async fn delete(pool: &SqlitePool, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM deployments WHERE id = ? AND step = 'recorded'").bind(id).execute(pool).await.map(drop)
}

pub async fn get(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM deployments WHERE id = ?")))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn in_flight_of(
    pool: &SqlitePool,
    environment: &str,
    cluster: &str,
    service: &str,
) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE environment = ? AND cluster = ? AND service = ? \
         AND ended_at IS NULL AND kind NOT IN ('external', 'create')"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_optional(pool)
    .await
}

/// Berth's deployments left in flight (by a crash or a restart), oldest first.
pub async fn all_in_flight(pool: &SqlitePool) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE ended_at IS NULL AND kind NOT IN ('external', 'create') ORDER BY id"
    )))
    .fetch_all(pool)
    .await
}

pub async fn set_from(
    pool: &SqlitePool,
    id: i64,
    task_definition: &str,
    spec: &TaskDefinitionSpec,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE deployments SET from_task_definition = ?, from_spec = ? WHERE id = ?")
        .bind(task_definition)
        .bind(serde_json::to_string(spec).unwrap_or_default())
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
}

pub async fn set_registered(
    pool: &SqlitePool,
    id: i64,
    task_definition: &str,
    spec: &TaskDefinitionSpec,
    images: &[DeployedImage],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE deployments SET step = 'registered', to_task_definition = ?, to_spec = ?, images = ? WHERE id = ?",
    )
    .bind(task_definition)
    .bind(serde_json::to_string(spec).unwrap_or_default())
    .bind(serde_json::to_string(images).unwrap_or_default())
    .bind(id)
    .execute(pool)
    .await
    .map(drop)
}

pub async fn set_updated(pool: &SqlitePool, id: i64, ecs_deployment_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE deployments SET step = 'updated', ecs_deployment_id = ? WHERE id = ?")
        .bind(ecs_deployment_id)
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
}

/// How a deployment ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// With a circuit-breaker rollback: the revision and the ECS deployment that rolled back.
    pub rolled_back_to: Option<(String, String)>,
    /// When it ended, if not now (unix ms: an external rollout seen after it ended).
    pub ended_at: Option<i64>,
}

impl Ending {
    pub fn new(outcome: Outcome, reason: impl Into<String>) -> Self {
        Self { outcome, reason: Some(reason.into()), rolled_back_to: None, ended_at: None }
    }
}

pub async fn finish(pool: &SqlitePool, id: i64, ending: &Ending) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE deployments SET step = 'ended', outcome = ?, reason = ?, rolled_back_to = ?, \
         rollback_ecs_deployment_id = ?, ended_at = ? WHERE id = ? AND ended_at IS NULL",
    )
    .bind(ending.outcome.as_str())
    .bind(&ending.reason)
    .bind(ending.rolled_back_to.as_ref().map(|r| &r.0))
    .bind(ending.rolled_back_to.as_ref().map(|r| &r.1))
    .bind(ending.ended_at.unwrap_or_else(now_ms))
    .bind(id)
    .execute(pool)
    .await
    .map(drop)
}

/// Records Berth follows without driving them (external, create) that have not ended.
pub async fn open_followed(
    pool: &SqlitePool,
    environment: &str,
    cluster: &str,
    service: &str,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LIST_COLUMNS} FROM deployments WHERE environment = ? AND cluster = ? AND service = ? \
         AND ended_at IS NULL AND kind IN ('external', 'create')"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_all(pool)
    .await
}

/// Keeps why a deployment failed (before it is ended, so whoever waits for the ending reads it).
pub async fn set_verdict(pool: &SqlitePool, id: i64, verdict: &Verdict) -> sqlx::Result<()> {
    sqlx::query("UPDATE deployments SET verdict = ? WHERE id = ? AND ended_at IS NULL")
        .bind(sqlx::types::Json(verdict))
        .bind(id)
        .execute(pool)
        .await
        .map(drop)
}

/// Keeps the rollout's events (ECS keeps only the latest 100 of a service).
pub async fn add_events(pool: &SqlitePool, id: i64, events: &[ServiceEvent]) -> sqlx::Result<()> {
    for e in events {
        sqlx::query(
            "INSERT OR IGNORE INTO deployment_events (deployment_id, event_id, created_at, message) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(&e.id)
        .bind(&e.created_at)
        .bind(&e.message)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Newest first.
pub async fn events(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<ServiceEvent>> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT event_id, created_at, message FROM deployment_events WHERE deployment_id = ? \
         ORDER BY created_at DESC, rowid DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id, created_at, message)| ServiceEvent { id, created_at, message }).collect())
}

/// The service's deployments, newest first, without their documents (the rollback choice).
pub async fn of_service(pool: &SqlitePool, environment: &str, cluster: &str, service: &str) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} FROM deployments WHERE environment = ? AND cluster = ? AND service = ? \
         ORDER BY started_at DESC, id DESC LIMIT 500"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_all(pool)
    .await
}

/// Services whose last successful deployment is `family:revision` (never deregister it).
pub async fn last_good_users(pool: &SqlitePool, environment: &str, task_definition: &str) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT d.cluster, d.service FROM deployments d WHERE d.environment = ? AND d.outcome = 'SUCCEEDED' \
         AND d.to_task_definition = ? AND d.id = (SELECT id FROM deployments e WHERE e.environment = d.environment \
         AND e.cluster = d.cluster AND e.service = d.service AND e.outcome = 'SUCCEEDED' \
         ORDER BY e.started_at DESC, e.id DESC LIMIT 1)",
    )
    .bind(environment)
    .bind(task_definition)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(c, s)| format!("{c}/{s}")).collect())
}

/// The record of an ECS deployment (Berth's own or an external one already seen).
pub async fn by_ecs_deployment(pool: &SqlitePool, ecs_deployment_id: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE ecs_deployment_id = ?1 OR rollback_ecs_deployment_id = ?1 \
         ORDER BY id DESC LIMIT 1"
    )))
    .bind(ecs_deployment_id)
    .fetch_optional(pool)
    .await
}

/// The service's latest deployment.
pub async fn latest_of(
    pool: &SqlitePool,
    environment: &str,
    cluster: &str,
    service: &str,
) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE environment = ? AND cluster = ? AND service = ? \
         ORDER BY started_at DESC, id DESC LIMIT 1"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_optional(pool)
    .await
}

/// An ECS deployment Berth did not make, as first seen.
pub struct External<'a> {
    pub environment: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    /// `external`, or `create` (the first deployment of a service Berth created).
    pub kind: &'a str,
    pub ecs_deployment_id: &'a str,
    pub from_task_definition: Option<&'a str>,
    pub to_task_definition: &'a str,
    pub started_at: i64,
    /// Berth's own deployment of the service is about to update it.
    pub deploying: bool,
    /// Who started it, when it was a service update made in Berth (settings, an update-service
    /// document): (actor, via). `None`: made outside Berth.
    pub by: Option<(&'a str, &'a str)>,
    /// The revisions' documents and images, as a Berth deployment keeps them (for its diff).
    pub documents: Documents,
}

/// What a record keeps of the revisions it went between (JSON as stored; `images` `[]` if unknown).
#[derive(Debug, Default)]
pub struct Documents {
    pub from_spec: Option<String>,
    pub to_spec: Option<String>,
    pub images: Option<String>,
}

/// Records an external deployment unless a record knows its id or Berth deploys the service right
/// now (one statement, so it can't race with a deployment that ends meanwhile).
pub async fn insert_external(pool: &SqlitePool, e: &External<'_>) -> sqlx::Result<Option<i64>> {
    let done = sqlx::query(
        "INSERT INTO deployments (environment, cluster, service, kind, actor, via, request, step, outcome, \
         from_task_definition, to_task_definition, ecs_deployment_id, started_at, from_spec, to_spec, images) \
         SELECT ?1, ?2, ?3, ?11, ?9, ?10, '{}', 'updated', 'IN_PROGRESS', ?4, ?5, ?6, ?7, ?12, ?13, ?14 \
         WHERE NOT EXISTS (SELECT 1 FROM deployments WHERE ecs_deployment_id = ?6 OR rollback_ecs_deployment_id = ?6) \
         AND NOT EXISTS (SELECT 1 FROM deployments WHERE environment = ?1 AND cluster = ?2 AND service = ?3 \
             AND ended_at IS NULL AND kind NOT IN ('external', 'create') AND ?8 = 0)",
    )
    .bind(e.environment)
    .bind(e.cluster)
    .bind(e.service)
    .bind(e.from_task_definition)
    .bind(e.to_task_definition)
    .bind(e.ecs_deployment_id)
    .bind(e.started_at)
    .bind(e.deploying)
    .bind(e.by.map_or(OUTSIDE.0, |b| b.0))
    .bind(e.by.map_or(OUTSIDE.1, |b| b.1))
    .bind(e.kind)
    .bind(&e.documents.from_spec)
    .bind(&e.documents.to_spec)
    .bind(e.documents.images.as_deref().unwrap_or("[]"))
    .execute(pool)
    .await?;
    Ok((done.rows_affected() == 1).then(|| done.last_insert_rowid()))
}

/// The actor and via of a deployment made outside Berth.
pub const OUTSIDE: (&str, &str) = ("external", "outside Berth");

/// Names who made a deployment a poll recorded as made outside Berth (a service update made in
/// Berth that a poll saw first).
pub async fn claim_external(pool: &SqlitePool, id: i64, actor: &str, via: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE deployments SET actor = ?2, via = ?3 WHERE id = ?1 AND kind = 'external' AND actor = ?4")
        .bind(id)
        .bind(actor)
        .bind(via)
        .bind(OUTSIDE.0)
        .execute(pool)
        .await?;
    Ok(())
}
