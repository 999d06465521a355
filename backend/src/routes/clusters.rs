//! ECS clusters of an environment: list, page, create (with EC2 capacity, followed step by step),
//! remove a failed creation's leftovers, delete; and what the wizard offers to choose from.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::ecs::cluster::{
    Choice, ClusterDetail, ClusterSpec, ClusterSummary, CreatedKeyPair, Creation, Ec2Defaults, InstanceTypeInfo,
    NewKeyPair,
};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ops::{Caller, clusters};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clusters, create_cluster))
        .routes(routes!(get_cluster, delete_cluster))
        .routes(routes!(get_creation, remove_creation))
        .routes(routes!(list_vpcs))
        .routes(routes!(list_subnets))
        .routes(routes!(list_security_groups))
        .routes(routes!(list_key_pairs, create_key_pair))
        .routes(routes!(list_instance_types))
        .routes(routes!(ec2_defaults))
}

/// Every cluster with its statistics.
#[utoipa::path(get, path = "/api/envs/{env}/clusters", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<ClusterSummary>), (status = "4XX", body = ApiError), (status = "5XX", body = ApiError)))]
async fn list_clusters(caller: Caller, ApiPath(env): ApiPath<String>) -> Result<Json<Vec<ClusterSummary>>, AppError> {
    Ok(Json(clusters::list(&caller, &env).await?))
}

