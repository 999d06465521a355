//! ECS's own record of service deployments (since late 2024): the rollout Berth follows by its
//! ARN, its revisions' task definitions, the history of a service Berth sees for the first time,
//! and the two answers a deployer gives ECS — stop (StopServiceDeployment) and continue or roll
//! back at a PAUSE hook (ContinueServiceDeployment).

use aws_sdk_ecs::types as sdk;
use shared::deploy::{AlarmMonitor, HookState, Monitor, NativeRollback, NativeRollout, RevisionCounts};

use super::AwsEnv;
use super::chunks::describe_in_chunks;
use super::convert::{last_segment, timestamp};
use super::errors::AwsResult;
use crate::error::AppError;

/// DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs a call.
const DESCRIBE_MAX: usize = 20;

impl AwsEnv {
    /// The service deployment `arn`, with its revisions' task definitions; `None` if ECS has no
    /// such deployment.
    pub(crate) async fn service_rollout(&self, arn: &str) -> Result<Option<NativeRollout>, AppError> {
        let mut found = self.describe_rollouts(&[arn.to_string()]).await?;
        Ok(found.pop())
    }

    async fn describe_rollouts(&self, arns: &[String]) -> Result<Vec<NativeRollout>, AppError> {
        let described = describe_in_chunks(arns, DESCRIBE_MAX, |chunk| async move {
            let out = self
                .ecs
                .describe_service_deployments()
                .set_service_deployment_arns(Some(chunk))
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeServiceDeployments"))?;
            Ok(out.service_deployments().iter().map(rollout_of).collect::<Vec<_>>())
        })
        .await?;
        self.name_revisions(described).await
    }

    /// Fills each revision's task definition (DescribeServiceRevisions, one call per 20).
    async fn name_revisions(&self, mut rollouts: Vec<NativeRollout>) -> Result<Vec<NativeRollout>, AppError> {
        let mut arns: Vec<String> =
            rollouts.iter().flat_map(|r| r.source.iter().chain(r.target.iter()).map(|c| c.arn.clone())).collect();
        arns.sort();
        arns.dedup();
        let revisions = describe_in_chunks(&arns, DESCRIBE_MAX, |chunk| async move {
            let out = self
                .ecs
                .describe_service_revisions()
                .set_service_revision_arns(Some(chunk))
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeServiceRevisions"))?;
            Ok(out
                .service_revisions()
                .iter()
                .map(|r| {
                    let arn = r.service_revision_arn().unwrap_or_default().to_string();
                    (arn, r.task_definition().map(|t| last_segment(t).to_string()))
                })
                .collect::<Vec<_>>())
        })
        .await?;
        for rollout in &mut rollouts {
            for counts in rollout.source.iter_mut().chain(rollout.target.iter_mut()) {
                counts.task_definition = revisions.iter().find(|(a, _)| *a == counts.arn).and_then(|(_, t)| t.clone());
            }
        }
        Ok(rollouts)
    }

    /// ECS's deployments of the service created since `after_ms` (ECS keeps 90 days), oldest
    /// first.
    pub(crate) async fn service_rollouts(
        &self,
        cluster: &str,
        service: &str,
        after_ms: i64,
    ) -> Result<Vec<NativeRollout>, AppError> {
        let after = aws_sdk_ecs::primitives::DateTime::from_millis(after_ms);
        let mut arns = Vec::new();
        let mut next = None;
        loop {
            let page = self
                .ecs
                .list_service_deployments()
                .cluster(cluster)
                .service(service)
                .created_at(sdk::CreatedAt::builder().after(after).build())
                .set_next_token(next)
                .send()
                .await
                .or_aws(self.cx("ecs:ListServiceDeployments"))?;
            arns.extend(
                page.service_deployments().iter().filter_map(|b| b.service_deployment_arn().map(str::to_string)),
            );
            next = page.next_token().map(str::to_string);
            if next.is_none() {
                break;
            }
        }
        let mut rollouts = self.describe_rollouts(&arns).await?;
        rollouts.sort_by(|a, b| a.started_at.cmp(&b.started_at));
        Ok(rollouts)
    }

