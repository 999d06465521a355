//! Deployments Berth follows without driving them: made outside Berth (AWS CLI, console, another
//! tool, or a service update made in Berth), and a service's first one when Berth created it.

use crate::store::Db;
use crate::store::Json;
use crate::store::{Doing, StoreResult};
use shared::deploy::{DeployStep, DeployedImage, DeploymentKind, Outcome};
use shared::ecs::task_definition::TaskDefinitionSpec;

use super::Asked;

/// An ECS deployment Berth did not make, as first seen.
pub(crate) struct External<'a> {
    pub environment: &'a str,
    pub cluster: &'a str,
    pub service: &'a str,
    /// `External`, or `Create` (the first deployment of a service Berth created).
    pub kind: DeploymentKind,
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

/// What a record keeps of the revisions it went between (`images` empty if unknown).
#[derive(Debug, Default)]
pub(crate) struct Documents {
    pub from_spec: Option<TaskDefinitionSpec>,
    pub to_spec: Option<TaskDefinitionSpec>,
    pub images: Vec<DeployedImage>,
}

/// Records an external deployment unless a record knows its id or Berth deploys the service right
/// now (one statement, so it can't race with a deployment that ends meanwhile), with its
/// notification in the same transaction.
pub(crate) async fn insert_external(pool: &Db, e: &External<'_>) -> StoreResult<Option<i64>> {
    let what = || format!("recording ECS deployment {} of {}/{}", e.ecs_deployment_id, e.cluster, e.service);
    let mut tx = pool.begin().await.doing(what)?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO deployments (environment, cluster, service, kind, actor, via, request, step, outcome, \
         from_task_definition, to_task_definition, ecs_deployment_id, started_at, from_spec, to_spec, images) \
         SELECT $1, $2, $3, $11, $9, $10, $15, $16, $17, $4, $5, $6, $7, $12, $13, $14 \
         WHERE NOT EXISTS (SELECT 1 FROM deployments WHERE ecs_deployment_id = $6 OR rollback_ecs_deployment_id = $6) \
         AND NOT EXISTS (SELECT 1 FROM deployments WHERE environment = $1 AND cluster = $2 AND service = $3 \
             AND ended_at IS NULL AND kind NOT IN ('external', 'create') AND $8 = 0) RETURNING id",
    )
    .bind(e.environment)
    .bind(e.cluster)
    .bind(e.service)
    .bind(e.from_task_definition)
    .bind(e.to_task_definition)
    .bind(e.ecs_deployment_id)
    .bind(e.started_at)
    .bind(i64::from(e.deploying))
    .bind(e.by.map_or(OUTSIDE.0, |b| b.0))
    .bind(e.by.map_or(OUTSIDE.1, |b| b.1))
    .bind(e.kind)
    .bind(e.documents.from_spec.as_ref().map(Json))
    .bind(e.documents.to_spec.as_ref().map(Json))
    .bind(Json(&e.documents.images))
    .bind(Json(Asked::default()))
    .bind(DeployStep::Updated)
    .bind(Outcome::InProgress)
    .fetch_optional(&mut *tx)
    .await
    .doing(what)?;
    if let Some(id) = inserted {
        crate::notify::outbox::enqueue(&mut tx, id, crate::notify::Change::Followed).await?;
    }
    tx.commit().await.doing(what)?;
    Ok(inserted)
}

/// The actor and via of a deployment made outside Berth.
pub(crate) const OUTSIDE: (&str, &str) = ("external", "outside Berth");

/// Names who made a deployment a poll recorded as made outside Berth (a service update made in
/// Berth that a poll saw first).
pub(crate) async fn claim_external(pool: &Db, id: i64, actor: &str, via: &str) -> StoreResult<()> {
    sqlx::query("UPDATE deployments SET actor = $2, via = $3 WHERE id = $1 AND kind = $5 AND actor = $4")
        .bind(id)
        .bind(actor)
        .bind(via)
        .bind(OUTSIDE.0)
        .bind(DeploymentKind::External)
        .execute(pool)
        .await
        .doing(|| format!("naming {actor} as who made deployment #{id}"))?;
    Ok(())
}
