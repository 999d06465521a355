//! A cluster's EC2 capacity, one AWS call (or a few) per step, each undone by its `remove_*`:
//! instance role, security group, launch template, Auto Scaling group, capacity provider. Every
//! resource carries the tag `berth:cluster = <cluster>` so Berth can find what it created.

use std::time::Duration;

use aws_sdk_autoscaling::types as asg;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types as ec2;
use aws_sdk_ecs::types as ecs;
use base64::Engine;
use shared::ecs::cluster::{Ec2Capacity, INSTANCE_ROLE_POLICY_ARN};

use super::AwsEnv;
use super::convert::{invalid, narrow};
use super::errors::AwsResult;
use crate::error::AppError;

/// The tag on every resource Berth creates for a cluster; its value is the cluster's name.
pub(crate) const BERTH_TAG: &str = "berth:cluster";

/// AWS's own capacity providers, attached to every cluster Berth creates.
pub(crate) const FARGATE_PROVIDERS: [&str; 2] = ["FARGATE", "FARGATE_SPOT"];

/// The name Berth gives each resource it creates for `cluster`.
pub(crate) fn resource_name(cluster: &str) -> String {
    format!("berth-{cluster}")
}

const EC2_TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

impl AwsEnv {
    /// The role with AWS's managed policy for container instances, and its instance profile.
    pub(crate) async fn create_instance_role(&self, role: &str) -> Result<(), AppError> {
        self.iam
            .create_role()
            .role_name(role)
            .assume_role_policy_document(EC2_TRUST_POLICY)
            .description("ECS container instances (created by Berth)")
            .send()
            .await
            .or_aws(self.cx("iam:CreateRole"))?;
        self.iam
            .attach_role_policy()
            .role_name(role)
            .policy_arn(INSTANCE_ROLE_POLICY_ARN)
            .send()
            .await
            .or_aws(self.cx("iam:AttachRolePolicy"))?;
        self.iam
            .create_instance_profile()
            .instance_profile_name(role)
            .send()
            .await
            .or_aws(self.cx("iam:CreateInstanceProfile"))?;
        self.iam
            .add_role_to_instance_profile()
            .instance_profile_name(role)
            .role_name(role)
            .send()
            .await
            .or_aws(self.cx("iam:AddRoleToInstanceProfile"))?;
        Ok(())
    }

    /// Undoes [`create_instance_role`](Self::create_instance_role) (only for a role Berth just made).
    pub(crate) async fn remove_instance_role(&self, role: &str) -> Result<(), AppError> {
        // Best effort: whatever of it was made goes (each step may have nothing to undo).
        let iam = &self.iam;
        let profile = iam.remove_role_from_instance_profile().instance_profile_name(role).role_name(role);
        let _ = profile.send().await.or_aws(self.cx("iam:RemoveRoleFromInstanceProfile"));
        let _ = iam
            .delete_instance_profile()
            .instance_profile_name(role)
            .send()
            .await
            .or_aws(self.cx("iam:DeleteInstanceProfile"));
        let policy = iam.detach_role_policy().role_name(role).policy_arn(INSTANCE_ROLE_POLICY_ARN);
        let _ = policy.send().await.or_aws(self.cx("iam:DetachRolePolicy"));
        self.iam.delete_role().role_name(role).send().await.or_aws(self.cx("iam:DeleteRole"))?;
        Ok(())
    }

