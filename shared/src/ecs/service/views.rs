use serde::{Deserialize, Serialize};

use super::spec::{
    CapacityProviderStrategyItem, DeploymentConfiguration, LoadBalancer, NetworkConfiguration, PlacementStrategy,
};
use crate::ecs::task_definition::PlacementConstraint;

/// One ECS deployment of a service (PRIMARY: the one rolling out or done; ACTIVE: draining).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: String,
    pub status: String,
    /// `family:revision`.
    pub task_definition: String,
    pub desired_count: i64,
    pub running_count: i64,
    pub pending_count: i64,
    pub failed_tasks: i64,
    /// `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub rollout_state: Option<String>,
    pub rollout_state_reason: Option<String>,
    /// RFC 3339.
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceEvent {
    pub id: String,
    pub created_at: Option<String>,
    pub message: String,
}

/// A service's page: settings, deployments, events (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceDetail {
    pub service_name: String,
    pub service_arn: String,
    pub cluster: String,
    pub status: String,
    pub desired_count: i64,
    pub running_count: i64,
    pub pending_count: i64,
    /// `family:revision`.
    pub task_definition: String,
    pub launch_type: Option<String>,
    pub capacity_provider_strategy: Vec<CapacityProviderStrategyItem>,
    pub scheduling_strategy: String,
    pub deployment_configuration: Option<DeploymentConfiguration>,
    pub network_configuration: Option<NetworkConfiguration>,
    /// The target groups (or Classic Load Balancers) in front of the service's containers.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// Where ECS may put the tasks (`distinctInstance`, `memberOf`) and how it picks among those.
    #[serde(default)]
    pub placement_constraints: Vec<PlacementConstraint>,
    #[serde(default)]
    pub placement_strategy: Vec<PlacementStrategy>,
    pub enable_ecs_managed_tags: bool,
    pub propagate_tags: Option<String>,
    pub enable_execute_command: bool,
    pub health_check_grace_period_seconds: Option<i64>,
    pub created_at: Option<String>,
    pub deployments: Vec<Deployment>,
    /// ECS's current service deployment (its ARN), where the environment has ECS's native
    /// deployment history; Berth follows the rollout by it.
    #[serde(default)]
    pub current_service_deployment: Option<String>,
    pub events: Vec<ServiceEvent>,
    /// On the service page: running and pending tasks, then the most recently stopped ones (empty
    /// in the answers to create, update and scale).
    pub tasks: Vec<Task>,
}

/// A task of the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub task_id: String,
    /// `PROVISIONING`, `PENDING`, `RUNNING`, `STOPPED`, ...
    pub last_status: String,
    pub desired_status: String,
    /// `HEALTHY`, `UNHEALTHY` or `UNKNOWN` (no container health check).
    pub health_status: Option<String>,
    /// `family:revision`.
    pub task_definition: String,
    pub container_instance_id: Option<String>,
    pub started_at: Option<String>,
    pub stopped_at: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    /// Each container's state: why a task stopped is often only here (an exit code).
    #[serde(default)]
    pub containers: Vec<ContainerState>,
}

/// A container of a task, as DescribeTasks reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContainerState {
    pub name: String,
    pub last_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its last log lines, kept with a failed deployment's verdict for a container that failed
    /// (at most [`crate::logs::KEPT_LINES`]), so the failure is explained after CloudWatch
    /// retention and ECS forget it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_lines: Vec<crate::logs::LogLine>,
}

/// What applying an update-service document does (or, with `dryRun`, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UpdateOutcome {
    /// The exact revision the document's `taskDefinition` means (a bare family is its latest
    /// ACTIVE revision), sent to ECS as such; absent when the document keeps the revision.
    pub resolved_task_definition: Option<String>,
    /// The revision the service runs now.
    pub current_task_definition: String,
    /// The task definition's changes, field by field (empty when it keeps the revision).
    pub changes: Vec<crate::ecs::task_definition::Change>,
    /// What deserves a second look: the circuit breaker turned off, a revision whose latest
    /// deployment failed.
    pub warnings: Vec<crate::error::FieldError>,
    pub dry_run: bool,
    /// The service after the update (absent for a dry run).
    pub service: Option<ServiceDetail>,
}
