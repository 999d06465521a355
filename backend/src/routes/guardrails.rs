//! Guardrails: an environment's settings (read by anyone who sees it, set by its admins), and a
//! failed deployment's acknowledgement. The use cases are in `ops::guardrails`.

use axum::Json;
use shared::error::ApiError;
use shared::guardrails::{AcknowledgeRequest, Acknowledgement, Guardrails, GuardrailsInfo};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::ops::{Caller, guardrails};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_guardrails, set_guardrails)).routes(routes!(acknowledge))
}

/// The environment's guardrails (all off until an admin sets them).
#[utoipa::path(get, path = "/api/envs/{env}/guardrails", tag = "guardrails",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = GuardrailsInfo), (status = "4XX", body = ApiError)))]
async fn get_guardrails(caller: Caller, ApiPath(env): ApiPath<String>) -> Result<Json<GuardrailsInfo>, AppError> {
    Ok(Json(guardrails::get(&caller, &env).await?))
}

/// Sets the environment's guardrails, all of them at once (admins of the environment).
#[utoipa::path(put, path = "/api/envs/{env}/guardrails", tag = "guardrails",
    params(("env" = String, Path, description = "Environment name")),
    request_body = Guardrails,
    responses((status = 200, body = GuardrailsInfo), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn set_guardrails(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(new): ApiJson<Guardrails>,
) -> Result<Json<GuardrailsInfo>, AppError> {
    Ok(Json(guardrails::set(&caller, &env, &new).await?))
}

/// Acknowledges why a deployment failed (or was rolled back): the failed-image guard lets its
/// image digests go out to its service again. Deployers of the service; the reason is kept.
#[utoipa::path(post, path = "/api/deployments/{id}/acknowledge", tag = "guardrails",
    params(("id" = i64, Path, description = "Deployment id")),
    request_body = AcknowledgeRequest,
    responses((status = 200, body = Acknowledgement), (status = 409, description = "It did not fail", body = ApiError),
        (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn acknowledge(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AcknowledgeRequest>,
) -> Result<Json<Acknowledgement>, AppError> {
    Ok(Json(guardrails::acknowledge(&caller, id, &request).await?))
}
