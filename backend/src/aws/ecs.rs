//! The ECS calls a deployment makes: task definitions registered, listed and described (a resumed
//! deployment looks for the revision it registered), services described and updated. What the
//! task definition pages alone need (families, deregistering, the services that run a revision) is
//! in task_definitions.rs; creating and deleting services, and the service page, in services.rs.

use aws_sdk_ecs::types as sdk;
use shared::ecs::service::{ServiceDetail, ServiceUpdate};
use shared::ecs::task_definition::{Revision, TaskDefinitionSpec};

use super::AwsEnv;
use super::convert::timestamp;
use super::errors::AwsResult;
use super::service_convert::{
    add_to_body, deployment_configuration, deployment_passthrough, detail, i32_at, load_balancers, network, placement,
    strategy,
};
use super::task_definition_from_sdk::from_sdk;
use super::task_definition_to_sdk::to_sdk;
use crate::error::AppError;

/// Which revisions a list asks for: registered ones, or deregistered ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RevisionStatus {
    Active,
    Inactive,
}

impl RevisionStatus {
    fn sdk(self) -> sdk::TaskDefinitionStatus {
        match self {
            Self::Active => sdk::TaskDefinitionStatus::Active,
            Self::Inactive => sdk::TaskDefinitionStatus::Inactive,
        }
    }

    pub(super) fn family_sdk(self) -> sdk::TaskDefinitionFamilyStatus {
        match self {
            Self::Active => sdk::TaskDefinitionFamilyStatus::Active,
            Self::Inactive => sdk::TaskDefinitionFamilyStatus::Inactive,
        }
    }
}

/// `ACTIVE` (the default) or `INACTIVE`, as the API's `status` filter takes them.
pub(crate) fn status_of(text: Option<&str>) -> Result<RevisionStatus, AppError> {
    match text.unwrap_or("ACTIVE") {
        "ACTIVE" => Ok(RevisionStatus::Active),
        "INACTIVE" => Ok(RevisionStatus::Inactive),
        other => Err(AppError::BadRequest(format!("status is ACTIVE or INACTIVE, not '{other}'."))),
    }
}

pub(super) fn revision_of(td: &sdk::TaskDefinition, tags: &[sdk::Tag]) -> Revision {
    Revision {
        task_definition_arn: td.task_definition_arn().unwrap_or_default().to_string(),
        family: td.family().unwrap_or_default().to_string(),
        revision: i64::from(td.revision()),
        status: td.status().map_or("ACTIVE", |s| s.as_str()).to_string(),
        registered_at: timestamp(td.registered_at()),
        spec: from_sdk(td, tags),
    }
}

impl AwsEnv {
    pub(super) fn no_revision(&self, family: &str, revision: i64) -> AppError {
        self.no_reference(&format!("{family}:{revision}"))
    }

    fn no_reference(&self, reference: &str) -> AppError {
        AppError::NotFound(format!("No task definition {reference} in environment '{}'.", self.name()))
    }

    /// Registers a new revision of the spec's family (the spec is validated by the caller).
    #[allow(deprecated)] // inference accelerators: see task_definition_advanced.rs
    pub(crate) async fn register_task_definition(&self, spec: &TaskDefinitionSpec) -> Result<Revision, AppError> {
        let parts = to_sdk(spec).map_err(AppError::Validation)?;
        let out = self
            .ecs
            .register_task_definition()
            .family(&spec.family)
            .set_task_role_arn(spec.task_role_arn.clone())
            .set_execution_role_arn(spec.execution_role_arn.clone())
            .set_network_mode(spec.network_mode.as_deref().map(sdk::NetworkMode::from))
            .set_container_definitions(Some(parts.containers))
            .set_volumes(parts.volumes)
            .set_requires_compatibilities(
                spec.requires_compatibilities
                    .as_ref()
                    .map(|l| l.iter().map(|c| sdk::Compatibility::from(c.as_str())).collect()),
            )
            .set_cpu(spec.cpu.clone())
            .set_memory(spec.memory.clone())
            .set_tags(parts.tags)
            .set_pid_mode(spec.pid_mode.as_deref().map(sdk::PidMode::from))
            .set_ipc_mode(spec.ipc_mode.as_deref().map(sdk::IpcMode::from))
            .set_enable_fault_injection(spec.enable_fault_injection)
            .set_placement_constraints(parts.placement_constraints)
            .set_proxy_configuration(parts.proxy)
            .set_inference_accelerators(parts.inference_accelerators)
            .set_ephemeral_storage(parts.ephemeral_storage)
            .set_runtime_platform(parts.runtime_platform)
            .send()
            .await
            .or_aws(self.cx("ecs:RegisterTaskDefinition"))?;
        let td =
            out.task_definition().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no task definition returned")))?;
        Ok(revision_of(td, out.tags()))
    }

