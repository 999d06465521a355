//! What's live where: one row per service, one column per environment the caller can see.

use axum::Json;
use shared::error::ApiError;
use shared::live::{LiveQuery, LiveView, ServiceLink};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::extract::{ApiJson, ApiQuery};
use crate::ops::{Caller, live};
use crate::state::AppState;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live_view)).routes(routes!(links, set_links))
}

/// Each service (by cluster and service name) in each environment the caller can see: the
/// revision, images (tag, digest), counts and last deployment; cells that differ from the
/// environment to their left are marked. Environments AWS would not answer for are listed apart.
#[utoipa::path(get, path = "/api/live", tag = "deployments", params(LiveQuery),
    responses((status = 200, body = LiveView), (status = "4XX", body = ApiError)))]
async fn live_view(caller: Caller, ApiQuery(query): ApiQuery<LiveQuery>) -> Result<Json<LiveView>, AppError> {
    Ok(Json(live::view(&caller, &query).await?))
}

/// The links that line up services named differently across environments (as one row here, and as
/// a promotion's default target); each with its services in the environments the caller can see.
#[utoipa::path(get, path = "/api/live/links", tag = "deployments",
    responses((status = 200, body = Vec<ServiceLink>), (status = "4XX", body = ApiError)))]
async fn links(caller: Caller) -> Result<Json<Vec<ServiceLink>>, AppError> {
    Ok(Json(live::links(&caller).await?))
}

/// Replaces every link (admins of every environment): one service per environment in a link, a
/// service in one link at most.
#[utoipa::path(put, path = "/api/live/links", tag = "deployments",
    request_body = Vec<ServiceLink>,
    responses((status = 200, body = Vec<ServiceLink>), (status = 422, body = ApiError), (status = "4XX", body = ApiError)))]
async fn set_links(
    caller: Caller,
    ApiJson(new): ApiJson<Vec<ServiceLink>>,
) -> Result<Json<Vec<ServiceLink>>, AppError> {
    Ok(Json(live::set_links(&caller, &new).await?))
}
