//! Approval before start: the requests waiting (or decided), and the decisions. A request is made
//! by a deploy, rollback, redeploy or promotion in an environment whose guardrails ask for it.

use axum::Json;
use serde::Deserialize;
use shared::approvals::{ApprovalRequest, Decision};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ops::{Caller, approvals};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get_request))
        .routes(routes!(approve))
        .routes(routes!(reject))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Every request, decided and expired ones too (default: those waiting).
    all: Option<bool>,
}

/// The requests of the environments the caller can see, newest first: those waiting for a
/// decision, or (`all`) every one.
#[utoipa::path(get, path = "/api/approvals", tag = "guardrails", params(ListParams),
    responses((status = 200, body = Vec<ApprovalRequest>), (status = "4XX", body = ApiError)))]
async fn list(caller: Caller, ApiQuery(params): ApiQuery<ListParams>) -> Result<Json<Vec<ApprovalRequest>>, AppError> {
    Ok(Json(approvals::list(&caller, params.all.unwrap_or(false)).await?))
}

/// One request: what it would do (the task definition diff), who asked, how it was decided.
#[utoipa::path(get, path = "/api/approvals/{id}", tag = "guardrails",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = ApprovalRequest), (status = "4XX", body = ApiError)))]
async fn get_request(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<Json<ApprovalRequest>, AppError> {
    Ok(Json(approvals::get(&caller, id).await?))
}

/// Approves a request and starts what it asks (as its requester's, approved by the caller):
/// another deployer of the service, never the requester. The checks run again first.
#[utoipa::path(post, path = "/api/approvals/{id}/approve", tag = "guardrails",
    params(("id" = i64, Path, description = "Request id")),
    request_body = Decision,
    responses((status = 200, description = "Approved: `deployment` is the deployment it started", body = ApprovalRequest),
        (status = 403, description = "The caller asked for it, or is no deployer of the service", body = ApiError),
        (status = 409, description = "Decided or expired already, or it can't start now (it waits again)", body = ApiError),
        (status = "4XX", body = ApiError)))]
async fn approve(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<ApprovalRequest>, AppError> {
    Ok(Json(approvals::approve(&caller, id, &decision).await?))
}

/// Rejects a request with a reason: another deployer of the service, or its requester (withdrawn).
#[utoipa::path(post, path = "/api/approvals/{id}/reject", tag = "guardrails",
    params(("id" = i64, Path, description = "Request id")),
    request_body = Decision,
    responses((status = 200, body = ApprovalRequest), (status = 409, body = ApiError), (status = 422, body = ApiError),
        (status = "4XX", body = ApiError)))]
async fn reject(
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<ApprovalRequest>, AppError> {
    Ok(Json(approvals::reject(&caller, id, &decision).await?))
}
