//! Following a rollout by ECS's own service deployment: each poll describes the service's
//! `currentServiceDeployment` (one DescribeServiceDeployments and one DescribeServiceRevisions
//! call), except once it has ended — an ended deployment never changes, so the last answer is
//! kept until the service names another. Where the environment has no such API (the field is
//! absent), nothing is read and the rollout is followed by `deployments[]` as before.

use shared::deploy::{NativeRollout, Outcome, TargetHealth};
use shared::ecs::service::ServiceDetail;

use super::records::Ending;
use crate::aws::AwsEnv;

/// The service's current rollout as ECS records it, `None` where ECS doesn't (or the read failed:
/// the service page still shows; the failure is logged).
pub(crate) async fn follow(
    aws: &AwsEnv,
    service: &ServiceDetail,
    last: Option<NativeRollout>,
    now_ms: i64,
) -> Option<NativeRollout> {
    let arn = service.current_service_deployment.as_deref()?;
    if let Some(last) = &last
        && last.arn == arn
        && last.is_over()
    {
        return Some(last.clone());
    }
    let mut rollout = match aws.service_rollout(arn).await {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(error = ?e, deployment = arn, "describing a service deployment");
            return last.filter(|l| l.arn == arn);
        }
    };
    rollout.stage_seen_at_ms = match last {
        Some(last) if last.arn == rollout.arn && last.stage == rollout.stage => last.stage_seen_at_ms,
        _ => Some(now_ms),
    };
    Some(rollout)
}

/// A rollout's ending told with ECS's own record where it has one: a rollback by an alarm, a hook,
/// a stop or the circuit breaker says why (`deployments[]` only says FAILED), and a deployment ECS
/// rolled back within itself is FAILED, not replaced. `ours`: the revision the deployment rolls
/// out (its record's), so another deployment's record is never taken for it.
pub(crate) fn explain(mut ending: Ending, rollout: Option<&NativeRollout>, ours: Option<&str>) -> Ending {
    let Some(r) = rollout else { return ending };
    let is_ours = r.target.as_ref().and_then(|t| t.task_definition.as_deref()).is_some_and(|t| Some(t) == ours);
    let rolled_back = r.status.starts_with("ROLLBACK") || r.status == "STOPPED";
    if ending.outcome == Outcome::Superseded && is_ours && rolled_back {
        ending.outcome = Outcome::Failed;
        ending.rolled_back_to = None;
    }
    if ending.outcome != Outcome::Failed || !is_ours {
        return ending;
    }
    if let Some(why) = r.why() {
        ending.reason = Some(match (&ending.rolled_back_to, r.status.as_str()) {
            (Some((to, _)), _) => format!("{why}. Rolled back to {to}."),
            (None, "STOPPED" | "STOP_REQUESTED") => format!("Stopped: {why}."),
            (None, _) => format!("Rolled back: {why}."),
        });
    }
    ending
}

/// The health of the service's load balancer targets, each with the task behind it (none without
/// a load balancer; a read that fails — a role without elasticloadbalancing:DescribeTargetHealth —
/// leaves the list empty and is logged).
pub(crate) async fn targets(aws: &AwsEnv, service: &ServiceDetail) -> Vec<TargetHealth> {
    if service.load_balancers.iter().all(|l| l.target_group_arn.is_none()) {
        return Vec::new();
    }
    let mut found = aws.target_health(&service.load_balancers).await.unwrap_or_else(|e| {
        tracing::warn!(error = ?e, service = %service.service_name, "reading target health");
        Vec::new()
    });
    if !found.is_empty() {
        // Which task each target is: a failed read only leaves the column empty.
        match aws.running_tasks(&service.cluster, &service.service_name).await {
            Ok(tasks) => shared::deploy::match_targets(&mut found, &tasks),
            Err(e) => {
                tracing::warn!(error = ?e, service = %service.service_name, "reading the tasks behind the targets")
            }
        }
    }
    found
}