    /// StopServiceDeployment: `ROLLBACK` to the source revision, or `ABORT` where it is.
    pub(crate) async fn stop_rollout(&self, arn: &str, stop_type: &str) -> Result<(), AppError> {
        self.ecs
            .stop_service_deployment()
            .service_deployment_arn(arn)
            .stop_type(sdk::StopServiceDeploymentStopType::from(stop_type))
            .send()
            .await
            .or_aws(self.cx("ecs:StopServiceDeployment"))?;
        Ok(())
    }

    /// ContinueServiceDeployment: the answer to the PAUSE hook `hook_id` (`CONTINUE` or `ROLLBACK`).
    pub(crate) async fn answer_hook(&self, arn: &str, hook_id: &str, action: &str) -> Result<(), AppError> {
        self.ecs
            .continue_service_deployment()
            .service_deployment_arn(arn)
            .hook_id(hook_id)
            .action(sdk::DeploymentLifecycleHookAction::from(action))
            .send()
            .await
            .or_aws(self.cx("ecs:ContinueServiceDeployment"))?;
        Ok(())
    }
}

fn counts_of(r: &sdk::ServiceRevisionSummary) -> RevisionCounts {
    RevisionCounts {
        arn: r.arn().unwrap_or_default().to_string(),
        task_definition: None,
        requested: r.requested_task_count().into(),
        running: r.running_task_count().into(),
        pending: r.pending_task_count().into(),
        test_traffic_weight: r.requested_test_traffic_weight(),
        production_traffic_weight: r.requested_production_traffic_weight(),
    }
}

fn rollout_of(d: &sdk::ServiceDeployment) -> NativeRollout {
    let config = d.deployment_configuration();
    NativeRollout {
        arn: d.service_deployment_arn().unwrap_or_default().to_string(),
        status: d.status().map_or("PENDING", |s| s.as_str()).to_string(),
        status_reason: d.status_reason().map(str::to_string),
        stage: d.lifecycle_stage().map(|s| s.as_str().to_string()),
        strategy: config.and_then(|c| c.strategy()).map(|s| s.as_str().to_string()),
        bake_time_in_minutes: config.and_then(|c| c.bake_time_in_minutes()).map(i64::from),
        source: d.source_service_revisions().iter().map(counts_of).collect(),
        target: d.target_service_revision().map(counts_of),
        started_at: timestamp(d.started_at().or(d.created_at())),
        finished_at: timestamp(d.finished_at().or(d.stopped_at())),
        circuit_breaker: d.deployment_circuit_breaker().map(|b| Monitor {
            status: b.status().map_or("DISABLED", |s| s.as_str()).to_string(),
            failure_count: b.failure_count().into(),
            threshold: b.threshold().into(),
        }),
        alarms: d.alarms().map(|a| AlarmMonitor {
            status: a.status().map_or("DISABLED", |s| s.as_str()).to_string(),
            alarm_names: a.alarm_names().to_vec(),
            triggered: a.triggered_alarm_names().to_vec(),
        }),
        hooks: d
            .lifecycle_hook_details()
            .iter()
            .map(|h| HookState {
                hook_id: h.hook_id().unwrap_or_default().to_string(),
                target_type: h.target_type().map_or("", |t| t.as_str()).to_string(),
                status: h.status().map_or("", |s| s.as_str()).to_string(),
                expires_at: timestamp(h.expires_at()),
                timeout_action: h.timeout_action().map(|a| a.as_str().to_string()),
            })
            .collect(),
        rollback: d.rollback().map(|r| NativeRollback {
            reason: r.reason().map(str::to_string),
            started_at: timestamp(r.started_at()),
            revision_arn: r.service_revision_arn().map(str::to_string),
        }),
        stage_seen_at_ms: None,
    }
}
