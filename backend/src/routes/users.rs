//! User accounts (admins of every environment only). The use cases are in `ops::admin`.

use axum::Json;
use axum::http::StatusCode;
use shared::auth::{Grant, NewUser, UserInfo};
use shared::error::ApiError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::ops::{Caller, admin};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users, add_user)).routes(routes!(disable_user)).routes(routes!(set_grants))
}

/// Active users and their roles.
#[utoipa::path(get, path = "/api/users", tag = "users",
    responses((status = 200, body = Vec<UserInfo>), (status = 403, body = ApiError)))]
async fn list_users(caller: Caller) -> Result<Json<Vec<UserInfo>>, AppError> {
    Ok(Json(admin::users(&caller).await?))
}

/// Adds a user with a password and roles.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserInfo), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn add_user(caller: Caller, ApiJson(new): ApiJson<NewUser>) -> Result<(StatusCode, Json<UserInfo>), AppError> {
    Ok((StatusCode::CREATED, Json(admin::add_user(&caller, &new).await?)))
}

/// Replaces a user's roles.
#[utoipa::path(put, path = "/api/users/{name}/grants", tag = "users", request_body = Vec<Grant>,
    params(("name" = String, Path, description = "User name")),
    responses((status = 200, body = UserInfo), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)))]
async fn set_grants(
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(grants): ApiJson<Vec<Grant>>,
) -> Result<Json<UserInfo>, AppError> {
    Ok(Json(admin::set_grants(&caller, &name, &grants).await?))
}

/// Disables a user: sessions end, their API tokens are revoked, the name stays taken.
#[utoipa::path(delete, path = "/api/users/{name}", tag = "users", params(("name" = String, Path, description = "User name")),
    responses((status = 204, description = "Disabled"), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
async fn disable_user(caller: Caller, ApiPath(name): ApiPath<String>) -> Result<StatusCode, AppError> {
    admin::disable_user(&caller, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
