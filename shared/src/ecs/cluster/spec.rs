use serde::{Deserialize, Serialize};

use crate::ecs::task_definition::KeyValueTag;

/// The SSM parameter AWS publishes with the current ECS-optimized Amazon Linux 2023 AMI.
pub const ECS_AMI_PARAMETER: &str = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
/// The instance role the console's walkthrough uses, and AWS's managed policy for it.
pub const DEFAULT_INSTANCE_ROLE: &str = "ecsInstanceRole";
pub const INSTANCE_ROLE_POLICY_ARN: &str = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role";

/// `POST /api/envs/{env}/clusters`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    pub cluster_name: String,
    #[serde(default)]
    pub container_insights: bool,
    #[serde(default)]
    pub tags: Vec<KeyValueTag>,
    /// Absent: Fargate only (no instances of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2: Option<Ec2Capacity>,
}

/// EC2 instances for the cluster: a launch template, an Auto Scaling group over the subnets, and a
/// capacity provider bound to it as the cluster's default strategy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ec2Capacity {
    pub instance_type: String,
    pub desired_capacity: i64,
    pub min_size: i64,
    pub max_size: i64,
    /// Absent: the ECS-optimized Amazon Linux 2023 AMI, looked up from [`ECS_AMI_PARAMETER`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// GiB (gp3).
    #[serde(default = "default_root_volume")]
    pub root_volume_gib: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    pub vpc_id: String,
    pub subnet_ids: Vec<String>,
    /// Existing security groups of the VPC.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// Ports a new security group opens to the world (TCP); absent: no new group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_ports: Option<Vec<i64>>,
    #[serde(default = "default_role")]
    pub instance_role: String,
    /// Create the role (with AWS's managed policy for container instances) if it does not exist.
    #[serde(default)]
    pub create_instance_role: bool,
    /// ECS managed scaling of the Auto Scaling group (target capacity 100 %).
    #[serde(default)]
    pub managed_scaling: bool,
}

fn default_root_volume() -> i64 {
    30
}

fn default_role() -> String {
    DEFAULT_INSTANCE_ROLE.to_string()
}

impl Default for Ec2Capacity {
    /// The lab's: 2 × t2.micro, 30 GB.
    fn default() -> Self {
        Self {
            instance_type: "t2.micro".into(),
            desired_capacity: 2,
            min_size: 2,
            max_size: 2,
            image_id: None,
            root_volume_gib: default_root_volume(),
            key_name: None,
            vpc_id: String::new(),
            subnet_ids: Vec::new(),
            security_group_ids: Vec::new(),
            open_ports: None,
            instance_role: default_role(),
            create_instance_role: false,
            managed_scaling: false,
        }
    }
}
