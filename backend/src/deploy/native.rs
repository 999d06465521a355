//! Following a rollout by ECS's own service deployment: each poll describes the service's
//! `currentServiceDeployment` (one DescribeServiceDeployments and one DescribeServiceRevisions
//! call), except once it has ended — an ended deployment never changes, so the last answer is
//! kept until the service names another. Where the environment has no such API (the field is
//! absent), nothing is read and the rollout is followed by `deployments[]` as before.

use shared::deploy::{NativeRollout, Outcome};
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

/// A failed rollout's reason, from ECS's own record where it has one (a rollback by an alarm, a
/// hook or a person says so; `deployments[]` only says FAILED).
pub(crate) fn explain(mut ending: Ending, rollout: Option<&NativeRollout>) -> Ending {
    // ECS marks the deployment FAILED in `deployments[]` as its rollback starts; its own record
    // already has the rollback's reason then.
    let reason = rollout.and_then(|r| match r.outcome() {
        Some((Outcome::Failed, reason)) => reason,
        _ => r.rollback.as_ref().and_then(|b| b.reason.clone()).map(|why| format!("Rolled back: {why}")),
    });
    if ending.outcome == Outcome::Failed
        && let Some(reason) = reason
    {
        ending.reason = Some(match &ending.rolled_back_to {
            Some((to, _)) => format!("{reason} (back to {to})"),
            None => reason,
        });
    }
    ending
}
