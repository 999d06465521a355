//! Promotions: environment B's service gets exactly the image digests environment A's runs, with
//! the other differences of their task definitions kept (B's) or taken (A's), field by field.

use axum::Json;
use axum::http::HeaderMap;
use shared::approvals::Submitted;
use shared::deploy::promotion::{PromotionPlan, PromotionRequest};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::deployments::{DeployParams, answer_begun, idempotency_key};
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ops::{Caller, promotions};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(preview)).routes(routes!(promote))
}

/// What promoting would do: A's deployment and revision, each container's image now and as
/// promoted (A's digest), every other difference with the choice `take` makes, and B's task
/// definition changes.
#[utoipa::path(post, path = "/api/envs/{env}/promotions/preview", tag = "deployments",
    params(("env" = String, Path, description = "The environment promoted to (B)")),
    request_body = PromotionRequest,
    responses((status = 200, body = PromotionPlan), (status = 409, body = ApiError), (status = 422, body = ApiError),
        (status = "4XX", body = ApiError)))]
async fn preview(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(request): ApiJson<PromotionRequest>,
) -> Result<Json<PromotionPlan>, AppError> {
    Ok(Json(promotions::preview(&caller, &env, &request).await?))
}

/// Promotes A's release to B's matching service: a deployment of kind `promotion` naming A's
/// deployment (or, where B asks for approval, a request). With `wait`, answers as a deploy does.
#[utoipa::path(post, path = "/api/envs/{env}/promotions", tag = "deployments",
    params(("env" = String, Path, description = "The environment promoted to (B)"), DeployParams,
        ("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key returns the same deployment")),
    request_body = PromotionRequest,
    responses((status = 202, description = "Started, or the request waiting for approval", body = Submitted),
        (status = 200, description = "(wait) the rollout SUCCEEDED", body = Submitted),
        (status = 409, body = ApiError), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn promote(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiQuery(params): ApiQuery<DeployParams>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<PromotionRequest>,
) -> Result<axum::response::Response, AppError> {
    let key = idempotency_key(&headers)?;
    let begun = promotions::promote(&caller, &env, &request, key.as_deref()).await?;
    answer_begun(&caller, begun, params.wait.unwrap_or(false)).await
}