    /// A security group opening `ports` (TCP, from anywhere); returns its ID.
    pub(crate) async fn create_security_group(
        &self,
        cluster: &str,
        vpc_id: &str,
        ports: &[i64],
    ) -> Result<String, AppError> {
        let tags = ec2::TagSpecification::builder()
            .resource_type(ec2::ResourceType::SecurityGroup)
            .tags(ec2::Tag::builder().key(BERTH_TAG).value(cluster).build())
            .tags(ec2::Tag::builder().key("Name").value(resource_name(cluster)).build())
            .build();
        let out = self
            .ec2
            .create_security_group()
            .group_name(resource_name(cluster))
            .description(format!("ECS cluster {cluster} (created by Berth)"))
            .vpc_id(vpc_id)
            .tag_specifications(tags)
            .send()
            .await
            .or_aws(self.cx("ec2:CreateSecurityGroup"))?;
        let id = out.group_id().unwrap_or_default().to_string();
        if !ports.is_empty() {
            let permissions = ports.iter().enumerate().map(|(i, &port)| {
                let port = narrow(port, &format!("ec2.openPorts[{i}]"))?;
                Ok(ec2::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(port)
                    .to_port(port)
                    .ip_ranges(ec2::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .build())
            });
            let permissions = permissions.collect::<Result<Vec<_>, _>>().map_err(invalid)?;
            self.ec2
                .authorize_security_group_ingress()
                .group_id(&id)
                .set_ip_permissions(Some(permissions))
                .send()
                .await
                .or_aws(self.cx("ec2:AuthorizeSecurityGroupIngress"))?;
        }
        Ok(id)
    }

    /// Deletes a security group, waiting (up to a minute) for terminating instances to release it.
    pub(crate) async fn remove_security_group(&self, id: &str) -> Result<(), AppError> {
        let mut attempts = 0;
        loop {
            match self.ec2.delete_security_group().group_id(id).send().await {
                Err(e) if e.code() == Some("DependencyViolation") && attempts < 12 => {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
                deleted => {
                    return deleted.map(|_| ()).or_aws_unless(self.cx("ec2:DeleteSecurityGroup"), |r| {
                        r.is("InvalidGroup.NotFound").then_some(Ok(()))
                    });
                }
            }
        }
    }

    /// The launch template: AMI, type, key, groups, instance profile, a gp3 root volume, and user
    /// data that joins the cluster. Returns its ID.
    pub(crate) async fn create_launch_template(
        &self,
        cluster: &str,
        spec: &Ec2Capacity,
        image_id: &str,
        security_groups: &[String],
    ) -> Result<String, AppError> {
        let root_volume_gib = narrow(spec.root_volume_gib, "ec2.rootVolumeGib").map_err(invalid)?;
        let user_data = format!("#!/bin/bash\necho ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config\n");
        let root = ec2::LaunchTemplateBlockDeviceMappingRequest::builder()
            .device_name("/dev/xvda")
            .ebs(
                ec2::LaunchTemplateEbsBlockDeviceRequest::builder()
                    .volume_size(root_volume_gib)
                    .volume_type(ec2::VolumeType::Gp3)
                    .delete_on_termination(true)
                    .encrypted(true)
                    .build(),
            )
            .build();
        let instance_tags = ec2::LaunchTemplateTagSpecificationRequest::builder()
            .resource_type(ec2::ResourceType::Instance)
            .tags(ec2::Tag::builder().key("Name").value(format!("ECS Instance - {cluster}")).build())
            .tags(ec2::Tag::builder().key(BERTH_TAG).value(cluster).build())
            .build();
        let data = ec2::RequestLaunchTemplateData::builder()
            .image_id(image_id)
            .instance_type(ec2::InstanceType::from(spec.instance_type.as_str()))
            .set_key_name(spec.key_name.clone())
            .set_security_group_ids(Some(security_groups.to_vec()))
            .iam_instance_profile(
                ec2::LaunchTemplateIamInstanceProfileSpecificationRequest::builder().name(&spec.instance_role).build(),
            )
            .block_device_mappings(root)
            .user_data(base64::engine::general_purpose::STANDARD.encode(user_data))
            .tag_specifications(instance_tags)
            .metadata_options(
                ec2::LaunchTemplateInstanceMetadataOptionsRequest::builder()
                    .http_tokens(ec2::LaunchTemplateHttpTokensState::Required)
                    .build(),
            )
            .build();
        let out = self
            .ec2
            .create_launch_template()
            .launch_template_name(resource_name(cluster))
            .launch_template_data(data)
            .tag_specifications(
                ec2::TagSpecification::builder()
                    .resource_type(ec2::ResourceType::LaunchTemplate)
                    .tags(ec2::Tag::builder().key(BERTH_TAG).value(cluster).build())
                    .build(),
            )
            .send()
            .await
            .or_aws(self.cx("ec2:CreateLaunchTemplate"))?;
        Ok(out.launch_template().and_then(|t| t.launch_template_id()).unwrap_or_default().to_string())
    }

    pub(crate) async fn remove_launch_template(&self, id: &str) -> Result<(), AppError> {
        self.ec2
            .delete_launch_template()
            .launch_template_id(id)
            .send()
            .await
            .map(|_| ())
            .or_aws_unless(self.cx("ec2:DeleteLaunchTemplate"), |r| {
                r.code.is_some_and(|c| c.contains("NotFound")).then_some(Ok(()))
            })
    }

    /// The Auto Scaling group over the subnets; returns its ARN.
    pub(crate) async fn create_auto_scaling_group(
        &self,
        cluster: &str,
        spec: &Ec2Capacity,
        launch_template_id: &str,
    ) -> Result<String, AppError> {
        let name = resource_name(cluster);
        let min_size = narrow(spec.min_size, "ec2.minSize").map_err(invalid)?;
        let max_size = narrow(spec.max_size, "ec2.maxSize").map_err(invalid)?;
        let desired_capacity = narrow(spec.desired_capacity, "ec2.desiredCapacity").map_err(invalid)?;
        let tag = |key: &str, value: &str| asg::Tag::builder().key(key).value(value).propagate_at_launch(true).build();
        self.autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .launch_template(
                asg::LaunchTemplateSpecification::builder()
                    .launch_template_id(launch_template_id)
                    .version("$Latest")
                    .build(),
            )
            .min_size(min_size)
            .max_size(max_size)
            .desired_capacity(desired_capacity)
            .vpc_zone_identifier(spec.subnet_ids.join(","))
            .tags(tag(BERTH_TAG, cluster))
            .tags(tag("AmazonECSManaged", ""))
            .send()
            .await
            .or_aws(self.cx("autoscaling:CreateAutoScalingGroup"))?;
        let out = self
            .autoscaling
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(&name)
            .send()
            .await
            .or_aws(self.cx("autoscaling:DescribeAutoScalingGroups"))?;
        out.auto_scaling_groups().first().and_then(|g| g.auto_scaling_group_arn()).map(str::to_string).ok_or_else(
            || AppError::Internal(anyhow::anyhow!("the Auto Scaling group {name} was not found after creation")),
        )
    }

    /// Deletes the group and its instances.
    pub(crate) async fn remove_auto_scaling_group(&self, name: &str) -> Result<(), AppError> {
        self.autoscaling
            .delete_auto_scaling_group()
            .auto_scaling_group_name(name)
            .force_delete(true)
            .send()
            .await
            .map(|_| ())
            .or_aws_unless(self.cx("autoscaling:DeleteAutoScalingGroup"), |r| {
                r.message.is_some_and(|m| m.contains("not found")).then_some(Ok(()))
            })
    }

    /// The capacity provider over the group; returns its name.
    pub(crate) async fn create_capacity_provider(
        &self,
        cluster: &str,
        auto_scaling_group_arn: &str,
        managed_scaling: bool,
    ) -> Result<String, AppError> {
        let name = resource_name(cluster);
        let scaling = ecs::ManagedScaling::builder()
            .status(if managed_scaling {
                ecs::ManagedScalingStatus::Enabled
            } else {
                ecs::ManagedScalingStatus::Disabled
            })
            .target_capacity(100)
            .build();
        let provider = ecs::AutoScalingGroupProvider::builder()
            .auto_scaling_group_arn(auto_scaling_group_arn)
            .managed_scaling(scaling)
            .managed_termination_protection(ecs::ManagedTerminationProtection::Disabled)
            .build()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("capacity provider: {e}")))?;
        self.ecs
            .create_capacity_provider()
            .name(&name)
            .auto_scaling_group_provider(provider)
            .tags(ecs::Tag::builder().key(BERTH_TAG).value(cluster).build())
            .send()
            .await
            .or_aws(self.cx("ecs:CreateCapacityProvider"))?;
        Ok(name)
    }

