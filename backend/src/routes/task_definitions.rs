//! Task definitions: validation of a document (no environment needed), and the families and
//! revisions of an environment — register, list, describe (= export), deregister.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::ecs::task_definition::{Change, Imported, Revision, ServiceUse, Validation};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Auth;
use crate::error::AppError;
use crate::extract::{ApiPath, ApiQuery, JsonBytes};
use crate::ops::{Caller, task_definitions};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(validate))
        .routes(routes!(import_document))
        .routes(routes!(list_families, register))
        .routes(routes!(list_revisions))
        .routes(routes!(describe_revision, deregister_revision))
        .routes(routes!(diff_revisions))
        .routes(routes!(services_using))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DiffParams {
    /// The older revision.
    from: i64,
    /// The newer revision.
    to: i64,
}

/// Field-by-field changes from one revision of a family to another (containers and volumes are
/// matched by name).
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/diff", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"), DiffParams),
    responses((status = 200, body = Vec<Change>), (status = 404, body = ApiError)))]
async fn diff_revisions(
    caller: Caller,
    ApiPath((env, family)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<DiffParams>,
) -> Result<Json<Vec<Change>>, AppError> {
    Ok(Json(task_definitions::changes(&caller, &env, &family, params.from, params.to).await?))
}

/// Checks a task definition (`--cli-input-json` or `describe-task-definition` output) against
/// AWS's RegisterTaskDefinition rules, without registering it. Any logged-in caller.
#[utoipa::path(post, path = "/api/task-definitions/validate", tag = "task-definitions",
    request_body(content = Object, description = "The document"),
    responses((status = 200, body = Validation), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
async fn validate(Auth(_): Auth, JsonBytes(body): JsonBytes) -> Result<Json<Validation>, AppError> {
    Ok(Json(task_definitions::check(body).await?))
}

/// Reads a document (`--cli-input-json` or `describe-task-definition` output, whole or its
/// `taskDefinition`) into a registration: read-only fields are dropped and named; an unknown key
/// is a 422 naming it. The wizard imports through this (no rules checked: it shows them itself).
#[utoipa::path(post, path = "/api/task-definitions/import", tag = "task-definitions",
    request_body(content = Object, description = "The document"),
    responses((status = 200, body = Imported), (status = 422, body = ApiError), (status = 401, body = ApiError)))]
async fn import_document(Auth(_): Auth, JsonBytes(body): JsonBytes) -> Result<Json<Imported>, AppError> {
    Ok(Json(task_definitions::read(body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct StatusFilter {
    /// `ACTIVE` (default) or `INACTIVE`.
    status: Option<String>,
}

/// Family names with revisions in the given status.
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), StatusFilter),
    responses((status = 200, body = Vec<String>), (status = "4XX", body = ApiError)))]
async fn list_families(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(task_definitions::families(&caller, &env, filter.status.as_deref()).await?))
}

/// Registers a document (`--cli-input-json` or describe output; read-only fields dropped) as the
/// next revision of its family, after AWS's rules pass.
#[utoipa::path(post, path = "/api/envs/{env}/task-definitions", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name")),
    request_body(content = Object, description = "The document"),
    responses((status = 201, body = Revision), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn register(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<Revision>), AppError> {
    Ok((StatusCode::CREATED, Json(task_definitions::register(&caller, &env, body).await?)))
}

/// A family's revision numbers in the given status, newest first.
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/revisions", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"), StatusFilter),
    responses((status = 200, body = Vec<i64>), (status = "4XX", body = ApiError)))]
async fn list_revisions(
    caller: Caller,
    ApiPath((env, family)): ApiPath<(String, String)>,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> Result<Json<Vec<i64>>, AppError> {
    Ok(Json(task_definitions::revisions(&caller, &env, &family, filter.status.as_deref()).await?))
}

/// One revision; its `spec` is the export: `aws ecs register-task-definition --cli-input-json`.
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/revisions/{revision}", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"),
        ("revision" = i64, Path, description = "Revision")),
    responses((status = 200, body = Revision), (status = 404, body = ApiError)))]
async fn describe_revision(
    caller: Caller,
    ApiPath((env, family, revision)): ApiPath<(String, String, i64)>,
) -> Result<Json<Revision>, AppError> {
    Ok(Json(task_definitions::revision(&caller, &env, &family, revision).await?))
}

/// The services with a deployment on this revision: what deregistering it would affect (their
/// running tasks keep running, but they can't scale or replace tasks from it).
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/revisions/{revision}/services", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"),
        ("revision" = i64, Path, description = "Revision")),
    responses((status = 200, body = Vec<ServiceUse>), (status = 404, body = ApiError)))]
async fn services_using(
    caller: Caller,
    ApiPath((env, family, revision)): ApiPath<(String, String, i64)>,
) -> Result<Json<Vec<ServiceUse>>, AppError> {
    Ok(Json(task_definitions::services_using(&caller, &env, &family, revision).await?))
}

/// Deregisters a revision (it becomes INACTIVE; running tasks keep running).
#[utoipa::path(delete, path = "/api/envs/{env}/task-definitions/{family}/revisions/{revision}", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"),
        ("revision" = i64, Path, description = "Revision")),
    responses((status = 200, body = Revision), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
async fn deregister_revision(
    caller: Caller,
    ApiPath((env, family, revision)): ApiPath<(String, String, i64)>,
) -> Result<Json<Revision>, AppError> {
    Ok(Json(task_definitions::deregister(&caller, &env, &family, revision).await?))
}
