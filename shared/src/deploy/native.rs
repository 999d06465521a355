//! A service deployment as ECS itself runs and records it (DescribeServiceDeployments): its
//! lifecycle stage, the source and target revisions with their counts and traffic weights, the
//! circuit breaker and alarms watching it, and the lifecycle hooks it ran or waits at. Berth
//! follows a rollout by this where the environment has the API (`currentServiceDeployment` on the
//! service), and by the service's `deployments[]` where it doesn't.

use serde::{Deserialize, Serialize};

use super::model::Outcome;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NativeRollout {
    pub arn: String,
    /// PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED,
    /// ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED.
    pub status: String,
    pub status_reason: Option<String>,
    /// RECONCILE_SERVICE, PRE_SCALE_UP, SCALE_UP, …, BAKE_TIME, CLEAN_UP.
    pub stage: Option<String>,
    /// ROLLING, BLUE_GREEN, LINEAR or CANARY (absent: ROLLING).
    pub strategy: Option<String>,
    pub bake_time_in_minutes: Option<i64>,
    pub source: Vec<RevisionCounts>,
    pub target: Option<RevisionCounts>,
    /// RFC 3339.
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub circuit_breaker: Option<Monitor>,
    pub alarms: Option<AlarmMonitor>,
    pub hooks: Vec<HookState>,
    pub rollback: Option<NativeRollback>,
    /// Unix ms when Berth first saw the current stage (the bake timer counts from it).
    pub stage_seen_at_ms: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RevisionCounts {
    pub arn: String,
    /// The task definition it runs (`family:revision`), when Berth read the revision.
    pub task_definition: Option<String>,
    pub requested: i64,
    pub running: i64,
    pub pending: i64,
    pub test_traffic_weight: Option<f64>,
    pub production_traffic_weight: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Monitor {
    /// TRIGGERED, MONITORING, MONITORING_COMPLETE or DISABLED.
    pub status: String,
    pub failure_count: i64,
    pub threshold: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AlarmMonitor {
    pub status: String,
    pub alarm_names: Vec<String>,
    pub triggered: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HookState {
    pub hook_id: String,
    /// PAUSE or AWS_LAMBDA.
    pub target_type: String,
    /// AWAITING_ACTION, IN_PROGRESS, SUCCEEDED, FAILED or TIMED_OUT.
    pub status: String,
    /// RFC 3339: when ECS takes the timeout action.
    pub expires_at: Option<String>,
    /// CONTINUE or ROLLBACK.
    pub timeout_action: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NativeRollback {
    pub reason: Option<String>,
    pub started_at: Option<String>,
    pub revision_arn: Option<String>,
}

/// One target of a target group in front of the service (DescribeTargetHealth): a task's
/// instance and port (bridge, host) or IP and port (awsvpc), and how the load balancer sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TargetHealth {
    pub target_group: String,
    /// `primary` (the load balancer's target group) or `alternate` (blue/green's second one).
    pub role: String,
    /// `i-0abc…:32768` or `10.0.1.7:80`.
    pub target: String,
    /// initial, healthy, unhealthy, unused, draining or unavailable.
    pub state: String,
    /// e.g. `Target.DeregistrationInProgress`, `Elb.InitialHealthChecking`.
    pub reason: Option<String>,
    pub description: Option<String>,
    /// The service's task behind the target (its id), when one of its running tasks answers there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

/// Names the task behind each target: the task whose own IP (awsvpc) is the target's id, or whose
/// instance (bridge, host) is the target's id with a container bound to the target's port.
pub fn match_targets(targets: &mut [TargetHealth], tasks: &[crate::ecs::task::TaskDetail]) {
    for t in targets.iter_mut() {
        let (id, port) = match t.target.rsplit_once(':') {
            Some((id, port)) => (id, port.parse::<i64>().ok()),
            None => (t.target.as_str(), None),
        };
        let found = tasks.iter().find(|task| {
            let own_ip = task.private_ip.as_deref() == Some(id);
            let on_instance = task.host.as_ref().and_then(|h| h.ec2_instance_id.as_deref()) == Some(id)
                && task.containers.iter().flat_map(|c| &c.network_bindings).any(|b| Some(b.host_port) == port);
            own_ip || on_instance
        });
        t.task = found.map(|task| task.task_id.clone());
    }
}

/// The statuses after which ECS changes nothing more.
pub const FINAL_STATUSES: [&str; 4] = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];

impl NativeRollout {
    pub fn is_over(&self) -> bool {
        FINAL_STATUSES.contains(&self.status.as_str())
    }

    /// The PAUSE hook waiting for someone to continue or roll back, if any.
    pub fn awaiting_approval(&self) -> Option<&HookState> {
        if self.is_over() {
            return None;
        }
        self.hooks.iter().find(|h| h.target_type == "PAUSE" && h.status == "AWAITING_ACTION")
    }

    /// Why ECS rolled it back or stopped it: the rollback's reason, else the status reason.
    pub fn why(&self) -> Option<String> {
        let reason = self.rollback.as_ref().and_then(|r| r.reason.clone()).or_else(|| self.status_reason.clone());
        reason.map(|r| r.trim_end_matches('.').to_string()).filter(|r| !r.is_empty())
    }

    /// Berth's outcome for ECS's status, with the reason a failure gets (`None` while it runs).
    pub fn outcome(&self) -> Option<(Outcome, Option<String>)> {
        let told = |what: &str| {
            Some(match self.why() {
                Some(why) => format!("{what}: {why}."),
                None => format!("{what}."),
            })
        };
        match self.status.as_str() {
            "SUCCESSFUL" => Some((Outcome::Succeeded, None)),
            "ROLLBACK_SUCCESSFUL" => Some((Outcome::Failed, told("Rolled back"))),
            "ROLLBACK_FAILED" => Some((Outcome::Failed, told("The rollback failed"))),
            "STOPPED" => Some((Outcome::Failed, told("Stopped"))),
            _ => None,
        }
    }
}

/// A stop of a deployment (StopServiceDeployment): ROLLBACK goes back to the source revision;
/// ABORT leaves the tasks as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopRollout {
    /// `ROLLBACK` (the default) or `ABORT`.
    #[serde(default)]
    pub stop_type: Option<String>,
}

/// An answer to a PAUSE hook (ContinueServiceDeployment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApproveRollout {
    /// `CONTINUE` or `ROLLBACK`.
    pub action: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollout(status: &str) -> NativeRollout {
        NativeRollout { status: status.into(), ..NativeRollout::default() }
    }

    #[test]
    fn statuses_map_to_outcomes_with_the_rollback_reason() {
        assert_eq!(rollout("IN_PROGRESS").outcome(), None);
        assert_eq!(rollout("SUCCESSFUL").outcome(), Some((Outcome::Succeeded, None)));
        let mut r = rollout("ROLLBACK_SUCCESSFUL");
        r.rollback = Some(NativeRollback { reason: Some("alarm web-5xx triggered".into()), ..Default::default() });
        assert_eq!(r.outcome(), Some((Outcome::Failed, Some("Rolled back: alarm web-5xx triggered.".into()))));
        assert_eq!(rollout("STOPPED").outcome(), Some((Outcome::Failed, Some("Stopped.".into()))));
    }

    #[test]
    fn targets_are_matched_to_the_task_on_that_instance_and_port_or_ip() {
        use crate::ecs::task::{PortBinding, TaskContainer, TaskDetail, TaskHost};
        let on = |id: &str, instance: &str, port: i64| TaskDetail {
            task_id: id.into(),
            host: Some(TaskHost { ec2_instance_id: Some(instance.into()), ..TaskHost::default() }),
            containers: vec![TaskContainer {
                network_bindings: vec![PortBinding { container_port: 80, host_port: port, protocol: "tcp".into() }],
                ..TaskContainer::default()
            }],
            ..TaskDetail::default()
        };
        let awsvpc = TaskDetail { task_id: "t3".into(), private_ip: Some("10.0.1.7".into()), ..TaskDetail::default() };
        let tasks = [on("t1", "i-a", 32768), on("t2", "i-a", 32769), awsvpc];
        let target = |t: &str| TargetHealth { target: t.into(), ..TargetHealth::default() };
        let mut targets =
            [target("i-a:32769"), target("i-a:32768"), target("10.0.1.7:80"), target("i-b:32768"), target("i-a")];
        match_targets(&mut targets, &tasks);
        let found: Vec<Option<&str>> = targets.iter().map(|t| t.task.as_deref()).collect();
        assert_eq!(found, [Some("t2"), Some("t1"), Some("t3"), None, None]);
    }

    #[test]
    fn a_pause_hook_awaiting_action_is_an_approval_until_the_rollout_ends() {
        let mut r = rollout("IN_PROGRESS");
        r.hooks.push(HookState {
            hook_id: "h".into(),
            target_type: "PAUSE".into(),
            status: "AWAITING_ACTION".into(),
            ..Default::default()
        });
        assert_eq!(r.awaiting_approval().map(|h| h.hook_id.as_str()), Some("h"));
        r.status = "STOPPED".into();
        assert!(r.awaiting_approval().is_none());
    }
}