    pub(crate) async fn remove_capacity_provider(&self, name: &str) -> Result<(), AppError> {
        self.ecs
            .delete_capacity_provider()
            .capacity_provider(name)
            .send()
            .await
            .map(|_| ())
            .or_aws_unless(self.cx("ecs:DeleteCapacityProvider"), |r| {
                r.message.is_some_and(|m| m.contains("not found") || m.contains("does not exist")).then_some(Ok(()))
            })
    }

    /// Makes `provider` the cluster's default strategy, beside Fargate's providers (`None`: detaches
    /// it, leaving Fargate's).
    pub(crate) async fn set_cluster_capacity_provider(
        &self,
        cluster: &str,
        provider: Option<&str>,
    ) -> Result<(), AppError> {
        let strategy = provider
            .map(|p| ecs::CapacityProviderStrategyItem::builder().capacity_provider(p).weight(1).build())
            .transpose()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("strategy: {e}")))?;
        self.ecs
            .put_cluster_capacity_providers()
            .cluster(cluster)
            .set_capacity_providers(Some(
                FARGATE_PROVIDERS.iter().map(|p| p.to_string()).chain(provider.map(str::to_string)).collect(),
            ))
            .set_default_capacity_provider_strategy(Some(strategy.into_iter().collect()))
            .send()
            .await
            .or_aws(self.cx("ecs:PutClusterCapacityProviders"))?;
        Ok(())
    }
}
