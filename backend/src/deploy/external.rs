//! Deployments made outside Berth (AWS CLI, console, another tool): a PRIMARY ECS deployment that
//! no record knows is recorded as `external` when a poll sees it, and ended when its rollout ends,
//! so the history has no holes.

use shared::deploy::Outcome;
use shared::ecs::service::{Deployment, ServiceDetail};

use super::hub::ServiceKey;
use super::records::{self, Ending, External};

pub fn ms_of(rfc3339: Option<&str>) -> Option<i64> {
    let t = time::OffsetDateTime::parse(rfc3339?, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// How ECS says a rollout ended, if it has.
pub fn ending_of(d: &Deployment) -> Option<Ending> {
    let outcome = match d.rollout_state.as_deref() {
        Some("COMPLETED") => Outcome::Succeeded,
        Some("FAILED") => Outcome::Failed,
        _ => return None,
    };
    let reason = d.rollout_state_reason.clone();
    Some(Ending { outcome, reason, rolled_back_to: None, ended_at: ms_of(d.updated_at.as_deref()) })
}

/// Records the service's PRIMARY deployment if no record knows it. `deploying`: Berth's own
/// deployment of the service is about to update it (its current deployment is then recorded first,
/// as the history's starting point). `by`: (actor, via) when a service update made in Berth started
/// it; otherwise it was made outside Berth.
pub async fn observe(
    pool: &sqlx::SqlitePool,
    key: &ServiceKey,
    service: &ServiceDetail,
    deploying: bool,
    by: Option<(&str, &str)>,
) -> sqlx::Result<()> {
    let Some(primary) = service.deployments.iter().find(|d| d.status == "PRIMARY") else { return Ok(()) };
    if let Some(row) = records::by_ecs_deployment(pool, &primary.id).await? {
        if let Some((actor, via)) = by {
            records::claim_external(pool, row.id, actor, via).await?;
        }
        if row.kind == "external"
            && row.ended_at.is_none()
            && let Some(ending) = ending_of(primary)
        {
            records::finish(pool, row.id, &ending).await?;
        }
        return Ok(());
    }
    let latest = records::latest_of(pool, &key.environment, &key.cluster, &key.service).await?;
    // What ran before: the deployment ECS is draining, else the last record's revision.
    let draining = service.deployments.iter().find(|d| d.status != "PRIMARY").map(|d| d.task_definition.clone());
    let from = draining.or_else(|| latest.and_then(|l| l.rolled_back_to.or(l.to_task_definition)));
    // Not while Berth deploys the service: the deployment it started is not yet known by id.
    let inserted = records::insert_external(
        pool,
        &External {
            environment: &key.environment,
            cluster: &key.cluster,
            service: &key.service,
            ecs_deployment_id: &primary.id,
            from_task_definition: from.as_deref(),
            to_task_definition: &primary.task_definition,
            started_at: ms_of(primary.created_at.as_deref()).unwrap_or_else(records::now_ms),
            deploying,
            by,
        },
    )
    .await?;
    if let (Some(id), Some(ending)) = (inserted, ending_of(primary)) {
        records::finish(pool, id, &ending).await?;
    }
    Ok(())
}

/// Every `every`, each service of each environment is checked once (ListClusters, ListServices,
/// DescribeServices 10 at a time), so a deployment made outside Berth is recorded even when nobody
/// has its page open.
pub async fn sweep(
    environments: std::sync::Arc<crate::aws::Environments>,
    pool: sqlx::SqlitePool,
    every: std::time::Duration,
) {
    loop {
        tokio::time::sleep(every).await;
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
                if let Err(e) = observe(&pool, &key, &service, false, None).await {
                    tracing::error!(error = ?e, "recording an external deployment");
                }
            }
        }
    }
}
