//! What the cluster wizard offers to choose from: VPCs, their subnets and security groups, key
//! pairs (EC2), the ECS-optimized AMI (SSM) and whether the instance role exists (IAM).

use aws_sdk_ec2::types::{Filter, Tag};
use shared::ecs::cluster::{
    Choice, CreatedKeyPair, DEFAULT_INSTANCE_ROLE, ECS_AMI_PARAMETER, Ec2Defaults, InstanceTypeInfo,
};

use super::AwsEnv;
use super::errors::AwsResult;
use crate::error::AppError;

fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter().find(|t| t.key() == Some("Name")).and_then(|t| t.value())
}

fn vpc_filter(vpc_id: &str) -> Filter {
    Filter::builder().name("vpc-id").values(vpc_id).build()
}

impl AwsEnv {
    pub(crate) async fn list_vpcs(&self) -> Result<Vec<Choice>, AppError> {
        let vpcs: Vec<_> = self
            .ec2
            .describe_vpcs()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ec2:DescribeVpcs"))?;
        Ok(vpcs
            .iter()
            .map(|v| {
                let cidr = v.cidr_block().unwrap_or_default();
                let label = match name_tag(v.tags()) {
                    Some(name) => format!("{name} ({cidr})"),
                    None => cidr.to_string(),
                };
                Choice { id: v.vpc_id().unwrap_or_default().into(), label, is_default: v.is_default() == Some(true) }
            })
            .collect())
    }

    pub(crate) async fn list_subnets(&self, vpc_id: &str) -> Result<Vec<Choice>, AppError> {
        let subnets: Vec<_> = self
            .ec2
            .describe_subnets()
            .filters(vpc_filter(vpc_id))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ec2:DescribeSubnets"))?;
        let mut choices: Vec<Choice> = subnets
            .iter()
            .map(|s| {
                let az = s.availability_zone().unwrap_or_default();
                let cidr = s.cidr_block().unwrap_or_default();
                let label = match name_tag(s.tags()) {
                    Some(name) => format!("{name} · {az} · {cidr}"),
                    None => format!("{az} · {cidr}"),
                };
                Choice {
                    id: s.subnet_id().unwrap_or_default().into(),
                    label,
                    is_default: s.default_for_az() == Some(true),
                }
            })
            .collect();
        choices.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(choices)
    }

    pub(crate) async fn list_security_groups(&self, vpc_id: &str) -> Result<Vec<Choice>, AppError> {
        let groups: Vec<_> = self
            .ec2
            .describe_security_groups()
            .filters(vpc_filter(vpc_id))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws(self.cx("ec2:DescribeSecurityGroups"))?;
        Ok(groups
            .iter()
            .map(|g| Choice {
                id: g.group_id().unwrap_or_default().into(),
                label: format!("{} — {}", g.group_name().unwrap_or_default(), g.description().unwrap_or_default()),
                is_default: g.group_name() == Some("default"),
            })
            .collect())
    }

    pub(crate) async fn list_key_pairs(&self) -> Result<Vec<Choice>, AppError> {
        let out = self.ec2.describe_key_pairs().send().await.or_aws(self.cx("ec2:DescribeKeyPairs"))?;
        Ok(out
            .key_pairs()
            .iter()
            .filter_map(|k| k.key_name())
            .map(|name| Choice { id: name.into(), label: name.into(), is_default: false })
            .collect())
    }

    /// Creates an RSA key pair (PEM); the answer holds the private key, which EC2 returns only
    /// here. A name in use is a conflict on `keyName`.
    pub(crate) async fn create_key_pair(&self, name: &str) -> Result<CreatedKeyPair, AppError> {
        let out = self.ec2.create_key_pair().key_name(name).send().await.or_aws_on(
            self.cx("ec2:CreateKeyPair"),
            "InvalidKeyPair.Duplicate",
            || AppError::Conflict {
                message: format!("A key pair named {name} already exists: choose it in the list, or another name."),
                field: Some("keyName".into()),
            },
        )?;
        Ok(CreatedKeyPair {
            key_name: out.key_name().unwrap_or(name).to_string(),
            key_fingerprint: out.key_fingerprint().unwrap_or_default().to_string(),
            private_key: out.key_material().unwrap_or_default().to_string(),
        })
    }

    /// Every instance type EC2 offers in this region, by name (read from EC2 once).
    pub(crate) async fn offered_instance_types(&self) -> Result<Vec<InstanceTypeInfo>, AppError> {
        self.instance_types.get_or_try_init(|| self.instance_types(None)).await.cloned()
    }

    /// Every instance type EC2 offers in this region (or only `only`, if it does), by name.
    pub(crate) async fn instance_types(&self, only: Option<&str>) -> Result<Vec<InstanceTypeInfo>, AppError> {
        let types: Vec<_> = self
            .ec2
            .describe_instance_types()
            .set_instance_types(only.map(|name| vec![aws_sdk_ec2::types::InstanceType::from(name)]))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .or_aws_unless(self.cx("ec2:DescribeInstanceTypes"), |refusal| {
                refusal.is("InvalidInstanceType").then(|| Ok(Vec::new()))
            })?;
        let mut list: Vec<InstanceTypeInfo> = types
            .iter()
            .map(|t| InstanceTypeInfo {
                name: t.instance_type().map(|i| i.as_str().to_string()).unwrap_or_default(),
                vcpus: t.v_cpu_info().and_then(|v| v.default_v_cpus()).unwrap_or_default().into(),
                memory_mib: t.memory_info().and_then(|m| m.size_in_mib()).unwrap_or_default(),
                architectures: t
                    .processor_info()
                    .map(|p| p.supported_architectures().iter().map(|a| a.as_str().to_string()).collect())
                    .unwrap_or_default(),
            })
            .filter(|t| !t.name.is_empty())
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    /// The ECS-optimized Amazon Linux 2023 AMI of this region.
    pub(crate) async fn recommended_ecs_ami(&self) -> Result<String, AppError> {
        let out = self.ssm.get_parameter().name(ECS_AMI_PARAMETER).send().await.or_aws(self.cx("ssm:GetParameter"))?;
        out.parameter()
            .and_then(|p| p.value())
            .map(str::to_string)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("SSM returned no value for {ECS_AMI_PARAMETER}")))
    }

    /// Whether an IAM role and its instance profile (same name, as the console creates them) exist.
    pub(crate) async fn instance_role_exists(&self, role: &str) -> Result<bool, AppError> {
        self.iam
            .get_instance_profile()
            .instance_profile_name(role)
            .send()
            .await
            .map(|out| out.instance_profile().is_some_and(|p| !p.roles().is_empty()))
            .or_aws_unless(self.cx("iam:GetInstanceProfile"), |r| r.is("NoSuchEntity").then_some(Ok(false)))
    }

    pub(crate) async fn ec2_defaults(&self) -> Result<Ec2Defaults, AppError> {
        let (ami, role) = tokio::join!(self.recommended_ecs_ami(), self.instance_role_exists(DEFAULT_INSTANCE_ROLE));
        Ok(Ec2Defaults { recommended_image_id: ami.ok(), instance_role_exists: role? })
    }
}
