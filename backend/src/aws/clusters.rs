//! ECS clusters: list with statistics, the cluster page (container instances, services, the
//! capacity Berth built), create, delete.

use aws_sdk_ecs::types as sdk;
use shared::ecs::cluster::{
    BerthCapacity, ClusterDetail, ClusterSpec, ClusterSummary, ContainerInstance, ServiceSummary,
};

use super::AwsEnv;
use super::capacity::{BERTH_TAG, FARGATE_PROVIDERS};
use super::chunks::describe_in_chunks;
use super::convert::last_segment;
use super::errors::AwsResult;
use crate::error::AppError;

fn summary(c: &sdk::Cluster) -> ClusterSummary {
    ClusterSummary {
        cluster_name: c.cluster_name().unwrap_or_default().into(),
        cluster_arn: c.cluster_arn().unwrap_or_default().into(),
        status: c.status().unwrap_or("ACTIVE").into(),
        registered_container_instances: c.registered_container_instances_count().into(),
        running_tasks: c.running_tasks_count().into(),
        pending_tasks: c.pending_tasks_count().into(),
        active_services: c.active_services_count().into(),
        capacity_providers: c.capacity_providers().to_vec(),
        container_insights: c
            .settings()
            .iter()
            .any(|s| s.name() == Some(&sdk::ClusterSettingName::ContainerInsights) && s.value() != Some("disabled")),
    }
}

fn resource(list: &[sdk::Resource], name: &str) -> i64 {
    list.iter().find(|r| r.name() == Some(name)).map_or(0, |r| i64::from(r.integer_value()))
}

fn attribute(list: &[sdk::Attribute], name: &str) -> Option<String> {
    list.iter().find(|a| a.name() == name).and_then(|a| a.value()).map(str::to_string)
}

fn container_instance(i: &sdk::ContainerInstance) -> ContainerInstance {
    ContainerInstance {
        container_instance_id: last_segment(i.container_instance_arn().unwrap_or_default()).into(),
        ec2_instance_id: i.ec2_instance_id().unwrap_or_default().into(),
        instance_type: attribute(i.attributes(), "ecs.instance-type"),
        availability_zone: attribute(i.attributes(), "ecs.availability-zone"),
        status: i.status().unwrap_or_default().into(),
        agent_connected: i.agent_connected(),
        running_tasks: i.running_tasks_count().into(),
        registered_cpu: resource(i.registered_resources(), "CPU"),
        registered_memory: resource(i.registered_resources(), "MEMORY"),
        remaining_cpu: resource(i.remaining_resources(), "CPU"),
        remaining_memory: resource(i.remaining_resources(), "MEMORY"),
        ports_in_use: ports(i.remaining_resources()),
    }
}

/// The host ports in use (`PORTS`, `PORTS_UDP`: string sets), as `80/tcp`, in port order.
fn ports(list: &[sdk::Resource]) -> Vec<String> {
    let mut found: Vec<(i64, &str)> = Vec::new();
    for (name, protocol) in [("PORTS", "tcp"), ("PORTS_UDP", "udp")] {
        if let Some(r) = list.iter().find(|r| r.name() == Some(name)) {
            found.extend(
                r.string_set_value().iter().filter_map(|p| p.trim().parse::<i64>().ok()).map(|p| (p, protocol)),
            );
        }
    }
    found.sort();
    found.into_iter().map(|(p, protocol)| format!("{p}/{protocol}")).collect()
}

impl AwsEnv {
    fn no_cluster(&self, name: &str) -> AppError {
        AppError::NotFound(format!("No cluster named '{name}' in environment '{}'.", self.name()))
    }

    async fn describe_clusters(&self, arns: &[String]) -> Result<Vec<sdk::Cluster>, AppError> {
        describe_in_chunks(arns, 100, |chunk| async move {
            let out = self
                .ecs
                .describe_clusters()
                .set_clusters(Some(chunk))
                .include(sdk::ClusterField::Settings)
                .include(sdk::ClusterField::Statistics)
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeClusters"))?;
            Ok(out.clusters.unwrap_or_default())
        })
        .await
    }

