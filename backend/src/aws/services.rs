//! ECS services as AWS has them: create (from a create-service document), the service page (its
//! tasks), every service, delete. Describing and updating one, which a deployment does, is in ecs.rs. The conversions are in
//! `service_convert`.

use aws_sdk_ecs::types as sdk;
use shared::ecs::service::{ServiceDetail, ServiceSpec, Task};

use super::AwsEnv;
use super::errors::AwsResult;
use super::service_convert::*;
use crate::error::AppError;

/// How many stopped tasks the service page shows (ECS keeps them about an hour).
const STOPPED_SHOWN: usize = 20;

impl AwsEnv {
    /// The ARNs of the service's tasks with `status` (`RUNNING` also lists pending ones, as ECS
    /// does).
    pub(super) async fn task_arns(
        &self,
        cluster: &str,
        service: &str,
        status: sdk::DesiredStatus,
    ) -> Result<Vec<String>, AppError> {
        self.ecs
            .list_tasks()
            .cluster(cluster)
            .service_name(service)
            .desired_status(status)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecs:ListTasks"))
    }

    /// The service's tasks with `status`, as its page lists them.
    async fn tasks_of(&self, cluster: &str, service: &str, status: sdk::DesiredStatus) -> Result<Vec<Task>, AppError> {
        let arns = self.task_arns(cluster, service, status).await?;
        Ok(self.describe_tasks(cluster, &arns).await?.iter().map(task).collect())
    }

    /// The service's RUNNING (and PENDING) tasks, as its page lists them.
    pub(crate) async fn live_tasks(&self, cluster: &str, service: &str) -> Result<Vec<Task>, AppError> {
        self.tasks_of(cluster, service, sdk::DesiredStatus::Running).await
    }

    /// The service's stopped tasks (ECS keeps them about an hour), newest first: a failed
    /// rollout's verdict is read from them.
    pub(crate) async fn stopped_tasks(&self, cluster: &str, service: &str) -> Result<Vec<Task>, AppError> {
        let mut stopped = self.tasks_of(cluster, service, sdk::DesiredStatus::Stopped).await?;
        stopped.sort_by(|a, b| b.stopped_at.cmp(&a.stopped_at));
        Ok(stopped)
    }

    pub(super) fn no_service(&self, cluster: &str, name: &str) -> AppError {
        AppError::NotFound(format!("No service {name} in cluster {cluster} (environment '{}').", self.name()))
    }

    pub(crate) async fn create_service(&self, spec: &ServiceSpec) -> Result<ServiceDetail, AppError> {
        let cluster = spec.cluster.clone().unwrap_or_else(|| "default".into());
        let (constraints, strategies) = placement(&spec.placement_constraints, &spec.placement_strategy);
        let tags = spec
            .tags
            .as_ref()
            .map(|t| t.iter().map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build()).collect());
        let extra = passthrough(spec);
        let out = self
            .ecs
            .create_service()
            .cluster(&cluster)
            .service_name(&spec.service_name)
            .set_task_definition(spec.task_definition.clone())
            .set_load_balancers(spec.load_balancers.as_deref().map(load_balancers).transpose()?)
            .set_desired_count(i32_at(spec.desired_count, "desiredCount")?)
            .set_client_token(spec.client_token.clone())
            .set_launch_type(spec.launch_type.as_deref().map(sdk::LaunchType::from))
            .set_capacity_provider_strategy(spec.capacity_provider_strategy.as_deref().map(strategy).transpose()?)
            .set_platform_version(spec.platform_version.clone())
            .set_role(spec.role.clone())
            .set_deployment_configuration(
                spec.deployment_configuration.as_ref().map(deployment_configuration).transpose()?,
            )
            .set_placement_constraints(constraints)
            .set_placement_strategy(strategies)
            .set_network_configuration(spec.network_configuration.as_ref().map(network).transpose()?.flatten())
            .set_health_check_grace_period_seconds(i32_at(
                spec.health_check_grace_period_seconds,
                "healthCheckGracePeriodSeconds",
            )?)
            .set_scheduling_strategy(spec.scheduling_strategy.as_deref().map(sdk::SchedulingStrategy::from))
            .set_deployment_controller(
                spec.deployment_controller
                    .as_ref()
                    .map(|c| {
                        sdk::DeploymentController::builder()
                            .r#type(sdk::DeploymentControllerType::from(c.kind.as_str()))
                            .build()
                    })
                    .transpose()
                    .map_err(|e| AppError::BadRequest(format!("deploymentController: {e}")))?,
            )
            .set_tags(tags)
            .set_enable_ecs_managed_tags(spec.enable_ecs_managed_tags)
            .set_propagate_tags(spec.propagate_tags.as_deref().map(sdk::PropagateTags::from))
            .set_enable_execute_command(spec.enable_execute_command)
            .set_service_registries(spec.service_registries.as_deref().map(registries).transpose()?)
            .set_availability_zone_rebalancing(
                spec.availability_zone_rebalancing.as_deref().map(sdk::AvailabilityZoneRebalancing::from),
            )
            .customize()
            .mutate_request(move |request| add_to_body(request, &extra))
            .send()
            .await
            .or_aws(self.cx("ecs:CreateService"))?;
        out.service().map(detail).ok_or_else(|| self.no_service(&cluster, &spec.service_name))
    }

    /// Every ACTIVE service of every cluster (the sweep for deployments made outside Berth).
    pub(crate) async fn all_services(&self) -> Result<Vec<ServiceDetail>, AppError> {
        let mut found = Vec::new();
        for cluster in self.cluster_arns().await? {
            let services = self.describe_all_services(&cluster).await?;
            found.extend(services.iter().filter(|s| s.status() == Some("ACTIVE")).map(detail));
        }
        Ok(found)
    }

    /// The service page: `describe_service` and its tasks (running and
    /// pending, then the latest stopped ones). Only the page needs the tasks.
    pub(crate) async fn service_page(&self, cluster: &str, name: &str) -> Result<ServiceDetail, AppError> {
        let (mut found, mut live, mut stopped) = tokio::try_join!(
            self.describe_service(cluster, name),
            self.tasks_of(cluster, name, sdk::DesiredStatus::Running),
            self.tasks_of(cluster, name, sdk::DesiredStatus::Stopped)
        )?;
        live.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        stopped.sort_by(|a, b| b.stopped_at.cmp(&a.stopped_at));
        stopped.truncate(STOPPED_SHOWN);
        live.extend(stopped);
        found.tasks = live;
        Ok(found)
    }

    /// Deletes a service; `force` deletes one still scaled above 0 (its tasks are stopped).
    pub(crate) async fn delete_service(&self, cluster: &str, name: &str, force: bool) -> Result<(), AppError> {
        self.ecs.delete_service().cluster(cluster).service(name).force(force).send().await.or_aws_on(
            self.cx("ecs:DeleteService"),
            "ServiceNotFoundException",
            || self.no_service(cluster, name),
        )?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "services_wire_tests.rs"]
mod wire_tests;
