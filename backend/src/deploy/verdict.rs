//! Reads a failed rollout's verdict while ECS still has it: the target revision's stopped tasks
//! (ECS forgets them within about an hour) and the circuit breaker's count and threshold.

use shared::deploy::{KEPT_TASKS, StoppedTask, Verdict, circuit_breaker_threshold, failed_by_itself, summarize};
use shared::ecs::service::ServiceDetail;

use super::records::Row;
use crate::aws::AwsEnv;

pub(crate) async fn read(
    aws: &AwsEnv,
    row: &Row,
    ecs_id: &str,
    service: Option<&ServiceDetail>,
    reason: Option<&str>,
) -> Verdict {
    let deployment = service.and_then(|s| s.deployments.iter().find(|d| d.id == ecs_id));
    let target = row.to_task_definition.as_deref().unwrap_or_default();
    let stopped = match aws.stopped_tasks(&row.cluster, &row.service).await {
        Ok(tasks) => tasks,
        Err(e) => {
            tracing::warn!(error = %e, deployment = row.id, "reading a failed rollout's stopped tasks");
            Vec::new()
        }
    };
    let mut stopped_tasks: Vec<StoppedTask> = stopped
        .into_iter()
        .filter(|t| t.task_definition == target)
        .map(|t| StoppedTask {
            task_id: t.task_id,
            task_definition: t.task_definition,
            stop_code: t.stop_code,
            stopped_reason: t.stopped_reason,
            stopped_at: t.stopped_at,
            containers: t.containers,
        })
        .collect();
    // The tasks that failed by themselves first (newest first within each kind), then the rest.
    stopped_tasks.sort_by_key(|t| !failed_by_itself(t));
    stopped_tasks.truncate(KEPT_TASKS);
    crate::logs::kept::last_lines(aws, &mut stopped_tasks).await;
    let failed_tasks = deployment.map(|d| d.failed_tasks);
    let desired = deployment.map(|d| d.desired_count);
    let breaker = service
        .and_then(|s| s.deployment_configuration.as_ref())
        .and_then(|c| c.deployment_circuit_breaker.as_ref())
        .is_some_and(|b| b.enable);
    let fallback = reason.unwrap_or("The rollout failed.");
    Verdict {
        summary: summarize(failed_tasks, desired, &stopped_tasks, fallback),
        failed_tasks,
        threshold: desired.filter(|_| breaker).map(circuit_breaker_threshold),
        desired,
        stopped_tasks,
    }
}
