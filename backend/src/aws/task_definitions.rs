//! ECS task definitions as the pages manage them: families listed, a revision deregistered, the
//! services that run one. Registering and describing them is in ecs.rs.

use shared::ecs::task_definition::{Revision, ServiceUse};

use super::AwsEnv;
use super::convert::last_segment;
use super::ecs::{RevisionStatus, revision_of};
use super::errors::AwsResult;
use crate::error::AppError;

impl AwsEnv {
    /// Family names that have revisions in `status`.
    pub(crate) async fn list_task_definition_families(&self, status: RevisionStatus) -> Result<Vec<String>, AppError> {
        self.ecs
            .list_task_definition_families()
            .status(status.family_sdk())
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecs:ListTaskDefinitionFamilies"))
    }

    pub(crate) async fn deregister_revision(&self, family: &str, revision: i64) -> Result<Revision, AppError> {
        let out = self
            .ecs
            .deregister_task_definition()
            .task_definition(format!("{family}:{revision}"))
            .send()
            .await
            .or_aws_on(self.cx("ecs:DeregisterTaskDefinition"), "ClientException", || {
                self.no_revision(family, revision)
            })?;
        let td = out.task_definition().ok_or_else(|| self.no_revision(family, revision))?;
        Ok(revision_of(td, &[]))
    }
}

impl AwsEnv {
    /// Every service in every cluster with a deployment on `task_definition_arn`.
    pub(crate) async fn services_using(&self, task_definition_arn: &str) -> Result<Vec<ServiceUse>, AppError> {
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
                    cluster: last_segment(&cluster).to_string(),
                    service: service.service_name().unwrap_or_default().to_string(),
                    deployment_status: status,
                });
            }
        }
        Ok(uses)
    }
}
