//! The `deployments` table: one row per deployment, written before the first AWS call and updated
//! after each step ([`write`]); deployments Berth follows without driving them ([`followed`]).
//! Rows read back keep their types: the states are enums, the documents typed JSON; a value that
//! does not decode is an error, never a default.

mod followed;
mod write;

use crate::store::Db;
use crate::store::Json;
pub(crate) use followed::{Documents, External, OUTSIDE, claim_external, insert_external};
use shared::deploy::{DeployStep, DeployedImage, DeploymentKind, DeploymentRecord, ImageChange, Outcome, Verdict};
use shared::ecs::service::ServiceEvent;
use shared::ecs::task_definition::TaskDefinitionSpec;
pub(crate) use write::{
    Ending, Inserted, Lease, NewDeployment, add_events, delete, finish, insert, set_awaiting_approval, set_from,
    set_registered, set_updated, set_verdict,
};

use crate::auth::time::to_rfc3339;
use crate::store::{Doing, StoreResult};

pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos().div_euclid(1_000_000) as i64
}

fn rfc3339_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| to_rfc3339(ms / 1000))
}

/// What a Berth deployment was asked to do, as stored: new images, or the revision of an earlier
/// deployment again. Deployments Berth did not make store `{}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Asked {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ImageChange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_of: Option<i64>,
}

/// A row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Row {
    pub id: i64,
    pub environment: String,
    pub cluster: String,
    pub service: String,
    pub kind: DeploymentKind,
    pub actor: String,
    pub via: String,
    pub note: Option<String>,
    pub request: Json<Asked>,
    pub step: DeployStep,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub from_task_definition: Option<String>,
    pub to_task_definition: Option<String>,
    pub from_spec: Option<Json<TaskDefinitionSpec>>,
    pub to_spec: Option<Json<TaskDefinitionSpec>>,
    pub images: Json<Vec<DeployedImage>>,
    pub ecs_deployment_id: Option<String>,
    pub rolled_back_to: Option<String>,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub verdict: Option<Json<Verdict>>,
    pub awaiting_approval: Option<Json<shared::deploy::HookState>>,
    pub freeze_override: Option<String>,
    pub approved_by: Option<String>,
    pub promoted_from: Option<i64>,
    pub promoted_from_environment: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, environment, cluster, service, kind, actor, via, note, request, step, outcome, reason, \
    from_task_definition, to_task_definition, from_spec, to_spec, images, ecs_deployment_id, rolled_back_to, \
    started_at, ended_at, verdict, awaiting_approval, freeze_override, approved_by, promoted_from, promoted_from_environment";

/// The columns of a history line (no documents).
pub(crate) const LIST_COLUMNS: &str = "id, environment, cluster, service, kind, actor, via, note, '{}' AS request, step, \
    outcome, reason, from_task_definition, to_task_definition, NULL AS from_spec, NULL AS to_spec, images, \
    ecs_deployment_id, rolled_back_to, started_at, ended_at, verdict, awaiting_approval, freeze_override, approved_by, promoted_from, promoted_from_environment";

/// A history line with what was asked (a rollback's source).
const PLAN_COLUMNS: &str = "id, environment, cluster, service, kind, actor, via, note, request, step, \
    outcome, reason, from_task_definition, to_task_definition, NULL AS from_spec, NULL AS to_spec, images, \
    ecs_deployment_id, rolled_back_to, started_at, ended_at, verdict, awaiting_approval, freeze_override, approved_by, promoted_from, promoted_from_environment";

