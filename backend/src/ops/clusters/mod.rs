//! ECS clusters: list, page, create with EC2 capacity (step by step in the background, in
//! [`creations`]), remove a failed creation's leftovers, delete; and what the wizard offers.

mod creations;

pub(crate) use creations::Creations;
use shared::auth::Role;
use shared::ecs::cluster::{
    Choice, ClusterDetail, ClusterSpec, ClusterSummary, CreatedKeyPair, Creation, Ec2Defaults, InstanceTypeInfo,
    NewKeyPair, check_instance_type, key_name_error, validate,
};
use shared::error::FieldError;

use super::{Action, Caller, Needs};
use crate::error::AppError;

pub(crate) async fn list(caller: &Caller, env: &str) -> Result<Vec<ClusterSummary>, AppError> {
    let aws = caller.read(env)?;
    aws.shared("clusters", aws.list_clusters()).await
}

/// Starts creating a cluster (and its EC2 capacity): the planned steps, followed at [`creation`].
pub(crate) async fn create(caller: &Caller, env: &str, spec: ClusterSpec) -> Result<Creation, AppError> {
    let action = Action::new("cluster.create", format!("cluster {}", spec.cluster_name), Needs::Role(Role::Admin));
    caller
        .act(env, action, async |aws| {
            validate(&spec)?;
            if let Some(ec2) = &spec.ec2 {
                // Best effort: a policy without ec2:DescribeInstanceTypes leaves the type to EC2's own
                // refusal at the launch template step.
                match aws.instance_types(Some(&ec2.instance_type)).await {
                    Ok(offered) => check_instance_type(&ec2.instance_type, &offered, ec2.image_id.is_some())
                        .map_err(AppError::Validation)?,
                    Err(e) => tracing::warn!(error = %e, "instance type not checked"),
                }
            }
            if aws.cluster(&spec.cluster_name).await.is_ok() {
                return Err(AppError::Conflict {
                    message: format!("A cluster named {} already exists in environment '{env}'.", spec.cluster_name),
                    field: Some("clusterName".into()),
                });
            }
            let state = &caller.state;
            Ok(state.creations.start(state.environments.clone(), env, spec))
        })
        .await
}

/// The cluster page: statistics, container instances, services, the capacity Berth built.
pub(crate) async fn page(caller: &Caller, env: &str, name: &str) -> Result<ClusterDetail, AppError> {
    let aws = caller.read(env)?;
    aws.shared(&format!("cluster {name}"), aws.cluster_detail(name)).await
}

/// Deletes a cluster (refused while it has services), with `remove_capacity` the capacity Berth
/// created for it too.
pub(crate) async fn delete(caller: &Caller, env: &str, name: &str, remove_capacity: bool) -> Result<(), AppError> {
    let action = Action::new("cluster.delete", format!("cluster {name}"), Needs::Role(Role::Admin));
    caller.act(env, action, async |aws| creations::delete_cluster(aws, name, remove_capacity).await).await
}

/// A creation's steps, as they progress.
pub(crate) fn creation(caller: &Caller, env: &str, id: &str) -> Result<Creation, AppError> {
    caller.read(env)?;
    caller.state.creations.get(env, id).ok_or_else(|| AppError::NotFound(format!("No cluster creation {id}.")))
}

/// Removes what a failed creation made, newest first.
pub(crate) async fn remove_creation(caller: &Caller, env: &str, id: &str) -> Result<Creation, AppError> {
    let action = Action::new("cluster.creation.remove", format!("cluster creation {id}"), Needs::Role(Role::Admin));
    let state = &caller.state;
    caller.act(env, action, async |_| state.creations.remove(state.environments.clone(), env, id)).await
}

pub(crate) async fn vpcs(caller: &Caller, env: &str) -> Result<Vec<Choice>, AppError> {
    caller.read(env)?.list_vpcs().await
}

pub(crate) async fn subnets(caller: &Caller, env: &str, vpc: &str) -> Result<Vec<Choice>, AppError> {
    caller.read(env)?.list_subnets(vpc).await
}

pub(crate) async fn security_groups(caller: &Caller, env: &str, vpc: &str) -> Result<Vec<Choice>, AppError> {
    caller.read(env)?.list_security_groups(vpc).await
}

pub(crate) async fn key_pairs(caller: &Caller, env: &str) -> Result<Vec<Choice>, AppError> {
    caller.read(env)?.list_key_pairs().await
}

/// Creates an EC2 key pair for SSH to the instances (admins may): the private key is in the
/// answer only, never stored or logged.
pub(crate) async fn create_key_pair(
    caller: &Caller,
    env: &str,
    request: &NewKeyPair,
) -> Result<CreatedKeyPair, AppError> {
    let action = Action::new("keypair.create", format!("key pair {}", request.key_name), Needs::Role(Role::Admin));
    caller
        .act(env, action, async |aws| {
            if let Some(message) = key_name_error(&request.key_name) {
                return Err(AppError::Validation(vec![FieldError::new("keyName", format!("{message}."))]));
            }
            aws.create_key_pair(&request.key_name).await
        })
        .await
}

/// The instance types EC2 offers in the environment's region.
pub(crate) async fn instance_types(caller: &Caller, env: &str) -> Result<Vec<InstanceTypeInfo>, AppError> {
    caller.read(env)?.offered_instance_types().await
}

/// The ECS-optimized AMI the wizard would use, and whether `ecsInstanceRole` exists.
pub(crate) async fn ec2_defaults(caller: &Caller, env: &str) -> Result<Ec2Defaults, AppError> {
    caller.read(env)?.ec2_defaults().await
}
