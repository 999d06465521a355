//! Will a change to a service place? The scale control, the deploy dialog and preview, and the
//! update-service preview ask before anything is sent; the answer is the pure check in
//! `shared::ecs::placement`, fed with the cluster's instances and where the service's tasks run.

use std::collections::HashMap;

use shared::ecs::placement::{self, Change, Placed};
use shared::ecs::service::{ServiceDetail, ServiceSpec};
use shared::ecs::task_definition::TaskDefinitionSpec;
use shared::error::FieldError;

use super::Caller;
use crate::aws::AwsEnv;
use crate::error::AppError;

/// What a change would make of the service: its settings after it (`after`), the revision its
/// tasks will run, and whether a new deployment rolls it out.
pub(crate) struct Proposal<'a> {
    pub(crate) after: &'a ServiceSpec,
    pub(crate) revision: &'a TaskDefinitionSpec,
    pub(crate) rollout: bool,
}

/// Warnings for `proposal` on `current` (none on Fargate: there are no instances to check).
pub(crate) async fn warnings(
    aws: &AwsEnv,
    current: &ServiceDetail,
    proposal: Proposal<'_>,
) -> Result<Vec<FieldError>, AppError> {
    let after = proposal.after;
    let fargate = placement::fargate_only(
        after.launch_type.as_deref(),
        after.capacity_provider_strategy.as_deref().unwrap_or_default(),
    );
    if fargate {
        return Ok(Vec::new());
    }
    let instances = aws.container_instances(&current.cluster).await?;
    let rooms: Vec<_> = instances.iter().filter_map(|i| i.room()).collect();
    let ec2_of: HashMap<&str, &str> =
        instances.iter().map(|i| (i.container_instance_id.as_str(), i.ec2_instance_id.as_str())).collect();
    let mut revisions: HashMap<String, placement::Needs> = HashMap::new();
    let mut placed = Vec::new();
    for task in aws.live_tasks(&current.cluster, &current.service_name).await? {
        let Some(instance) = task.container_instance_id.as_deref().and_then(|c| ec2_of.get(c)) else { continue };
        if !revisions.contains_key(&task.task_definition) {
            let spec = aws.describe_task_definition_ref(&task.task_definition).await?.spec;
            revisions.insert(task.task_definition.clone(), placement::needs(&spec));
        }
        placed.push(Placed { instance: instance.to_string(), needs: revisions[&task.task_definition].clone() });
    }
    let daemon = after.scheduling_strategy.as_deref() == Some("DAEMON");
    let config = after.deployment_configuration.as_ref();
    // ECS's defaults: 100/200 for REPLICA, 0/100 for DAEMON.
    let min = config.and_then(|c| c.minimum_healthy_percent).unwrap_or(if daemon { 0 } else { 100 });
    let max = config.and_then(|c| c.maximum_percent).unwrap_or(if daemon { 100 } else { 200 });
    let strategy = config.and_then(|c| c.strategy.as_deref()).unwrap_or("ROLLING");
    let change = Change {
        needs: placement::needs(proposal.revision),
        desired: after.desired_count.unwrap_or(current.desired_count),
        daemon,
        distinct: after.placement_constraints.iter().flatten().any(|c| c.kind.as_deref() == Some("distinctInstance")),
        rollout: proposal.rollout.then_some((min, max)),
        side_by_side: strategy != "ROLLING",
    };
    Ok(placement::warnings(&change, &rooms, &placed))
}

/// The check for the scale control (a new desired count) and the deploy dialog (`rollout`: the
/// service's revision rolled out again, as a deploy of new images does).
pub(crate) async fn of_service(
    caller: &Caller,
    env: &str,
    cluster: &str,
    service: &str,
    desired_count: Option<i64>,
    rollout: bool,
) -> Result<Vec<FieldError>, AppError> {
    if let Some(message) = desired_count.and_then(shared::ecs::service::desired_count_error) {
        return Err(AppError::Validation(vec![FieldError::new("desiredCount", message)]));
    }
    let aws = caller.read(env)?;
    let current = aws.describe_service(cluster, service).await?;
    let mut after = crate::aws::export_service(&current);
    if let Some(count) = desired_count {
        after.desired_count = Some(count);
    }
    let revision = aws.describe_task_definition_ref(&current.task_definition).await?.spec;
    warnings(aws, &current, Proposal { after: &after, revision: &revision, rollout }).await
}

/// A warning is advice: when the reads behind it fail (a policy without
/// ecs:ListContainerInstances, say), the preview goes on without it and the log says why.
pub(crate) fn best_effort(found: Result<Vec<FieldError>, AppError>) -> Vec<FieldError> {
    found.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "placement check skipped");
        Vec::new()
    })
}