impl Row {
    pub(crate) fn record(&self) -> DeploymentRecord {
        DeploymentRecord {
            id: self.id,
            environment: self.environment.clone(),
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            kind: self.kind,
            actor: self.actor.clone(),
            via: self.via.clone(),
            note: self.note.clone(),
            outcome: self.outcome,
            reason: self.reason.clone(),
            step: self.step,
            from_task_definition: self.from_task_definition.clone(),
            to_task_definition: self.to_task_definition.clone(),
            rolled_back_to: self.rolled_back_to.clone(),
            images: self.images.0.clone(),
            ecs_deployment_id: self.ecs_deployment_id.clone(),
            started_at: rfc3339_ms(self.started_at),
            ended_at: self.ended_at.map(rfc3339_ms),
            duration_ms: self.ended_at.map(|e| e - self.started_at),
            verdict: self.verdict.as_ref().map(|v| v.0.clone()),
            awaiting_approval: self.awaiting_approval.as_ref().map(|h| h.0.clone()),
            freeze_override: self.freeze_override.clone(),
            approved_by: self.approved_by.clone(),
            promoted_from: match (self.promoted_from, &self.promoted_from_environment) {
                (Some(id), Some(environment)) => {
                    Some(shared::deploy::PromotedFrom { id, environment: environment.clone() })
                }
                _ => None,
            },
        }
    }
}

/// The deployment `actor` started with idempotency key `key`.
pub(crate) async fn id_by_key(pool: &Db, actor: &str, key: &str) -> StoreResult<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM deployments WHERE actor = $1 AND idempotency_key = $2")
        .bind(actor)
        .bind(key)
        .fetch_optional(pool)
        .await
        .doing(|| format!("looking up idempotency key {key}"))
}

pub(crate) async fn get(pool: &Db, id: i64) -> StoreResult<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM deployments WHERE id = $1")))
        .bind(id)
        .fetch_optional(pool)
        .await
        .doing(|| format!("reading deployment #{id}"))
}

pub(crate) async fn in_flight_of(
    pool: &Db,
    environment: &str,
    cluster: &str,
    service: &str,
) -> StoreResult<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 \
         AND ended_at IS NULL AND kind NOT IN ('external', 'create')"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_optional(pool)
    .await
    .doing(|| format!("looking for a deployment of {cluster}/{service} in flight"))
}

/// Berth's deployments left in flight (by a crash or a restart), oldest first.
pub(crate) async fn all_in_flight(pool: &Db) -> StoreResult<Vec<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE ended_at IS NULL AND kind NOT IN ('external', 'create') ORDER BY id"
    )))
    .fetch_all(pool)
    .await
    .doing(|| "listing the deployments in flight".into())
}

/// Records Berth follows without driving them (external, create) that have not ended.
pub(crate) async fn open_followed(pool: &Db, environment: &str, cluster: &str, service: &str) -> StoreResult<Vec<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {LIST_COLUMNS} FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 \
         AND ended_at IS NULL AND kind IN ('external', 'create')"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_all(pool)
    .await
    .doing(|| format!("listing the followed deployments of {cluster}/{service}"))
}

/// Newest first.
pub(crate) async fn events(pool: &Db, id: i64) -> StoreResult<Vec<ServiceEvent>> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT event_id, created_at, message FROM deployment_events WHERE deployment_id = $1 \
         ORDER BY created_at DESC, rowid DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .doing(|| format!("reading deployment #{id}'s events"))?;
    Ok(rows.into_iter().map(|(id, created_at, message)| ServiceEvent { id, created_at, message }).collect())
}

/// The service's `limit` newest deployments, without their documents.
async fn newest_of(pool: &Db, environment: &str, cluster: &str, service: &str, limit: i64) -> StoreResult<Vec<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 \
         ORDER BY started_at DESC, id DESC LIMIT $4"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .bind(limit)
    .fetch_all(pool)
    .await
    .doing(|| format!("listing the deployments of {cluster}/{service}"))
}

/// The service's deployments, newest first, without their documents (the rollback choice).
pub(crate) async fn of_service(pool: &Db, environment: &str, cluster: &str, service: &str) -> StoreResult<Vec<Row>> {
    newest_of(pool, environment, cluster, service, 500).await
}

/// Services whose last successful deployment is `family:revision` (never deregister it).
pub(crate) async fn last_good_users(pool: &Db, environment: &str, task_definition: &str) -> StoreResult<Vec<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT d.cluster, d.service FROM deployments d WHERE d.environment = $1 AND d.outcome = $3 \
         AND d.to_task_definition = $2 AND d.id = (SELECT id FROM deployments e WHERE e.environment = d.environment \
         AND e.cluster = d.cluster AND e.service = d.service AND e.outcome = $3 \
         ORDER BY e.started_at DESC, e.id DESC LIMIT 1)",
    )
    .bind(environment)
    .bind(task_definition)
    .bind(Outcome::Succeeded)
    .fetch_all(pool)
    .await
    .doing(|| format!("looking for services whose last good release is {task_definition}"))?;
    Ok(rows.into_iter().map(|(c, s)| format!("{c}/{s}")).collect())
}

