//! Deployments made outside Berth (AWS CLI, console, another tool): a PRIMARY ECS deployment that
//! no record knows is recorded as `external` when a poll sees it, and ended when its rollout ends,
//! so the history has no holes.

use shared::deploy::{DeployedImage, DeploymentKind, Outcome};
use shared::ecs::service::{Deployment, ServiceDetail};

use crate::auth::Principal;
use crate::aws::AwsEnv;
use crate::error::AppError;
use crate::store::StoreResult;

use super::key::ServiceKey;
use super::records::{self, Documents, Ending, External};

pub(crate) fn ms_of(rfc3339: Option<&str>) -> Option<i64> {
    let t = time::OffsetDateTime::parse(rfc3339?, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// How ECS says a rollout ended, if it has.
pub(crate) fn ending_of(d: &Deployment) -> Option<Ending> {
    let outcome = match d.rollout_state.as_deref() {
        Some("COMPLETED") => Outcome::Succeeded,
        Some("FAILED") => Outcome::Failed,
        _ => return None,
    };
    let reason = d.rollout_state_reason.clone();
    Some(Ending { outcome, reason, rolled_back_to: None, ended_at: ms_of(d.updated_at.as_deref()) })
}

/// Records the service's PRIMARY deployment if no record knows it, and ends the records it
/// replaced. `deploying`: Berth's own deployment of the service is about to update it (its current
/// deployment is then recorded first, as the history's starting point). `by`: (actor, via) when a
/// service update made in Berth started it; otherwise it was made outside Berth. `aws`: to keep
/// the new record's task definitions and images (for its diff), as Berth's own deployments do.
pub(crate) async fn observe(
    pool: &crate::store::Db,
    aws: Option<&AwsEnv>,
    key: &ServiceKey,
    service: &ServiceDetail,
    deploying: bool,
    by: Option<(&str, &str)>,
) -> StoreResult<()> {
    let Some(primary) = service.deployments.iter().find(|d| d.status == "PRIMARY") else { return Ok(()) };
    end_replaced(pool, key, service, primary).await?;
    if let Some(row) = records::by_ecs_deployment(pool, &primary.id).await? {
        if let Some((actor, via)) = by {
            records::claim_external(pool, row.id, actor, via).await?;
        }
        if matches!(row.kind, DeploymentKind::External | DeploymentKind::Create)
            && row.ended_at.is_none()
            && let Some(ending) = ending_of(primary)
        {
            records::finish(pool, row.id, &ending).await?;
        }
        return Ok(());
    }
    let mut latest = records::latest_of(pool, &key.environment, &key.cluster, &key.service).await?;
    if latest.is_none()
        && let Some(aws) = aws
    {
        import_native_history(pool, aws, key, service).await?;
        latest = records::latest_of(pool, &key.environment, &key.cluster, &key.service).await?;
    }
    // What ran before: the deployment ECS is draining, else the last record's revision.
    let draining = service.deployments.iter().find(|d| d.status != "PRIMARY").map(|d| d.task_definition.clone());
    let from = draining.or_else(|| latest.and_then(|l| l.rolled_back_to.or(l.to_task_definition)));
    let documents = match aws {
        Some(aws) => documents(aws, from.as_deref(), &primary.task_definition).await,
        None => Documents::default(),
    };
    // Not while Berth deploys the service: the deployment it started is not yet known by id.
    let inserted = records::insert_external(
        pool,
        &External {
            environment: &key.environment,
            cluster: &key.cluster,
            service: &key.service,
            kind: DeploymentKind::External,
            ecs_deployment_id: &primary.id,
            from_task_definition: from.as_deref(),
            to_task_definition: &primary.task_definition,
            started_at: ms_of(primary.created_at.as_deref()).unwrap_or_else(records::now_ms),
            deploying,
            by,
            documents,
        },
    )
    .await?;
    if let (Some(id), Some(ending)) = (inserted, ending_of(primary)) {
        records::finish(pool, id, &ending).await?;
    }
    Ok(())
}

/// How far back ECS keeps a service's deployments.
const NATIVE_HISTORY_DAYS: i64 = 90;

/// The first time Berth sees a service, its history starts with what ECS itself recorded (up to
/// 90 days of service deployments, where the environment has them): each ended one becomes an
/// external record with ECS's outcome and reason. The current one is recorded as any other
/// (it is followed). Best effort: an environment without the API leaves nothing to import.
async fn import_native_history(
    pool: &crate::store::Db,
    aws: &AwsEnv,
    key: &ServiceKey,
    service: &ServiceDetail,
) -> StoreResult<()> {
    let since = records::now_ms() - NATIVE_HISTORY_DAYS * shared::deploy::DAY_MS;
    let rollouts = match aws.service_rollouts(&key.cluster, &key.service, since).await {
        Ok(found) => found,
        Err(e) => {
            tracing::info!(error = ?e, service = %key.service, "no native deployment history to import");
            return Ok(());
        }
    };
    for rollout in rollouts {
        if Some(&rollout.arn) == service.current_service_deployment.as_ref() {
            continue;
        }
        let (Some((outcome, reason)), Some(to)) =
            (rollout.outcome(), rollout.target.as_ref().and_then(|t| t.task_definition.clone()))
        else {
            continue;
        };
        let from = rollout.source.first().and_then(|s| s.task_definition.clone());
        let inserted = records::insert_external(
            pool,
            &External {
                environment: &key.environment,
                cluster: &key.cluster,
                service: &key.service,
                kind: DeploymentKind::External,
                ecs_deployment_id: &rollout.arn,
                from_task_definition: from.as_deref(),
                to_task_definition: &to,
                started_at: ms_of(rollout.started_at.as_deref()).unwrap_or_else(records::now_ms),
                deploying: false,
                by: None,
                documents: Documents::default(),
            },
        )
        .await?;
        if let Some(id) = inserted {
            let ending =
                Ending { outcome, reason, rolled_back_to: None, ended_at: ms_of(rollout.finished_at.as_deref()) };
            records::finish(pool, id, &ending).await?;
        }
    }
    Ok(())
}

/// Records Berth only follows (external, create) whose ECS deployment is no longer PRIMARY end as
/// ECS says, or SUPERSEDED: a replaced deployment never stays IN_PROGRESS.
async fn end_replaced(
    pool: &crate::store::Db,
    key: &ServiceKey,
    service: &ServiceDetail,
    primary: &Deployment,
) -> StoreResult<()> {
    for row in records::open_followed(pool, &key.environment, &key.cluster, &key.service).await? {
        let Some(ecs_id) = row.ecs_deployment_id.as_deref().filter(|id| *id != primary.id) else { continue };
        let seen = service.deployments.iter().find(|d| d.id == ecs_id);
        let ending = seen.and_then(ending_of).unwrap_or_else(|| Ending {
            outcome: Outcome::Superseded,
            reason: Some(format!(
                "Deployment {} ({}) replaced it before its rollout ended.",
                primary.id, primary.task_definition
            )),
            rolled_back_to: None,
            ended_at: ms_of(primary.created_at.as_deref()),
        });
        records::finish(pool, row.id, &ending).await?;
    }
    Ok(())
}

/// The revisions' documents and images, as a Berth deployment keeps them (best effort: a
/// revision AWS no longer describes is left out).
pub(crate) async fn documents(aws: &AwsEnv, from: Option<&str>, to: &str) -> Documents {
    let mut kept = Documents::default();
    if let Some(from) = from
        && let Ok(before) = aws.describe_task_definition_ref(from).await
    {
        kept.from_spec = Some(before.spec);
    }
    let Ok(after) = aws.describe_task_definition_ref(to).await else { return kept };
    let mut images: Vec<DeployedImage> = after
        .spec
        .container_definitions
        .iter()
        .map(|c| DeployedImage { container: c.name.clone(), image: c.image.clone(), ..Default::default() })
        .collect();
    super::engine::resolve(aws, &mut images).await;
    kept.to_spec = Some(after.spec);
    kept.images = images;
    kept
}

/// Every `every`, each service of each environment is checked once (ListClusters, ListServices,
/// DescribeServices 10 at a time), so a deployment made outside Berth is recorded even when nobody
/// has its page open. Among replicas, the one that leads the job sweeps.
pub(crate) async fn sweep(
    environments: std::sync::Arc<crate::aws::Environments>,
    pool: crate::store::Db,
    every: std::time::Duration,
    mut candidate: crate::replicas::Candidate,
) {
    loop {
        tokio::time::sleep(every).await;
        if !candidate.lead().await {
            continue;
        }
        for info in environments.list() {
            let Ok(aws) = environments.get(&info.name) else { continue };
            let services = match aws.all_services().await {
                Ok(services) => services,
                Err(e) => {
                    tracing::warn!(environment = %info.name, error = %e, "sweeping services for external deployments");
                    continue;
                }
            };
            for service in services {
                let key = ServiceKey {
                    environment: info.name.clone(),
                    cluster: service.cluster.clone(),
                    service: service.service_name.clone(),
                };
                if let Err(e) = observe(&pool, Some(aws), &key, &service, false, None).await {
                    tracing::error!(error = ?e, "recording an external deployment");
                }
            }
        }
    }
}

impl super::Deployer {
    /// A service update made in Berth (settings, an update-service document) that started a new
    /// ECS deployment is recorded with who made it, not as made outside Berth.
    pub(crate) async fn note_service_update(
        &self,
        principal: &Principal,
        environment: &str,
        before: &ServiceDetail,
        after: &ServiceDetail,
    ) -> Result<(), AppError> {
        let primary = |s: &ServiceDetail| s.deployments.iter().find(|d| d.status == "PRIMARY").map(|d| d.id.clone());
        if primary(after).is_none() || primary(after) == primary(before) {
            return Ok(());
        }
        let key = ServiceKey {
            environment: environment.to_string(),
            cluster: after.cluster.clone(),
            service: after.service_name.clone(),
        };
        let via = principal.via_label();
        let aws = self.environments.get(environment).ok();
        let pool = self.store.pool();
        // What ran before is the history's starting point if Berth had not seen it yet (a
        // rollback needs it as the last good release).
        observe(pool, aws, &key, before, false, None).await?;
        observe(pool, aws, &key, after, false, Some((&principal.name, &via))).await?;
        Ok(())
    }

    /// A service created in Berth: its first deployment is recorded as created by the caller.
    pub(crate) async fn note_service_created(
        &self,
        principal: &Principal,
        environment: &str,
        created: &ServiceDetail,
    ) -> Result<(), AppError> {
        let Some(primary) = created.deployments.iter().find(|d| d.status == "PRIMARY") else { return Ok(()) };
        let via = principal.via_label();
        let pool = self.store.pool();
        let documents = match self.environments.get(environment) {
            Ok(aws) => documents(aws, None, &primary.task_definition).await,
            Err(_) => records::Documents::default(),
        };
        let external = records::External {
            environment,
            cluster: &created.cluster,
            service: &created.service_name,
            kind: DeploymentKind::Create,
            ecs_deployment_id: &primary.id,
            from_task_definition: None,
            to_task_definition: &primary.task_definition,
            started_at: ms_of(primary.created_at.as_deref()).unwrap_or_else(records::now_ms),
            deploying: true,
            by: Some((&principal.name, &via)),
            documents,
        };
        records::insert_external(pool, &external).await?;
        Ok(())
    }
}