    pub(super) async fn cluster_arns(&self) -> Result<Vec<String>, AppError> {
        self.ecs.list_clusters().into_paginator().items().send().try_collect().await.or_aws(self.cx("ecs:ListClusters"))
    }

    pub(crate) async fn list_clusters(&self) -> Result<Vec<ClusterSummary>, AppError> {
        let arns = self.cluster_arns().await?;
        let mut list: Vec<ClusterSummary> = self.describe_clusters(&arns).await?.iter().map(summary).collect();
        list.sort_by(|a, b| a.cluster_name.cmp(&b.cluster_name));
        Ok(list)
    }

    pub(crate) async fn cluster(&self, name: &str) -> Result<ClusterSummary, AppError> {
        let found = self.describe_clusters(&[name.to_string()]).await?;
        found.iter().find(|c| c.status() != Some("INACTIVE")).map(summary).ok_or_else(|| self.no_cluster(name))
    }

    /// Creates the cluster (Container Insights, tags); capacity is added by its own steps.
    pub(crate) async fn create_cluster(&self, spec: &ClusterSpec) -> Result<ClusterSummary, AppError> {
        let insights = sdk::ClusterSetting::builder()
            .name(sdk::ClusterSettingName::ContainerInsights)
            .value(if spec.container_insights { "enabled" } else { "disabled" })
            .build();
        let tags = spec.tags.iter().map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build());
        let out = self
            .ecs
            .create_cluster()
            .cluster_name(&spec.cluster_name)
            .settings(insights)
            // As the AWS console does: Fargate is always available (a strategy may name it).
            .set_capacity_providers(Some(FARGATE_PROVIDERS.iter().map(|p| p.to_string()).collect()))
            .set_tags(Some(tags.collect()))
            .send()
            .await
            .or_aws(self.cx("ecs:CreateCluster"))?;
        out.cluster().map(summary).ok_or_else(|| self.no_cluster(&spec.cluster_name))
    }

    pub(crate) async fn delete_cluster(&self, name: &str) -> Result<(), AppError> {
        self.ecs.delete_cluster().cluster(name).send().await.or_aws_on(
            self.cx("ecs:DeleteCluster"),
            "ClusterNotFoundException",
            || self.no_cluster(name),
        )?;
        Ok(())
    }

    /// Every service of a cluster, described (DescribeServices takes 10 at a time).
    pub(super) async fn describe_all_services(&self, cluster: &str) -> Result<Vec<sdk::Service>, AppError> {
        let arns: Vec<String> = self
            .ecs
            .list_services()
            .cluster(cluster)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecs:ListServices"))?;
        describe_in_chunks(&arns, 10, |chunk| async move {
            let out = self
                .ecs
                .describe_services()
                .cluster(cluster)
                .set_services(Some(chunk))
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeServices"))?;
            Ok(out.services.unwrap_or_default())
        })
        .await
    }

    pub(crate) async fn services_of(&self, cluster: &str) -> Result<Vec<ServiceSummary>, AppError> {
        let services = self.describe_all_services(cluster).await?;
        Ok(services
            .iter()
            .filter(|s| s.status() != Some("INACTIVE"))
            .map(|s| ServiceSummary {
                service_name: s.service_name().unwrap_or_default().into(),
                status: s.status().unwrap_or_default().into(),
                desired_count: s.desired_count().into(),
                running_count: s.running_count().into(),
                pending_count: s.pending_count().into(),
                task_definition: last_segment(s.task_definition().unwrap_or_default()).into(),
                capacity: match s.launch_type() {
                    Some(launch) => launch.as_str().to_string(),
                    None => s
                        .capacity_provider_strategy()
                        .iter()
                        .map(|c| format!("{}:{}", c.capacity_provider(), c.weight()))
                        .collect::<Vec<_>>()
                        .join(", "),
                },
                scheduling_strategy: s.scheduling_strategy().map_or("REPLICA", |x| x.as_str()).to_string(),
                rollout_state: s
                    .deployments()
                    .iter()
                    .find(|d| d.status() == Some("PRIMARY"))
                    .and_then(|d| d.rollout_state())
                    .map(|r| r.as_str().to_string()),
            })
            .collect())
    }

    pub(crate) async fn container_instances(&self, cluster: &str) -> Result<Vec<ContainerInstance>, AppError> {
        let arns: Vec<String> = self
            .ecs
            .list_container_instances()
            .cluster(cluster)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ecs:ListContainerInstances"))?;
        describe_in_chunks(&arns, 100, |chunk| async move {
            let out = self
                .ecs
                .describe_container_instances()
                .cluster(cluster)
                .set_container_instances(Some(chunk))
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeContainerInstances"))?;
            Ok(out.container_instances().iter().map(container_instance).collect())
        })
        .await
    }

    /// The capacity Berth created for `cluster`: its capacity providers tagged by Berth, their
    /// Auto Scaling group and launch template, and the security group Berth made.
    pub(crate) async fn berth_capacity(&self, cluster: &ClusterSummary) -> Result<BerthCapacity, AppError> {
        let mut found = BerthCapacity::default();
        let ours: Vec<String> =
            cluster.capacity_providers.iter().filter(|p| !FARGATE_PROVIDERS.contains(&p.as_str())).cloned().collect();
        if !ours.is_empty() {
            let out = self
                .ecs
                .describe_capacity_providers()
                .set_capacity_providers(Some(ours))
                .include(sdk::CapacityProviderField::Tags)
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeCapacityProviders"))?;
            let tagged = out.capacity_providers().iter().find(|p| {
                p.tags().iter().any(|t| t.key() == Some(BERTH_TAG) && t.value() == Some(cluster.cluster_name.as_str()))
            });
            if let Some(provider) = tagged {
                found.capacity_provider = provider.name().map(str::to_string);
                let group_arn = provider.auto_scaling_group_provider().map(|g| g.auto_scaling_group_arn().to_string());
                if let Some(arn) = group_arn {
                    found.auto_scaling_group = arn.rsplit("autoScalingGroupName/").next().map(str::to_string);
                }
            }
        }
        if let Some(group) = &found.auto_scaling_group {
            found.launch_template_id = self.launch_template_of(group).await?;
        }
        found.security_group_id = self.berth_security_group(&cluster.cluster_name).await?;
        Ok(found)
    }

    async fn launch_template_of(&self, group: &str) -> Result<Option<String>, AppError> {
        let out = self
            .autoscaling
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(group)
            .send()
            .await
            .or_aws(self.cx("autoscaling:DescribeAutoScalingGroups"))?;
        Ok(out
            .auto_scaling_groups()
            .first()
            .and_then(|g| g.launch_template())
            .and_then(|t| t.launch_template_id())
            .map(str::to_string))
    }

    async fn berth_security_group(&self, cluster: &str) -> Result<Option<String>, AppError> {
        let filter = aws_sdk_ec2::types::Filter::builder().name(format!("tag:{BERTH_TAG}")).values(cluster).build();
        let out = self
            .ec2
            .describe_security_groups()
            .filters(filter)
            .send()
            .await
            .or_aws(self.cx("ec2:DescribeSecurityGroups"))?;
        Ok(out.security_groups().first().and_then(|g| g.group_id()).map(str::to_string))
    }

    pub(crate) async fn cluster_detail(&self, name: &str) -> Result<ClusterDetail, AppError> {
        let cluster = self.cluster(name).await?;
        let (instances, services, capacity) =
            tokio::try_join!(self.container_instances(name), self.services_of(name), self.berth_capacity(&cluster))?;
        Ok(ClusterDetail { cluster, container_instances: instances, services, berth_capacity: capacity })
    }
}
