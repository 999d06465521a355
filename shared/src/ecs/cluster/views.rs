use serde::{Deserialize, Serialize};

/// A row of the cluster list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterSummary {
    pub cluster_name: String,
    pub cluster_arn: String,
    /// `ACTIVE`, `PROVISIONING`, `DEPROVISIONING`, `FAILED`, `INACTIVE`.
    pub status: String,
    pub registered_container_instances: i64,
    pub running_tasks: i64,
    pub pending_tasks: i64,
    pub active_services: i64,
    pub capacity_providers: Vec<String>,
    pub container_insights: bool,
}

/// An EC2 instance registered with a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ContainerInstance {
    pub container_instance_id: String,
    pub ec2_instance_id: String,
    pub instance_type: Option<String>,
    pub availability_zone: Option<String>,
    pub status: String,
    pub agent_connected: bool,
    pub running_tasks: i64,
    pub registered_cpu: i64,
    pub registered_memory: i64,
    pub remaining_cpu: i64,
    pub remaining_memory: i64,
    /// Host ports in use (ECS's PORTS and PORTS_UDP, the agent's own reserved ones included), e.g.
    /// `80/tcp`.
    #[serde(default)]
    pub ports_in_use: Vec<String>,
}

impl ContainerInstance {
    /// What it has left, for the placement check (ECS places only on ACTIVE instances whose agent
    /// is connected).
    pub fn room(&self) -> Option<crate::ecs::placement::Room> {
        (self.status == "ACTIVE" && self.agent_connected).then(|| crate::ecs::placement::Room {
            instance: self.ec2_instance_id.clone(),
            cpu: self.remaining_cpu,
            memory: self.remaining_memory,
            ports: self.ports_in_use.clone(),
        })
    }
}

/// A service of the cluster, as the cluster page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceSummary {
    pub service_name: String,
    pub status: String,
    pub desired_count: i64,
    pub running_count: i64,
    pub pending_count: i64,
    /// `family:revision`.
    pub task_definition: String,
    /// The launch type, or the capacity provider strategy (`berth-lab:1, FARGATE:0`).
    pub capacity: String,
    /// `REPLICA` or `DAEMON`.
    pub scheduling_strategy: String,
    /// Of the PRIMARY deployment: `IN_PROGRESS`, `COMPLETED` or `FAILED`.
    pub rollout_state: Option<String>,
}

/// The capacity Berth built for a cluster (found from the cluster's capacity providers and the
/// `berth:cluster` tag Berth puts on what it creates).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BerthCapacity {
    pub capacity_provider: Option<String>,
    pub auto_scaling_group: Option<String>,
    pub launch_template_id: Option<String>,
    pub security_group_id: Option<String>,
}

/// The cluster page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterDetail {
    pub cluster: ClusterSummary,
    pub container_instances: Vec<ContainerInstance>,
    pub services: Vec<ServiceSummary>,
    pub berth_capacity: BerthCapacity,
}

/// The steps of creating a cluster with its EC2 capacity, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    Cluster,
    InstanceRole,
    SecurityGroup,
    LaunchTemplate,
    AutoScalingGroup,
    CapacityProvider,
    DefaultStrategy,
    Instances,
}

impl StepId {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cluster => "cluster",
            Self::InstanceRole => "instance-role",
            Self::SecurityGroup => "security-group",
            Self::LaunchTemplate => "launch-template",
            Self::AutoScalingGroup => "auto-scaling-group",
            Self::CapacityProvider => "capacity-provider",
            Self::DefaultStrategy => "default-strategy",
            Self::Instances => "instances",
        }
    }
}

/// Where one step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    Pending,
    Running,
    Done,
    /// It failed (what it made, if anything, stays until removed), or removing it failed.
    Failed,
    Skipped,
    /// What it made was removed.
    Removed,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Removed => "removed",
        }
    }
}

/// Where a creation is: running, then succeeded or failed; a failed one can be removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CreationState {
    Running,
    Succeeded,
    Failed,
    Removing,
    Removed,
}

impl CreationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Removing => "removing",
            Self::Removed => "removed",
        }
    }
}

/// One step of creating (or removing) a cluster's capacity, as the wizard shows it live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub id: StepId,
    pub title: String,
    pub state: StepState,
    /// What was created (an ID or name), or why it failed.
    pub detail: Option<String>,
}

/// A creation in progress or ended: its steps; `failed` steps keep their resources until removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Creation {
    pub id: String,
    pub cluster_name: String,
    pub state: CreationState,
    pub steps: Vec<Step>,
}

/// A VPC, subnet, security group or key pair to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub id: String,
    /// Name tag, CIDR, AZ, description... whatever helps pick it.
    pub label: String,
    /// The default VPC, or a subnet's default-for-AZ.
    pub is_default: bool,
}

/// What the EC2 step of the wizard needs: the AMI that would be used, the instance role's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Ec2Defaults {
    /// The ECS-optimized Amazon Linux 2023 AMI (from SSM), if it could be read.
    pub recommended_image_id: Option<String>,
    /// Whether `ecsInstanceRole` exists (with an instance profile of the same name).
    pub instance_role_exists: bool,
}

/// An instance type EC2 offers in the environment's region (DescribeInstanceTypes), for the
/// cluster wizard's typed search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InstanceTypeInfo {
    pub name: String,
    pub vcpus: i64,
    pub memory_mib: i64,
    /// `x86_64`, `arm64`, `i386`, …
    pub architectures: Vec<String>,
}

impl InstanceTypeInfo {
    /// `1 vCPU · 1 GiB · x86_64`.
    pub fn summary(&self) -> String {
        let memory = if self.memory_mib % 1024 == 0 {
            format!("{} GiB", self.memory_mib / 1024)
        } else {
            format!("{:.1} GiB", self.memory_mib as f64 / 1024.0)
        };
        let cpus = if self.vcpus == 1 { "1 vCPU".to_string() } else { format!("{} vCPUs", self.vcpus) };
        format!("{cpus} · {memory} · {}", self.architectures.join(", "))
    }
}

/// A key pair to create (CreateKeyPair, RSA, PEM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewKeyPair {
    pub key_name: String,
}

/// A key pair just created: its private key is in this answer only (EC2 keeps the public half;
/// Berth stores neither), to save as `<keyName>.pem`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CreatedKeyPair {
    pub key_name: String,
    pub key_fingerprint: String,
    pub private_key: String,
}
