//! API tokens for CI (admins of every environment only). The use cases are in `ops::admin`.

use axum::Json;
use axum::http::StatusCode;
use shared::auth::{CreatedToken, TokenInfo, TokenSpec};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::ops::{Caller, admin};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_tokens, create_token)).routes(routes!(revoke_token))
}

/// Every token, newest first (never their secrets).
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ApiError), (status = 403, body = ApiError)))]
async fn list_tokens(caller: Caller) -> Result<Json<Vec<TokenInfo>>, AppError> {
    Ok(Json(admin::tokens(&caller).await?))
}

/// Creates a token; the answer holds its secret, which is never shown again.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = TokenSpec,
    responses((status = 201, body = CreatedToken), (status = 403, body = ApiError), (status = 422, body = ApiError)))]
async fn create_token(
    caller: Caller,
    ApiJson(spec): ApiJson<TokenSpec>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    Ok((StatusCode::CREATED, Json(admin::create_token(&caller, &spec).await?)))
}

/// Revokes a token at once; it stays listed, marked revoked.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "tokens", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 404, body = ApiError), (status = 403, body = ApiError)))]
async fn revoke_token(caller: Caller, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, AppError> {
    admin::revoke_token(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
