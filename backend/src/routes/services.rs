//! ECS services: create (a create-service document, checked against its task definition), the
//! service page, export as create-service JSON, update (an update-service document), scale,
//! delete, stop a rollout; answer or stop ECS's own deployment (`ops::rollouts`). The use cases are
//! in `ops::services`.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shared::deploy::{ApproveRollout, DeploymentRecord, NativeRollout, RedeployRequest, StopRollout};
use shared::ecs::cluster::ServiceSummary;
use shared::ecs::service::{ServiceDetail, ServiceSpec, ServiceUpdate, UpdateOutcome};
use shared::error::{ApiError, FieldError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ops::{Caller, placement, rollouts, services};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_service))
        .routes(routes!(update_service))
        .routes(routes!(list_services))
        .routes(routes!(get_service, delete_service))
        .routes(routes!(export))
        .routes(routes!(scale))
        .routes(routes!(placement_check))
        .routes(routes!(stop_rollout))
        .routes(routes!(get_rollout))
        .routes(routes!(answer_rollout))
        .routes(routes!(stop_native_rollout))
}

/// Creates a service from an `aws ecs create-service --cli-input-json` document.
#[utoipa::path(post, path = "/api/envs/{env}/services", tag = "services",
    params(("env" = String, Path, description = "Environment name")),
    request_body = ServiceSpec,
    responses((status = 201, body = ServiceDetail), (status = 409, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn create_service(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(spec): ApiJson<ServiceSpec>,
) -> Result<(StatusCode, Json<ServiceDetail>), AppError> {
    Ok((StatusCode::CREATED, Json(services::create(&caller, &env, &spec).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
struct UpdateParams {
    /// Resolve and check the document, answer what it would do, change nothing.
    dry_run: Option<bool>,
}

/// Applies an `aws ecs update-service --cli-input-json` document (the seed pipeline's). The
/// document is first resolved: a bare family name becomes its latest ACTIVE revision, which is
/// what ECS is sent; the answer names it, with the diff against what runs and warnings.
#[utoipa::path(post, path = "/api/envs/{env}/services/update", tag = "services",
    params(("env" = String, Path, description = "Environment name"), UpdateParams),
    request_body = ServiceUpdate,
    responses((status = 200, body = UpdateOutcome), (status = 404, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn update_service(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiQuery(params): ApiQuery<UpdateParams>,
    ApiJson(update): ApiJson<ServiceUpdate>,
) -> Result<Json<UpdateOutcome>, AppError> {
    Ok(Json(services::update(&caller, &env, update, params.dry_run.unwrap_or(false)).await?))
}

/// A cluster's services.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name")),
    responses((status = 200, body = Vec<ServiceSummary>), (status = "4XX", body = ApiError)))]
async fn list_services(
    caller: Caller,
    ApiPath((env, cluster)): ApiPath<(String, String)>,
) -> Result<Json<Vec<ServiceSummary>>, AppError> {
    Ok(Json(services::list(&caller, &env, &cluster).await?))
}

/// The service page: settings, deployments, events (newest first).
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = ServiceDetail), (status = 404, body = ApiError)))]
async fn get_service(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<ServiceDetail>, AppError> {
    Ok(Json(services::page(&caller, &env, &cluster, &service).await?))
}

/// The service as `aws ecs create-service --cli-input-json` takes it.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/export", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = ServiceSpec), (status = 404, body = ApiError)))]
async fn export(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<ServiceSpec>, AppError> {
    Ok(Json(services::export(&caller, &env, &cluster, &service).await?))
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Scale {
    desired_count: i64,
}

/// Sets the desired count (deployers may). No new deployment: the current one starts or stops tasks.
#[utoipa::path(put, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/desired-count", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    request_body = Scale,
    responses((status = 200, body = ServiceDetail), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn scale(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiJson(scale): ApiJson<Scale>,
) -> Result<Json<ServiceDetail>, AppError> {
    Ok(Json(services::scale(&caller, &env, &cluster, &service, scale.desired_count).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
struct PlacementParams {
    /// The desired count to check (the service's own when absent).
    desired_count: Option<i64>,
    /// Check a new deployment of the service's revision too (as a deploy of new images makes).
    rollout: Option<bool>,
}

/// Whether the service's tasks can be placed on the cluster's instances with this desired count
/// (or after a new deployment): warnings naming what each task needs, what the instances have left
/// and what to change; empty when everything fits or the service runs on Fargate.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/placement", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name"), PlacementParams),
    responses((status = 200, body = Vec<FieldError>), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn placement_check(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery<PlacementParams>,
) -> Result<Json<Vec<FieldError>>, AppError> {
    let rollout = params.rollout.unwrap_or(false);
    Ok(Json(placement::of_service(&caller, &env, &cluster, &service, params.desired_count, rollout).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct DeleteParams {
    /// Delete even while scaled above 0 (ECS stops its tasks).
    force: Option<bool>,
}

/// Deletes a service: scaled to 0 first, or with `force`.
#[utoipa::path(delete, path = "/api/envs/{env}/clusters/{cluster}/services/{service}", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name"), DeleteParams),
    responses((status = 204), (status = 404, body = ApiError), (status = 422, body = ApiError)))]
async fn delete_service(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiQuery(params): ApiQuery<DeleteParams>,
) -> Result<StatusCode, AppError> {
    services::delete(&caller, &env, &cluster, &service, params.force.unwrap_or(false)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops a rollout that keeps failing (the circuit breaker off, tasks that can't start): the
/// service is updated back to its last good revision, recorded as a rollback; a Berth deployment
/// still in flight for it ends FAILED, stopped by the caller. Deployers may.
#[utoipa::path(post, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/stop-rollout", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    request_body = RedeployRequest,
    responses((status = 202, body = DeploymentRecord), (status = 409, body = ApiError), (status = "4XX", body = ApiError)))]
async fn stop_rollout(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiJson(request): ApiJson<RedeployRequest>,
) -> Result<(StatusCode, Json<DeploymentRecord>), AppError> {
    Ok((StatusCode::ACCEPTED, Json(services::stop_rollout(&caller, &env, &cluster, &service, &request).await?)))
}

/// Answers the deployment waiting at a PAUSE lifecycle hook (ContinueServiceDeployment):
/// `CONTINUE` or `ROLLBACK`. The environment's approval policy says who may: its role (deployer by
/// default) and, with four eyes, not the person who started the deployment. Audited.
#[utoipa::path(post, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/rollout/answer", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    request_body = ApproveRollout,
    responses((status = 200, body = NativeRollout), (status = 409, body = ApiError), (status = "4XX", body = ApiError)))]
async fn answer_rollout(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiJson(answer): ApiJson<ApproveRollout>,
) -> Result<Json<NativeRollout>, AppError> {
    Ok(Json(rollouts::answer(&caller, &env, &cluster, &service, &answer).await?))
}

/// Stops the service's deployment in progress (StopServiceDeployment): `ROLLBACK` to the source
/// revision (the default) or `ABORT` where it stands. Deployers may; audited.
#[utoipa::path(post, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/rollout/stop", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    request_body = StopRollout,
    responses((status = 200, body = NativeRollout), (status = 409, body = ApiError), (status = "4XX", body = ApiError)))]
async fn stop_native_rollout(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
    ApiJson(request): ApiJson<StopRollout>,
) -> Result<Json<NativeRollout>, AppError> {
    Ok(Json(rollouts::stop(&caller, &env, &cluster, &service, &request).await?))
}

/// The service's current deployment as ECS records it (lifecycle stage, revisions with counts and
/// traffic weights, circuit breaker, alarms, hooks — `awaitingApproval` is a PAUSE hook with
/// status AWAITING_ACTION); `null` where the environment has no native deployment history.
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/rollout", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = Option<NativeRollout>), (status = "4XX", body = ApiError)))]
async fn get_rollout(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<Option<NativeRollout>>, AppError> {
    Ok(Json(rollouts::current_of(&caller, &env, &cluster, &service).await?))
}
