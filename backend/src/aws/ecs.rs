//! ECS task definitions: register, list, describe, deregister. Lists use the SDK's paginators.

use aws_sdk_ecs::error::ProvideErrorMetadata;
use aws_sdk_ecs::primitives::DateTimeFormat;
use aws_sdk_ecs::types as sdk;
use shared::ecs::task_definition::{Revision, ServiceUse, TaskDefinitionSpec};

use super::AwsEnv;
use super::errors::map_sdk_error;
use super::task_definition_convert::{from_sdk, to_sdk};
use crate::error::AppError;

/// `ACTIVE` or `INACTIVE`, as the API's `status` filter takes them.
pub fn status_of(text: Option<&str>) -> Result<sdk::TaskDefinitionStatus, AppError> {
    match text.unwrap_or("ACTIVE") {
        "ACTIVE" => Ok(sdk::TaskDefinitionStatus::Active),
        "INACTIVE" => Ok(sdk::TaskDefinitionStatus::Inactive),
        other => Err(AppError::BadRequest(format!("status is ACTIVE or INACTIVE, not '{other}'."))),
    }
}

fn revision_of(td: &sdk::TaskDefinition, tags: &[sdk::Tag]) -> Revision {
    Revision {
        task_definition_arn: td.task_definition_arn().unwrap_or_default().to_string(),
        family: td.family().unwrap_or_default().to_string(),
        revision: i64::from(td.revision()),
        status: td.status().map_or("ACTIVE", |s| s.as_str()).to_string(),
        registered_at: td.registered_at().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
        spec: from_sdk(td, tags),
    }
}

impl AwsEnv {
    fn no_revision(&self, family: &str, revision: i64) -> AppError {
        AppError::NotFound(format!("No task definition {family}:{revision} in environment '{}'.", self.name()))
    }

    /// Registers a new revision of the spec's family (the spec is validated by the caller).
    #[allow(deprecated)] // inference accelerators: see task_definition_advanced.rs
    pub async fn register_task_definition(&self, spec: &TaskDefinitionSpec) -> Result<Revision, AppError> {
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
            .map_err(|e| map_sdk_error(&self.cx("ecs:RegisterTaskDefinition"), e))?;
        let td =
            out.task_definition().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no task definition returned")))?;
        Ok(revision_of(td, out.tags()))
    }

    /// Family names that have revisions in `status`.
    pub async fn list_task_definition_families(
        &self,
        status: sdk::TaskDefinitionStatus,
    ) -> Result<Vec<String>, AppError> {
        let family_status = sdk::TaskDefinitionFamilyStatus::from(status.as_str());
        self.ecs
            .list_task_definition_families()
            .status(family_status)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| map_sdk_error(&self.cx("ecs:ListTaskDefinitionFamilies"), e))
    }

    /// Revision numbers of one family in `status`, newest first.
    pub async fn list_revisions(&self, family: &str, status: sdk::TaskDefinitionStatus) -> Result<Vec<i64>, AppError> {
        let arns: Vec<String> = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(status)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| map_sdk_error(&self.cx("ecs:ListTaskDefinitions"), e))?;
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
    pub async fn describe_task_definition_ref(&self, reference: &str) -> Result<Revision, AppError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(reference)
            .include(sdk::TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(|e| match e.code() {
                Some("ClientException") => {
                    AppError::NotFound(format!("No task definition {reference} in environment '{}'.", self.name()))
                }
                _ => map_sdk_error(&self.cx("ecs:DescribeTaskDefinition"), e),
            })?;
        let td = out.task_definition().ok_or_else(|| {
            AppError::NotFound(format!("No task definition {reference} in environment '{}'.", self.name()))
        })?;
        Ok(revision_of(td, out.tags()))
    }

    pub async fn describe_revision(&self, family: &str, revision: i64) -> Result<Revision, AppError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(format!("{family}:{revision}"))
            .include(sdk::TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(|e| match e.code() {
                Some("ClientException") => self.no_revision(family, revision),
                _ => map_sdk_error(&self.cx("ecs:DescribeTaskDefinition"), e),
            })?;
        let td = out.task_definition().ok_or_else(|| self.no_revision(family, revision))?;
        Ok(revision_of(td, out.tags()))
    }

    pub async fn deregister_revision(&self, family: &str, revision: i64) -> Result<Revision, AppError> {
        let out = self
            .ecs
            .deregister_task_definition()
            .task_definition(format!("{family}:{revision}"))
            .send()
            .await
            .map_err(|e| match e.code() {
                Some("ClientException") => self.no_revision(family, revision),
                _ => map_sdk_error(&self.cx("ecs:DeregisterTaskDefinition"), e),
            })?;
        let td = out.task_definition().ok_or_else(|| self.no_revision(family, revision))?;
        Ok(revision_of(td, &[]))
    }
}

/// The last segment of an ARN (`.../cluster/name` -> `name`).
fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl AwsEnv {
    /// Every service in every cluster with a deployment on `task_definition_arn`.
    pub async fn services_using(&self, task_definition_arn: &str) -> Result<Vec<ServiceUse>, AppError> {
        let mut uses = Vec::new();
        for cluster in self.cluster_arns().await? {
            for service in self.describe_all_services(&cluster).await? {
                let running = service.deployments().iter().find(|d| d.task_definition() == Some(task_definition_arn));
                let status = match running {
                    Some(d) => d.status().unwrap_or("PRIMARY").to_string(),
                    None if service.task_definition() == Some(task_definition_arn) => "PRIMARY".to_string(),
                    None => continue,
                };
                uses.push(ServiceUse {
                    cluster: arn_name(&cluster).to_string(),
                    service: service.service_name().unwrap_or_default().to_string(),
                    deployment_status: status,
                });
            }
        }
        Ok(uses)
    }
}