/// The record of an ECS deployment (Berth's own or an external one already seen).
pub(crate) async fn by_ecs_deployment(pool: &Db, ecs_deployment_id: &str) -> StoreResult<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM deployments WHERE ecs_deployment_id = $1 OR rollback_ecs_deployment_id = $1 \
         ORDER BY id DESC LIMIT 1"
    )))
    .bind(ecs_deployment_id)
    .fetch_optional(pool)
    .await
    .doing(|| format!("looking up ECS deployment {ecs_deployment_id}"))
}

/// The service's latest deployment, without its documents.
pub(crate) async fn latest_of(pool: &Db, environment: &str, cluster: &str, service: &str) -> StoreResult<Option<Row>> {
    Ok(newest_of(pool, environment, cluster, service, 1).await?.into_iter().next())
}

/// The newest record of the service that rolls out `to_task_definition` (`family:revision`): who
/// started the ECS deployment of that revision, when Berth knows (four eyes asks).
pub(crate) async fn latest_to(
    pool: &Db,
    environment: &str,
    cluster: &str,
    service: &str,
    to_task_definition: &str,
) -> StoreResult<Option<Row>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLAN_COLUMNS} FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 \
         AND to_task_definition = $4 ORDER BY started_at DESC, id DESC LIMIT 1"
    )))
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .bind(to_task_definition)
    .fetch_optional(pool)
    .await
    .doing(|| format!("finding who deployed {to_task_definition} to {cluster}/{service}"))
}

/// The task `task_id` of `cluster` as the newest failed deployment's verdict that names it kept it
/// (ECS forgets stopped tasks after about an hour).
pub(crate) async fn kept_task(
    pool: &Db,
    environment: &str,
    cluster: &str,
    task_id: &str,
) -> StoreResult<Option<shared::deploy::StoppedTask>> {
    let verdicts: Vec<(Json<Verdict>,)> = sqlx::query_as(
        "SELECT verdict FROM deployments WHERE environment = $1 AND cluster = $2 AND verdict IS NOT NULL \
         AND verdict LIKE '%' || $3 || '%' ORDER BY id DESC LIMIT 5",
    )
    .bind(environment)
    .bind(cluster)
    .bind(task_id)
    .fetch_all(pool)
    .await
    .doing(|| format!("looking for task {task_id} in the kept verdicts"))?;
    Ok(verdicts.into_iter().find_map(|(Json(v),)| v.stopped_tasks.into_iter().find(|t| t.task_id == task_id)))
}

/// The stopped tasks the newest failed deployments of a service kept (their logs outlive ECS's
/// memory of them), newest deployment first.
pub(crate) async fn kept_tasks_of_service(
    pool: &Db,
    environment: &str,
    cluster: &str,
    service: &str,
) -> StoreResult<Vec<shared::deploy::StoppedTask>> {
    let verdicts: Vec<(Json<Verdict>,)> = sqlx::query_as(
        "SELECT verdict FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 \
         AND verdict IS NOT NULL ORDER BY id DESC LIMIT 20",
    )
    .bind(environment)
    .bind(cluster)
    .bind(service)
    .fetch_all(pool)
    .await
    .doing(|| format!("reading the kept tasks of service {service}"))?;
    Ok(verdicts.into_iter().flat_map(|(Json(v),)| v.stopped_tasks).collect())
}

#[cfg(test)]
mod tests {
    use shared::deploy::{DeployStep, DeploymentKind, ImageChange, Outcome};

    use super::*;
    use crate::store::Store;
    use crate::store::testing::Scratch;

    /// A store of each backend, with what to keep alive while it is used.
    async fn stores() -> Vec<(Store, Scratch)> {
        let mut out = Vec::new();
        for scratch in Scratch::each().await {
            out.push((Store::open(scratch.location()).await.unwrap(), scratch));
        }
        out
    }

