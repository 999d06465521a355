//! Tasks: one task's page, and where a service answers ("Open"). The use cases are in `ops::tasks`.

use axum::Json;
use shared::ecs::task::{ServiceAddresses, TaskDetail};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::ApiPath;
use crate::ops::{Caller, tasks};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(task)).routes(routes!(addresses))
}

/// A task: its revision, host (EC2 instance, zone, IPs), containers (image and digest, status, exit
/// code, reason, health, port bindings), stop code and reason. A stopped task ECS has forgotten is
/// answered from what Berth kept with a failed deployment (`kept`).
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/tasks/{task}", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("task" = String, Path, description = "Task ID")),
    responses((status = 200, body = TaskDetail), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn task(
    caller: Caller,
    ApiPath((env, cluster, task)): ApiPath<(String, String, String)>,
) -> Result<Json<TaskDetail>, AppError> {
    Ok(Json(tasks::detail(&caller, &env, &cluster, &task).await?))
}

/// Where the service answers: each running task's host ports on its instance's public IP (else
/// its private one, marked), with notes for what they leave out (a load balancer, awsvpc tasks).
#[utoipa::path(get, path = "/api/envs/{env}/clusters/{cluster}/services/{service}/addresses", tag = "services",
    params(("env" = String, Path, description = "Environment name"), ("cluster" = String, Path, description = "Cluster name"),
        ("service" = String, Path, description = "Service name")),
    responses((status = 200, body = ServiceAddresses), (status = 404, body = ApiError), (status = "4XX", body = ApiError)))]
async fn addresses(
    caller: Caller,
    ApiPath((env, cluster, service)): ApiPath<(String, String, String)>,
) -> Result<Json<ServiceAddresses>, AppError> {
    Ok(Json(tasks::addresses(&caller, &env, &cluster, &service).await?))
}