    /// Revision numbers of one family in `status`, newest first.
    pub(crate) async fn list_revisions(&self, family: &str, status: RevisionStatus) -> Result<Vec<i64>, AppError> {
        let arns: Vec<String> = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(status.sdk())
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecs:ListTaskDefinitions"))?;
        // familyPrefix is a prefix: keep the family itself, not `web-api` for `web`.
        let mut revisions: Vec<i64> = arns
            .iter()
            .filter_map(|arn| arn.rsplit_once("task-definition/")?.1.rsplit_once(':'))
            .filter(|(f, _)| *f == family)
            .filter_map(|(_, r)| r.parse().ok())
            .collect();
        revisions.sort_unstable_by(|a, b| b.cmp(a));
        Ok(revisions)
    }

    /// `family` (its latest ACTIVE revision), `family:revision` or an ARN.
    pub(crate) async fn describe_task_definition_ref(&self, reference: &str) -> Result<Revision, AppError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(reference)
            .include(sdk::TaskDefinitionField::Tags)
            .send()
            .await
            .or_aws_on(self.cx("ecs:DescribeTaskDefinition"), "ClientException", || self.no_reference(reference))?;
        let td = out.task_definition().ok_or_else(|| self.no_reference(reference))?;
        Ok(revision_of(td, out.tags()))
    }

    pub(crate) async fn describe_revision(&self, family: &str, revision: i64) -> Result<Revision, AppError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(format!("{family}:{revision}"))
            .include(sdk::TaskDefinitionField::Tags)
            .send()
            .await
            .or_aws_on(self.cx("ecs:DescribeTaskDefinition"), "ClientException", || {
                self.no_revision(family, revision)
            })?;
        let td = out.task_definition().ok_or_else(|| self.no_revision(family, revision))?;
        Ok(revision_of(td, out.tags()))
    }

    /// The service as ECS describes it (a deployment's starting point and each step's check).
    pub(crate) async fn describe_service(&self, cluster: &str, name: &str) -> Result<ServiceDetail, AppError> {
        let out = self.ecs.describe_services().cluster(cluster).services(name).send().await.or_aws_on(
            self.cx("ecs:DescribeServices"),
            "ClusterNotFoundException",
            || self.no_service(cluster, name),
        )?;
        out.services()
            .iter()
            .find(|s| s.status() != Some("INACTIVE"))
            .map(detail)
            .ok_or_else(|| self.no_service(cluster, name))
    }

    /// UpdateService: a deployment's last step (and a settings change or an update-service
    /// document from the service page).
    pub(crate) async fn update_service(&self, update: &ServiceUpdate) -> Result<ServiceDetail, AppError> {
        let cluster = update.cluster.clone().unwrap_or_else(|| "default".into());
        let (constraints, strategies) = placement(&update.placement_constraints, &update.placement_strategy);
        let extra = deployment_passthrough(update.deployment_configuration.as_ref());
        let out = self
            .ecs
            .update_service()
            .cluster(&cluster)
            .service(&update.service)
            .set_desired_count(i32_at(update.desired_count, "desiredCount")?)
            .set_task_definition(update.task_definition.clone())
            .set_capacity_provider_strategy(update.capacity_provider_strategy.as_deref().map(strategy).transpose()?)
            .set_deployment_configuration(
                update.deployment_configuration.as_ref().map(deployment_configuration).transpose()?,
            )
            .set_network_configuration(update.network_configuration.as_ref().map(network).transpose()?.flatten())
            .set_placement_constraints(constraints)
            .set_placement_strategy(strategies)
            .set_platform_version(update.platform_version.clone())
            .set_force_new_deployment(update.force_new_deployment)
            .set_health_check_grace_period_seconds(i32_at(
                update.health_check_grace_period_seconds,
                "healthCheckGracePeriodSeconds",
            )?)
            .set_enable_execute_command(update.enable_execute_command)
            .set_enable_ecs_managed_tags(update.enable_ecs_managed_tags)
            .set_load_balancers(update.load_balancers.as_deref().map(load_balancers).transpose()?)
            .set_propagate_tags(update.propagate_tags.as_deref().map(sdk::PropagateTags::from))
            .customize()
            .mutate_request(move |request| add_to_body(request, &extra))
            .send()
            .await
            .or_aws_on(self.cx("ecs:UpdateService"), "ServiceNotFoundException", || {
                self.no_service(&cluster, &update.service)
            })?;
        out.service().map(detail).ok_or_else(|| self.no_service(&cluster, &update.service))
    }
}
