//! Tasks in detail (a task's page, a service's addresses): DescribeTasks, then the container
//! instances they run on and those instances in EC2, for the zone and the IPs.

use std::collections::HashMap;

use aws_sdk_ecs::types as sdk;
use shared::ecs::task::{PortBinding, TaskContainer, TaskDetail, TaskHost};

use super::AwsEnv;
use super::chunks::describe_in_chunks;
use super::convert::{last_segment, timestamp, widen};
use super::errors::AwsResult;
use crate::error::AppError;

impl AwsEnv {
    /// The tasks `ids` (IDs or ARNs) of `cluster` that ECS still has, with their hosts.
    pub(crate) async fn task_details(&self, cluster: &str, ids: &[String]) -> Result<Vec<TaskDetail>, AppError> {
        let tasks = self.describe_tasks(cluster, ids).await?;
        let hosts = self.hosts(cluster, &tasks).await?;
        Ok(tasks.iter().map(|t| detail(cluster, t, &hosts)).collect())
    }

    /// DescribeTasks over `ids` (IDs or ARNs), 100 at a time; tasks ECS no longer has are left out.
    pub(super) async fn describe_tasks(&self, cluster: &str, ids: &[String]) -> Result<Vec<sdk::Task>, AppError> {
        describe_in_chunks(ids, 100, |chunk| async move {
            let out = self
                .ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(chunk))
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeTasks"))?;
            Ok(out.tasks().to_vec())
        })
        .await
    }

    /// The RUNNING tasks of a service, in detail.
    pub(crate) async fn running_tasks(&self, cluster: &str, service: &str) -> Result<Vec<TaskDetail>, AppError> {
        let arns = self.task_arns(cluster, service, sdk::DesiredStatus::Running).await?;
        self.task_details(cluster, &arns).await
    }

    /// The hosts of `tasks`, by container instance ARN.
    async fn hosts(&self, cluster: &str, tasks: &[sdk::Task]) -> Result<HashMap<String, TaskHost>, AppError> {
        let mut arns: Vec<String> =
            tasks.iter().filter_map(|t| t.container_instance_arn().map(str::to_string)).collect();
        arns.sort();
        arns.dedup();
        let instances: Vec<sdk::ContainerInstance> = describe_in_chunks(&arns, 100, |chunk| async move {
            let out = self
                .ecs
                .describe_container_instances()
                .cluster(cluster)
                .set_container_instances(Some(chunk))
                .send()
                .await
                .or_aws(self.cx("ecs:DescribeContainerInstances"))?;
            Ok(out.container_instances().to_vec())
        })
        .await?;
        let ec2_ids: Vec<String> = instances.iter().filter_map(|i| i.ec2_instance_id().map(str::to_string)).collect();
        let mut machines = HashMap::new();
        if !ec2_ids.is_empty() {
            let out = self
                .ec2
                .describe_instances()
                .set_instance_ids(Some(ec2_ids))
                .send()
                .await
                .or_aws(self.cx("ec2:DescribeInstances"))?;
            for instance in out.reservations().iter().flat_map(|r| r.instances()) {
                machines.insert(instance.instance_id().unwrap_or_default().to_string(), instance.clone());
            }
        }
        Ok(instances
            .iter()
            .map(|ci| {
                let machine = ci.ec2_instance_id().and_then(|id| machines.get(id));
                let host = TaskHost {
                    container_instance_id: last_segment(ci.container_instance_arn().unwrap_or_default()).to_string(),
                    ec2_instance_id: ci.ec2_instance_id().map(str::to_string),
                    instance_type: machine.and_then(|m| m.instance_type()).map(|t| t.as_str().to_string()),
                    availability_zone: machine
                        .and_then(|m| m.placement())
                        .and_then(|p| p.availability_zone())
                        .map(str::to_string),
                    private_ip: machine.and_then(|m| m.private_ip_address()).map(str::to_string),
                    public_ip: machine.and_then(|m| m.public_ip_address()).map(str::to_string),
                };
                (ci.container_instance_arn().unwrap_or_default().to_string(), host)
            })
            .collect())
    }
}

fn detail(cluster: &str, t: &sdk::Task, hosts: &HashMap<String, TaskHost>) -> TaskDetail {
    // awsvpc: the task's ENI attachment names its private IP.
    let private_ip = t
        .attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value())
        .map(str::to_string);
    TaskDetail {
        cluster: cluster.to_string(),
        task_id: last_segment(t.task_arn().unwrap_or_default()).to_string(),
        task_definition: last_segment(t.task_definition_arn().unwrap_or_default()).to_string(),
        last_status: t.last_status().unwrap_or_default().to_string(),
        desired_status: t.desired_status().unwrap_or_default().to_string(),
        health_status: t.health_status().map(|h| h.as_str().to_string()),
        launch_type: t.launch_type().map(|l| l.as_str().to_string()),
        availability_zone: t.availability_zone().map(str::to_string),
        group: t.group().map(str::to_string),
        started_by: t.started_by().map(str::to_string),
        created_at: timestamp(t.created_at()),
        started_at: timestamp(t.started_at()),
        stopped_at: timestamp(t.stopped_at()),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        containers: t.containers().iter().map(container).collect(),
        host: t.container_instance_arn().and_then(|arn| hosts.get(arn).cloned()),
        private_ip,
        kept: false,
    }
}

fn container(c: &sdk::Container) -> TaskContainer {
    TaskContainer {
        name: c.name().unwrap_or_default().to_string(),
        image: c.image().unwrap_or_default().to_string(),
        image_digest: c.image_digest().map(str::to_string),
        last_status: c.last_status().map(str::to_string),
        exit_code: widen(c.exit_code()),
        reason: c.reason().map(str::to_string),
        health_status: c.health_status().map(|h| h.as_str().to_string()),
        network_bindings: c
            .network_bindings()
            .iter()
            .filter_map(|b| {
                Some(PortBinding {
                    container_port: i64::from(b.container_port()?),
                    host_port: i64::from(b.host_port()?),
                    protocol: b.protocol().map_or("tcp", |p| p.as_str()).to_string(),
                })
            })
            .collect(),
    }
}