    const LEASE: Lease = Lease { owner: "test", until: i64::MAX };

    fn deploy<'a>(request: Asked) -> NewDeployment<'a> {
        NewDeployment {
            environment: "local",
            cluster: "demo",
            service: "web",
            kind: DeploymentKind::Deploy,
            actor: "ann",
            via: "session",
            note: None,
            idempotency_key: None,
            request,
            to_task_definition: None,
            to_spec: None,
            freeze_override: None,
            approved_by: None,
            promoted_from: None,
        }
    }

    #[tokio::test]
    async fn a_row_reads_back_with_its_types() {
        for (store, _scratch) in stores().await {
            let images = vec![ImageChange { container: "web".into(), image: "nginx:1.27".into() }];
            let Inserted::New(id) =
                insert(store.pool(), &deploy(Asked { images: Some(images.clone()), revision_of: None }), LEASE)
                    .await
                    .unwrap()
            else {
                panic!("not inserted")
            };
            let row = get(store.pool(), id).await.unwrap().unwrap();
            assert_eq!(
                (row.kind, row.step, row.outcome),
                (DeploymentKind::Deploy, DeployStep::Recorded, Outcome::InProgress)
            );
            assert_eq!(row.request.0.images, Some(images));
            finish(store.pool(), id, &Ending::new(Outcome::Failed, "refused")).await.unwrap();
            let row = get(store.pool(), id).await.unwrap().unwrap();
            assert_eq!((row.step, row.outcome), (DeployStep::Ended, Outcome::Failed));
        }
    }

    #[tokio::test]
    async fn a_stored_value_that_does_not_decode_is_an_error_not_a_default() {
        for (store, _scratch) in stores().await {
            let Inserted::New(id) = insert(store.pool(), &deploy(Asked::default()), LEASE).await.unwrap() else {
                panic!()
            };
            for (column, value) in
                [("request", "{\"imagez\":[]}"), ("images", "not json"), ("verdict", "{\"summary\":3}")]
            {
                let restore: (Option<String>,) =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {column} FROM deployments WHERE id = $1")))
                        .bind(id)
                        .fetch_one(store.pool())
                        .await
                        .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE deployments SET {column} = $1 WHERE id = $2")))
                    .bind(value)
                    .bind(id)
                    .execute(store.pool())
                    .await
                    .unwrap();
                assert!(get(store.pool(), id).await.is_err(), "{column} = {value} was read as something");
                sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE deployments SET {column} = $1 WHERE id = $2")))
                    .bind(restore.0)
                    .bind(id)
                    .execute(store.pool())
                    .await
                    .unwrap();
            }
            assert!(get(store.pool(), id).await.unwrap().is_some());
        }
    }

    #[tokio::test]
    async fn a_task_ecs_forgot_is_found_in_the_newest_verdict_that_kept_it() {
        for (store, _scratch) in stores().await {
            let pool = store.pool();
            let kept = |reason: &str| shared::deploy::StoppedTask {
                task_id: "4f2b0c".into(),
                task_definition: "nginx-web:7".into(),
                stopped_reason: Some(reason.into()),
                ..Default::default()
            };
            for reason in ["first failure", "second failure"] {
                let Inserted::New(id) = insert(pool, &deploy(Asked::default()), LEASE).await.unwrap() else { panic!() };
                let verdict =
                    Verdict { summary: reason.into(), stopped_tasks: vec![kept(reason)], ..Default::default() };
                set_verdict(pool, id, &verdict).await.unwrap();
                finish(pool, id, &Ending::new(Outcome::Failed, reason)).await.unwrap();
            }
            let found = kept_task(pool, "local", "demo", "4f2b0c").await.unwrap().unwrap();
            assert_eq!(found, kept("second failure"));
            assert_eq!(kept_task(pool, "local", "other", "4f2b0c").await.unwrap(), None, "another cluster's task");
            assert_eq!(kept_task(pool, "local", "demo", "4f2b").await.unwrap(), None, "only the whole ID matches");
        }
    }
}