/// Starts creating a cluster (and its EC2 capacity): 202 with the planned steps; follow them at
/// `cluster-creations/{id}`.
#[utoipa::path(post, path = "/api/envs/{env}/clusters", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    request_body = ClusterSpec,
    responses((status = 202, body = Creation), (status = 409, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn create_cluster(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(spec): ApiJson<ClusterSpec>,
) -> Result<(StatusCode, Json<Creation>), AppError> {
    Ok((StatusCode::ACCEPTED, Json(clusters::create(&caller, &env, spec).await?)))
}

/// The cluster page: statistics, container instances, services, the capacity Berth built.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{name}", tag = "clusters",
    params(("env" = String, Path, description = "Environment name"), ("name" = String, Path, description = "Cluster name")),
    responses((status = 200, body = ClusterDetail), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn get_cluster(
    caller: Caller,
    ApiPath((env, name)): ApiPath<(String, String)>,
) -> Result<Json<ClusterDetail>, AppError> {
    Ok(Json(clusters::page(&caller, &env, &name).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DeleteParams {
    /// Also remove the capacity Berth created for it (capacity provider, Auto Scaling group and its
    /// instances, launch template, security group).
    remove_capacity: Option<bool>,
}

/// Deletes a cluster; refused (409, naming them) while it has services.
#[utoipa::path(delete, path = "/api/envs/{env}/clusters/{name}", tag = "clusters",
    params(("env" = String, Path, description = "Environment name"), ("name" = String, Path, description = "Cluster name"), DeleteParams),
    responses((status = 204), (status = 409, body = ApiError), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn delete_cluster(
    caller: Caller,
    ApiPath((env, name)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<DeleteParams>,
) -> Result<StatusCode, AppError> {
    clusters::delete(&caller, &env, &name, params.remove_capacity.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A creation's steps, as they progress.
#[utoipa::path(get, path = "/api/envs/{env}/cluster-creations/{id}", tag = "clusters",
    params(("env" = String, Path, description = "Environment name"), ("id" = String, Path, description = "Creation id")),
    responses((status = 200, body = Creation), (status = 404, body = ApiError)))]
async fn get_creation(
    caller: Caller,
    ApiPath((env, id)): ApiPath<(String, String)>,
) -> Result<Json<Creation>, AppError> {
    Ok(Json(clusters::creation(&caller, &env, &id)?))
}

/// Removes what a failed creation made, newest first (202: follow the steps).
#[utoipa::path(delete, path = "/api/envs/{env}/cluster-creations/{id}", tag = "clusters",
    params(("env" = String, Path, description = "Environment name"), ("id" = String, Path, description = "Creation id")),
    responses((status = 202, body = Creation), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
async fn remove_creation(
    caller: Caller,
    ApiPath((env, id)): ApiPath<(String, String)>,
) -> Result<(StatusCode, Json<Creation>), AppError> {
    Ok((StatusCode::ACCEPTED, Json(clusters::remove_creation(&caller, &env, &id).await?)))
}

/// The environment's VPCs.
#[utoipa::path(get, path = "/api/envs/{env}/network/vpcs", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<Choice>), (status = "4XX", body = ApiError)))]
async fn list_vpcs(caller: Caller, ApiPath(env): ApiPath<String>) -> Result<Json<Vec<Choice>>, AppError> {
    Ok(Json(clusters::vpcs(&caller, &env).await?))
}

/// A VPC's subnets.
#[utoipa::path(get, path = "/api/envs/{env}/network/vpcs/{vpc}/subnets", tag = "clusters",
    params(("env" = String, Path, description = "Environment name"), ("vpc" = String, Path, description = "VPC ID")),
    responses((status = 200, body = Vec<Choice>), (status = "4XX", body = ApiError)))]
async fn list_subnets(
    caller: Caller,
    ApiPath((env, vpc)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Choice>>, AppError> {
    Ok(Json(clusters::subnets(&caller, &env, &vpc).await?))
}

/// A VPC's security groups.
#[utoipa::path(get, path = "/api/envs/{env}/network/vpcs/{vpc}/security-groups", tag = "clusters",
    params(("env" = String, Path, description = "Environment name"), ("vpc" = String, Path, description = "VPC ID")),
    responses((status = 200, body = Vec<Choice>), (status = "4XX", body = ApiError)))]
async fn list_security_groups(
    caller: Caller,
    ApiPath((env, vpc)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Choice>>, AppError> {
    Ok(Json(clusters::security_groups(&caller, &env, &vpc).await?))
}

/// EC2 key pairs (for SSH to the instances; optional).
#[utoipa::path(get, path = "/api/envs/{env}/network/key-pairs", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<Choice>), (status = "4XX", body = ApiError)))]
async fn list_key_pairs(caller: Caller, ApiPath(env): ApiPath<String>) -> Result<Json<Vec<Choice>>, AppError> {
    Ok(Json(clusters::key_pairs(&caller, &env).await?))
}

/// Creates an EC2 key pair (RSA, PEM) for SSH to the instances: the answer holds the private key,
/// once — Berth does not keep it.
#[utoipa::path(post, path = "/api/envs/{env}/network/key-pairs", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    request_body = NewKeyPair,
    responses((status = 201, body = CreatedKeyPair), (status = 409, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn create_key_pair(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(request): ApiJson<NewKeyPair>,
) -> Result<(StatusCode, [(axum::http::HeaderName, &'static str); 1], Json<CreatedKeyPair>), AppError> {
    let created = clusters::create_key_pair(&caller, &env, &request).await?;
    // A private key: no cache keeps a copy.
    Ok((StatusCode::CREATED, [(axum::http::header::CACHE_CONTROL, "no-store")], Json(created)))
}

/// The instance types EC2 offers in the environment's region (vCPUs, memory, architectures).
#[utoipa::path(get, path = "/api/envs/{env}/network/instance-types", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<InstanceTypeInfo>), (status = "4XX", body = ApiError)))]
async fn list_instance_types(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
) -> Result<Json<Vec<InstanceTypeInfo>>, AppError> {
    Ok(Json(clusters::instance_types(&caller, &env).await?))
}

/// The ECS-optimized AMI the wizard would use, and whether `ecsInstanceRole` exists.
#[utoipa::path(get, path = "/api/envs/{env}/network/ec2-defaults", tag = "clusters",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Ec2Defaults), (status = "4XX", body = ApiError)))]
async fn ec2_defaults(caller: Caller, ApiPath(env): ApiPath<String>) -> Result<Json<Ec2Defaults>, AppError> {
    Ok(Json(clusters::ec2_defaults(&caller, &env).await?))
}
