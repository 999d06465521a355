//! Task definitions: validation of a document (no environment needed), and the families and
//! revisions of an environment — register, list, describe (= export), deregister.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use shared::auth::Role;
use shared::ecs::task_definition::{
    Change, Imported, Revision, ServiceUse, Validation, check_document, diff, import, validate as validate_spec,
};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Target, audited};
use crate::auth::Auth;
use crate::aws::status_of;
use crate::error::AppError;
use crate::extract::{ApiPath, ApiQuery, JsonBytes, parse_json};
use crate::state::AppState;

use super::readable;

pub fn router() -> OpenApiRouter<AppState> {
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
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, family)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<DiffParams>,
) -> Result<Json<Vec<Change>>, AppError> {
    let aws = readable(&state, &principal, &env)?;
    let (from, to) =
        tokio::try_join!(aws.describe_revision(&family, params.from), aws.describe_revision(&family, params.to))?;
    Ok(Json(diff(&from.spec, &to.spec)))
}

/// Checks a task definition (`--cli-input-json` or `describe-task-definition` output) against
/// AWS's RegisterTaskDefinition rules, without registering it. Any logged-in caller.
#[utoipa::path(post, path = "/api/task-definitions/validate", tag = "task-definitions",
    request_body(content = Object, description = "The document"),
    responses((status = 200, body = Validation), (status = 400, body = ApiError), (status = 401, body = ApiError)))]
async fn validate(Auth(_): Auth, JsonBytes(body): JsonBytes) -> Result<Json<Validation>, AppError> {
    off_runtime(move || Ok(Json(check_document(&parse_document(&body)?.to_string())))).await
}

/// Parsing and checking a document of up to the body limit is CPU work: it runs off the async
/// workers so it never stalls other requests (the rules refuse an oversized document first).
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(e.into()))?
}

/// The body as JSON: a syntax error is a 400, as for every other body.
fn parse_document(body: &[u8]) -> Result<serde_json::Value, AppError> {
    parse_json(body)
}

/// Reads a document (`--cli-input-json` or `describe-task-definition` output, whole or its
/// `taskDefinition`) into a registration: read-only fields are dropped and named; an unknown key
/// is a 422 naming it. The wizard imports through this (no rules checked: it shows them itself).
#[utoipa::path(post, path = "/api/task-definitions/import", tag = "task-definitions",
    request_body(content = Object, description = "The document"),
    responses((status = 200, body = Imported), (status = 422, body = ApiError), (status = 401, body = ApiError)))]
async fn import_document(Auth(_): Auth, JsonBytes(body): JsonBytes) -> Result<Json<Imported>, AppError> {
    off_runtime(move || Ok(Json(import(&parse_document(&body)?.to_string()).map_err(AppError::Validation)?))).await
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
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> Result<Json<Vec<String>>, AppError> {
    let aws = readable(&state, &principal, &env)?;
    Ok(Json(aws.list_task_definition_families(status_of(filter.status.as_deref())?).await?))
}

/// Registers a document (`--cli-input-json` or describe output; read-only fields dropped) as the
/// next revision of its family, after AWS's rules pass.
#[utoipa::path(post, path = "/api/envs/{env}/task-definitions", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name")),
    request_body(content = Object, description = "The document"),
    responses((status = 201, body = Revision), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn register(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath(env): ApiPath<String>,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<Revision>), AppError> {
    let aws = state.environments.get(&env)?;
    let document = off_runtime(move || parse_document(&body)).await?;
    let family = document.get("family").and_then(|f| f.as_str()).unwrap_or("?").to_string();
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("task definition {family}")),
        action: "task-definition.register",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require(&env, Role::Admin)?;
        let imported = off_runtime(move || {
            let imported = import(&document.to_string()).map_err(AppError::Validation)?;
            let report = validate_spec(&imported.spec);
            if report.is_valid() { Ok(imported) } else { Err(AppError::Validation(report.errors)) }
        })
        .await?;
        Ok((StatusCode::CREATED, Json(aws.register_task_definition(&imported.spec).await?)))
    })
    .await
}

/// A family's revision numbers in the given status, newest first.
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/revisions", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"), StatusFilter),
    responses((status = 200, body = Vec<i64>), (status = "4XX", body = ApiError)))]
async fn list_revisions(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, family)): ApiPath<(String, String)>,
    ApiQuery(filter): ApiQuery<StatusFilter>,
) -> Result<Json<Vec<i64>>, AppError> {
    let aws = readable(&state, &principal, &env)?;
    Ok(Json(aws.list_revisions(&family, status_of(filter.status.as_deref())?).await?))
}

/// One revision; its `spec` is the export: `aws ecs register-task-definition --cli-input-json`.
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/revisions/{revision}", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"),
        ("revision" = i64, Path, description = "Revision")),
    responses((status = 200, body = Revision), (status = 404, body = ApiError)))]
async fn describe_revision(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, family, revision)): ApiPath<(String, String, i64)>,
) -> Result<Json<Revision>, AppError> {
    let aws = readable(&state, &principal, &env)?;
    Ok(Json(aws.describe_revision(&family, revision).await?))
}

/// The services with a deployment on this revision: what deregistering it would affect (their
/// running tasks keep running, but they can't scale or replace tasks from it).
#[utoipa::path(get, path = "/api/envs/{env}/task-definitions/{family}/revisions/{revision}/services", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"),
        ("revision" = i64, Path, description = "Revision")),
    responses((status = 200, body = Vec<ServiceUse>), (status = 404, body = ApiError)))]
async fn services_using(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, family, revision)): ApiPath<(String, String, i64)>,
) -> Result<Json<Vec<ServiceUse>>, AppError> {
    let aws = readable(&state, &principal, &env)?;
    let described = aws.describe_revision(&family, revision).await?;
    Ok(Json(aws.services_using(&described.task_definition_arn).await?))
}

/// Deregisters a revision (it becomes INACTIVE; running tasks keep running).
#[utoipa::path(delete, path = "/api/envs/{env}/task-definitions/{family}/revisions/{revision}", tag = "task-definitions",
    params(("env" = String, Path, description = "Environment name"), ("family" = String, Path, description = "Family"),
        ("revision" = i64, Path, description = "Revision")),
    responses((status = 200, body = Revision), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
async fn deregister_revision(
    State(state): State<AppState>,
    Auth(principal): Auth,
    ApiPath((env, family, revision)): ApiPath<(String, String, i64)>,
) -> Result<Json<Revision>, AppError> {
    let aws = state.environments.get(&env)?;
    let target = Target {
        environment: Some(&env),
        resource: Some(format!("task definition {family}:{revision}")),
        action: "task-definition.deregister",
    };
    audited(state.store.pool(), &principal, target, async {
        principal.require(&env, Role::Admin)?;
        let reference = format!("{family}:{revision}");
        let users = crate::deploy::records::last_good_users(state.store.pool(), &env, &reference)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        if !users.is_empty() {
            return Err(AppError::Conflict {
                message: format!(
                    "{reference} is the last known-good revision of {}: Berth keeps it so a rollback can always go back to it.",
                    users.join(", ")
                ),
                field: None,
            });
        }
        Ok(Json(aws.deregister_revision(&family, revision).await?))
    })
    .await
}
