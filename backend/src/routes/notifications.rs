//! Notification destinations of an environment, their delivery logs and "Send test" (admins of
//! the environment). The use cases are in `ops::notifications`.

use axum::Json;
use axum::http::StatusCode;
use shared::error::ApiError;
use shared::notify::{DeliveryInfo, DestinationInfo, NewDestination};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath};
use crate::ops::{Caller, notifications};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_destinations, add_destination))
        .routes(routes!(remove_destination))
        .routes(routes!(list_deliveries))
        .routes(routes!(send_test))
}

/// The environment's destinations: URLs and secrets only as hints.
#[utoipa::path(get, path = "/api/envs/{env}/notifications/destinations", tag = "notifications",
    params(("env" = String, Path, description = "Environment name")),
    responses((status = 200, body = Vec<DestinationInfo>), (status = "4XX", body = ApiError)))]
async fn list_destinations(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
) -> Result<Json<Vec<DestinationInfo>>, AppError> {
    Ok(Json(notifications::list(&caller, &env).await?))
}

/// Adds a destination (Slack incoming webhook, or a signed JSON webhook) with its filter.
#[utoipa::path(post, path = "/api/envs/{env}/notifications/destinations", tag = "notifications",
    params(("env" = String, Path, description = "Environment name")),
    request_body = NewDestination,
    responses((status = 201, body = DestinationInfo), (status = 409, description = "Name taken", body = ApiError),
        (status = 422, description = "Input breaks a rule", body = ApiError), (status = "4XX", body = ApiError)))]
async fn add_destination(
    caller: Caller,
    ApiPath(env): ApiPath<String>,
    ApiJson(new): ApiJson<NewDestination>,
) -> Result<(StatusCode, Json<DestinationInfo>), AppError> {
    Ok((StatusCode::CREATED, Json(notifications::add(&caller, &env, &new).await?)))
}

/// Removes a destination, its delivery log and whatever it had still to send.
#[utoipa::path(delete, path = "/api/envs/{env}/notifications/destinations/{id}", tag = "notifications",
    params(("env" = String, Path, description = "Environment name"), ("id" = i64, Path, description = "Destination id")),
    responses((status = 204, description = "Removed"), (status = "4XX", body = ApiError)))]
async fn remove_destination(
    caller: Caller,
    ApiPath((env, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, AppError> {
    notifications::remove(&caller, &env, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The destination's newest 100 deliveries: event, idempotency key, status, attempts, last error.
#[utoipa::path(get, path = "/api/envs/{env}/notifications/destinations/{id}/deliveries", tag = "notifications",
    params(("env" = String, Path, description = "Environment name"), ("id" = i64, Path, description = "Destination id")),
    responses((status = 200, body = Vec<DeliveryInfo>), (status = "4XX", body = ApiError)))]
async fn list_deliveries(
    caller: Caller,
    ApiPath((env, id)): ApiPath<(String, i64)>,
) -> Result<Json<Vec<DeliveryInfo>>, AppError> {
    Ok(Json(notifications::log(&caller, &env, id).await?))
}

/// Sends a test notification to the destination, whatever its filter; answers its delivery (pending).
#[utoipa::path(post, path = "/api/envs/{env}/notifications/destinations/{id}/test", tag = "notifications",
    params(("env" = String, Path, description = "Environment name"), ("id" = i64, Path, description = "Destination id")),
    responses((status = 202, body = DeliveryInfo), (status = "4XX", body = ApiError)))]
async fn send_test(
    caller: Caller,
    ApiPath((env, id)): ApiPath<(String, i64)>,
) -> Result<(StatusCode, Json<DeliveryInfo>), AppError> {
    Ok((StatusCode::ACCEPTED, Json(notifications::test(&caller, &env, id).await?)))
}
